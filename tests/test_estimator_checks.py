"""scikit-learn's estimator checks over every public estimator.

StimulusSynthesizer and StimulusStudent pass every check, with no expected failure. They
need a teacher that learns something from the checks' small data sets (10 epochs at
batch size 16): with a 2-epoch teacher, StimulusStudent failed
``check_classifiers_train`` (its accuracy threshold) and
``check_classifier_data_not_an_array`` (every stimulus got one label, which
StimulusStudent refuses).

IdentityInhibitor fits a subject model, so its ``fit`` needs ``groups``, which no check
passes: every check that fits it fails with the error that asks for ``groups`` (listed
below, each for that one reason), and the checks that do not fit pass. What those
checks would cover is shared with StimulusSynthesizer (validation, output shaping and
parameters live in the base class) or tested with groups in ``test_inhibitor.py``.
"""

import warnings

from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

from skstim import IdentityInhibitor, StimulusStudent

from .helpers import tiny_synthesizer, tiny_teacher

_GROUPS_REQUIRED = "fit needs groups, which the estimator checks cannot pass"
INHIBITOR_EXPECTED_FAILURES = {name: _GROUPS_REQUIRED for name in [
    "check_fit_score_takes_y", "check_estimators_overwrite_params",
    "check_dont_overwrite_parameters", "check_estimators_fit_returns_self",
    "check_readonly_memmap_input", "check_n_features_in_after_fitting",
    "check_positive_only_tag_during_fit", "check_estimators_dtypes", "check_dtype_object",
    "check_pipeline_consistency", "check_estimators_nan_inf", "check_estimators_pickle",
    "check_f_contiguous_array_estimator", "check_methods_sample_order_invariance",
    "check_methods_subset_invariance", "check_fit2d_1feature", "check_dict_unchanged",
    "check_fit_idempotent", "check_fit_check_is_fitted", "check_n_features_in",
    "check_fit2d_predict1d",
]}


def expected_failed_checks(estimator):
    return INHIBITOR_EXPECTED_FAILURES if isinstance(estimator, IdentityInhibitor) else {}


@parametrize_with_checks(
    [
        tiny_synthesizer(n_iter=3),
        IdentityInhibitor(tiny_teacher(max_epochs=20), identity_model=tiny_teacher(), n_iter=3,
                          stimuli_per_sample=1.0, random_state=0),
        StimulusStudent(tiny_synthesizer(n_iter=3), LogisticRegression()),
    ],
    expected_failed_checks=expected_failed_checks,
)
def test_sklearn_compatible_estimator(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(estimator)
