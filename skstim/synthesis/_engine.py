"""The synthesis driver: chunks, seeds, objective and teacher bookkeeping."""

import numpy as np
import torch

from ._seeding import child_seed, seed_sequence
from .objectives import (
    BatchNormPrior,
    ClassExcitation,
    ConfidenceTarget,
    IdentityInhibition,
    L2Penalty,
    Objective,
    TotalVariation,
)
from .initializers import StandardNormal
from .optimizers import DirectOptimizer, GeneratorOptimizer

__all__ = ["synthesize", "interpolate", "make_optimizer", "OPTIMIZERS"]

OPTIMIZERS = {"direct": DirectOptimizer, "generator": GeneratorOptimizer}


def make_optimizer(method, n_iter, lr=None):
    """The optimizer named ``method`` (``"direct"`` or ``"generator"``); ``lr=None`` keeps its default."""
    if method not in OPTIMIZERS:
        raise ValueError(f"method must be one of {sorted(OPTIMIZERS)}, got {method!r}.")
    kwargs = {"n_iter": n_iter} if lr is None else {"n_iter": n_iter, "lr": lr}
    return OPTIMIZERS[method](**kwargs)


class _FrozenTeacher:
    """Puts a model in eval mode without weight gradients, and restores it afterwards."""

    def __init__(self, model):
        self.model = model

    def __enter__(self):
        self.was_training = self.model.training
        self.grad_flags = [p.requires_grad for p in self.model.parameters()]
        self.model.eval()
        for p in self.model.parameters():
            p.requires_grad_(False)
        return self.model

    def __exit__(self, *exc):
        for p, flag in zip(self.model.parameters(), self.grad_flags):
            p.requires_grad_(flag)
        self.model.train(self.was_training)


def synthesize(model, targets, input_shape, *, optimizer=None, excitation_weight=1.0,
               bn_weight=1.0, tv_weight=0.0, l2_weight=0.0, temperature=1.0, confidence=None,
               class_statistics=None, bn_segments=1, init=None, identity_model=None, inhibition="uniform",
               inhibition_weight=0.0, loc=0.0, scale=1.0, batch_size=256, device="cpu",
               random_state=None, callback=None):
    """Synthesize one stimulus per target class from noise.

    Stimuli are made in chunks of ``batch_size``; chunk ``i`` draws its noise from the
    ``i``-th child of ``numpy.random.SeedSequence(random_state)``, so that a stimulus
    does not depend on how many others are made after it, and peak memory depends on
    ``batch_size`` only (plus the two returned arrays).

    Parameters
    ----------
    model : torch.nn.Module
        The teacher: flat float32 input ``(B, C*T)`` to logits ``(B, n_classes)``.
    targets : array-like of int, shape (n,)
        Class index each stimulus must excite.
    input_shape : tuple of int
        ``(C, T)`` of one stimulus.
    optimizer : DirectOptimizer or GeneratorOptimizer, default=None
        ``None`` means ``DirectOptimizer()``.
    excitation_weight, bn_weight, tv_weight, l2_weight : float
        Weights of :class:`ClassExcitation`, :class:`BatchNormPrior`,
        :class:`TotalVariation` and :class:`L2Penalty`.
    temperature : float, default=1.0
        Temperature of the excitation's softmax.
    confidence : float, (float, float), ConfidenceTarget or None, default=None
        Per-stimulus confidence target (see :class:`ConfidenceTarget`); ``None`` excites
        every stimulus to the end.
    class_statistics : list of (mean, var) or None, default=None
        Per-class targets of the BatchNorm prior (see
        :func:`class_activation_statistics`); ``None`` uses the running statistics.
    bn_segments : int, default=1
        Time segments the ``class_statistics`` were computed with.
    init : StandardNormal, ClassGaussian or None, default=None
        Where stimuli start (standardized space); ``None`` is white noise.
    identity_model : torch.nn.Module or None, default=None
        A subject model (flat input to subject logits), for :class:`IdentityInhibition`.
    inhibition : {"uniform", "top"}, default="uniform"
        Kind of identity inhibition (see :class:`IdentityInhibition`).
    inhibition_weight : float, default=0.0
        Weight of the identity inhibition; it needs ``identity_model``.
    loc, scale : float or array-like broadcastable to (C, T)
        The teacher sees ``loc + scale * z`` for standardized stimuli ``z``.
    batch_size : int, default=256
        Stimuli optimized together (the BatchNorm prior's batch).
    device : str or torch.device, default="cpu"
        Where to compute.
    random_state : None, int or numpy.random.SeedSequence
        Seed of the noise and confidence targets.
    callback : callable or None
        Called with the number of stimuli finished after each chunk.

    Returns
    -------
    stimuli : ndarray of shape (n, C*T), float32
        In the teacher's input scale.
    proba : ndarray of shape (n, n_classes), float32
        The teacher's softmax output for each stimulus.

    Examples
    --------
    >>> import numpy as np
    >>> from skstim.nets import MLP
    >>> net = MLP(input_shape=(1, 16)).eval()
    >>> X, P = synthesize(net, np.array([0, 1, 1]), (1, 16), bn_weight=0.1,
    ...                   optimizer=DirectOptimizer(n_iter=10), random_state=0)
    >>> X.shape, P.shape
    ((3, 16), (3, 2))
    """
    targets = np.asarray(targets, dtype=np.int64)
    optimizer = DirectOptimizer() if optimizer is None else optimizer
    if isinstance(confidence, (int, float)):
        confidence = (confidence, confidence)
    if confidence is not None and not isinstance(confidence, ConfidenceTarget):
        confidence = ConfidenceTarget(*confidence)
    device = torch.device(device)
    shape = tuple(int(v) for v in input_shape)
    loc = torch.as_tensor(np.array(np.broadcast_to(loc, shape)), dtype=torch.float32, device=device)
    scale = torch.as_tensor(np.array(np.broadcast_to(scale, shape)), dtype=torch.float32, device=device)
    init = (StandardNormal() if init is None else init).to(device)
    n = len(targets)
    n_chunks = -(-n // batch_size)
    root = seed_sequence(random_state)
    chunk_seeds = [child_seed(root, i) for i in range(n_chunks)]

    if inhibition_weight > 0 and identity_model is None:
        raise ValueError("inhibition_weight > 0 needs an identity_model (subject logits).")
    identity_model = torch.nn.Identity() if identity_model is None else identity_model

    with _FrozenTeacher(model.to(device)) as teacher, \
            _FrozenTeacher(identity_model.to(device)) as identity:
        def forward(z):
            return teacher((loc + scale * z).flatten(1))

        def identity_forward(z):
            return identity((loc + scale * z).flatten(1))

        prior = BatchNormPrior(teacher, class_statistics=class_statistics,
                               n_segments=bn_segments) if bn_weight > 0 else None
        try:
            objective = Objective([
                (excitation_weight, ClassExcitation(temperature)),
                (bn_weight, prior),
                (tv_weight, TotalVariation()),
                (l2_weight, L2Penalty()),
                (inhibition_weight, IdentityInhibition(identity_forward, inhibition)),
            ])
            n_classes = _n_outputs(forward, shape, device)
            stimuli = np.empty((n, int(np.prod(shape))), dtype=np.float32)
            proba = np.empty((n, n_classes), dtype=np.float32)
            for i, seed in enumerate(chunk_seeds):
                rows = slice(i * batch_size, min((i + 1) * batch_size, n))
                generator = torch.Generator(device).manual_seed(
                    int(seed.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)))
                chunk_targets = torch.as_tensor(targets[rows], device=device)
                thresholds = None if confidence is None else \
                    confidence.draw(len(chunk_targets), generator, device)
                z = optimizer.run(forward, objective, chunk_targets, thresholds, shape,
                                  generator, n_classes=n_classes,
                                  freeze=confidence is None or confidence.freeze,
                                  init=init)
                with torch.inference_mode():
                    x = loc + scale * z
                    chunk_proba = teacher(x.flatten(1)).softmax(dim=1)
                stimuli[rows] = x.flatten(1).cpu().numpy()
                proba[rows] = chunk_proba.cpu().numpy()
                if callback is not None:
                    callback(rows.stop - rows.start)
        finally:
            if prior is not None:
                prior.remove()
    return stimuli, proba


def _n_outputs(forward, shape, device):
    """Number of logits the teacher returns."""
    with torch.inference_mode():
        return forward(torch.zeros((2, *shape), device=device)).shape[1]


def interpolate(model, stimuli, n, *, batch_size=256, device="cpu", random_state=None):
    """Teacher-labelled interpolations between random pairs of stimuli.

    Each new input is ``lam * a + (1 - lam) * b`` for two stimuli drawn at random and
    ``lam`` uniform in (0, 1); the teacher labels it. Pairs across classes fill the
    region between the classes, where optimized stimuli are scarce, with inputs whose
    soft labels say how far along they are.

    Parameters
    ----------
    model : torch.nn.Module
        The teacher (flat input to logits).
    stimuli : ndarray of shape (n_stimuli, n_features), float32
        Stimuli to interpolate between (in the teacher's input scale).
    n : int
        Number of interpolations.
    batch_size : int, default=256
        Inputs labelled together.
    device : str or torch.device, default="cpu"
        Where the teacher runs.
    random_state : None, int or numpy.random.SeedSequence
        Seed of the pairs and weights.

    Returns
    -------
    X : ndarray of shape (n, n_features), float32
    proba : ndarray of shape (n, n_classes), float32

    Examples
    --------
    >>> import numpy as np, torch
    >>> model = torch.nn.Linear(4, 2)
    >>> X, P = interpolate(model, np.eye(4, dtype=np.float32), 5, random_state=0)
    >>> X.shape, P.shape
    ((5, 4), (5, 2))
    """
    rng = np.random.default_rng(seed_sequence(random_state))
    first, second = rng.integers(0, len(stimuli), (2, n))
    lam = rng.uniform(0.0, 1.0, (n, 1)).astype(np.float32)
    X = lam * stimuli[first] + (1 - lam) * stimuli[second]
    with _FrozenTeacher(model.to(device)) as teacher, torch.inference_mode():
        proba = np.concatenate([
            teacher(torch.as_tensor(X[start:start + batch_size], device=device))
            .softmax(dim=1).cpu().numpy()
            for start in range(0, max(n, 1), batch_size)
        ])[:n]
    return X, proba.astype(np.float32)
