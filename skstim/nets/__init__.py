"""Networks for flat signal windows and the skorch classifier that trains them.

Every module takes the flat 2-D ``X`` of scikit-learn, shape ``(n, C*T)``, and views it
as ``input_shape=(C, T)``. :func:`make_network` wraps one
in a :class:`NetClassifier`, the skorch classifier used for teachers, students and
subject models alike; :func:`make_teacher` is the same network whose fit ends with
:class:`PreciseBatchNorm`.
"""

from ._classifier import NetClassifier
from ._factory import architecture_name, make_network, make_teacher
from ._invariant import SubjectAdversarial, SubjectInvariantClassifier
from ._modules import ARCHITECTURES, MLP, ConvNet1d, GRUNet, SummaryNet, summary_statistics
from ._precise_bn import PreciseBatchNorm
from ..utils import Standardize

__all__ = ["ConvNet1d", "MLP", "GRUNet", "SummaryNet", "summary_statistics", "ARCHITECTURES",
           "Standardize",
           "NetClassifier", "SubjectAdversarial", "SubjectInvariantClassifier", "make_network",
           "make_teacher", "architecture_name", "PreciseBatchNorm"]
