"""The synthesis engine, in pure torch: objective terms, optimizers and the chunked driver."""

from ._engine import OPTIMIZERS, interpolate, make_optimizer, synthesize
from .objectives import (
    BatchNormPrior,
    ClassExcitation,
    ConfidenceTarget,
    IdentityInhibition,
    L2Penalty,
    Objective,
    StudentCompetition,
    SynthesisState,
    TotalVariation,
)
from .statistics import batchnorm_layers, class_activation_statistics, segment_time
from .initializers import ClassGaussian, ClassScaleMixture, StandardNormal
from .optimizers import DirectOptimizer, GeneratorOptimizer, StimulusGenerator

__all__ = [
    "synthesize",
    "interpolate",
    "make_optimizer",
    "OPTIMIZERS",
    "SynthesisState",
    "ClassExcitation",
    "BatchNormPrior",
    "TotalVariation",
    "L2Penalty",
    "ConfidenceTarget",
    "IdentityInhibition",
    "StudentCompetition",
    "Objective",
    "DirectOptimizer",
    "GeneratorOptimizer",
    "StimulusGenerator",
    "StandardNormal",
    "ClassGaussian",
    "ClassScaleMixture",
    "batchnorm_layers",
    "class_activation_statistics",
    "segment_time",
]
