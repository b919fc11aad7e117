"""skstim.evaluation: utility scores per student family, and the reference synthetic sets
(SMOTE interpolations, class Gaussian, conditional VAE) that stimuli are ranked against."""

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, cohen_kappa_score, f1_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from skstim import make_teacher
from skstim.evaluation import class_gaussian_set, evaluate_utility, interpolated_set, vae_set
from skstim.evaluation import diagnosis_agreement, score_real, score_synthetic
from skstim.evaluation import student_families, utility_scores

METRICS = ("accuracy", "kappa", "macro_f1")


@pytest.fixture(scope="module")
def split(apnea):
    """Real training data from subjects 0-3, held-out test data from subjects 4-5."""
    train = apnea.groups < np.unique(apnea.groups)[4]
    return apnea.X[train], apnea.y[train], apnea.X[~train], apnea.y[~train]


@pytest.fixture(scope="module")
def imbalanced():
    """60 rows of 5 features, three string classes with 30 / 20 / 10 rows and class means apart."""
    rng = np.random.default_rng(0)
    y = np.array(["a"] * 30 + ["b"] * 20 + ["c"] * 10)
    X = rng.normal(size=(60, 5))
    X[y == "b"] += 3.0
    X[y == "c"] -= 3.0
    perm = rng.permutation(60)
    X, y = X[perm], y[perm]
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def _soft_labels(y, classes, confidence=0.8):
    encoded = np.searchsorted(classes, y)
    proba = np.full((len(y), len(classes)), (1 - confidence) / (len(classes) - 1), np.float32)
    proba[np.arange(len(y)), encoded] = confidence
    return proba


def _check_scores(scores):
    assert set(scores) == set(METRICS)
    for name in METRICS:
        assert isinstance(scores[name], float)
        assert -1.0 <= scores[name] <= 1.0
    assert 0.0 <= scores["accuracy"]


# ---------------------------------------------------------------- utility
def test_utility_scores_match_sklearn():
    y_true = np.array([0, 1, 1, 0, 2, 2, 1, 0])
    y_pred = np.array([0, 1, 0, 0, 2, 1, 1, 2])
    scores = utility_scores(y_true, y_pred)
    assert scores == pytest.approx({
        "accuracy": accuracy_score(y_true, y_pred),
        "kappa": cohen_kappa_score(y_true, y_pred),
        "macro_f1": f1_score(y_true, y_pred, average="macro"),
    })
    _check_scores(scores)
    perfect = utility_scores(["x", "y", "x"], ["x", "y", "x"])
    assert perfect == {"accuracy": 1.0, "kappa": 1.0, "macro_f1": 1.0}


def test_score_real(split):
    X_train, y_train, X_test, y_test = split
    student = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    scores = score_real(student, X_train, y_train, X_test, y_test)
    _check_scores(scores)
    fitted = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X_train, y_train)
    assert scores == pytest.approx(utility_scores(y_test, fitted.predict(X_test)))
    assert not hasattr(student[-1], "coef_")  # a clone was fitted


def test_scores_with_recordings_add_the_per_night_diagnosis(split):
    X_train, y_train, X_test, y_test = split
    nights = np.arange(len(y_test)) * 3 // len(y_test)  # three nights
    student = DecisionTreeClassifier(random_state=0)
    plain = score_real(student, X_train, y_train, X_test, y_test)
    scores = score_real(student, X_train, y_train, X_test, y_test, recording=nights,
                        minutes_per_row=4)
    assert set(scores) == set(plain) | {"index_mae", "diagnosis_accuracy"}
    y_pred = DecisionTreeClassifier(random_state=0).fit(X_train, y_train).predict(X_test)
    expected = diagnosis_agreement(y_test, y_pred, nights, minutes_per_row=4)
    assert scores["index_mae"] == pytest.approx(expected["index_mae"])
    assert scores["diagnosis_accuracy"] == pytest.approx(expected["class_accuracy"])
    classes = np.unique(y_train)
    proba = np.eye(2, dtype=np.float32)[np.searchsorted(classes, y_train)]
    synthetic = score_synthetic(student, X_train, proba, classes, X_test, y_test,
                                recording=nights, minutes_per_row=4)
    assert synthetic == pytest.approx(scores)


def test_score_synthetic_with_one_hot_labels(split):
    X_train, y_train, X_test, y_test = split
    classes = np.unique(y_train)
    proba = np.eye(2, dtype=np.float32)[np.searchsorted(classes, y_train)]
    student = DecisionTreeClassifier(random_state=0)
    scores = score_synthetic(student, X_train, proba, classes, X_test, y_test)
    _check_scores(scores)
    # hard one-hot labels: the same as training on the real labels
    assert scores == pytest.approx(score_real(student, X_train, y_train, X_test, y_test))


def test_score_synthetic_with_a_skorch_student_and_soft_labels(split, apnea):
    X_train, y_train, X_test, y_test = split
    classes = np.unique(y_train)
    student = make_teacher(apnea.input_shape, arch="mlp", max_epochs=2, batch_size=32,
                           module__hidden_sizes=(16,), random_state=0)
    proba = _soft_labels(y_train, classes)
    scores = score_synthetic(student, X_train.astype(np.float32), proba, classes, X_test, y_test)
    _check_scores(scores)
    hard = score_synthetic(student, X_train.astype(np.float32), proba, classes, X_test, y_test,
                           soft_labels="hard")
    _check_scores(hard)
    assert not hasattr(student, "module_")  # a clone was fitted


def test_score_synthetic_string_classes(imbalanced):
    X, y = imbalanced
    classes = np.unique(y)
    scores = score_synthetic(LogisticRegression(max_iter=500), X, _soft_labels(y, classes),
                             classes, X, y)
    _check_scores(scores)
    assert scores["accuracy"] > 0.9


def test_evaluate_utility_rows(split):
    X_train, y_train, X_test, y_test = split
    classes = np.unique(y_train)
    students = student_families((4, 60), families=["logistic regression", "k-nn"],
                                random_state=0)
    calls = []
    rows = evaluate_utility(students, X_train, y_train, X_train, _soft_labels(y_train, classes),
                            classes, X_test, y_test, callback=lambda: calls.append(1))
    assert [row["family"] for row in rows] == ["logistic regression", "k-nn"]
    assert len(calls) == 2 * len(students)
    for row in rows:
        assert set(row) == {"family"} | {f"{kind}_{m}" for kind in ("real", "stimuli", "gap")
                                         for m in METRICS}
        for m in METRICS:
            assert -1.0 <= row[f"real_{m}"] <= 1.0
            assert -1.0 <= row[f"stimuli_{m}"] <= 1.0
            assert row[f"gap_{m}"] == pytest.approx(row[f"stimuli_{m}"] - row[f"real_{m}"])


def test_student_families():
    all_families = student_families((1, 20))
    assert list(all_families) == ["teacher architecture", "mlp", "gru", "random forest",
                                  "gradient boosting", "k-nn", "rbf svm", "logistic regression"]
    chosen = student_families((1, 20), families=["k-nn", "mlp"], random_state=3)
    assert list(chosen) == ["k-nn", "mlp"]
    assert chosen["mlp"].random_state == 3
    with pytest.raises(ValueError, match="unknown"):
        student_families((1, 20), families=["mlp", "transformer"])
    assert student_families((1, 20), families=[]) == {}


def test_student_families_networks_end_with_precise_batchnorm_unless_told_not_to():
    from skstim.nets import PreciseBatchNorm

    networks = ["teacher architecture", "mlp", "gru"]
    precise = student_families((1, 20), families=networks + ["k-nn"])
    for name in networks:
        (callback_name, callback), = precise[name].callbacks
        assert callback_name == "precise_bn" and isinstance(callback, PreciseBatchNorm)
    as_trained = student_families((1, 20), families=networks, precise_batchnorm=False)
    assert all(not as_trained[name].callbacks for name in networks)


# ---------------------------------------------------------------- reference sets
def _rng_states():
    return np.random.get_state(), torch.get_rng_state()


def _assert_rng_untouched(before):
    np_before, torch_before = before
    np_after, torch_after = _rng_states()
    assert np_before[0] == np_after[0]
    np.testing.assert_array_equal(np_before[1], np_after[1])
    assert np_before[2:] == np_after[2:]
    assert torch.equal(torch_before, torch_after)


def test_interpolated_set_shape_and_class_shares(imbalanced):
    X, y = imbalanced
    X_s, P, classes = interpolated_set(X, y, random_state=0)
    assert X_s.shape == X.shape and X_s.dtype == np.float32
    assert classes.tolist() == ["a", "b", "c"]
    assert P.shape == (60, 3)
    assert set(np.unique(P)) <= {0.0, 1.0} and np.all(P.sum(axis=1) == 1)
    assert P.sum(axis=0).tolist() == [30, 20, 10]
    X_s, P, _ = interpolated_set(X, y, 50, random_state=0)
    assert X_s.shape == (50, 5)
    assert P.sum(axis=0).tolist() == [25, 17, 8]  # 50 * (1/2, 1/3, 1/6), largest remainder


def test_interpolated_set_rows_are_new_and_between_same_class_rows(imbalanced):
    X, y = imbalanced
    X_s, P, classes = interpolated_set(X, y, 90, k_neighbors=3, random_state=1)
    distances = np.abs(X_s[:, None, :] - X[None, :, :].astype(np.float32)).max(axis=2)
    assert distances.min() > 1e-6  # no synthetic row is a real row
    labels = classes[P.argmax(axis=1)]
    for label in classes:
        real = X[y == label]
        low, high = real.min(axis=0), real.max(axis=0)
        synthetic = X_s[labels == label]
        assert len(synthetic) > 0
        assert np.all(synthetic >= low - 1e-5) and np.all(synthetic <= high + 1e-5)


def test_interpolated_set_is_deterministic_and_leaves_the_inputs(imbalanced):
    X, y = imbalanced
    X_copy, y_copy = X.copy(), y.copy()
    before = _rng_states()
    a = interpolated_set(X, y, random_state=4)
    b = interpolated_set(X, y, random_state=4)
    c = interpolated_set(X, y, random_state=5)
    _assert_rng_untouched(before)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.allclose(a[0], c[0])
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)


REFERENCE_SETS = {
    "class_gaussian": lambda X, y, n=None, **kw: class_gaussian_set(X, y, n, rank=2, **kw),
    "vae": lambda X, y, n=None, **kw: vae_set(X, y, n, latent_dim=2, hidden_size=16,
                                               max_epochs=3, batch_size=16, **kw),
}


@pytest.mark.parametrize("name", sorted(REFERENCE_SETS))
def test_reference_set_shape_and_labels(imbalanced, name):
    X, y = imbalanced
    make = REFERENCE_SETS[name]
    X_s, P, classes = make(X, y, random_state=0)
    assert X_s.shape == X.shape and X_s.dtype == np.float32
    assert np.isfinite(X_s).all()
    assert classes.tolist() == ["a", "b", "c"]  # string labels keep their classes
    assert P.shape == (60, 3) and P.dtype == np.float32
    assert set(np.unique(P)) <= {0.0, 1.0} and np.all(P.sum(axis=1) == 1)
    assert P.sum(axis=0).tolist() == [30, 20, 10]
    X_s, P, _ = make(X, y, 50, random_state=0)
    assert X_s.shape == (50, 5)
    assert P.sum(axis=0).tolist() == [25, 17, 8]


@pytest.mark.parametrize("name", sorted(REFERENCE_SETS))
def test_reference_set_is_seeded_and_leaves_global_state(imbalanced, name):
    X, y = imbalanced
    X_copy = X.copy()
    make = REFERENCE_SETS[name]
    before = _rng_states()
    a = make(X, y, 20, random_state=7)
    b = make(X, y, 20, random_state=7)
    c = make(X, y, 20, random_state=8)
    _assert_rng_untouched(before)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.allclose(a[0], c[0])
    np.testing.assert_array_equal(X, X_copy)


def test_class_gaussian_set_follows_the_class_means(imbalanced):
    X, y = imbalanced
    X_s, P, classes = class_gaussian_set(X, y, 3000, rank=2, random_state=0)
    labels = classes[P.argmax(axis=1)]
    for label in classes:
        drawn = X_s[labels == label]
        real = X[y == label]
        tolerance = 5 * real.std(axis=0).max() * 1.5 / np.sqrt(len(drawn))
        assert np.abs(drawn.mean(axis=0) - real.mean(axis=0)).max() < tolerance + 0.05
    # labels are shuffled, not in class blocks
    assert len(np.unique(labels[:100])) == 3


def test_reference_sets_with_integer_labels(apnea):
    for make in REFERENCE_SETS.values():
        X_s, P, classes = make(apnea.X, apnea.y, 12, random_state=0)
        assert X_s.shape == (12, apnea.X.shape[1])
        np.testing.assert_array_equal(classes, np.unique(apnea.y))


def test_people_bootstrap_matches_sklearn_on_each_resample():
    from skstim.utils import people_bootstrap

    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(6), 10)
    y = rng.integers(0, 3, 60)
    a = np.where(rng.random(60) < 0.7, y, rng.integers(0, 3, 60))
    b = np.where(rng.random(60) < 0.5, y, rng.integers(0, 3, 60))
    ci = people_bootstrap(y, {"real": a, "stimuli": b}, groups, n_resamples=300, random_state=1)
    # the same resamples, recomputed with sklearn: people drawn by the same multinomial
    weights = np.random.default_rng(1).multinomial(6, np.full(6, 1 / 6), size=300)
    acc, kappa, gap = [], [], []
    for w in weights:
        rows = np.concatenate([np.flatnonzero(groups == p).repeat(1) for p in range(6)
                               for _ in range(w[p])])
        acc.append(accuracy_score(y[rows], a[rows]))
        kappa.append(cohen_kappa_score(y[rows], a[rows]))
        gap.append(accuracy_score(y[rows], b[rows]) - acc[-1])
    assert ci["real_accuracy_ci"] == pytest.approx(tuple(np.percentile(acc, [2.5, 97.5])))
    assert ci["real_kappa_ci"] == pytest.approx(tuple(np.percentile(kappa, [2.5, 97.5])))
    assert ci["gap_accuracy_ci"] == pytest.approx(tuple(np.percentile(gap, [2.5, 97.5])))
    with pytest.raises(ValueError, match="at least two held-out people"):
        people_bootstrap(y, {"real": a}, np.zeros(60))


def test_evaluate_utility_intervals_over_held_out_people(split):
    X_train, y_train, X_test, y_test = split
    classes = np.unique(y_train)
    groups_test = np.arange(len(y_test)) % 5
    students = student_families((4, 60), families=["logistic regression"], random_state=0)
    row, = evaluate_utility(students, X_train, y_train, X_train, _soft_labels(y_train, classes),
                            classes, X_test, y_test, groups_test=groups_test, random_state=0)
    for kind in ("real", "stimuli", "gap"):
        for metric in ("accuracy", "kappa"):
            low, high = row[f"{kind}_{metric}_ci"]
            assert low <= high
    low, high = row["real_accuracy_ci"]
    assert low <= row["real_accuracy"] <= high
