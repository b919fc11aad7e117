"""StimulusSynthesizer with dp_epsilon: every use of the data by a DP mechanism, one budget."""

import json
import math

import numpy as np
import pytest
import torch
from sklearn.frozen import FrozenEstimator

pytest.importorskip("opacus", reason="the dp extra (Opacus) is not installed")

from opacus.accountants import RDPAccountant  # noqa: E402

from skstim import IdentityInhibitor, StimulusSynthesizer, make_teacher  # noqa: E402
from skstim.datasets import make_sleep_apnea  # noqa: E402
from skstim.dp import RELEASE_WEIGHTS, PrivacyAccount, PrivateReleases  # noqa: E402
from skstim.dp._accounting import ALPHAS  # noqa: E402
from skstim.release import save_stimuli, stimuli_metadata  # noqa: E402


@pytest.fixture(scope="module")
def data():
    return make_sleep_apnea(n_subjects=8, n_windows=30, random_state=0)


def _private(data, **kwargs):
    params = dict(teacher=make_teacher(arch="mlp", norm="group", max_epochs=1),
                  input_shape=data.input_shape, n_stimuli=24, n_iter=2, init="class_spectrum",
                  dp_epsilon=4.0, min_class_people=2, min_class_rows=2, random_state=0)
    params.update(kwargs)
    return StimulusSynthesizer(**params)


@pytest.fixture(scope="module")
def fitted(data):
    syn = _private(data)
    X_s, y_s = syn.fit_resample(data.X, data.y)
    return syn, X_s, y_s


def test_the_reported_epsilon_is_the_accountants_and_within_budget(fitted):
    syn, X_s, _ = fitted
    record = syn.privacy_
    accountant = RDPAccountant()
    accountant.history = [(m["noise_multiplier"], m["sample_rate"], m["steps"])
                          for m in record["mechanisms"]]
    assert record["epsilon"] == pytest.approx(accountant.get_epsilon(record["delta"],
                                                                     alphas=ALPHAS))
    assert 0.97 * 4.0 <= record["epsilon"] <= 4.0
    assert record["unit"] == "window" and record["delta"] == 1e-4  # 240 windows
    assert not hasattr(syn.teacher_, "_units")  # who the rows belong to is not kept
    names = [m["name"] for m in record["mechanisms"]]
    assert {"teacher DP-SGD", "standardization centre", "class prior", "class spectrum start",
            "class activation statistics"} <= set(names)
    assert np.isfinite(X_s).all()
    noise = {m["name"]: m["noise_multiplier"] for m in record["mechanisms"]}
    # the activation statistics weigh RELEASE_WEIGHTS times a plain release
    assert noise["class activation statistics"] == pytest.approx(
        noise["class prior"] / math.sqrt(RELEASE_WEIGHTS["class activation statistics"]))


def test_fixed_random_state_gives_the_same_private_release(data, fitted):
    syn, X_s, _ = fitted
    again = _private(data)
    X_again, _ = again.fit_resample(data.X, data.y)
    np.testing.assert_array_equal(X_again, X_s)
    other = _private(data, random_state=1).fit(data.X, data.y)
    assert not np.allclose(other.loc_, syn.loc_)  # the noise is drawn from the seed


def test_release_noise_has_the_calibrated_scale():
    # Constant contributions: the spread of a cell sum over noise draws is sigma times
    # the sensitivity, sqrt((blocks + 1) * cells per unit) = sqrt(2 * 1) per window.
    sigma, n = 3.0, 50
    values = torch.full((n, 1), 0.5)
    cells = torch.arange(n) % 2
    sums = []
    for seed in range(300):
        account = PrivacyAccount(1e-5, "window")
        releases = PrivateReleases(np.arange(n), sigma, account,
                                   torch.Generator().manual_seed(seed))
        # a bound far above the noise: no mean is projected back onto its ball
        means, counts = releases.cell_means([(values, 1000.0)], cells, 2, name="t")
        sums.append(counts[0].item())
        # the pool is the sum of the class cells: no release of its own
        assert counts[2] == pytest.approx(counts[0] + counts[1])
        weighted = (means[0][:2, 0] * counts[:2]).sum() / counts[:2].sum()
        assert means[0][2, 0] == pytest.approx(weighted.item(), rel=1e-5)
        assert [m.noise_multiplier for m in account.mechanisms] == [sigma]
    assert np.std(sums) == pytest.approx(sigma * math.sqrt(2.0), rel=0.12)
    assert np.mean(sums) == pytest.approx(n / 2, abs=1.0)


def test_per_person_pool_counts_at_least_the_largest_class():
    # per person a unit falls in every class it has rows of; the pool's count is the
    # largest class's (a lower bound on its people), not the (person, class) pairs
    units = np.repeat(np.arange(20), 4)
    cells = torch.as_tensor(np.tile([0, 0, 1, 1], 20))
    releases = PrivateReleases(units, 1e-9, PrivacyAccount(1e-5, "person"),
                               torch.Generator().manual_seed(0))
    means, counts = releases.cell_means([(torch.ones(80, 1), 2.0)], cells, 2, name="t")
    assert counts.tolist() == pytest.approx([20, 20, 20], abs=1e-3)
    assert means[0][2, 0] == pytest.approx(1.0, rel=1e-4)


def test_released_means_stay_within_their_bound_whatever_the_noise():
    # few units, much noise: a small positive noisy count must not blow a mean up
    rows = torch.ones((6, 3))
    for seed in range(50):
        releases = PrivateReleases(np.arange(6), 50.0, PrivacyAccount(1e-5, "window"),
                                   torch.Generator().manual_seed(seed))
        means, counts = releases.cell_means([(rows, 2.0)], torch.arange(6) % 2, 2, name="t")
        finite = torch.isfinite(means[0]).all(dim=1)
        assert (means[0][finite].norm(dim=1) <= 2.0 + 1e-5).all()


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_small_person_level_study_gives_finite_stimuli(seed):
    # 8 people at epsilon 1 per person: noisy counts of a few units used to divide
    # noisy sums into starts of infinite amplitude (seeds 4 to 6 diverged)
    data = make_sleep_apnea(n_subjects=8, n_windows=30, random_state=0)
    syn = StimulusSynthesizer(make_teacher(norm="group", max_epochs=2),
                              input_shape=data.input_shape, init="class_spectrum",
                              dp_epsilon=1.0, dp_unit="person", n_iter=20, n_stimuli=120,
                              random_state=seed)
    X_s, _ = syn.fit_resample(data.X, data.y, groups=data.groups)
    assert np.isfinite(X_s).all()
    assert np.isfinite(syn.init_.spectra).all()


@pytest.mark.parametrize("unit", ["window", "person"])
def test_one_units_influence_is_bounded_by_the_clip(unit):
    # A unit of extreme values moves a released mean by at most its clipped share.
    rng = np.random.default_rng(0)
    n = 40
    values = torch.as_tensor(rng.normal(size=(n, 3)), dtype=torch.float32)
    units = np.arange(n) if unit == "window" else np.repeat(np.arange(10), 4)
    bound = 2.0

    def release(rows, unit_of_row):
        releases = PrivateReleases(unit_of_row, 1e-9, PrivacyAccount(1e-5, unit),
                                   torch.Generator().manual_seed(0))
        means, counts = releases.cell_means([(rows, bound)], torch.zeros(len(rows),
                                            dtype=torch.long), 1, name="t", pooled=False)
        return means[0][0], counts[0]

    base, n_units = release(values, units)
    extreme = torch.cat([values, torch.full((4, 3), 1e6)])
    moved, _ = release(extreme, np.concatenate([units, [10_000] * 4]))
    # the mean over n_units + 1 units moves by at most (|old mean| + bound) / (n_units + 1)
    limit = (base.norm() + bound) / (n_units + 1)
    assert (moved - base).norm() <= limit + 1e-4
    assert (moved - base).norm() > 0


def test_the_number_of_stimuli_does_not_give_the_number_of_rows_away(data):
    # per window, stimuli_per_sample multiplies a noisy count; per person it must be given
    syn = _private(data, n_stimuli=None, stimuli_per_sample=2.0).fit(data.X, data.y)
    assert abs(syn.n_stimuli_ - 2 * len(data.X)) < 0.5 * len(data.X)
    counts = {_private(data, n_stimuli=None, random_state=seed).fit(data.X, data.y).n_stimuli_
              for seed in range(3)}
    assert len(counts) > 1  # the count is drawn, not the exact 4 * len(X)
    with pytest.raises(ValueError, match="pass n_stimuli"):
        _private(data, n_stimuli=None, dp_unit="person").fit(data.X, data.y, groups=data.groups)


def test_person_unit_records_people(data):
    syn = _private(data, dp_unit="person").fit(data.X, data.y, groups=data.groups)
    assert syn.privacy_["unit"] == "person"
    assert syn.privacy_["delta"] == 0.01  # 8 people
    assert syn.privacy_["epsilon"] <= 4.0


@pytest.mark.parametrize("kwargs, match", [
    (dict(teacher=make_teacher(arch="mlp", max_epochs=1)), "norm='group'"),
    (dict(init="class_scale_mixture"), "init='class_spectrum'"),
    (dict(bn_statistics="running"), "bn_statistics='class'"),
    (dict(bn_segments=2), "bn_segments=1"),
])
def test_what_dp_cannot_cover_is_refused_with_the_fix(data, kwargs, match):
    with pytest.raises(ValueError, match=match):
        _private(data, **kwargs).fit(data.X, data.y)


def test_a_frozen_teacher_and_person_unit_without_groups_are_refused(data):
    frozen = FrozenEstimator(make_teacher(arch="mlp", norm="group", max_epochs=1,
                                          input_shape=data.input_shape).fit(data.X, data.y))
    with pytest.raises(ValueError, match="FrozenEstimator"):
        _private(data, teacher=frozen).fit(data.X, data.y)
    with pytest.raises(ValueError, match="groups=person_ids"):
        _private(data, dp_unit="person").fit(data.X, data.y)


def test_identity_inhibitor_is_not_trained_under_a_budget(data):
    inhibitor = IdentityInhibitor(make_teacher(arch="mlp", norm="group", max_epochs=1),
                                  input_shape=data.input_shape, dp_epsilon=4.0)
    with pytest.raises(ValueError, match="not trained under a privacy budget"):
        inhibitor.fit(data.X, data.y, groups=data.groups)


def test_the_release_carries_the_guarantee_and_no_standardization(data, fitted, tmp_path):
    syn, X_s, y_s = fitted
    metadata = stimuli_metadata(syn)
    assert metadata["differential_privacy"]["epsilon"] == syn.privacy_["epsilon"]
    assert "module__input_loc" not in metadata["teacher"]["module_params"]
    assert "module__input_scale" not in metadata["teacher"]["module_params"]
    json.dumps(metadata)
    with pytest.raises(ValueError, match="pass X_train=None"):
        save_stimuli(tmp_path / "s.npz", X_s, y_s, metadata=metadata, X_train=data.X)
    assert not list(tmp_path.iterdir())
    save_stimuli(tmp_path / "s.npz", X_s, y_s, metadata=metadata)


def test_without_opacus_the_error_names_the_extra(monkeypatch):
    import skstim.dp._opacus as module

    def missing(name):
        raise ImportError(f"No module named {name!r}")

    monkeypatch.setattr(module.importlib, "import_module", missing)
    with pytest.raises(ImportError, match=r"skstim\[dp\]"):
        module.require_opacus()
