"""DP-SGD teachers and the accountant (skstim.dp)."""

import numpy as np
import pytest
import torch

pytest.importorskip("opacus", reason="the dp extra (Opacus) is not installed")

from opacus.accountants.utils import get_noise_multiplier  # noqa: E402

from skstim.dp import DPNetClassifier, GaussianMechanism, PrivacyAccount  # noqa: E402
from skstim.dp import noise_for_epsilon, to_dp_net  # noqa: E402
from skstim.dp._dpsgd import _per_unit_means, _PoissonUnitBatches  # noqa: E402
from skstim.nets import MLP, make_network  # noqa: E402


def _net(**kwargs):
    params = make_network((1, 20), arch="mlp", norm="group", max_epochs=1).get_params()
    params.update(kwargs)
    return DPNetClassifier(**params)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 20)).astype(np.float32)
    return X, (X[:, :10].mean(axis=1) > 0).astype(int), np.repeat(np.arange(12), 10)


def test_calibrated_noise_agrees_with_opacus_own_calibration():
    # One DP-SGD mechanism: our bisection on the accountant and Opacus's helper agree.
    mechanism = GaussianMechanism("teacher DP-SGD", 1.0, sample_rate=0.01, steps=2000)
    ours = noise_for_epsilon(3.0, 1e-5, [mechanism])
    theirs = get_noise_multiplier(target_epsilon=3.0, target_delta=1e-5, sample_rate=0.01,
                                  steps=2000, accountant="rdp", epsilon_tolerance=0.001)
    assert ours == pytest.approx(theirs, rel=0.01)
    account = PrivacyAccount(1e-5, "window")
    account.add(GaussianMechanism("teacher DP-SGD", ours, 0.01, 2000))
    assert account.epsilon() == pytest.approx(3.0, abs=0.01)


def test_weighted_releases_compose_to_the_budget_with_the_weighted_noise():
    # a release of weight 4 gets half the noise of a weight-1 release, and all of them
    # together spend exactly the budget on the accountant
    releases = [GaussianMechanism(name, 1.0) for name in "abc"]
    sigma = noise_for_epsilon(2.0, 1e-5, releases, weights=[1.0, 1.0, 4.0])
    account = PrivacyAccount(1e-5, "window")
    for noise in (sigma, sigma, sigma / 2):
        account.add(GaussianMechanism("r", noise))
    assert account.epsilon() == pytest.approx(2.0, abs=0.01)
    assert sigma > noise_for_epsilon(2.0, 1e-5, releases)  # the heavy one costs the others


def test_composition_is_the_accountants_not_a_sum():
    account = PrivacyAccount(1e-5, "window")
    a, b = GaussianMechanism("a", 1.0, 0.02, 500), GaussianMechanism("b", 5.0)
    account.add(a)
    account.add(b)
    record = account.record()
    alone = [m["epsilon_alone"] for m in record["mechanisms"]]
    assert max(alone) < record["epsilon"] < sum(alone)
    assert record["unit"] == "window" and record["delta"] == 1e-5


def test_the_net_records_the_steps_it_took(data):
    X, y, groups = data
    net = _net(batch_size=30, max_epochs=3, noise_multiplier=1.0, random_state=0).fit(X, y)
    mechanism = net.mechanism()
    assert mechanism.steps == 3 * 4 and mechanism.sample_rate == pytest.approx(30 / 120)
    person = _net(batch_size=30, unit="person", windows_per_person=5, random_state=0)
    person.fit(X, y, groups=groups)
    assert person.mechanism().sample_rate == pytest.approx(30 / (5 * 12))


def test_noise_has_the_calibrated_scale(data):
    # Zero inputs give zero gradients to the first layer's weights: one step of SGD with
    # lr 1 moves them by the noise alone, sigma * C / (expected units per step).
    X, y, _ = data
    sigma, clip = 2.0, 0.5
    net = _net(batch_size=120, noise_multiplier=sigma, max_grad_norm=clip, lr=1.0,
               optimizer=torch.optim.SGD, random_state=0, module__dropout=0.0, warm_start=True)
    net.initialize()
    before = net.module_.layers[0].weight.detach().clone()
    net.fit(np.zeros_like(X), y)
    moved = net.module_.layers[0].weight.detach() - before
    expected_units = 1.0 * len(X)  # sample rate 1
    assert moved.std().item() == pytest.approx(sigma * clip / expected_units, rel=0.05)


def test_fixed_random_state_gives_the_same_net_and_another_differs(data):
    X, y, _ = data
    weights = [_net(random_state=s).fit(X, y).module_.layers[0].weight.detach()
               for s in (0, 0, 1)]
    torch.testing.assert_close(weights[0], weights[1])
    assert not torch.allclose(weights[0], weights[2])


def test_a_person_is_one_unit_of_at_most_windows_per_person_rows():
    units = np.repeat([10, 20, 30], [8, 2, 5])
    batches = _PoissonUnitBatches(np.arange(15.0)[:, None], np.zeros(15), units, 1.0, 3, 4,
                                  np.random.default_rng(0))
    for X, _, unit in batches:
        counts = torch.bincount(unit).tolist()
        assert counts == [4, 2, 4]
        owners = units[X[:, 0].long().numpy()]
        assert [len(set(owners[unit.numpy() == u])) for u in range(3)] == [1, 1, 1]


def test_per_unit_means_average_each_units_rows():
    p = torch.nn.Parameter(torch.zeros(2))
    p.grad_sample = torch.tensor([[1.0, 0.0], [3.0, 2.0], [5.0, 5.0]])
    _per_unit_means([p], torch.tensor([0, 0, 1]))
    torch.testing.assert_close(p.grad_sample, torch.tensor([[2.0, 1.0], [5.0, 5.0]]))


def test_batchnorm_is_refused_with_the_fix(data):
    X, y, _ = data
    params = make_network((1, 20), arch="mlp", max_epochs=1).get_params()
    with pytest.raises(ValueError, match="norm='group'"):
        DPNetClassifier(**params).fit(X, y)


def test_person_unit_needs_groups(data):
    X, y, _ = data
    with pytest.raises(ValueError, match="groups=person_ids"):
        _net(unit="person").fit(X, y)


@pytest.mark.parametrize("kwargs, match", [
    (dict(unit="subject"), "unit must be one of"),
    (dict(noise_multiplier=0.0), "noise_multiplier must be a positive number"),
    (dict(max_grad_norm=-1.0), "max_grad_norm must be a positive number"),
    (dict(sample_rate=1.5), "sample_rate must lie in"),
])
def test_bad_dp_parameters_are_refused(data, kwargs, match):
    X, y, _ = data
    with pytest.raises(ValueError, match=match):
        _net(**kwargs).fit(X, y)


def test_a_fitted_net_pickles_without_opacus_hooks(data):
    import pickle
    X, y, _ = data
    net = _net(random_state=0).fit(X, y)
    assert not any(m._forward_hooks or m._backward_hooks for m in net.module_.modules())
    clone = pickle.loads(pickle.dumps(net))
    np.testing.assert_allclose(clone.predict_proba(X), net.predict_proba(X))
    assert isinstance(net.module_, MLP)


def test_an_epoch_of_empty_poisson_samples_is_noise_alone_not_an_error(data):
    # one person sampled at rate 1/2 over 2 steps: a quarter of the epochs sample no one
    X, y, _ = data
    template = make_network((1, 20), arch="mlp", norm="group", batch_size=30, max_epochs=12,
                            random_state=0)
    net = to_dp_net(template, "person").set_params(sample_rate=0.5)
    net.fit(X, y, groups=np.zeros(len(X), dtype=int))
    assert net.mechanism().steps == 12 * 2
    losses = net.history[:, "train_loss"]
    assert np.isnan(losses).any() and np.isfinite(losses).any()
