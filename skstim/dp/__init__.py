"""Differential privacy: DP-SGD teachers (Opacus) and one accountant for every release.

Needs the optional dependency Opacus: ``pip install 'skstim[dp]'``.
"""

from ._accounting import GaussianMechanism, PrivacyAccount, noise_for_epsilon
from ._dpsgd import UNITS, DPNetClassifier
from ._opacus import require_opacus

__all__ = ["DPNetClassifier", "GaussianMechanism", "PrivacyAccount", "UNITS",
           "noise_for_epsilon", "require_opacus"]
