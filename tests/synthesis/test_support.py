"""Support floors and equal weight per person in every class aggregate the synthesizer takes."""

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.frozen import FrozenEstimator

from skstim.datasets import make_sleep_apnea
from skstim.nets import MLP
from skstim.synthesis import (
    ClassGaussian,
    ClassScaleMixture,
    ClassSpectrum,
    SupportFloorWarning,
    class_activation_statistics,
    class_support,
)

from ..helpers import tiny_synthesizer

STARTS = [ClassGaussian, ClassScaleMixture, ClassSpectrum]


def _people(n_people=6, rows_per_person=8, n_classes=2, seed=0, shape=(2, 16)):
    """Rows of ``n_people`` people, each with rows of every class and a level of its own."""
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(n_people), rows_per_person)
    y = np.tile(np.arange(rows_per_person) % n_classes, n_people)
    X = rng.normal(size=(len(y), *shape)) + groups[:, None, None] + y[:, None, None]
    return torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y), groups


def test_each_persons_rows_share_one_unit_of_weight_in_each_class():
    X, y, groups = _people()
    groups = groups.copy()
    groups[:8] = 0  # person 0 keeps 8 rows; give person 1 three times more rows
    groups = np.concatenate([groups, np.full(16, 1)])
    y = np.concatenate([y.numpy(), np.arange(16) % 2])
    support = class_support(y, 2, groups, warn=False)
    for c in range(2):
        rows = y == c
        weights = support.class_weights.numpy()[rows]
        per_person = np.bincount(groups[rows], weights=weights)
        np.testing.assert_allclose(per_person[per_person > 0], 1 / support.n_people[c],
                                   rtol=1e-6)
    np.testing.assert_allclose(np.bincount(groups, weights=support.pool_weights.numpy()),
                               1 / len(np.unique(groups)), rtol=1e-6)


@settings(max_examples=60, deadline=None)
@given(counts=st.lists(st.integers(1, 500), min_size=1, max_size=12),
       max_share=st.one_of(st.none(), st.floats(1.0, 6.0)))
def test_person_shares_are_capped_and_otherwise_follow_the_rows(counts, max_share):
    groups = np.repeat(np.arange(len(counts)), counts)
    support = class_support(np.zeros(len(groups), dtype=int), 1, groups,
                            max_person_share=max_share, warn=False)
    shares = np.bincount(groups, weights=support.class_weights.numpy().astype(float))
    assert shares.sum() == pytest.approx(1.0, rel=1e-5)
    cap = np.inf if max_share is None else max_share / len(counts)
    assert np.all(shares <= cap * (1 + 1e-5))
    # below the cap, shares stay proportional to the rows (the excess is spread so)
    free = shares < cap * (1 - 1e-5)
    ratio = shares[free] / np.asarray(counts)[free]
    np.testing.assert_allclose(ratio, ratio.max(initial=0), rtol=1e-4)
    # nobody under the cap is given less than the proportional share of the rows
    assert np.all(shares[free] >= np.asarray(counts)[free] / sum(counts) * (1 - 1e-5))


def test_share_cap_of_one_is_equal_weight_and_none_is_row_weight():
    X, y, groups = _people()
    groups = np.concatenate([groups, np.full(40, 0)])
    y = np.concatenate([y.numpy(), np.arange(40) % 2])
    equal = class_support(y, 2, groups, max_person_share=1.0, warn=False)
    default = class_support(y, 2, groups, warn=False)
    rows = class_support(y, 2, groups, max_person_share=None, warn=False)
    np.testing.assert_array_equal(equal.class_weights.numpy(), default.class_weights.numpy())
    for c in range(2):
        np.testing.assert_allclose(rows.class_weights.numpy()[y == c], 1 / np.sum(y == c),
                                   rtol=1e-6)
    capped = class_support(y, 2, groups, max_person_share=2.0, warn=False)
    person0 = np.bincount(groups[y == 0], weights=capped.class_weights.numpy()[y == 0])[0]
    assert person0 == pytest.approx(2 / 6, rel=1e-5)  # 24 of 44 rows, capped at twice 1/6


@pytest.mark.parametrize("start", STARTS)
def test_a_person_with_more_windows_does_not_weigh_more(start):
    # Repeating every row of one person ten times leaves each class aggregate as it is.
    X, y, groups = _people()
    repeat = np.where(groups == 0, 10, 1)
    X_rep, y_rep = X.repeat_interleave(torch.as_tensor(repeat), dim=0), \
        y.repeat_interleave(torch.as_tensor(repeat))
    g_rep = np.repeat(groups, repeat)
    fits = [start.fit(X_, y_, 2, rank=3, support=class_support(y_.numpy(), 2, g_, warn=False))
            for X_, y_, g_ in ((X, y, groups), (X_rep, y_rep, g_rep))]
    for name, value in vars(fits[0]).items():
        other = vars(fits[1])[name]
        if name == "factors":  # directions are defined up to sign
            value, other = value.abs(), other.abs()
        torch.testing.assert_close(value, other, rtol=1e-3, atol=1e-4, msg=name)


def test_class_activation_statistics_weigh_each_person_the_same():
    X, y, groups = _people(shape=(2, 16))
    net = MLP(input_shape=(2, 16)).eval()
    repeat = torch.as_tensor(np.where(groups == 0, 10, 1))
    X_rep, y_rep, g_rep = X.repeat_interleave(repeat, dim=0), y.repeat_interleave(repeat), \
        np.repeat(groups, repeat.numpy())
    once = class_activation_statistics(net, X.flatten(1), y, 2,
                                       support=class_support(y.numpy(), 2, groups, warn=False))
    repeated = class_activation_statistics(
        net, X_rep.flatten(1), y_rep, 2, support=class_support(y_rep.numpy(), 2, g_rep, warn=False))
    plain = class_activation_statistics(net, X_rep.flatten(1), y_rep, 2)
    for (m1, v1), (m2, v2), (m3, _) in zip(once, repeated, plain):
        torch.testing.assert_close(m1, m2, rtol=1e-4, atol=1e-4)
        torch.testing.assert_close(v1, v2, rtol=1e-3, atol=1e-4)
    # without groups each row weighs the same, and the repeated person pulls the means
    assert not torch.allclose(once[0][0], plain[0][0], atol=1e-2)


def test_rank_is_bounded_by_people_and_the_rest_has_a_floor():
    X, y, groups = _people(n_people=5, rows_per_person=40)
    init = ClassGaussian.fit(X, y, 2, rank=64, support=class_support(y.numpy(), 2, groups,
                                                                     warn=False))
    kept = (init.factors.abs().sum(dim=1) > 0).sum(dim=1)
    assert kept.max() <= 4  # 5 people: at most 4 directions
    average_variance = X[y == 0].flatten(1).var(dim=0).mean()
    assert init.noise_std[0].pow(2).mean() >= 0.1 * average_variance * 0.5


def test_class_below_the_floors_gets_the_pooled_aggregates_and_a_warning():
    X, y, groups = _people(n_people=12)
    y = y.clone()
    y[torch.as_tensor(groups) < 3] = 0  # class 1 is left with 9 of 12 people...
    y[(torch.as_tensor(groups) == 3) | (torch.as_tensor(groups) == 4)] = 0  # ...then 7
    with pytest.warns(SupportFloorWarning, match=r"Class 'apnea' has 7 people.*"
                                                 r"min_class_people=10.*pooled"):
        support = class_support(y.numpy(), 2, groups, class_names=["normal", "apnea"])
    assert support.source(0) == "class" and support.source(1) == "pooled"
    start = ClassSpectrum.fit(X, y, 2, support=support)
    pooled = ClassSpectrum.fit(X, torch.zeros_like(y), 1,
                               support=class_support(np.zeros(len(y), int), 1, groups))
    torch.testing.assert_close(start.spectra[1], pooled.spectra[0])
    torch.testing.assert_close(start.levels[1], pooled.levels[0])
    assert not torch.allclose(start.levels[0], pooled.levels[0])


def test_below_floors_everywhere_nothing_of_the_data_is_used():
    X, y, groups = _people(n_people=3)
    with pytest.warns(SupportFloorWarning, match="white noise"):
        support = class_support(y.numpy(), 2, groups)
    assert not support.pool_supported
    start = ClassScaleMixture.fit(X, y, 2, rank=3, support=support)
    assert torch.all(start.means == 0) and torch.all(start.factors == 0)
    torch.testing.assert_close(start.noise_std, torch.ones(2, X.shape[1]))
    net = MLP(input_shape=(2, 16)).eval()
    for layer, (mean, var) in zip([m for m in net.modules()
                                   if isinstance(m, torch.nn.BatchNorm1d)],
                                  class_activation_statistics(net, X.flatten(1), y, 2,
                                                              support=support)):
        torch.testing.assert_close(mean, layer.running_mean[None].expand(2, -1))
        torch.testing.assert_close(var, layer.running_var[None].expand(2, -1))


def test_without_groups_the_floors_count_rows():
    y = np.array([0] * 25 + [1] * 19)
    with pytest.warns(SupportFloorWarning, match="19 rows .without groups"):
        support = class_support(y, 2, None)
    assert support.supported.tolist() == [True, False]
    assert support.n_people.tolist() == [25, 19]


@pytest.fixture(scope="module")
def study():
    return make_sleep_apnea(n_subjects=8, n_windows=10, sampling_rate=1.0, random_state=0)


def test_synthesizer_applies_the_floors_with_groups_and_says_so(study, fitted_teacher):
    teacher = FrozenEstimator(fitted_teacher)
    people = np.isin(study.groups, [0, 1, 2, 3])  # 4 people: below the default floor of 10
    with pytest.warns(SupportFloorWarning, match="min_class_people=10"):
        syn = tiny_synthesizer(teacher=teacher, input_shape=study.input_shape,
                               init="class_spectrum").fit(study.X[people], study.y[people],
                                                          groups=study.groups[people])
    assert not syn.class_support_.supported.any() and not syn.class_support_.pool_supported
    assert torch.all(syn.init_.levels == 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SupportFloorWarning)
        lowered = tiny_synthesizer(teacher=teacher, input_shape=study.input_shape,
                                   init="class_spectrum", min_class_people=4, min_class_rows=10)
        lowered.fit(study.X[people], study.y[people], groups=study.groups[people])
    assert lowered.class_support_.supported.all()
    assert not torch.all(lowered.init_.levels == 0)


def test_synthesizer_groups_must_match_the_rows(study):
    with pytest.raises(ValueError, match="groups has 3 entries but X has 80 rows"):
        tiny_synthesizer(input_shape=study.input_shape).fit(study.X, study.y, groups=[1, 2, 3])


def test_groups_reach_the_synthesizer_through_metadata_routing(study):
    import sklearn
    from imblearn.pipeline import make_pipeline
    from sklearn.linear_model import LogisticRegression

    with sklearn.config_context(enable_metadata_routing=True):
        syn = tiny_synthesizer(input_shape=study.input_shape, n_iter=2)
        pipe = make_pipeline(syn, LogisticRegression().set_fit_request(sample_weight=False))
        pipe.fit(study.X, study.y, groups=study.groups)
    assert pipe[0].class_support_.n_people.tolist() == [8, 8]


def test_spectrum_draws_have_the_fitted_power_spectrum_and_levels():
    rng = np.random.default_rng(0)
    t = np.arange(64)
    X = np.sin(0.6 * t + rng.uniform(0, 6, (200, 1, 1))) * rng.lognormal(0, 0.3, (200, 1, 1))
    X = torch.as_tensor(X + 3.0 + 0.2 * rng.normal(size=X.shape), dtype=torch.float32)
    y = torch.zeros(200, dtype=torch.long)
    start = ClassSpectrum.fit(X, y, 1)
    z = start.draw(torch.zeros(4000, dtype=torch.long), (1, 64), torch.Generator().manual_seed(0))
    power = (torch.fft.rfft(z - start.levels[0][None, :, None], dim=2).abs().pow(2) / 64).mean(0)
    peak = int(start.spectra[0, 0].argmax())
    assert int(power[0].argmax()) == peak
    torch.testing.assert_close(power[0, peak], start.spectra[0, 0, peak], rtol=0.1, atol=0)
    torch.testing.assert_close(z.mean(), torch.tensor(3.0), atol=0.05, rtol=0)


def test_spectrum_bands_average_within_log_spaced_bands():
    X, y, groups = _people(shape=(2, 64))
    full = ClassSpectrum.fit(X, y, 2)
    banded = ClassSpectrum.fit(X, y, 2, rank=6)
    assert len(torch.unique(banded.spectra[0, 0])) <= 6 < len(torch.unique(full.spectra[0, 0]))
    # averaging keeps each band's total power
    torch.testing.assert_close(banded.spectra.sum(dim=2), full.spectra.sum(dim=2), rtol=1e-5,
                               atol=1e-5)


def test_synthesizer_passes_the_share_cap_and_refuses_one_below_one(study):
    uneven = np.concatenate([np.flatnonzero(study.groups != 0),
                             np.repeat(np.flatnonzero(study.groups == 0), 5)])
    X, y, groups = study.X[uneven], study.y[uneven], study.groups[uneven]
    syn = tiny_synthesizer(input_shape=study.input_shape, n_iter=1, max_person_share=None)
    syn.fit(X, y, groups=groups)
    for c in range(2):
        np.testing.assert_allclose(syn.class_support_.class_weights.numpy()[y == c],
                                   1 / np.sum(y == c), rtol=1e-5)
    with pytest.raises(ValueError, match="max_person_share"):
        tiny_synthesizer(input_shape=study.input_shape, max_person_share=0.5).fit(X, y)


def test_a_start_from_fewer_than_twice_the_floor_of_people_warns_and_names_the_fix(
        study, fitted_teacher):
    from skstim.synthesis import FewPeopleStartWarning

    teacher = FrozenEstimator(fitted_teacher)
    assert study_people_per_class(study) == [8, 8]

    def fit(groups=study.groups, **params):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            tiny_synthesizer(teacher=teacher, input_shape=study.input_shape, n_iter=1,
                             **params).fit(study.X, study.y, groups=groups)
        return [w for w in caught if issubclass(w.category, FewPeopleStartWarning)]

    near_floor = fit(min_class_people=5)  # 8 people a class: above 5, below 10
    assert len(near_floor) == 2
    assert "8 people" in str(near_floor[0].message)
    assert "init='noise'" in str(near_floor[0].message)
    assert fit(min_class_people=4) == []  # 8 is twice the floor
    assert fit(min_class_people=5, init="noise") == []
    assert fit(min_class_people=5, init_rank=0) == []
    assert len(fit(min_class_people=5, init="class_gaussian")) == 2
    assert fit(groups=None, min_class_people=5) == []  # rows count: 40 a class
    # a log line leaves with the output: it names counts, never a person
    named = fit(groups=np.array([f"patient-{g}-secret" for g in study.groups]),
                min_class_people=5)
    assert len(named) == 2 and not any("secret" in str(w.message) for w in named)


def study_people_per_class(study):
    return [len(np.unique(study.groups[study.y == c])) for c in np.unique(study.y)]
