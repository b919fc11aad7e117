"""Networks without BatchNorm (norm="group"), as differentially private training needs."""

import numpy as np
import pytest
import torch

from skstim import StimulusSynthesizer, make_teacher
from skstim.datasets import make_sleep_apnea
from skstim.nets import MLP, ConvNet1d, GRUNet
from skstim.utils import Standardize, normalization_layers


@pytest.mark.parametrize("cls", [ConvNet1d, MLP, GRUNet])
def test_group_norm_nets_hold_no_batchnorm(cls):
    net = cls(input_shape=(2, 16), norm="group", input_loc=[1.0, 95.0], input_scale=[0.5, 2.0])
    assert not any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in net.modules())
    layers = normalization_layers(net)
    assert isinstance(layers[0], Standardize)
    assert any(isinstance(m, torch.nn.GroupNorm) for m in layers[1:])


@pytest.mark.parametrize("cls", [ConvNet1d, MLP])
def test_group_norm_output_of_a_sample_does_not_depend_on_its_batch(cls):
    # What BatchNorm breaks and DP-SGD needs: in training mode a sample's output is the
    # same whoever shares its batch.
    torch.manual_seed(0)
    net = cls(input_shape=(2, 16), norm="group", dropout=0.0).train()
    x = torch.randn(1, 32)
    alone = net(x)
    together = net(torch.cat([x, 10 * torch.randn(7, 32) + 5]))[:1]
    torch.testing.assert_close(alone, together)
    batch_net = cls(input_shape=(2, 16), dropout=0.0).train()
    assert not torch.allclose(batch_net(torch.cat([x, x + 1])), batch_net(torch.cat([x, x - 3])))


def test_standardize_applies_the_given_statistics():
    net = MLP(input_shape=(2, 3), norm="group", input_loc=[1.0, 95.0], input_scale=[0.5, 2.0])
    x = torch.tensor([[1.5, 1.5, 1.5, 97.0, 97.0, 97.0]])
    torch.testing.assert_close(net.input_norm(x.view(1, 2, 3)), torch.ones(1, 2, 3))


@pytest.mark.parametrize("kwargs, match", [
    (dict(norm="layer"), "norm must be one of"),
    (dict(input_loc=[0.0, 0.0]), "input_loc and input_scale are for norm='group'"),
    (dict(norm="group", input_loc=[0.0]), "one value per channel"),
    (dict(norm="group", input_scale=[1.0, 0.0]), "scale must be positive"),
])
def test_bad_norm_parameters_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MLP(input_shape=(2, 4), **kwargs)


@pytest.fixture(scope="module")
def data():
    return make_sleep_apnea(n_subjects=6, n_windows=24, random_state=0)


def test_synthesizer_standardizes_a_group_norm_teacher_and_matches_its_layers(data):
    teacher = make_teacher(arch="mlp", norm="group", max_epochs=2)
    syn = StimulusSynthesizer(teacher, input_shape=data.input_shape, n_stimuli=40, n_iter=3,
                              min_class_people=1, min_class_rows=1, random_state=0)
    X_s, y_s = syn.fit_resample(data.X, data.y, groups=data.groups)
    standardize = syn.teacher_.module_.input_norm
    np.testing.assert_allclose(standardize.loc.numpy(), syn.loc_.ravel(), rtol=1e-6)
    np.testing.assert_allclose(standardize.scale.numpy(), syn.scale_.ravel(), rtol=1e-6)
    layers = normalization_layers(syn.teacher_.module_)
    assert len(syn.class_statistics_) == len(layers) == 3
    assert all(torch.isfinite(mean).all() for mean, _ in syn.class_statistics_)
    assert X_s.shape == (40, data.X.shape[1]) and np.isfinite(X_s).all()


def test_running_statistics_need_batchnorm(data):
    teacher = make_teacher(arch="mlp", norm="group", max_epochs=1)
    syn = StimulusSynthesizer(teacher, input_shape=data.input_shape, n_stimuli=8, n_iter=1,
                              bn_statistics="running", random_state=0)
    with pytest.raises(ValueError, match="bn_statistics='class'"):
        syn.fit_resample(data.X, data.y)


def test_a_class_below_the_floors_gets_no_target_at_a_group_norm_teacher(data):
    # 6 people, below the floor of 10 for every class and the pool: no running statistics
    # to fall back on, so the prior has no target (NaN) and the stimuli are still made.
    teacher = make_teacher(arch="cnn", norm="group", max_epochs=1, module__n_filters=4)
    syn = StimulusSynthesizer(teacher, input_shape=data.input_shape, n_stimuli=16, n_iter=2,
                              random_state=0)
    with pytest.warns(UserWarning, match="below the support floors"):
        X_s, _ = syn.fit_resample(data.X, data.y, groups=data.groups)
    assert all(torch.isnan(mean).all() for mean, _ in syn.class_statistics_)
    assert np.isfinite(X_s).all()
