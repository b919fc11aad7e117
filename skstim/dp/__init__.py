"""Differential privacy: DP-SGD teachers (Opacus) and one accountant for every release.

Needs the optional dependency Opacus: ``pip install 'skstim[dp]'``.
"""

from ._accounting import GaussianMechanism, PrivacyAccount, default_delta, noise_for_epsilon
from ._aggregates import PrivateReleases
from ._dpsgd import UNITS, DPNetClassifier, private_step, private_training, to_dp_net
from ._dpsgd import train_private
from ._opacus import require_opacus
from ._synthesis import AGGREGATE_SHARE, RELEASE_WEIGHTS, PrivateAggregates, aggregate_names
from ._synthesis import aggregate_noise, sgd_noise

__all__ = ["AGGREGATE_SHARE", "DPNetClassifier", "GaussianMechanism", "PrivacyAccount",
           "PrivateAggregates", "PrivateReleases", "RELEASE_WEIGHTS", "UNITS", "aggregate_names",
           "aggregate_noise", "default_delta", "noise_for_epsilon", "sgd_noise",
           "private_step", "private_training", "require_opacus", "to_dp_net", "train_private"]
