"""scikit-learn's estimator checks over every public estimator.

Both estimators pass every check, with no expected failure. They need a teacher that
learns something from the checks' small data sets (10 epochs at batch size 16): with a
2-epoch teacher, StimulusStudent failed ``check_classifiers_train`` (its accuracy
threshold) and ``check_classifier_data_not_an_array`` (every stimulus got one label,
which StimulusStudent refuses).
"""

import warnings

from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

from skstim import StimulusStudent

from .conftest import tiny_synthesizer


@parametrize_with_checks(
    [
        tiny_synthesizer(n_iter=3),
        StimulusStudent(tiny_synthesizer(n_iter=3), LogisticRegression()),
    ],
)
def test_sklearn_compatible_estimator(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(estimator)
