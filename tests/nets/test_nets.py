"""The networks and make_network (alias make_teacher)."""

import numpy as np
import pytest
import torch

from skstim import make_teacher
from skstim.nets import ARCHITECTURES, MLP, ConvNet1d, GRUNet, architecture_name, make_network


# ------------------------------------------------------------------------- nets
@pytest.mark.parametrize("cls, kwargs", [
    (ConvNet1d, {"n_filters": 4, "n_blocks": 2}), (ConvNet1d, {"n_blocks": 5}),
    (MLP, {"hidden_sizes": (8,)}), (GRUNet, {"hidden_size": 8, "num_layers": 2}),
])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_nets_map_flat_input_to_logits(cls, kwargs, n_classes):
    net = cls(input_shape=(3, 20), n_classes=n_classes, **kwargs)
    out = net(torch.randn(5, 60))
    assert out.shape == (5, n_classes)
    net.eval()
    assert net(torch.randn(1, 60)).shape == (1, n_classes)
    # logits, not probabilities
    assert not torch.allclose(out.softmax(dim=1), out)


@pytest.mark.parametrize("cls", [ConvNet1d, MLP, GRUNet])
def test_nets_start_with_a_batchnorm_on_the_input(cls):
    net = cls(input_shape=(2, 16))
    first = next(m for m in net.modules() if isinstance(m, torch.nn.BatchNorm1d))
    assert first.num_features == 2


@pytest.mark.parametrize("cls", [ConvNet1d, MLP, GRUNet])
def test_input_norm_uses_the_exact_data_statistics(cls):
    # After training, the input BatchNorm holds the data's own per-channel statistics,
    # however few batches it saw (a channel near 95, as SpO2, included).
    net = cls(input_shape=(2, 16))
    net.train()
    X = torch.randn(3, 20, 2, 16) * torch.tensor([1.0, 2.0])[:, None] \
        + torch.tensor([0.0, 95.0])[:, None]
    for batch in X:
        net(batch.flatten(1))
    first = next(m for m in net.modules() if isinstance(m, torch.nn.BatchNorm1d))
    all_x = X.reshape(-1, 2, 16)
    np.testing.assert_allclose(first.running_mean, all_x.mean(dim=(0, 2)), rtol=1e-3)


@pytest.mark.parametrize("cls", [ConvNet1d, MLP, GRUNet])
def test_nets_train_on_a_last_batch_of_one(cls):
    net = cls(input_shape=(2, 1) if cls is not ConvNet1d else (2, 4)).train()
    n_features = 2 if cls is not ConvNet1d else 8
    assert net(torch.randn(1, n_features)).shape == (1, 2)


@pytest.mark.parametrize("cls", [ConvNet1d, MLP, GRUNet])
@pytest.mark.parametrize("input_shape", [None, (0, 5)])
def test_nets_need_an_input_shape(cls, input_shape):
    with pytest.raises(ValueError, match="input_shape"):
        cls(input_shape=input_shape)


# -------------------------------------------------------------------- make_teacher
@pytest.mark.parametrize("arch", sorted(ARCHITECTURES))
def test_make_teacher_fits_and_predicts(apnea, arch):
    net = make_teacher(apnea.input_shape, arch=arch, max_epochs=2, batch_size=32,
                       random_state=0)
    net.fit(apnea.X, apnea.y)
    assert isinstance(net.module_, ARCHITECTURES[arch])
    assert architecture_name(net) == arch
    proba = net.predict_proba(apnea.X)
    assert proba.shape == (72, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    assert set(np.unique(net.predict(apnea.X))) <= {0, 1}


def test_make_teacher_is_seeded(apnea):
    probas = [make_teacher(apnea.input_shape, arch="mlp", max_epochs=2, random_state=1)
              .fit(apnea.X, apnea.y).predict_proba(apnea.X) for _ in range(2)]
    np.testing.assert_array_equal(*probas)


def test_make_teacher_string_labels_and_soft_targets(apnea):
    y = np.where(apnea.y == 1, "apnea", "normal")
    net = make_teacher(apnea.input_shape, arch="mlp", max_epochs=2).fit(apnea.X, y)
    np.testing.assert_array_equal(net.classes_, ["apnea", "normal"])
    assert set(net.predict(apnea.X)) <= {"apnea", "normal"}
    soft = np.column_stack([1 - apnea.y * 0.8, apnea.y * 0.8]).astype(np.float32)
    net = make_teacher(apnea.input_shape, arch="mlp", max_epochs=2, classes=["n", "a"])
    net.fit(apnea.X, soft)
    assert set(net.predict(apnea.X)) <= {"n", "a"}
    with pytest.raises(ValueError, match="Soft labels y have 2 columns but classes has 3"):
        make_teacher(apnea.input_shape, arch="mlp", classes=[0, 1, 2]).fit(apnea.X, soft)


def test_make_teacher_custom_module_and_kwargs(apnea):
    net = make_teacher(apnea.input_shape, arch=MLP, module__hidden_sizes=(4,), max_epochs=1)
    net.fit(apnea.X, apnea.y)
    assert net.module_.layers[0].out_features == 4


def test_make_teacher_ends_its_fit_with_the_statistics_of_every_training_row():
    from skstim.nets import PreciseBatchNorm

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2 * 16)).astype(np.float32)
    X[::7] *= 5.0  # batches that differ: the running average is not the data's
    y = (X[:, 0] > 0).astype(int)
    common = dict(arch="cnn", max_epochs=2, batch_size=16, random_state=0)
    teacher = make_teacher((2, 16), **common).fit(X, y)
    as_trained = make_network((2, 16), **common).fit(X, y)
    reference = make_network((2, 16), callbacks=[("precise_bn", PreciseBatchNorm())],
                             **common).fit(X, y)
    for key, value in teacher.module_.state_dict().items():
        assert torch.equal(value, reference.module_.state_dict()[key]), key
    assert not np.array_equal(teacher.predict_proba(X), as_trained.predict_proba(X))
    plain = make_teacher((2, 16), precise_batchnorm=False, **common).fit(X, y)
    np.testing.assert_array_equal(plain.predict_proba(X), as_trained.predict_proba(X))


def test_make_teacher_adds_one_precise_batchnorm_to_the_callers_callbacks():
    from skorch.callbacks import EpochScoring

    from skstim.nets import PreciseBatchNorm

    scoring = ("acc", EpochScoring("accuracy", on_train=True))
    assert [name for name, _ in make_teacher(callbacks=[scoring]).callbacks] == ["acc",
                                                                                 "precise_bn"]
    own = ("mine", PreciseBatchNorm(batch_size=64))
    assert make_teacher(callbacks=[own]).callbacks == [own]
    assert make_teacher(precise_batchnorm=False).callbacks is None
    # GroupNorm networks (differentially private teachers) hold no running statistics
    assert make_teacher(norm="group").callbacks is None


def test_make_teacher_unknown_arch():
    with pytest.raises(ValueError, match=r"arch must be one of \['cnn', 'gru', 'mlp', 'summary'\]"):
        make_teacher((1, 10), arch="transformer")


def test_teacher_params_hold_no_skorch_bookkeeping():
    # skorch's private record of keyword names stays out of get_params and reprs, whose
    # text must not change from one process to the next.
    from sklearn.base import clone

    from skstim import StimulusSynthesizer

    net = make_teacher(arch="mlp", module__hidden_sizes=(8,), iterator_train__shuffle=False)
    assert not any(k.startswith("_") for k in net.get_params())
    assert "_params_to_validate" not in repr(StimulusSynthesizer(net))
    copy = clone(net)
    assert copy.get_params()["module__hidden_sizes"] == (8,)
    assert copy.get_params()["iterator_train__shuffle"] is False
    with pytest.raises(ValueError, match="unexpected argument"):
        make_teacher((1, 4), arch="mlp", module_hidden_sizes=(8,)).initialize()


@pytest.mark.parametrize("length", [8, 9, 1])
def test_pair_max_has_the_values_and_gradients_of_max_pool(length):
    from skstim.nets._modules import _PairMax

    x = torch.randn(3, 4, length)
    x[0, 0, :2] = 0.5  # a tie: the gradient goes to the first of the two
    x[1, 1, :] = 0.0   # after a ReLU: ties everywhere
    ours, theirs = x.clone().requires_grad_(), x.clone().requires_grad_()
    out, expected = _PairMax()(ours), torch.nn.MaxPool1d(2)(theirs) if length >= 2 else None
    if expected is None:
        assert out.shape == (3, 4, 0)
        return
    assert torch.equal(out, expected)
    weights = torch.randn_like(out)
    (out * weights).sum().backward()
    (expected * weights).sum().backward()
    assert torch.equal(ours.grad, theirs.grad)
    with torch.no_grad():
        assert torch.equal(_PairMax()(x), torch.nn.MaxPool1d(2)(x))
    double = torch.randn(2, 3, length, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(_PairMax(), (double,))


def test_optimizers_that_take_it_update_all_tensors_at_once_unless_told_otherwise():
    X = np.random.default_rng(0).normal(size=(16, 10)).astype(np.float32)
    y = np.arange(16) % 2
    net = make_network((1, 10), arch="mlp", max_epochs=1, random_state=0).fit(X, y)
    assert net.optimizer_.defaults["foreach"] is True
    single = make_network((1, 10), arch="mlp", max_epochs=1, random_state=0,
                          optimizer__foreach=False).fit(X, y)
    assert single.optimizer_.defaults["foreach"] is False
    # the same update, one tensor at a time
    np.testing.assert_array_equal(net.predict_proba(X), single.predict_proba(X))
    lbfgs = make_network((1, 10), arch="mlp", optimizer=torch.optim.LBFGS)
    assert "optimizer__foreach" not in lbfgs.get_params()


@pytest.mark.parametrize("soft", [False, True])
def test_numpy_batches_are_taken_at_once_with_the_same_result(soft):
    from skorch.dataset import Dataset

    class PerRow(Dataset):  # skorch's own, one row at a time
        pass

    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 12)).astype(np.float32)
    y = (X[:, 0] > 0).astype(int)
    target = np.eye(2, dtype=np.float32)[y] * 0.8 + 0.1 if soft else y
    fast = make_network((1, 12), arch="mlp", max_epochs=2, random_state=0)
    slow = make_network((1, 12), arch="mlp", max_epochs=2, random_state=0, dataset=PerRow)
    fast.fit(X, target)
    slow.fit(X, target)
    assert hasattr(fast.get_dataset(X, target), "__getitems__")
    assert not hasattr(slow.get_dataset(X, target), "__getitems__")
    np.testing.assert_array_equal(fast.predict_proba(X), slow.predict_proba(X))
    np.testing.assert_array_equal(fast.predict_proba(X[:1]), slow.predict_proba(X[:1]))


@pytest.mark.parametrize("arch", ["mlp", "cnn", "gru"])
def test_precise_batchnorm_sets_the_statistics_of_the_training_rows_and_nothing_else(arch):
    from skstim.nets import PreciseBatchNorm

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2 * 16)).astype(np.float32)
    X[::7] *= 5.0  # batches that differ: the running average is not the data's
    y = (X[:, 0] > 0).astype(int)
    plain = make_network((2, 16), arch=arch, max_epochs=2, batch_size=16,
                         random_state=0).fit(X, y)
    precise = make_network((2, 16), arch=arch, max_epochs=2, batch_size=16, random_state=0,
                           callbacks=[("precise_bn", PreciseBatchNorm(batch_size=300))]).fit(X, y)
    weights = {k: v for k, v in precise.module_.state_dict().items() if "running" not in k
               and "num_batches" not in k}
    for key, value in weights.items():
        assert torch.equal(value, plain.module_.state_dict()[key]), key
    # one batch of every row in training mode: the layers' statistics are the data's
    layers = [m for m in precise.module_.modules() if isinstance(m, torch.nn.BatchNorm1d)]
    seen = {}
    hooks = [layer.register_forward_pre_hook(
        lambda module, args: seen.setdefault(module, args[0].detach().clone()))
        for layer in layers]
    module = precise.module_
    module.train()
    with torch.no_grad():
        module(torch.as_tensor(X))
    module.eval()
    for hook in hooks:
        hook.remove()
    for layer in layers:
        inputs = seen[layer]
        dims = [0] + list(range(2, inputs.dim()))
        np.testing.assert_allclose(layer.running_mean, inputs.mean(dim=dims), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(layer.running_var, inputs.var(dim=dims), rtol=1e-3, atol=1e-5)
    plain_layers = [m for m in plain.module_.modules() if isinstance(m, torch.nn.BatchNorm1d)]
    assert [layer.momentum for layer in layers] == [layer.momentum for layer in plain_layers]
    assert not np.array_equal(precise.predict_proba(X), plain.predict_proba(X))


def test_precise_batchnorm_batches_resemble_the_whole_when_rows_are_sorted():
    from skstim.nets import PreciseBatchNorm

    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 200)
    X = (rng.normal(size=(400, 16)) + 3.0 * y[:, None]).astype(np.float32)  # sorted by class
    net = make_network((1, 16), arch="mlp", max_epochs=1, random_state=0,
                       callbacks=[("precise_bn", PreciseBatchNorm(batch_size=50))]).fit(X, y)
    first = net.module_.input_norm
    # within-class batches alone would give a variance near 1; the whole set's is 3.25
    assert float(first.running_var[0]) == pytest.approx(X.var(), rel=0.1)
    assert float(first.running_mean[0]) == pytest.approx(X.mean(), abs=0.1)


def test_precise_batchnorm_takes_tensors_as_it_takes_arrays():
    from skstim.nets import PreciseBatchNorm

    rng = np.random.default_rng(1)
    X = rng.normal(size=(120, 16)).astype(np.float32)
    y = (X[:, 0] > 0).astype(int)
    fitted = [make_network((1, 16), arch="mlp", max_epochs=1, random_state=0,
                           callbacks=[("precise_bn", PreciseBatchNorm(batch_size=40))]).fit(
        rows, y) for rows in (X, torch.as_tensor(X))]
    means = [net.module_.input_norm.running_mean for net in fitted]
    assert torch.equal(means[0], means[1])
    assert not torch.equal(means[0], torch.zeros_like(means[0]))
