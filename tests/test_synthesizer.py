"""StimulusSynthesizer: reproducibility, input checks, class priors, frozen teachers."""

import numpy as np
import pytest
import torch
from skorch import NeuralNetClassifier
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from torch import nn

import skstim._fitting as fitting_module
import skstim._synthesizer as synthesizer_module
from skstim import StimulusSynthesizer, make_teacher
from skstim.utils import allocate

from .helpers import tiny_synthesizer

METHODS = ["direct", "generator"]


# ------------------------------------------------------------------ reproducibility
@pytest.mark.parametrize("method", METHODS)
def test_same_seed_gives_identical_stimuli(apnea, method):
    results = []
    for _ in range(2):
        syn = tiny_synthesizer(method=method, random_state=3)
        X_s, y_s = syn.fit_resample(apnea.X, apnea.y)
        results.append((X_s, y_s, syn.y_proba_))
    (X1, y1, P1), (X2, y2, P2) = results
    assert X1.dtype == np.float32 and X1.shape == apnea.X.shape
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    np.testing.assert_array_equal(P1, P2)


@pytest.mark.parametrize("method", METHODS)
def test_different_seeds_give_different_stimuli(apnea, method):
    X1, _ = tiny_synthesizer(method=method, random_state=0).fit_resample(apnea.X, apnea.y)
    X2, _ = tiny_synthesizer(method=method, random_state=1).fit_resample(apnea.X, apnea.y)
    assert not np.allclose(X1, X2)


def test_unseeded_fits_differ_but_a_fitted_synthesizer_repeats_itself(apnea):
    syn = tiny_synthesizer(random_state=None)
    X1, _ = syn.fit_resample(apnea.X, apnea.y)
    X2, _ = tiny_synthesizer(random_state=None).fit_resample(apnea.X, apnea.y)
    assert not np.allclose(X1, X2)
    # sample() with no seed repeats the fitted estimator's own draw
    np.testing.assert_array_equal(syn.sample(len(X1))[0], X1)


@pytest.mark.parametrize("method", METHODS)
def test_sample_repeats_fit_resample(apnea, method):
    syn = tiny_synthesizer(method=method, n_stimuli=20)
    X_s, y_s = syn.fit_resample(apnea.X, apnea.y)
    X_again, y_again, proba = syn.sample(20, return_proba=True)
    np.testing.assert_array_equal(X_again, X_s)
    np.testing.assert_array_equal(y_again, y_s)
    np.testing.assert_array_equal(proba, syn.y_proba_)
    # another seed for the draw gives other stimuli from the same teacher
    X_other, _ = syn.sample(20, random_state=123)
    assert not np.allclose(X_other, X_s)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("random_state", [None, 0])
def test_global_random_states_untouched(apnea, method, random_state):
    np.random.seed(12345)
    torch.manual_seed(12345)
    numpy_state = np.random.get_state()
    torch_state = torch.get_rng_state()

    syn = tiny_synthesizer(method=method, random_state=random_state)
    syn.fit(apnea.X, apnea.y)
    syn.fit_resample(apnea.X, apnea.y)
    syn.sample(7)
    syn.sample(7, random_state=5)

    after = np.random.get_state()
    assert after[0] == numpy_state[0]
    np.testing.assert_array_equal(after[1], numpy_state[1])
    assert after[2:] == numpy_state[2:]
    assert torch.equal(torch.get_rng_state(), torch_state)


# --------------------------------------------------------------------- bad input
@pytest.fixture
def syn():
    return tiny_synthesizer()


@pytest.mark.parametrize("value, message", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_non_finite_X(apnea, syn, value, message):
    X = apnea.X.copy()
    X[3, 5] = value
    with pytest.raises(ValueError, match=f"X contains {message}"):
        syn.fit_resample(X, apnea.y)


def test_3d_X(apnea, syn):
    X = apnea.X.reshape(len(apnea.X), *apnea.input_shape)
    with pytest.raises(ValueError, match=r"X must be 2-D .* got 3-D.*input_shape"):
        syn.fit(X, apnea.y)


@pytest.mark.parametrize("input_shape", [(4, 59), (3, 80, 1), (240,)])
def test_input_shape_not_matching_X(apnea, input_shape):
    syn = tiny_synthesizer(input_shape=input_shape)
    with pytest.raises(ValueError, match=r"input_shape=.* does not match X with 240 features"):
        syn.fit(apnea.X, apnea.y)


def test_single_class(apnea, syn):
    with pytest.raises(ValueError, match=r"y has one class only"):
        syn.fit(apnea.X, np.zeros(len(apnea.X), dtype=int))


@pytest.mark.parametrize("params, match", [
    (dict(n_stimuli=0), "'n_stimuli' parameter"), (dict(n_stimuli=-1), "'n_stimuli' parameter"),
    (dict(stimuli_per_sample=0.0), "'stimuli_per_sample' parameter"),
    (dict(stimuli_per_sample=-0.5), "'stimuli_per_sample' parameter"),
    (dict(n_stimuli=4.0), r"count of stimuli .* pass stimuli_per_sample=4\.0"),
    (dict(n_stimuli=np.float32(2)), "count of stimuli"),
    (dict(n_stimuli=True), "'n_stimuli' parameter .* not a bool"),
    (dict(stimuli_per_sample=True), "'stimuli_per_sample' parameter .* not a bool"),
])
def test_stimulus_counts_that_could_be_confused_are_refused(apnea, params, match):
    with pytest.raises(ValueError, match=match):
        tiny_synthesizer(**params).fit_resample(apnea.X, apnea.y)


def test_sample_before_fit(syn):
    with pytest.raises(NotFittedError):
        syn.sample(5)


@pytest.mark.parametrize("n_samples", [0, -3, 2.5])
def test_sample_needs_a_positive_int(apnea, n_samples):
    syn = tiny_synthesizer().fit(apnea.X, apnea.y)
    with pytest.raises(ValueError, match="n_samples must be a positive int"):
        syn.sample(n_samples)


@pytest.mark.parametrize("method", ["fit", "fit_resample"])
def test_mismatched_lengths_of_X_and_y(apnea, syn, method):
    with pytest.raises(ValueError, match="X has 72 rows but y has 71 entries"):
        getattr(syn, method)(apnea.X, apnea.y[:-1])


@pytest.mark.parametrize("confidence", [(0.9, 0.5), (0.5,), 1.5, 0.0])
def test_bad_confidence(apnea, confidence):
    with pytest.raises(ValueError, match="confidence"):
        tiny_synthesizer(confidence=confidence).fit(apnea.X, apnea.y)


@pytest.mark.parametrize("class_prior, message", [
    ({0: 1.0, 7: 1.0}, "class_prior names classes"),
    ({0: -1.0, 1: 2.0}, "class_prior weights must be >= 0"),
    ({0: 0.0, 1: 0.0}, "class_prior weights must be >= 0 with a positive sum"),
    ("balanced", "'class_prior' parameter"),
])
def test_bad_class_prior(apnea, class_prior, message):
    with pytest.raises(ValueError, match=message):
        tiny_synthesizer(class_prior=class_prior).fit(apnea.X, apnea.y)


class SoftmaxNet(nn.Module):
    """Ends in softmax: outputs probabilities, not logits."""

    def __init__(self, n_features=240, n_classes=2):
        super().__init__()
        self.linear = nn.Linear(n_features, n_classes)

    def forward(self, X):
        return self.linear(X).softmax(dim=-1)


def test_teacher_trained_with_nll_loss(apnea):
    # skorch's default: a softmax module and NLLLoss (the criterion is checked before fitting)
    teacher = NeuralNetClassifier(SoftmaxNet, max_epochs=1, train_split=None)
    with pytest.raises(ValueError, match="teacher must output logits.*NLLLoss"):
        StimulusSynthesizer(teacher, n_iter=2).fit(apnea.X, apnea.y)


def test_teacher_ending_in_softmax_with_cross_entropy(apnea):
    # the criterion looks right, the output check must catch the softmax
    teacher = NeuralNetClassifier(SoftmaxNet, criterion=nn.CrossEntropyLoss, max_epochs=1,
                                  train_split=None)
    with pytest.raises(ValueError, match="teacher outputs probabilities.*not logits"):
        StimulusSynthesizer(teacher, n_iter=2).fit(apnea.X, apnea.y)


def test_frozen_teacher_ending_in_softmax(apnea):
    teacher = NeuralNetClassifier(SoftmaxNet, max_epochs=1, train_split=None)
    teacher.fit(apnea.X.astype(np.float32), apnea.y)
    with pytest.raises(ValueError, match="teacher outputs probabilities"):
        StimulusSynthesizer(FrozenEstimator(teacher), n_iter=2).fit(apnea.X, apnea.y)


def test_plain_skorch_teacher_on_logits_works(apnea):
    class LinearNet(nn.Module):
        def __init__(self, n_classes=2):
            super().__init__()
            self.norm = nn.BatchNorm1d(240)
            self.linear = nn.Linear(240, n_classes)

        def forward(self, X):
            return self.linear(self.norm(X))

    teacher = NeuralNetClassifier(LinearNet, criterion=nn.CrossEntropyLoss, max_epochs=2,
                                  train_split=None)
    syn = StimulusSynthesizer(teacher, n_iter=3, random_state=0)
    X_s, y_s = syn.fit_resample(apnea.X, apnea.y)
    assert X_s.shape == (4 * len(apnea.X), apnea.X.shape[1]) and set(y_s) <= {0, 1}


def test_callers_arrays_are_not_modified(apnea):
    X, y = apnea.X.copy(), apnea.y.copy()  # writable, unlike the fixture's
    X_before, y_before = X.copy(), y.copy()
    syn = tiny_synthesizer()
    syn.fit_resample(X, y)
    syn.sample(5)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
    X32 = X.astype(np.float32)
    X32_before = X32.copy()
    tiny_synthesizer().fit_resample(X32, y)
    np.testing.assert_array_equal(X32, X32_before)


# ------------------------------------------------------------------ class priors
@pytest.mark.parametrize("n, prior", [
    (10, [0.5, 0.5]), (7, [0.5, 0.5]), (100, [0.1, 0.2, 0.7]), (3, [1 / 3] * 3),
    (11, [0.05, 0.95]), (1, [0.3, 0.7]), (50, [0.0, 1.0]), (13, [0.26, 0.27, 0.47]),
])
def test_allocate_splits_n_by_the_prior(n, prior):
    counts = allocate(n, prior)
    assert counts.sum() == n
    assert np.all(counts >= 0)
    assert np.all(np.abs(counts - n * np.asarray(prior)) < 1)


def test_class_prior_match_uniform_and_dict(apnea):
    share = np.bincount(apnea.y) / len(apnea.y)
    match = tiny_synthesizer(class_prior="match").fit(apnea.X, apnea.y)
    np.testing.assert_allclose(match.class_prior_, share)
    uniform = tiny_synthesizer(class_prior="uniform").fit(apnea.X, apnea.y)
    np.testing.assert_allclose(uniform.class_prior_, [0.5, 0.5])
    mapping = tiny_synthesizer(class_prior={1: 3.0}).fit(apnea.X, apnea.y)
    np.testing.assert_allclose(mapping.class_prior_, [0.0, 1.0])
    mapping = tiny_synthesizer(class_prior={0: 1.0, 1: 3.0}).fit(apnea.X, apnea.y)
    np.testing.assert_allclose(mapping.class_prior_, [0.25, 0.75])


@pytest.fixture
def recorded_targets(monkeypatch):
    """The target classes the synthesizer hands to the engine, call by call."""
    calls = []
    engine = synthesizer_module.synthesize

    def recording(model, targets, *args, **kwargs):
        calls.append(np.asarray(targets).copy())
        return engine(model, targets, *args, **kwargs)

    monkeypatch.setattr(synthesizer_module, "synthesize", recording)
    return calls


@pytest.mark.parametrize("class_prior, expected", [
    ("match", [35 / 72, 37 / 72]), ("uniform", [0.5, 0.5]), ({0: 1.0, 1: 3.0}, [0.25, 0.75]),
    ({1: 1.0}, [0.0, 1.0]),
])
@pytest.mark.parametrize("n", [40, 101])
def test_targets_follow_the_class_prior(apnea, recorded_targets, class_prior, expected, n):
    syn = tiny_synthesizer(class_prior=class_prior, n_stimuli=n, n_iter=0, mix=0.0)
    syn.fit_resample(apnea.X, apnea.y)
    np.testing.assert_allclose(syn.class_prior_, expected)
    (targets,) = recorded_targets
    assert len(targets) == n
    np.testing.assert_array_equal(np.bincount(targets, minlength=2), allocate(n, expected))
    if min(expected) > 0:
        assert not np.all(np.diff(targets) >= 0), "targets should be shuffled, not sorted"


def test_stimuli_labels_match_the_training_prior(apnea, fitted_teacher):
    # With a confident teacher most stimuli reach their target class, so the hard labels
    # follow the training proportions under class_prior="match".
    rows = np.r_[np.flatnonzero(apnea.y == 0), np.flatnonzero(apnea.y == 1)[:15]]
    X, y = apnea.X[rows], apnea.y[rows]  # 35 normal, 15 apnea windows: unbalanced
    share = np.bincount(y) / len(y)
    # 15 apnea rows are below the default floor of 20: without class aggregates fewer
    # stimuli reach the class, which test_support_floors measures; here the floors are off.
    syn = StimulusSynthesizer(FrozenEstimator(fitted_teacher), input_shape=apnea.input_shape,
                              stimuli_per_sample=3.0, n_iter=30, min_class_rows=1,
                              random_state=0)
    _, y_s = syn.fit_resample(X, y)
    np.testing.assert_allclose(np.bincount(y_s, minlength=2) / len(y_s), share, atol=0.1)


# ------------------------------------------------------------- other behaviour
@pytest.mark.parametrize("amount, expected", [
    (dict(stimuli_per_sample=1.0), 72), (dict(stimuli_per_sample=0.5), 36),
    (dict(stimuli_per_sample=2.5), 180), (dict(stimuli_per_sample=3), 216),
    (dict(n_stimuli=10), 10), (dict(n_stimuli=10, stimuli_per_sample=2.0), 10),
    (dict(stimuli_per_sample=0.001), 1)])
def test_n_stimuli(apnea, amount, expected):
    syn = tiny_synthesizer(n_iter=2, **amount)
    X_s, y_s = syn.fit_resample(apnea.X, apnea.y)
    assert X_s.shape == (expected, apnea.X.shape[1])
    assert y_s.shape == (expected,)
    assert syn.y_proba_.shape == (expected, 2)
    assert syn.n_samples_fit_ == len(apnea.X)
    assert syn.n_stimuli_ == expected


def test_input_shape_none_means_one_channel(apnea):
    syn = tiny_synthesizer(input_shape=None).fit(apnea.X, apnea.y)
    assert syn.input_shape_ == (1, 240)
    assert syn.teacher_.module_.input_shape == (1, 240)
    syn = tiny_synthesizer(input_shape=[4, 60]).fit(apnea.X, apnea.y)
    assert syn.input_shape_ == (4, 60)
    assert syn.teacher_.module_.input_shape == (4, 60)


def test_fitted_attributes(apnea):
    syn = tiny_synthesizer(input_shape=apnea.input_shape).fit(apnea.X, apnea.y)
    assert syn.n_features_in_ == 240
    np.testing.assert_array_equal(syn.classes_, [0, 1])
    assert syn.loc_.shape == (4, 1) and syn.scale_.shape == (4, 1)
    channels = apnea.X.reshape(len(apnea.X), 4, 60)
    np.testing.assert_allclose(syn.loc_[:, 0], channels.mean(axis=(0, 2)), rtol=1e-4)
    assert not hasattr(syn, "y_proba_")  # made by fit_resample only


def test_string_labels(apnea):
    y = np.where(apnea.y == 1, "apnea", "normal")
    syn = tiny_synthesizer(n_iter=20)
    X_s, y_s = syn.fit_resample(apnea.X, y)
    np.testing.assert_array_equal(syn.classes_, ["apnea", "normal"])
    assert y_s.dtype.kind == "U" and set(y_s) <= {"apnea", "normal"}
    np.testing.assert_array_equal(y_s, syn.classes_[syn.y_proba_.argmax(axis=1)])
    syn = tiny_synthesizer(class_prior={"apnea": 1.0, "normal": 1.0}).fit(apnea.X, y)
    np.testing.assert_allclose(syn.class_prior_, [0.5, 0.5])


def test_frozen_teacher_is_used_as_is(apnea, fitted_teacher, monkeypatch):
    monkeypatch.setattr(fitting_module, "_fit_seeded",
                        lambda *args: pytest.fail("a frozen teacher was refitted"))
    module = fitted_teacher.module_
    weights = {k: v.clone() for k, v in module.state_dict().items()}
    grad_flags = [p.requires_grad for p in module.parameters()]

    syn = StimulusSynthesizer(FrozenEstimator(fitted_teacher), input_shape=apnea.input_shape,
                              n_stimuli=16, n_iter=10, random_state=0)
    X_s, y_s = syn.fit_resample(apnea.X, apnea.y)

    assert syn.teacher_ is fitted_teacher
    assert X_s.shape == (16, 240) and np.isfinite(X_s).all()
    for key, value in module.state_dict().items():
        assert torch.equal(value, weights[key]), key
    assert [p.requires_grad for p in module.parameters()] == grad_flags
    np.testing.assert_allclose(syn.y_proba_, fitted_teacher.predict_proba(X_s), atol=1e-5)


def test_frozen_teacher_must_be_fitted(apnea):
    with pytest.raises(NotFittedError):
        StimulusSynthesizer(FrozenEstimator(make_teacher(arch="mlp"))).fit(apnea.X, apnea.y)


def test_frozen_teacher_must_know_the_classes(apnea, fitted_teacher):
    y = np.where(apnea.y == 1, 2, 0)
    with pytest.raises(ValueError, match=r"y holds classes \['2'\] the frozen teacher does not"):
        StimulusSynthesizer(FrozenEstimator(fitted_teacher)).fit(apnea.X, y)


def test_teacher_is_cloned_not_fitted_in_place(apnea):
    teacher = make_teacher(arch="mlp", max_epochs=2)
    syn = StimulusSynthesizer(teacher, n_iter=2, random_state=0).fit(apnea.X, apnea.y)
    assert syn.teacher_ is not teacher
    assert not hasattr(teacher, "module_")
    assert teacher.get_params()["module__input_shape"] is None


def test_stimuli_are_in_the_data_scale(apnea):
    # The SpO2 channel lives near 95; stimuli come back in that scale, not standardized.
    syn = tiny_synthesizer(input_shape=apnea.input_shape, n_iter=5)
    X_s, _ = syn.fit_resample(apnea.X, apnea.y)
    spo2_real = apnea.X.reshape(-1, 4, 60)[:, 3].mean()
    spo2_stim = X_s.reshape(-1, 4, 60)[:, 3].mean()
    assert abs(spo2_stim - spo2_real) < 5


def test_verbose_shows_progress(apnea, capsys):
    tiny_synthesizer(verbose=1, n_iter=2).fit_resample(apnea.X, apnea.y)
    assert "synthesizing" in capsys.readouterr().err


def test_fit_resample_keeps_a_dataframes_columns(apnea):
    pd = pytest.importorskip("pandas")
    columns = [f"f{i}" for i in range(apnea.X.shape[1])]
    X_s, y_s = tiny_synthesizer(n_iter=2).fit_resample(pd.DataFrame(apnea.X, columns=columns),
                                                       pd.Series(apnea.y, name="apnea"))
    assert list(X_s.columns) == columns and y_s.name == "apnea"
    assert len(X_s) == len(y_s) == len(apnea.X)


def test_a_dataframe_of_integer_columns_gives_the_stimuli_of_the_array(apnea):
    pd = pytest.importorskip("pandas")
    X = np.round(apnea.X * 10).astype(np.int64)
    frame = pd.DataFrame(X)
    X_array, _ = tiny_synthesizer(n_iter=2).fit_resample(X, apnea.y)
    X_frame, _ = tiny_synthesizer(n_iter=2).fit_resample(frame, apnea.y)
    assert (X_frame.dtypes == np.float32).all()  # not cast back to the integer columns
    # equal up to the rounding of float32 against float64 standardization (a truncation
    # to integers would move them by up to 1)
    np.testing.assert_allclose(X_frame.to_numpy(), X_array, rtol=1e-4, atol=1e-2)
    assert (frame.dtypes == np.int64).all()  # the caller's frame is unchanged


def test_a_sample_too_large_for_memory_is_refused_before_any_work(apnea, syn, monkeypatch):
    import skstim._synthesizer as module

    syn.fit(apnea.X, apnea.y)
    monkeypatch.setattr(module, "synthesize",
                        lambda *a, **k: pytest.fail("synthesis started"))
    with pytest.raises(MemoryError, match=r"1,000,000,000 stimuli .* GiB of memory"):
        syn.sample(10 ** 9)
    with pytest.raises(ValueError, match="n_samples must be a positive int"):
        syn.sample(True)


def test_a_diverging_optimization_returns_no_stimuli(apnea):
    syn = tiny_synthesizer(lr=1e20, n_iter=5, init="noise", stimuli_per_sample=0.2)
    with pytest.raises(FloatingPointError, match=r"diverged: \d+ of 14 stimuli .* Lower lr"):
        syn.fit_resample(apnea.X, apnea.y)
