"""Evaluation: what students trained on stimuli do on real held-out subjects (utility), and what
stimuli give away about the people of the private set (privacy)."""

from ._privacy import (
    distance_to_closest_record,
    make_subject_attacker,
    membership_inference,
    noise_set,
    reidentification,
    summary_features,
)
from ._privacy_report import evaluate_privacy
from ._reference_sets import class_gaussian_set, interpolated_set, vae_set
from ._utility import (
    FAMILY_NAMES,
    evaluate_utility,
    score_real,
    score_synthetic,
    student_families,
    utility_scores,
)

__all__ = [
    "FAMILY_NAMES",
    "evaluate_utility",
    "score_real",
    "score_synthetic",
    "student_families",
    "utility_scores",
    "interpolated_set",
    "class_gaussian_set",
    "vae_set",
    "summary_features",
    "make_subject_attacker",
    "reidentification",
    "membership_inference",
    "distance_to_closest_record",
    "noise_set",
    "evaluate_privacy",
]
