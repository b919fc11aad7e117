"""Evaluation: what students trained on stimuli do on real held-out subjects (utility), and what
stimuli give away about the people of the private set (privacy)."""

from . import _density_ratio, _diagnosis, _evaluate_privacy, _hrv, _privacy, _quick_checks
from . import _reference_sets
from . import _shadow, _utility, _worst_case
from ._density_ratio import density_ratio_membership
from ._diagnosis import DIAGNOSIS_CLASSES, diagnosis_agreement, recording_diagnosis
from ._evaluate_privacy import evaluate_privacy, fit_attackers
from ._hrv import HRV_FEATURES, hrv_features, make_hrv_attacker
from ._privacy import distance_to_closest_record, make_subject_attacker, membership_inference
from ._privacy import noise_set, reidentification, summary_features
from ._quick_checks import quick_privacy_checks
from ._shadow import shadow_membership
from ._reference_sets import class_gaussian_set, dp_vae_set, interpolated_set, vae_set
from ._utility import FAMILY_NAMES, evaluate_utility, score_real, score_synthetic
from ._utility import student_families, utility_row, utility_scores
from ._worst_case import ATTACK_LABELS, attack_figures, summarize_splits, worst_case_attack

__all__ = [*_utility.__all__, *_reference_sets.__all__, *_privacy.__all__,
           *_evaluate_privacy.__all__, *_quick_checks.__all__, *_hrv.__all__,
           *_density_ratio.__all__, *_shadow.__all__, *_worst_case.__all__,
           *_diagnosis.__all__]
