"""Privacy attacks: summary features, re-identification, membership inference, DCR, noise floor."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.validation import check_is_fitted

from skstim.datasets import make_sleep_apnea
from skstim.evaluation import distance_to_closest_record, make_subject_attacker, noise_set
from skstim.evaluation import membership_inference, reidentification, summary_features

N_PER_CHANNEL = 13


def small_attacker(input_shape):
    """The default attacker with fewer trees, to keep the tests fast."""
    return make_subject_attacker(input_shape).set_params(classifier__n_estimators=60)


@pytest.fixture(scope="module")
def people():
    """12 people x 40 windows; the first 20 windows of each person are the attacker's own
    recordings, the last 20 are what a data holder might release."""
    d = make_sleep_apnea(n_subjects=12, n_windows=40, sampling_rate=1.0, random_state=0)
    X = d.X.reshape(12, 40, -1)
    y = d.y.reshape(12, 40)
    groups = np.repeat(np.arange(12), 20)
    return dict(X_attacker=X[:, :20].reshape(240, -1), X_later=X[:, 20:].reshape(240, -1),
                y_later=y[:, 20:].ravel(), groups=groups, input_shape=d.input_shape)


@pytest.fixture(scope="module")
def subjects20():
    """20 people x 20 windows, for subject-level membership inference."""
    return make_sleep_apnea(n_subjects=20, n_windows=20, sampling_rate=1.0, random_state=0)


# ---------------------------------------------------------------- summary_features

def test_summary_features_shape_and_columns_match_numpy(apnea):
    C, T = apnea.input_shape
    F = summary_features(apnea.X, apnea.input_shape)
    assert F.shape == (len(apnea.X), C * N_PER_CHANNEL) and F.dtype == np.float64
    X3 = apnea.X.reshape(len(apnea.X), C, T)
    for c in range(C):
        block, x = F[:, c * N_PER_CHANNEL:(c + 1) * N_PER_CHANNEL], X3[:, c]
        np.testing.assert_allclose(block[:, 0], x.mean(axis=1))
        np.testing.assert_allclose(block[:, 1], x.std(axis=1))
        np.testing.assert_allclose(block[:, 2:7], np.percentile(x, [5, 25, 50, 75, 95], axis=1).T)
        np.testing.assert_allclose(block[:, 7], np.abs(np.diff(x, axis=1)).mean(axis=1))
        np.testing.assert_allclose(block[:, 8], np.diff(x, axis=1).std(axis=1))
        np.testing.assert_allclose(block[:, 9:].sum(axis=1), 1.0)
    # rows are summarised independently: a subset gives the same rows
    np.testing.assert_allclose(summary_features(apnea.X[5:9], apnea.input_shape), F[5:9])


def test_summary_features_known_input():
    x = np.array([[3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0]])
    F = summary_features(x)  # input_shape=None: one channel
    assert F.shape == (1, N_PER_CHANNEL)
    assert F[0, 0] == pytest.approx(3.9)
    assert F[0, 4] == pytest.approx(3.5)  # median
    assert F[0, 7] == pytest.approx(np.mean([2, 3, 3, 4, 4, 7, 4, 1, 2]))


def test_summary_features_band_powers_follow_frequency():
    t = np.arange(256)
    # a sine at 0.05, 0.2, 0.3, 0.45 cycles per sample falls in band 0, 1, 2, 3
    X = np.stack([np.sin(2 * np.pi * f * t) for f in (0.05, 0.2, 0.3, 0.45)])
    bands = summary_features(X)[:, 9:]
    np.testing.assert_array_equal(bands.argmax(axis=1), [0, 1, 2, 3])
    assert bands.max(axis=1).min() > 0.9
    # a flat channel has no power anywhere: zeros, not NaN
    flat = summary_features(np.ones((2, 2 * 64)), input_shape=(2, 64))
    assert np.all(np.isfinite(flat)) and np.all(flat[:, 9:13] == 0)


def test_summary_features_errors():
    with pytest.raises(ValueError, match="input_shape"):
        summary_features(np.zeros((3, 100)), input_shape=(3, 30))
    with pytest.raises(ValueError, match="at least 8 time steps"):
        summary_features(np.zeros((3, 10)), input_shape=(2, 5))


# ---------------------------------------------------------------- attacker

def test_make_subject_attacker_is_unfitted_pipeline_with_proba(apnea):
    attacker = make_subject_attacker(apnea.input_shape, random_state=0)
    with pytest.raises(NotFittedError):
        check_is_fitted(attacker)
    fitted = clone(attacker).fit(apnea.X, apnea.groups)
    proba = fitted.predict_proba(apnea.X)
    assert proba.shape == (len(apnea.X), len(np.unique(apnea.groups)))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


# ---------------------------------------------------------------- reidentification

def test_reidentification_real_baseline_far_above_chance(people):
    members = np.arange(6)
    released = np.isin(people["groups"], members)
    r = reidentification(people["X_later"][released], people["X_attacker"], people["groups"],
                         members, groups_released=people["groups"][released],
                         attacker=small_attacker(people["input_shape"]), random_state=0)
    assert r["top1_chance"] == pytest.approx(1 / 12)
    assert r["top1_accuracy"] > 0.6 > 5 * r["top1_chance"]
    assert r["chance"] == 0.5
    assert r["ratio"] == pytest.approx(r["linked_to_members"] / r["chance"]) and r["ratio"] > 1.5
    assert r["membership_auc"] > 0.9
    assert set(r["member_scores"]) == set(range(12))
    assert sum(r["member_scores"].values()) == pytest.approx(1.0)


def test_reidentification_copies_high_noise_near_chance(people):
    """Copies of members' rows are all linked to members; noise carries no identity.

    Noise rows are unlike every person, so the forest links them all to one or two
    people and one split's ratio is 0 or 2: average over member splits.
    """
    attacker = small_attacker(people["input_shape"])
    copies_auc, noise_auc, noise_ratio = [], [], []
    for seed in range(6):
        members = np.random.default_rng(seed).choice(12, 6, replace=False)
        released = np.isin(people["groups"], members)
        copies = reidentification(people["X_attacker"][released], people["X_attacker"],
                                  people["groups"], members, attacker=attacker, random_state=seed)
        assert copies["linked_to_members"] == 1.0 and copies["ratio"] == pytest.approx(2.0)
        copies_auc.append(copies["membership_auc"])
        X_noise, _ = noise_set(people["X_later"][released], people["y_later"][released],
                               random_state=seed)
        noise = reidentification(X_noise, people["X_attacker"], people["groups"], members,
                                 attacker=attacker, random_state=seed)
        noise_auc.append(noise["membership_auc"])
        noise_ratio.append(noise["ratio"])
    assert min(copies_auc) == 1.0
    assert 0.25 < np.mean(noise_auc) < 0.8
    assert np.mean(noise_ratio) < 1.5


def test_reidentification_reproducible_and_custom_attacker(people):
    members = [0, 1, 2, 3]
    X_rel = people["X_later"][np.isin(people["groups"], members)]
    args = (X_rel, people["X_attacker"], people["groups"], members)
    attacker = small_attacker(people["input_shape"])
    a = reidentification(*args, attacker=attacker, random_state=3)
    b = reidentification(*args, attacker=attacker, random_state=3)
    assert a["member_scores"] == b["member_scores"]
    assert not hasattr(attacker, "classes_")  # the given attacker is cloned, not fitted
    linear = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    r = reidentification(*args, attacker=linear)
    assert r["chance"] == pytest.approx(4 / 12) and 0 <= r["linked_to_members"] <= 1


def test_reidentification_membership_auc_nan_when_all_known_are_members(people):
    keep = people["groups"] < 3
    r = reidentification(people["X_later"][keep], people["X_attacker"][keep],
                         people["groups"][keep], members=[0, 1, 2, 7],
                         attacker=small_attacker(people["input_shape"]), random_state=0)
    assert r["chance"] == 1.0 and np.isnan(r["membership_auc"])


def test_reidentification_errors(people):
    X_a, g = people["X_attacker"], people["groups"]
    X_r = people["X_later"][:10]
    with pytest.raises(ValueError, match="members is empty"):
        reidentification(X_r, X_a, g, members=[])
    with pytest.raises(ValueError, match="none of the members"):
        reidentification(X_r, X_a, g, members=[99])
    with pytest.raises(ValueError, match="none of the members"):
        reidentification(X_r, X_a, g, members=["0", "1"])  # ids of another type
    with pytest.raises(ValueError, match="groups_attacker has 239 entries"):
        reidentification(X_r, X_a, g[1:], members=[0])
    with pytest.raises(ValueError, match="groups_released has 3 entries"):
        reidentification(X_r, X_a, g, members=[0], groups_released=[0, 0, 0])
    with pytest.raises(ValueError, match="no person of groups_released"):
        reidentification(X_r, X_a, g, members=[0], groups_released=np.full(10, 50))
    with pytest.raises(ValueError, match="features"):
        reidentification(X_r[:, :100], X_a, g, members=[0])
    with pytest.raises(ValueError, match="at least two people"):
        reidentification(X_r, X_a, np.zeros(len(X_a)), members=[0])


# ---------------------------------------------------------------- membership_inference

def _fit_on_members(model, data, members):
    train = np.isin(data.groups, members)
    return model.fit(data.X[train], data.y[train])


@pytest.mark.parametrize("model", [KNeighborsClassifier(n_neighbors=1),
                                   DecisionTreeClassifier(random_state=0)])
def test_membership_inference_memorizing_model_has_auc_near_one(subjects20, model):
    members = np.arange(0, 20, 2)
    fitted = _fit_on_members(clone(model), subjects20, members)
    r = membership_inference(fitted, subjects20.X, subjects20.y, subjects20.groups, members,
                             random_state=0)
    assert r["auc"] > 0.9
    assert r["n_members"] == 10 and r["n_nonmembers"] == 10
    assert r["auc_ci"][0] <= r["auc"] <= r["auc_ci"][1]
    assert 0.0 <= r["tpr_at_1pct_fpr"] <= 1.0
    assert set(r["scores"]) == set(range(20))
    assert max(r["scores"][m] for m in members) <= 0.0  # mean log-probabilities


def test_membership_inference_models_that_memorized_nothing_are_near_chance(subjects20):
    other = make_sleep_apnea(n_subjects=10, n_windows=20, sampling_rate=1.0, random_state=99)
    unrelated = make_pipeline(StandardScaler(), LogisticRegression(C=0.01, max_iter=2000))
    unrelated.fit(other.X, other.y)  # never saw any candidate
    aucs = {"prior": [], "unrelated": []}
    for seed in range(10):
        members = np.random.default_rng(seed).choice(20, 10, replace=False)
        prior = _fit_on_members(DummyClassifier(strategy="prior"), subjects20, members)
        for name, model in [("prior", prior), ("unrelated", unrelated)]:
            r = membership_inference(model, subjects20.X, subjects20.y, subjects20.groups,
                                     members, n_bootstrap=200, random_state=seed)
            assert r["auc_ci"][0] <= r["auc"] <= r["auc_ci"][1]
            aucs[name].append(r["auc"])
    for name, values in aucs.items():
        assert abs(np.mean(values) - 0.5) < 0.12, (name, values)


class _FixedProba:
    """A 'fitted classifier' with given probabilities and unsorted classes_."""

    classes_ = np.array(["b", "a"])

    def __init__(self, proba):
        self.proba = np.asarray(proba, dtype=float)

    def predict_proba(self, X):
        return self.proba


def test_membership_inference_scores_align_columns_clip_and_calibrate():
    X = np.zeros((5, 2))
    y = np.array(["a", "b", "a", "c", "b"])  # "c" is a label the model never saw
    groups = np.array([1, 1, 2, 2, 3])
    proba = [[0.2, 0.8], [0.9, 0.1], [0.5, 0.5], [0.3, 0.7], [1.0, 0.0]]
    r = membership_inference(_FixedProba(proba), X, y, groups, members=[1], n_bootstrap=0)
    expected = {1: (np.log(0.8) + np.log(0.9)) / 2,
                2: (np.log(0.5) + np.log(1e-12)) / 2,
                3: np.log(1.0)}
    assert r["scores"] == pytest.approx(expected)
    assert r["auc"] == pytest.approx(roc_auc_score([1, 0, 0], [expected[g] for g in (1, 2, 3)]))
    assert np.isnan(r["auc_ci"]).all()
    ref_proba = [[0.5, 0.5]] * 5
    cal = membership_inference(_FixedProba(proba), X, y, groups, members=[1],
                               reference_models=[_FixedProba(ref_proba), _FixedProba(proba)],
                               n_bootstrap=0)
    reference = {1: np.log(0.5), 2: (np.log(0.5) + np.log(1e-12)) / 2, 3: np.log(0.5)}
    assert cal["scores"] == pytest.approx(
        {g: expected[g] - (reference[g] + expected[g]) / 2 for g in expected})


def test_membership_inference_perfect_separation():
    X, y = np.zeros((6, 1)), np.array(["a", "b", "a", "b", "a", "b"])
    groups = np.array([0, 0, 1, 1, 2, 2])
    proba = [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [0.5, 0.5], [0.6, 0.4], [0.7, 0.3]]
    r = membership_inference(_FixedProba(proba), X, y, groups, members=[0], random_state=0)
    assert r["auc"] == 1.0 and r["auc_ci"] == (1.0, 1.0) and r["tpr_at_1pct_fpr"] == 1.0
    # the member ties with a non-member: no member is caught without a false positive
    proba[4:] = [[0.0, 1.0], [1.0, 0.0]]
    r = membership_inference(_FixedProba(proba), X, y, groups, members=[0], n_bootstrap=0)
    assert r["auc"] == 0.75 and r["tpr_at_1pct_fpr"] == 0.0


def test_membership_inference_bootstrap_matches_resampling_with_sklearn(subjects20):
    """The vectorized stratified bootstrap gives the interval of a plain loop over
    resamples scored with roc_auc_score (scores with ties, as a 1-NN gives), and is seeded."""
    members = np.arange(10)
    fitted = _fit_on_members(KNeighborsClassifier(n_neighbors=1), subjects20, members)
    args = (fitted, subjects20.X, subjects20.y, subjects20.groups, members)
    r = membership_inference(*args, n_bootstrap=2000, random_state=1)
    assert r["auc_ci"] == membership_inference(*args, n_bootstrap=2000, random_state=1)["auc_ci"]
    scores = np.array([r["scores"][g] for g in range(20)])
    is_member = np.isin(np.arange(20), members)
    rng = np.random.default_rng(123)
    pos, neg = np.flatnonzero(is_member), np.flatnonzero(~is_member)
    loop = []
    for _ in range(2000):
        idx = np.concatenate([rng.choice(pos, len(pos)), rng.choice(neg, len(neg))])
        loop.append(roc_auc_score(is_member[idx], scores[idx]))
    np.testing.assert_allclose(r["auc_ci"], np.percentile(loop, [2.5, 97.5]), atol=0.03)
    assert r["auc_ci"][0] < r["auc"] <= r["auc_ci"][1]


def test_membership_inference_errors(apnea):
    model = DummyClassifier().fit(apnea.X, apnea.y)
    args = (model, apnea.X, apnea.y, apnea.groups)
    with pytest.raises(ValueError, match="members is empty"):
        membership_inference(*args, members=[])
    with pytest.raises(ValueError, match="no member subject"):
        membership_inference(*args, members=[100])
    with pytest.raises(ValueError, match="no non-member subject"):
        membership_inference(*args, members=np.unique(apnea.groups))
    with pytest.raises(ValueError, match="same number of rows"):
        membership_inference(model, apnea.X, apnea.y[:-1], apnea.groups, members=[0])
    with pytest.raises(ValueError, match="n_bootstrap"):
        membership_inference(*args, members=[0], n_bootstrap=-1)


# ---------------------------------------------------------------- distance_to_closest_record

def test_dcr_copies_and_independent_draw():
    rng = np.random.default_rng(0)
    X_train, X_holdout = rng.normal(size=(300, 6)), rng.normal(size=(300, 6))
    copies = distance_to_closest_record(X_train[:100], X_train, X_holdout)
    assert np.all(copies["train"] == 0) and copies["ratio"] == 0.0
    assert copies["closer_to_train"] == 1.0 and copies["median_holdout"] > 0
    assert copies["train"].shape == copies["holdout"].shape == (100,)
    fresh = distance_to_closest_record(rng.normal(size=(300, 6)), X_train, X_holdout)
    assert 0.9 < fresh["ratio"] < 1.1
    assert 0.4 < fresh["closer_to_train"] < 0.6


def test_dcr_is_in_standardized_space():
    rng = np.random.default_rng(1)
    X_rel, X_train, X_holdout = (rng.normal(size=(40, 3)) for _ in range(3))
    base = distance_to_closest_record(X_rel, X_train, X_holdout)
    scale = np.array([1000.0, 1.0, 0.001])
    scaled = distance_to_closest_record(X_rel * scale + 5, X_train * scale + 5,
                                        X_holdout * scale + 5)
    np.testing.assert_allclose(scaled["train"], base["train"])
    np.testing.assert_allclose(scaled["holdout"], base["holdout"])
    constant = np.hstack([X_train, np.ones((40, 1))])  # std 0: divided by 1, no NaN
    r = distance_to_closest_record(np.hstack([X_rel, np.ones((40, 1))]), constant,
                                   np.hstack([X_holdout, np.zeros((40, 1))]))
    assert np.all(np.isfinite(r["holdout"]))
    with pytest.raises(ValueError, match="same number of features"):
        distance_to_closest_record(X_rel, X_train, X_holdout[:, :2])


# ---------------------------------------------------------------- noise_set

def test_noise_set_moments_reproducible_and_no_global_state(apnea):
    state = np.random.get_state()
    X_a, y_a = noise_set(apnea.X, apnea.y, random_state=0)
    X_b, y_b = noise_set(apnea.X, apnea.y, random_state=0)
    after = np.random.get_state()
    assert state[0] == after[0] and np.array_equal(state[1], after[1]) and state[2:] == after[2:]
    np.testing.assert_array_equal(X_a, X_b)
    np.testing.assert_array_equal(y_a, y_b)
    X_c, _ = noise_set(apnea.X, apnea.y, random_state=1)
    assert not np.array_equal(X_a, X_c)
    assert X_a.dtype == np.float32 and X_a.shape == apnea.X.shape and y_a.shape == apnea.y.shape

    X = np.random.default_rng(0).normal([0.0, 10.0, -3.0], [1.0, 5.0, 0.1], size=(4000, 3))
    y = np.where(np.arange(4000) < 1000, "apnea", "normal")
    Xn, yn = noise_set(X, y, random_state=0)
    np.testing.assert_allclose(Xn.mean(axis=0), X.mean(axis=0), atol=0.2)
    np.testing.assert_allclose(Xn.std(axis=0), X.std(axis=0), rtol=0.05)
    assert abs(np.corrcoef(Xn[:, 0], Xn[:, 1])[0, 1]) < 0.05  # features drawn independently
    assert set(yn) == {"apnea", "normal"} and abs(np.mean(yn == "apnea") - 0.25) < 0.03
    assert noise_set(X, y, n_samples=7, random_state=0)[0].shape == (7, 3)
    with pytest.raises(ValueError, match="same number of rows"):
        noise_set(X, y[:-1])


def test_quick_privacy_checks_tell_copies_from_fresh_rows_and_say_what_they_skip():
    from skstim.evaluation import quick_privacy_checks

    data = make_sleep_apnea(n_subjects=4, n_windows=20, sampling_rate=1.0, random_state=0)
    copies = quick_privacy_checks(data.X[:20], data.X, data.groups, data.input_shape)
    fresh = quick_privacy_checks(data.X[:20] + 3 * data.X.std(axis=0), data.X, data.groups,
                                 data.input_shape)
    assert copies["distance_to_closest_record"]["ratio"] < 1e-3
    assert fresh["distance_to_closest_record"]["ratio"] > 1
    assert copies["reidentification"]["n_subjects"] == 4
    no_groups = quick_privacy_checks(data.X[:20], data.X, None, data.input_shape)
    assert "groups=None" in no_groups["reidentification"]["skipped"]
    short = quick_privacy_checks(data.X[:20, :24], data.X[:, :24], data.groups, (4, 6))
    assert "8 time steps" in short["reidentification"]["skipped"]
