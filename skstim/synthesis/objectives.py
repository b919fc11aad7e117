"""Terms of the synthesis objective.

Each term is a small callable object. Per-stimulus terms return one value per stimulus,
shape ``(B,)``, so that stimuli which reached their confidence target drop out of them;
batch terms (the BatchNorm-statistics prior) return a scalar. :class:`Objective` sums the
weighted terms. Stimuli are optimized in a standardized space ``z`` (zero mean, unit
spread per channel); the teacher sees ``x = loc + scale * z``.
"""

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from ..utils import draw_uniform, normalization_layers
from .statistics import TimeMeans, tap_time_moments

__all__ = [
    "SynthesisState",
    "ClassExcitation",
    "BatchNormPrior",
    "TotalVariation",
    "L2Penalty",
    "ConfidenceTarget",
    "IdentityInhibition",
    "ProfileInhibition",
    "StudentCompetition",
    "Objective",
]


@dataclass
class SynthesisState:
    """What the terms may look at after one forward pass of a batch.

    Attributes
    ----------
    z : torch.Tensor of shape (B, C, T)
        Stimuli in the standardized space.
    logits : torch.Tensor of shape (B, n_classes)
        The teacher's output for ``loc + scale * z``.
    targets : torch.Tensor of shape (B,)
        Class index each stimulus must excite.
    pending : torch.Tensor of shape (B,) or None
        Stimuli still below their confidence target (``None``: all of them).
    """

    z: torch.Tensor
    logits: torch.Tensor
    targets: torch.Tensor
    pending: torch.Tensor = None


class ClassExcitation:
    """Excite the target class neuron: cross-entropy of the logits to the target class.

    Parameters
    ----------
    temperature : float, default=1.0
        Logits are divided by it before the softmax.

    Examples
    --------
    >>> import torch
    >>> state = SynthesisState(torch.zeros(2, 1, 3), torch.tensor([[2., 0.], [0., 2.]]),
    ...                        torch.tensor([0, 0]))
    >>> ClassExcitation()(state).argmax().item()
    1
    """

    per_stimulus = True

    def __init__(self, temperature=1.0):
        self.temperature = temperature

    def __call__(self, state):
        loss = F.cross_entropy(state.logits / self.temperature, state.targets, reduction="none")
        return loss if state.pending is None else loss * state.pending


class BatchNormPrior:
    """Match the batch statistics at every BatchNorm layer to those of the real data.

    The deep-inversion prior (Yin et al., 2020): for each BatchNorm layer, the distance
    between the mean and variance of its input over the batch (and time) and the running
    mean and variance it learned on the real data. With ``class_statistics`` (see
    :func:`~skstim.synthesis.class_activation_statistics`), the stimuli of each target
    class are matched to the statistics of the real samples of that class instead.
    A network without BatchNorm (``norm="group"``) is matched at the inputs of its
    GroupNorm and :class:`~skstim.nets.Standardize` layers, which keep no running
    statistics: it needs ``class_statistics``, and a class whose targets are NaN there
    is not matched. The moments are taken by forward pre-hooks registered on
    construction, which pass each layer's input through unchanged
    (:func:`~skstim.synthesis.tap_time_moments`: their gradient joins the layer's in one
    pass); call :meth:`remove` when done.

    Parameters
    ----------
    model : torch.nn.Module
        The teacher, in eval mode.
    layer_weights : sequence of float or None, default=None
        One weight per normalization layer in module order; ``None`` weights all equally.
    class_statistics : list of (mean, var) or None, default=None
        Per-class targets, one pair of ``(n_classes * S, n_channels)`` tensors per layer.
    n_segments : int, default=1
        Time segments the ``class_statistics`` were computed with (see
        :func:`~skstim.synthesis.segment_time`).

    Examples
    --------
    >>> import torch
    >>> from skstim.nets import MLP
    >>> net = MLP(input_shape=(1, 8)).eval()
    >>> prior = BatchNormPrior(net)
    >>> _ = net(torch.randn(16, 8))
    >>> float(prior(SynthesisState(None, None, torch.zeros(16, dtype=torch.long)))) > 0
    True
    >>> prior.remove()
    """

    per_stimulus = False

    def __init__(self, model, layer_weights=None, class_statistics=None, n_segments=1):
        self.n_segments = n_segments
        self.layers = normalization_layers(model)
        if not self.layers:
            raise ValueError(
                "bn_weight > 0 but the teacher has no normalization layer (BatchNorm, "
                "GroupNorm): use a network from skstim.nets or set bn_weight=0."
            )
        if class_statistics is None and any(getattr(layer, "running_mean", None) is None
                                            for layer in self.layers):
            raise ValueError(
                "bn_statistics='running' needs the running statistics of BatchNorm layers, "
                "but the teacher normalizes with layers that keep none (GroupNorm, "
                "Standardize: norm='group'): use bn_statistics='class'."
            )
        if layer_weights is None:
            layer_weights = [1.0] * len(self.layers)
        for name, value in (("layer_weights", layer_weights), ("class_statistics", class_statistics)):
            if value is not None and len(value) != len(self.layers):
                raise ValueError(
                    f"{name} has {len(value)} entries but the model has {len(self.layers)} "
                    "BatchNorm layers."
                )
        self.layer_weights = list(layer_weights)
        self.class_statistics = class_statistics
        self._shifts = [self._layer_shift(i) for i in range(len(self.layers))]
        self._moments = [None] * len(self.layers)
        self._handles = [layer.register_forward_pre_hook(self._make_hook(i))
                         for i, layer in enumerate(self.layers)]

    def _make_hook(self, index):
        n_segments = 1 if self.class_statistics is None else self.n_segments

        def hook(module, inputs):
            x, *moments = tap_time_moments(inputs[0], self._shifts[index], n_segments)
            self._moments[index] = moments
            return (x, *inputs[1:])
        return hook

    @staticmethod
    def _distance(mean, var, target_mean, target_var):
        return torch.linalg.vector_norm(mean - target_mean, dim=-1) + \
            torch.linalg.vector_norm(var - target_var, dim=-1)

    def _layer_targets(self, index):
        """Target mean and variance of a layer, one row per class and segment."""
        if self.class_statistics is not None:
            return self.class_statistics[index]
        layer = self.layers[index]
        return layer.running_mean[None, :], layer.running_var[None, :]

    # A layer whose target mean is this many spreads from zero in some channel has its
    # sums of squares taken about the target mean (float32 would cancel them); the raw
    # sums of the others spare a temporary the size of the activations.
    CENTER_BEYOND_SPREADS = 10.0

    def _layer_shift(self, index):
        """Per-channel shift of a layer's sums of squares, or ``None`` (about zero)."""
        target_mean, target_var = self._layer_targets(index)
        shift = target_mean.nanmean(dim=0).nan_to_num()
        spread = target_var.nanmean(dim=0).nan_to_num().sqrt()
        far = shift.abs() > self.CENTER_BEYOND_SPREADS * spread
        return shift if bool(far.any()) else None

    def _layer_loss(self, index, targets):
        mean, square = self._moments[index]
        target_mean, target_var = self._layer_targets(index)
        if self.class_statistics is None:  # the running statistics: one row for the batch
            targets = torch.zeros_like(targets)
        shift = self._shifts[index]
        S = len(mean) // len(targets)
        rows = (targets[:, None] * S + torch.arange(S, device=targets.device)).reshape(-1)
        # per-row pooling of the samples' moments: a matrix product of (rows, B * S) by
        # (B * S, C), small next to the activations
        onehot = nn.functional.one_hot(rows, len(target_mean)).to(mean.dtype)
        counts = onehot.sum(dim=0)
        n = counts.clamp(min=1)[:, None]
        row_mean = (onehot.T @ mean) / n
        row_var = (onehot.T @ square) / n - row_mean.pow(2)
        # a row without a target at this layer (NaN: no running statistics) is not matched
        present = (counts > 0) & torch.isfinite(target_mean).all(dim=1)
        if not present.any():
            return mean.new_zeros(())
        if shift is not None:
            row_mean = row_mean + shift
        distance = self._distance(row_mean, row_var, target_mean.nan_to_num(),
                                  target_var.nan_to_num())
        return distance[present].mean()

    def __call__(self, state):
        return sum(weight * self._layer_loss(i, state.targets)
                   for i, weight in enumerate(self.layer_weights))

    def remove(self):
        """Remove the forward hooks from the model."""
        for handle in self._handles:
            handle.remove()
        self._handles = []


class TotalVariation:
    """Smoothness: mean absolute difference of consecutive time steps of each stimulus.

    Examples
    --------
    >>> import torch
    >>> z = torch.tensor([[[0., 1., 0.]], [[0., 0., 0.]]])
    >>> TotalVariation()(SynthesisState(z, None, None)).tolist()
    [1.0, 0.0]
    """

    per_stimulus = True

    def __call__(self, state):
        z = state.z
        if z.shape[-1] < 2:
            return z.new_zeros(z.shape[0])
        return (z[..., 1:] - z[..., :-1]).abs().flatten(1).mean(dim=1)


class L2Penalty:
    """Energy: mean square of each (standardized) stimulus.

    Examples
    --------
    >>> import torch
    >>> L2Penalty()(SynthesisState(torch.full((1, 2, 2), 2.0), None, None)).tolist()
    [4.0]
    """

    per_stimulus = True

    def __call__(self, state):
        return state.z.pow(2).flatten(1).mean(dim=1)


class IdentityInhibition:
    """Inhibit what identifies a subject: keep a subject model from naming anyone.

    A subject (identity) model, fitted on the real samples with the subject ids as
    labels, sees each stimulus; the term is zero when its posterior over the subjects
    is uniform and grows as it singles somebody out.

    With several subject models (an ensemble of other families and inputs, whose
    logits come stacked), the term is the mean of each model's: every one of them
    must be unable to name anyone, so that the stimuli do not merely flatten the one
    model they are optimized against.

    Parameters
    ----------
    identity_forward : callable
        Maps standardized stimuli ``z`` of shape ``(B, C, T)`` to subject logits
        ``(B, n_subjects)``, or ``(n_models, B, n_subjects)`` for an ensemble.
    kind : {"uniform", "top"}, default="uniform"
        ``"uniform"``: the Kullback-Leibler divergence from the uniform distribution to
        the subject posterior, ``-mean_k log p_k - log K`` (every subject equally
        likely). ``"top"``: suppress the most likely subject only, ``log max_k p_k +
        log K`` (no subject stands out; the others are free).

    Examples
    --------
    >>> import torch
    >>> term = IdentityInhibition(lambda z: z.flatten(1))
    >>> z = torch.tensor([[[0., 0., 0.]], [[5., 0., 0.]]])
    >>> term(SynthesisState(z, None, None)).round(decimals=2).tolist()
    [0.0, 2.25]
    """

    per_stimulus = True
    KINDS = ("uniform", "top")

    def __init__(self, identity_forward, kind="uniform"):
        if kind not in self.KINDS:
            raise ValueError(f"inhibition must be one of {list(self.KINDS)}, got {kind!r}.")
        self.identity_forward, self.kind = identity_forward, kind

    def __call__(self, state):
        log_proba = self.identity_forward(state.z).log_softmax(dim=-1)
        log_k = torch.log(log_proba.new_tensor(float(log_proba.shape[-1])))
        if self.kind == "uniform":
            term = -log_proba.mean(dim=-1) - log_k
        else:
            term = log_proba.max(dim=-1).values + log_k
        return term.mean(dim=0) if term.dim() > 1 else term


class ProfileInhibition:
    """Keep each stimulus equally like every person's activation profile in the teacher.

    A person's profile is the mean over their windows of the teacher's activations
    (each BatchNorm layer's input, averaged over time per channel), recorded in
    ``fit`` (:func:`~skstim.synthesis.person_activation_profiles`). The stimuli's own
    activations, caught by forward hooks during the teacher's pass, are scored by a
    Gaussian nearest-profile classifier (``-0.5 * sum(((f - profile) / spread)^2)``,
    the within-person spread per feature); the term is the divergence of its
    posterior from uniform, as in :class:`IdentityInhibition`. It asks that no
    stimulus carry one person's signature in the features the class statistics are
    copied into. Hooks are registered on construction; call :meth:`remove` when done.

    Parameters
    ----------
    model : torch.nn.Module
        The teacher, in eval mode.
    profiles : torch.Tensor of shape (n_people, n_features)
        One activation profile per person.
    spread : torch.Tensor of shape (n_features,)
        Within-person standard deviation of each activation feature.

    Examples
    --------
    >>> import torch
    >>> from skstim.nets import MLP
    >>> net = MLP(input_shape=(1, 8), hidden_sizes=(4,)).eval()
    >>> term = ProfileInhibition(net, torch.randn(3, 5), torch.ones(5))
    >>> _ = net(torch.randn(6, 8))
    >>> term(SynthesisState(None, None, None)).shape
    torch.Size([6])
    >>> term.remove()
    """

    per_stimulus = True

    def __init__(self, model, profiles, spread):
        self.profiles, self.spread = profiles, spread
        self._features = {}
        self._handles = [layer.register_forward_hook(TimeMeans(self._features, i))
                         for i, layer in enumerate(normalization_layers(model))]

    def __call__(self, state):
        features = torch.cat([self._features[i] for i in sorted(self._features)], dim=1)
        scaled = (features[:, None, :] - self.profiles[None]) / self.spread
        log_proba = (-0.5 * scaled.pow(2).sum(dim=2)).log_softmax(dim=1)
        return -log_proba.mean(dim=1) - torch.log(log_proba.new_tensor(float(len(self.profiles))))

    def remove(self):
        """Remove the forward hooks from the model."""
        for handle in self._handles:
            handle.remove()
        self._handles = []


class StudentCompetition:
    """Seek where a student still disagrees with the teacher (DeepInversion's competition).

    A student network, trained on earlier stimuli, sees each stimulus; the term is
    ``1 - JS(p_teacher, p_student)``, the Jensen-Shannon divergence (in nats) between
    the teacher's and the student's class posteriors, so minimizing it moves stimuli to
    where the student has not yet learned what the teacher knows (Yin et al., CVPR
    2020, "adaptive DeepInversion"). Together with the class excitation, stimuli stay
    on the teacher's side of the boundary while reaching the student's blind spots.

    Parameters
    ----------
    student_forward : callable
        Maps standardized stimuli ``z`` of shape ``(B, C, T)`` to the student's class
        logits ``(B, n_classes)``.

    Examples
    --------
    >>> import torch
    >>> term = StudentCompetition(lambda z: z.flatten(1))
    >>> z = torch.tensor([[[4., 0.]], [[0., 4.]]])
    >>> teacher_logits = torch.tensor([[4., 0.], [4., 0.]])
    >>> [round(v, 2) for v in term(SynthesisState(z, teacher_logits, None)).tolist()]
    [1.0, 0.4]
    """

    per_stimulus = True

    def __init__(self, student_forward):
        self.student_forward = student_forward

    def __call__(self, state):
        log_p = state.logits.log_softmax(dim=1)
        log_q = self.student_forward(state.z).log_softmax(dim=1)
        log_m = torch.logsumexp(torch.stack([log_p, log_q]), dim=0) - torch.log(
            log_p.new_tensor(2.0))
        js = 0.5 * (log_p.exp() * (log_p - log_m)).sum(dim=1) + \
            0.5 * (log_q.exp() * (log_q - log_m)).sum(dim=1)
        return 1.0 - js


class ConfidenceTarget:
    """Per-stimulus confidence at which a stimulus is frozen.

    Each stimulus draws a target from ``uniform(low, high)``; once the teacher's
    probability of its target class reaches it, the stimulus is kept as it is. Random
    targets spread the stimuli from the decision boundary to its confident interior,
    as in Nikolaidis et al.

    Parameters
    ----------
    low, high : float
        Range of the targets, within (0, 1]. ``low == high`` gives a fixed target.
    freeze : bool, default=True
        Freeze a stimulus once it reaches its target; ``False`` only stops exciting it
        while it stays above, and the priors go on shaping it.

    Examples
    --------
    >>> import torch
    >>> g = torch.Generator().manual_seed(0)
    >>> t = ConfidenceTarget(0.6, 0.9).draw(5, g)
    >>> bool(((t >= 0.6) & (t <= 0.9)).all())
    True
    """

    def __init__(self, low, high, freeze=True):
        if not 0.0 < low <= high <= 1.0:
            raise ValueError(
                f"confidence must lie in (0, 1] with low <= high, got ({low}, {high})."
            )
        self.low, self.high, self.freeze = low, high, freeze

    def draw(self, n, generator, device="cpu"):
        """Targets for ``n`` stimuli from a seeded torch generator."""
        u = draw_uniform(n, generator, device)
        return self.low + (self.high - self.low) * u

    @staticmethod
    def reached(logits, targets, thresholds):
        """Boolean mask of the stimuli whose target-class probability reached its threshold."""
        proba = logits.softmax(dim=1).gather(1, targets[:, None])[:, 0]
        return proba >= thresholds


class Objective:
    """Weighted sum of synthesis terms.

    Per-stimulus terms are averaged over the stimuli still being optimized (``active``);
    batch terms enter as they are. Terms with weight 0 are skipped.

    Parameters
    ----------
    terms : list of (float, term)
        Weight and term.

    Examples
    --------
    >>> import torch
    >>> z = torch.randn(4, 1, 10, requires_grad=True)
    >>> state = SynthesisState(z, z.flatten(1)[:, :2], torch.tensor([0, 1, 0, 1]))
    >>> objective = Objective([(1.0, ClassExcitation()), (0.1, TotalVariation())])
    >>> objective(state, torch.ones(4, dtype=torch.bool)).requires_grad
    True
    """

    def __init__(self, terms):
        self.terms = [(weight, term) for weight, term in terms if weight > 0]

    def __call__(self, state, active):
        total = state.z.new_zeros(())
        n_active = active.sum().clamp(min=1)
        for weight, term in self.terms:
            value = term(state)
            if term.per_stimulus:
                value = (value * active).sum() / n_active
            total = total + weight * value
        return total
