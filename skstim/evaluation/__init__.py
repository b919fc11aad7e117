"""Evaluation: what students trained on stimuli do on real held-out subjects."""

from ._utility import evaluate_utility, student_families

__all__ = ["evaluate_utility", "student_families"]
