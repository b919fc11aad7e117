"""A teacher trained to be subject-invariant: an adversarial subject head behind gradient reversal."""

import numpy as np
import torch
from torch import nn

from ..synthesis import TimeMeans
from ..utils import normalization_layers, seeded_torch, torch_seed
from ._classifier import NetClassifier

__all__ = ["SubjectAdversarial", "SubjectInvariantClassifier"]


class _ReverseGradient(torch.autograd.Function):
    """Identity forward; the gradient times ``-weight`` backward (Ganin and Lempitsky, 2015)."""

    @staticmethod
    def forward(ctx, x, weight):
        ctx.weight = weight
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return -ctx.weight * grad, None


class SubjectAdversarial(nn.Module):
    """A network whose activations are trained not to tell the subjects apart.

    Wraps any network of :mod:`skstim.nets` (``base``, built with ``**base_params``).
    In training mode, the time means of the inputs of every BatchNorm layer of the
    base past the input one (the features whose class statistics the synthesis prior
    copies; the input layer's are the data's own and no weight comes before them) feed a
    subject head through a gradient-reversal layer: the head learns to name the
    subject, and the base learns to make that impossible (domain-adversarial
    training, Ganin and Lempitsky, ICML 2015). The forward output is the base's
    logits, in training and in eval mode alike; the head's logits of the last
    training forward are kept in ``subject_logits``.

    Parameters
    ----------
    base : type
        The network class, e.g. :class:`~skstim.nets.ConvNet1d`.
    n_subjects : int, default=2
        Number of subjects the head names.
    reversal : float, default=1.0
        Weight of the reversed gradient (how hard the base hides the subject).
    **base_params
        Passed to ``base`` (``input_shape``, ``n_classes``, ...).

    Examples
    --------
    >>> import torch
    >>> from skstim.nets import ConvNet1d
    >>> net = SubjectAdversarial(ConvNet1d, n_subjects=5, input_shape=(2, 30))
    >>> net(torch.randn(4, 60)).shape, net.subject_logits.shape
    (torch.Size([4, 2]), torch.Size([4, 5]))
    """

    def __init__(self, base=None, n_subjects=2, reversal=1.0, **base_params):
        super().__init__()
        if base is None:
            raise ValueError("SubjectAdversarial needs base, the network class to wrap, "
                             "e.g. module__base=ConvNet1d.")
        self.base = base(**base_params)
        self.reversal = float(reversal)
        self._features = {}
        layers = normalization_layers(self.base)[1:]
        if not layers:
            raise ValueError(f"{base.__name__} has no BatchNorm layer past its input: the "
                             "subject head reads the inputs of the inner BatchNorm layers.")
        for i, layer in enumerate(layers):
            layer.register_forward_hook(TimeMeans(self._features, i))
        was_training = self.base.training
        self.base.eval()
        with torch.no_grad():
            self.base(torch.zeros(2, int(np.prod(self.base.input_shape))))
        self.base.train(was_training)
        width = sum(f.shape[1] for f in self._features.values())
        self.head = nn.Sequential(nn.Linear(width, 64), nn.ReLU(), nn.Linear(64, n_subjects))
        self.subject_logits = None

    def forward(self, X):
        self._features.clear()
        logits = self.base(X)
        self.subject_logits = None
        if self.training:
            features = torch.cat([self._features[i] for i in sorted(self._features)], dim=1)
            self.subject_logits = self.head(_ReverseGradient.apply(features, self.reversal))
        self._features.clear()
        return logits


class SubjectInvariantClassifier(NetClassifier):
    """A :class:`NetClassifier` whose network is trained not to tell the subjects apart.

    ``fit(X, y, groups=subject_ids)`` trains the class logits with cross-entropy and,
    through gradient reversal, against a subject head on the network's BatchNorm
    inputs (:class:`SubjectAdversarial`): the teacher of a synthesizer whose features
    and class activation statistics carry less identity.
    :class:`~skstim.StimulusSynthesizer` passes its ``groups`` on to a teacher of this
    class. Build one with ``make_network(..., subject_reversal=1.0)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skstim.nets import make_network
    >>> X = np.random.default_rng(0).normal(size=(60, 20))
    >>> y, groups = (X[:, 0] > 0).astype(int), np.arange(60) % 4
    >>> net = make_network((1, 20), arch="mlp", max_epochs=2, subject_reversal=1.0,
    ...                    random_state=0).fit(X, y, groups=groups)
    >>> net.predict_proba(X[:3]).shape, net.module_.head[-1].out_features
    ((3, 2), 4)
    """

    def fit(self, X, y=None, groups=None, **fit_params):
        """Fit on ``(X, y)`` with the subject of every row in ``groups`` (required)."""
        if groups is None:
            raise ValueError(
                "A SubjectInvariantClassifier needs the subject of every row: fit(X, y, "
                "groups=subject_ids). As a teacher, pass groups to the synthesizer's fit.")
        groups = np.asarray(groups)
        if len(groups) != len(y):
            raise ValueError(f"groups has {len(groups)} entries but y has {len(y)}: pass the "
                             "subject of every row.")
        _, subjects = np.unique(groups, return_inverse=True)
        self.set_params(module__n_subjects=int(subjects.max()) + 1)
        X = np.asarray(X, dtype=np.float32)
        targets = np.stack([self._encode(y), subjects.astype(np.int64)], axis=1)
        with seeded_torch(torch_seed(self.random_state)):
            return super(NetClassifier, self).fit(X, targets, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """Cross-entropy of the classes plus, in training, that of the reversed subject head."""
        if y_true.dim() == 2 and not torch.is_floating_point(y_true):
            classes, subjects = y_true[:, 0], y_true[:, 1]
        else:
            classes, subjects = y_true, None
        loss = super().get_loss(y_pred, classes, X=X, training=training)
        head = self.module_.subject_logits
        if training and subjects is not None and head is not None:
            loss = loss + nn.functional.cross_entropy(head, subjects.to(head.device))
        return loss
