"""fit_on_stimuli: how a scikit-learn student takes the teacher's probabilities."""

import numpy as np
import pytest
import sklearn
from sklearn.dummy import DummyClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skstim.utils import fit_on_stimuli, predict_labels

CLASSES = np.array(["normal", "apnea"])


@pytest.fixture
def stimuli():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    apnea = rng.uniform(0.05, 0.45, size=40)  # the teacher never calls apnea more likely
    return X, np.column_stack([1 - apnea, apnea])


def _prior(student):
    last = student.steps[-1][1] if hasattr(student, "steps") else student
    return dict(zip(last.classes_, last.class_prior_))


@pytest.mark.parametrize("make", [lambda: DummyClassifier(strategy="prior"),
                                  lambda: make_pipeline(StandardScaler(),
                                                        DummyClassifier(strategy="prior"))])
def test_expand_gives_the_student_the_teachers_probability_mass(stimuli, make):
    X, proba = stimuli
    before = X.copy(), proba.copy()
    expanded = fit_on_stimuli(make(), X, proba, CLASSES, "expand")
    assert _prior(expanded)["apnea"] == pytest.approx(proba[:, 1].mean())
    # hard labels see no apnea at all; weighted or not, the prior is all normal
    for mode in ("auto", "hard"):
        assert _prior(fit_on_stimuli(make(), X, proba, CLASSES, mode)) == {"normal": 1.0}
    np.testing.assert_array_equal(X, before[0])
    np.testing.assert_array_equal(proba, before[1])


def test_pipeline_last_step_gets_the_confidence_weights(stimuli):
    X, _ = stimuli
    apnea = np.random.default_rng(1).uniform(0.05, 0.95, size=len(X))
    proba = np.column_stack([1 - apnea, apnea])
    hard = proba.argmax(axis=1)
    pipeline = fit_on_stimuli(make_pipeline(StandardScaler(), DummyClassifier(strategy="prior")),
                              X, proba, CLASSES, "auto")
    weights = proba.max(axis=1)
    expected = np.sum(weights[hard == 0]) / weights.sum()
    assert _prior(pipeline)["normal"] == pytest.approx(expected)
    assert expected != pytest.approx(np.mean(hard == 0))  # the weights changed the prior


def test_students_without_sample_weight_get_hard_labels(stimuli):
    X, proba = stimuli
    knn = fit_on_stimuli(make_pipeline(StandardScaler(), KNeighborsClassifier(3)), X, proba,
                         CLASSES, "expand")
    assert set(predict_labels(knn, X, CLASSES)) == {"normal"}
    with sklearn.config_context(enable_metadata_routing=True):  # the caller routes weights
        routed = fit_on_stimuli(make_pipeline(StandardScaler(), DummyClassifier()), X, proba,
                                CLASSES, "expand")
    assert _prior(routed) == {"normal": 1.0}
