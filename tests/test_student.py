"""StimulusStudent: soft labels reach the student, labels and probabilities map to classes_."""

import numpy as np
import pytest
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from skstim import StimulusStudent, StimulusSynthesizer, make_teacher
from skstim.nets import NetClassifier

from .helpers import tiny_synthesizer, tiny_teacher


class RecordingStudent(ClassifierMixin, BaseEstimator):
    """A sklearn classifier that records what ``fit`` received; predicts its majority class."""

    def fit(self, X, y, sample_weight=None):
        self.y_seen_ = np.asarray(y)
        self.sample_weight_seen_ = sample_weight
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.repeat(self.classes_[0], len(X))


class RecordingNet(NetClassifier):
    """The package's skorch classifier, recording the targets ``fit`` received."""

    def fit(self, X, y=None, **fit_params):
        self.y_seen_ = np.asarray(y)
        return super().fit(X, y, **fit_params)


def recording_net(**kwargs):
    teacher = tiny_teacher(input_shape=(4, 60), **kwargs)
    return RecordingNet(**teacher.get_params())


@pytest.fixture(scope="module")
def string_labels(apnea):
    return np.where(apnea.y == 1, "apnea", "normal")


def test_skorch_student_learns_the_soft_labels(apnea):
    clf = StimulusStudent(tiny_synthesizer(), recording_net()).fit(apnea.X, apnea.y)
    y_seen = clf.student_.y_seen_
    assert y_seen.ndim == 2 and y_seen.dtype == np.float32
    np.testing.assert_allclose(y_seen, clf.synthesizer_.y_proba_)
    assert not np.all(np.isin(y_seen, [0.0, 1.0]))  # soft, not one-hot


def test_skorch_student_with_hard_labels(apnea):
    clf = StimulusStudent(tiny_synthesizer(), recording_net(), soft_labels="hard")
    clf.fit(apnea.X, apnea.y)
    y_seen = clf.student_.y_seen_
    assert y_seen.ndim == 1 and y_seen.dtype == np.int64
    np.testing.assert_array_equal(y_seen, clf.synthesizer_.y_proba_.argmax(axis=1))


def test_default_student_is_the_teacher_architecture(apnea):
    clf = StimulusStudent(tiny_synthesizer()).fit(apnea.X, apnea.y)
    assert type(clf.student_.module_) is type(clf.teacher_.module_)
    assert clf.student_ is not clf.teacher_
    assert clf.predict(apnea.X).shape == apnea.y.shape


def test_sample_weight_carries_the_teachers_confidence(apnea):
    clf = StimulusStudent(tiny_synthesizer(), RecordingStudent()).fit(apnea.X, apnea.y)
    proba = clf.synthesizer_.y_proba_
    np.testing.assert_allclose(clf.student_.sample_weight_seen_, proba.max(axis=1))
    np.testing.assert_array_equal(clf.student_.y_seen_, clf.stimuli_labels_)
    np.testing.assert_array_equal(clf.stimuli_labels_, clf.classes_[proba.argmax(axis=1)])

    hard = StimulusStudent(tiny_synthesizer(), RecordingStudent(), soft_labels="hard")
    hard.fit(apnea.X, apnea.y)
    assert hard.student_.sample_weight_seen_ is None


def test_student_trains_on_the_stimuli_only(apnea):
    clf = StimulusStudent(tiny_synthesizer(n_stimuli=30), RecordingStudent())
    clf.fit(apnea.X, apnea.y)
    assert clf.stimuli_.shape == (30, 240)
    assert clf.student_.y_seen_.shape == (30,)
    assert not np.isin(clf.stimuli_[:, 0], apnea.X[:, 0]).any()


def test_string_labels_end_to_end(apnea, string_labels):
    for student in [LogisticRegression(), None]:
        clf = StimulusStudent(tiny_synthesizer(n_iter=20), student).fit(apnea.X, string_labels)
        np.testing.assert_array_equal(clf.classes_, ["apnea", "normal"])
        pred = clf.predict(apnea.X)
        assert pred.dtype.kind == "U" and set(pred) <= {"apnea", "normal"}
        proba = clf.predict_proba(apnea.X)
        assert proba.shape == (len(apnea.X), 2)
        np.testing.assert_array_equal(pred, clf.classes_[proba.argmax(axis=1)])
        assert 0 <= clf.score(apnea.X, string_labels) <= 1


def test_predict_proba_columns_follow_classes(apnea):
    # A student that saw two of three classes: its columns go to the right places.
    y = np.array(["a", "b", "c"])[np.arange(len(apnea.X)) % 3]
    # Random labels leave the teacher guessing; white-noise starts still give all classes.
    clf = StimulusStudent(tiny_synthesizer(n_iter=2, init="noise"), LogisticRegression()).fit(apnea.X, y)
    np.testing.assert_array_equal(clf.classes_, ["a", "b", "c"])
    rng = np.random.default_rng(0)
    X_two = rng.normal(size=(40, 240))
    y_two = np.where(X_two[:, 0] > 0, "c", "a")
    clf.student_ = LogisticRegression().fit(X_two, y_two)
    proba = clf.predict_proba(X_two)
    expected = clf.student_.predict_proba(X_two)
    np.testing.assert_allclose(proba[:, 0], expected[:, 0])
    np.testing.assert_allclose(proba[:, 1], 0.0)
    np.testing.assert_allclose(proba[:, 2], expected[:, 1])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_predict_proba_only_where_the_student_has_it(apnea):
    assert hasattr(StimulusStudent(tiny_synthesizer(), DecisionTreeClassifier()), "predict_proba")
    assert not hasattr(StimulusStudent(tiny_synthesizer(), RecordingStudent()), "predict_proba")


def test_one_class_of_stimuli_is_refused(apnea):
    # A teacher that answers class 1 whatever the input labels every stimulus 1: a
    # one-class student would follow, so fit says what to change instead.
    teacher = tiny_teacher(input_shape=apnea.input_shape, max_epochs=1).fit(apnea.X, apnea.y)
    with torch.no_grad():
        teacher.module_.layers[-1].weight.zero_()
        teacher.module_.layers[-1].bias.copy_(torch.tensor([-20.0, 20.0]))
    syn = StimulusSynthesizer(FrozenEstimator(teacher), input_shape=apnea.input_shape,
                              n_stimuli=10, n_iter=3, random_state=0)
    with pytest.raises(ValueError, match=r"teacher labels every stimulus .*1.*n_stimuli"):
        StimulusStudent(syn, RecordingStudent()).fit(apnea.X, apnea.y)


def test_callers_arrays_are_not_modified(apnea):
    X, y = apnea.X.copy(), apnea.y.copy()
    X_before, y_before = X.copy(), y.copy()
    for student in [LogisticRegression(), None]:
        clf = StimulusStudent(tiny_synthesizer(), student).fit(X, y)
        clf.predict(X)
        clf.predict_proba(X)
        clf.score(X, y)
        np.testing.assert_array_equal(X, X_before)
        np.testing.assert_array_equal(y, y_before)


def test_mismatched_lengths(apnea):
    with pytest.raises(ValueError, match="X has 72 rows but y has 70 entries"):
        StimulusStudent(tiny_synthesizer(), LogisticRegression()).fit(apnea.X, apnea.y[:70])


def test_non_finite_X(apnea):
    X = apnea.X.copy()
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        StimulusStudent(tiny_synthesizer(), LogisticRegression()).fit(X, apnea.y)


def test_predict_checks_the_number_of_features(apnea):
    clf = StimulusStudent(tiny_synthesizer(), LogisticRegression()).fit(apnea.X, apnea.y)
    with pytest.raises(ValueError, match="240 features"):
        clf.predict(apnea.X[:, :100])


@pytest.mark.parametrize("student", [LogisticRegression(random_state=0), None])
def test_global_random_states_untouched(apnea, student):
    np.random.seed(7)
    torch.manual_seed(7)
    numpy_state, torch_state = np.random.get_state(), torch.get_rng_state()
    # Unseeded, so the teacher must be sure to label stimuli of both classes: with the
    # tiniest settings one fit in ten labelled every stimulus alike.
    synthesizer = tiny_synthesizer(teacher=tiny_teacher(max_epochs=20), n_iter=30, random_state=None)
    clf = StimulusStudent(synthesizer, student).fit(apnea.X, apnea.y)
    clf.predict(apnea.X)
    clf.predict_proba(apnea.X)
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state[1])
    assert torch.equal(torch.get_rng_state(), torch_state)


def test_reproducible_with_a_seeded_synthesizer(apnea):
    preds = [StimulusStudent(tiny_synthesizer(random_state=5)).fit(apnea.X, apnea.y)
             .predict_proba(apnea.X) for _ in range(2)]
    np.testing.assert_array_equal(*preds)


def test_skorch_student_gets_the_data_shape(apnea):
    # A student built without input_shape takes the synthesizer's, like the teacher.
    student = make_teacher(arch="gru", max_epochs=1, module__hidden_size=8)
    clf = StimulusStudent(tiny_synthesizer(input_shape=apnea.input_shape), student)
    clf.fit(apnea.X, apnea.y)
    assert clf.student_.get_params()["module__input_shape"] == apnea.input_shape
    assert student.get_params()["module__input_shape"] is None  # the caller's is untouched
    assert clf.predict(apnea.X[:5]).shape == (5,)
