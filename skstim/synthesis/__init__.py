"""The synthesis engine, in pure torch: objective terms, optimizers and the chunked driver."""

from . import _engine, initializers, objectives, optimizers, statistics, support
from ._engine import OPTIMIZERS, interpolate, make_optimizer, synthesize
from .initializers import ClassGaussian, ClassScaleMixture, ClassSpectrum, StandardNormal, log_bands
from .objectives import BatchNormPrior, ClassExcitation, ConfidenceTarget, IdentityInhibition
from .objectives import L2Penalty, Objective, ProfileInhibition, StudentCompetition
from .objectives import SynthesisState, TotalVariation
from .optimizers import DirectOptimizer, GeneratorOptimizer, StimulusGenerator
from .statistics import TimeMeans, batchnorm_layers, channels_by_time, class_activation_statistics
from .statistics import person_activation_profiles
from .statistics import run_with_hooks, segment_time, tap_time_moments
from .support import ClassSupport, FewPeopleStartWarning, SupportFloorWarning, class_support
from .support import warn_few_people_for_directions

__all__ = [*_engine.__all__, *objectives.__all__, *optimizers.__all__, *initializers.__all__,
           *statistics.__all__, *support.__all__]
