"""scikit-learn's estimator checks over every public estimator."""

import warnings

import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import (
    check_classifier_data_not_an_array,
    check_classifiers_train,
    parametrize_with_checks,
)

from skstim import StimulusStudent

from .conftest import tiny_synthesizer, tiny_teacher


def _check_synthesizer(**kwargs):
    teacher = tiny_teacher(max_epochs=2, batch_size=128)
    return tiny_synthesizer(teacher=teacher, n_iter=3, **kwargs)


def _expected_failed_checks(estimator):
    if isinstance(estimator, StimulusStudent):
        return {
            "check_classifiers_train": (
                "the student learns only from stimuli of a 2-epoch teacher, which itself reaches "
                "about 0.65 training accuracy on the blobs, below the 0.83 required (passes with "
                "a 20-epoch teacher: test_classifiers_train_with_a_trained_teacher)"
            ),
            "check_classifier_data_not_an_array": (
                "on its 12 samples the 2-epoch teacher labels every stimulus one class, and "
                "StimulusStudent refuses a one-class student by design (passes with a trained "
                "teacher: test_data_not_an_array_with_a_trained_teacher)"
            ),
        }
    return {}


@parametrize_with_checks(
    [
        _check_synthesizer(),
        StimulusStudent(_check_synthesizer(), LogisticRegression()),
    ],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible_estimator(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(estimator)


@pytest.fixture
def trained_student():
    return StimulusStudent(
        tiny_synthesizer(teacher=tiny_teacher(max_epochs=20, batch_size=128), n_iter=3),
        LogisticRegression(),
    )


def test_classifiers_train_with_a_trained_teacher(trained_student):
    # The expected failure above is the teacher's weakness, not the student's plumbing.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_classifiers_train("StimulusStudent", trained_student)


def test_data_not_an_array_with_a_trained_teacher(trained_student):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_classifier_data_not_an_array("StimulusStudent", trained_student)
