"""skstim: share what private data teaches, without sharing the data.

A teacher network is fitted on private data; stimuli synthesized from noise to excite
its class neurons train any student classifier (Nikolaidis et al., arXiv 2009.10007).
"""

from ._inhibitor import IdentityInhibitor
from ._student import StimulusStudent
from ._synthesizer import StimulusSynthesizer
from .nets import make_network, make_teacher

__version__ = "0.1.0"

__all__ = [
    "StimulusSynthesizer",
    "IdentityInhibitor",
    "StimulusStudent",
    "make_network",
    "make_teacher",
    "__version__",
]
