"""The synthesis driver: chunks, seeds, objective and teacher bookkeeping."""

import copy
import os
from dataclasses import dataclass

import numpy as np
import torch
from joblib import Parallel, delayed, effective_n_jobs

from ..utils._seeding import child_seed, numpy_generator, seed_sequence, torch_seed
from .initializers import StandardNormal
from .objectives import BatchNormPrior, ClassExcitation, ConfidenceTarget, IdentityInhibition
from .objectives import L2Penalty, Objective, ProfileInhibition, StudentCompetition
from .objectives import TotalVariation
from .optimizers import DirectOptimizer, GeneratorOptimizer

__all__ = ["synthesize", "interpolate", "make_optimizer", "OPTIMIZERS"]

OPTIMIZERS = {"direct": DirectOptimizer, "generator": GeneratorOptimizer}


def make_optimizer(method, n_iter, lr=None, steps="white"):
    """The optimizer named ``method`` (``"direct"`` or ``"generator"``); ``lr=None`` keeps
    its default; ``steps`` shapes the direct optimizer's steps (the generator ignores it)."""
    if method not in OPTIMIZERS:
        raise ValueError(f"method must be one of {sorted(OPTIMIZERS)}, got {method!r}.")
    kwargs = {"n_iter": n_iter} if lr is None else {"n_iter": n_iter, "lr": lr}
    if method == "direct":
        kwargs["steps"] = steps
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
               inhibition_weight=0.0, activation_profiles=None, profile_weight=0.0,
               student_model=None, competition_weight=0.0, loc=0.0,
               scale=1.0, batch_size=256, device="cpu", n_jobs=None, random_state=None,
               callback=None, out=None):
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
    identity_model : torch.nn.Module, list of torch.nn.Module or None, default=None
        A subject model (flat input to subject logits), or several (an ensemble), for
        :class:`IdentityInhibition`.
    inhibition : {"uniform", "top"}, default="uniform"
        Kind of identity inhibition (see :class:`IdentityInhibition`).
    inhibition_weight : float, default=0.0
        Weight of the identity inhibition; it needs ``identity_model``.
    activation_profiles : (torch.Tensor, torch.Tensor) or None, default=None
        Each person's activation profile in the teacher and the within-person spread
        (:func:`person_activation_profiles`), for :class:`ProfileInhibition`.
    profile_weight : float, default=0.0
        Weight of the profile inhibition; it needs ``activation_profiles``.
    student_model : torch.nn.Module or None, default=None
        A student (flat input to class logits) trained on earlier stimuli, for
        :class:`StudentCompetition`.
    competition_weight : float, default=0.0
        Weight of the competition with the student; it needs ``student_model``.
    loc, scale : float or array-like broadcastable to (C, T)
        The teacher sees ``loc + scale * z`` for standardized stimuli ``z``.
    batch_size : int, default=256
        Stimuli optimized together (the BatchNorm prior's batch).
    device : str or torch.device, default="cpu"
        Where to compute.
    n_jobs : int or None, default=None
        Chunks synthesized in parallel with joblib (``None``: one at a time, unless a
        :func:`joblib.parallel_config` context says otherwise; ``-1``: all cores). Any
        joblib backend works, Dask's included; every chunk has its own seed, so the
        stimuli do not depend on ``n_jobs`` or the backend. Each parallel chunk uses
        ``cpu_count // n_jobs`` torch threads, so that workers do not oversubscribe
        the cores.
    random_state : None, int or numpy.random.SeedSequence
        Seed of the noise and confidence targets.
    callback : callable or None
        Called with the number of stimuli finished after each chunk.
    out : (ndarray, ndarray) or None, default=None
        Float32 arrays of shapes ``(n, C*T)`` and ``(n, n_classes)`` (e.g. the first rows
        of larger ones) that each chunk's stimuli and probabilities are written into;
        ``None`` allocates them.

    Returns
    -------
    stimuli : ndarray of shape (n, C*T), float32
        In the teacher's input scale (``out[0]`` where given).
    proba : ndarray of shape (n, n_classes), float32
        The teacher's softmax output for each stimulus (``out[1]`` where given).

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
    if isinstance(confidence, (int, float)):
        confidence = (confidence, confidence)
    if confidence is not None and not isinstance(confidence, ConfidenceTarget):
        confidence = ConfidenceTarget(*confidence)
    if inhibition_weight > 0 and identity_model is None:
        raise ValueError("inhibition_weight > 0 needs an identity_model (subject logits).")
    if profile_weight > 0 and activation_profiles is None:
        raise ValueError("profile_weight > 0 needs activation_profiles (person profiles).")
    if isinstance(identity_model, (list, tuple)):
        identity_model = _Ensemble(identity_model)
    if competition_weight > 0 and student_model is None:
        raise ValueError("competition_weight > 0 needs a student_model (class logits).")
    device = torch.device(device)
    shape = tuple(int(v) for v in input_shape)
    parallel = effective_n_jobs(n_jobs) != 1
    chunk = _Chunk(
        model=model, identity_model=identity_model, student_model=student_model, shape=shape,
        optimizer=DirectOptimizer() if optimizer is None else optimizer,
        weights=dict(excitation=excitation_weight, bn=bn_weight, tv=tv_weight, l2=l2_weight,
                     inhibition=inhibition_weight, profile=profile_weight,
                     competition=competition_weight),
        activation_profiles=activation_profiles,
        temperature=temperature, confidence=confidence, class_statistics=class_statistics,
        bn_segments=bn_segments, inhibition=inhibition,
        init=StandardNormal() if init is None else init,
        loc=np.array(np.broadcast_to(loc, shape), dtype=np.float32),
        scale=np.array(np.broadcast_to(scale, shape), dtype=np.float32),
        device=device, copy_models=parallel,
        torch_threads=max(1, (os.cpu_count() or 1) // effective_n_jobs(n_jobs)) if parallel
        else None,
    )
    n = len(targets)
    n_chunks = -(-n // batch_size)
    root = seed_sequence(random_state)
    rows = [slice(i * batch_size, min((i + 1) * batch_size, n)) for i in range(n_chunks)]
    results = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(chunk)(targets[r], child_seed(root, i)) for i, r in enumerate(rows))
    stimuli, proba = _checked_out(out, n, int(np.prod(shape)))
    for r, (x, p) in zip(rows, results):
        if proba is None:  # the width of the teacher's output, from its first chunk
            proba = np.empty((n, p.shape[1]), dtype=np.float32)
        stimuli[r], proba[r] = x, p
        if callback is not None:
            callback(r.stop - r.start)
    if proba is None:
        proba = np.empty((0, _n_outputs(model, shape, device)), dtype=np.float32)
    return stimuli, proba


def _checked_out(out, n, n_features):
    """``out`` checked against the rows and features it must hold; without it, new
    stimuli and ``None`` for the probabilities, whose width the teacher gives."""
    if out is None:
        return np.empty((n, n_features), dtype=np.float32), None
    stimuli, proba = out
    if stimuli.shape != (n, n_features) or proba.ndim != 2 or len(proba) != n:
        raise ValueError(
            f"out must hold {n} rows of {n_features} features and {n} rows of "
            f"probabilities; got arrays of shapes {stimuli.shape} and {proba.shape}.")
    return stimuli, proba


@dataclass(eq=False)  # hashable: joblib's Dask backend puts the callable in a set
class _Chunk:
    """Synthesizes one chunk of stimuli; picklable, so that chunks can run in other processes."""

    model: torch.nn.Module
    identity_model: torch.nn.Module
    student_model: torch.nn.Module
    shape: tuple
    optimizer: object
    weights: dict
    temperature: float
    confidence: object
    activation_profiles: object
    class_statistics: object
    bn_segments: int
    inhibition: str
    init: object
    loc: np.ndarray
    scale: np.ndarray
    device: torch.device
    copy_models: bool
    torch_threads: int

    def __call__(self, targets, seed):
        threads = torch.get_num_threads()
        if self.torch_threads is not None:
            torch.set_num_threads(self.torch_threads)
        try:
            return self._run(targets, seed)
        finally:
            torch.set_num_threads(threads)

    def _run(self, targets, seed):
        device, shape = self.device, self.shape
        model, identity_model, student_model = self.model, self.identity_model, self.student_model
        if self.copy_models:  # concurrent chunks in threads must not share hooks
            model, identity_model, student_model = copy.deepcopy(
                (model, identity_model, student_model))
        identity_model = torch.nn.Identity() if identity_model is None else identity_model
        student_model = torch.nn.Identity() if student_model is None else student_model
        loc = torch.as_tensor(self.loc, device=device)
        scale = torch.as_tensor(self.scale, device=device)
        # drawn on the CPU and moved: a seed gives the same stimuli on every device
        generator = torch.Generator().manual_seed(torch_seed(seed))
        targets = torch.as_tensor(targets, device=device)
        w = self.weights
        with _FrozenTeacher(model.to(device)) as teacher, \
                _FrozenTeacher(identity_model.to(device)) as identity, \
                _FrozenTeacher(student_model.to(device)) as student:
            def forward(z):
                return teacher((loc + scale * z).flatten(1))

            def identity_forward(z):
                return identity((loc + scale * z).flatten(1))

            def student_forward(z):
                return student((loc + scale * z).flatten(1))

            statistics = None if self.class_statistics is None else [
                (mean.to(device), var.to(device)) for mean, var in self.class_statistics]
            prior = BatchNormPrior(teacher, class_statistics=statistics,
                                   n_segments=self.bn_segments) if w["bn"] > 0 else None
            profile = ProfileInhibition(teacher, *(t.to(device) for t in self.activation_profiles)) \
                if w["profile"] > 0 else None
            try:
                objective = Objective([
                    (w["excitation"], ClassExcitation(self.temperature)),
                    (w["bn"], prior),
                    (w["tv"], TotalVariation()),
                    (w["l2"], L2Penalty()),
                    (w["inhibition"], IdentityInhibition(identity_forward, self.inhibition)),
                    (w["profile"], profile),
                    (w["competition"], StudentCompetition(student_forward)),
                ])
                thresholds = None if self.confidence is None else \
                    self.confidence.draw(len(targets), generator, device)
                z = self.optimizer.run(
                    forward, objective, targets, thresholds, shape, generator,
                    n_classes=_n_outputs(teacher, shape, device),
                    freeze=self.confidence is None or self.confidence.freeze,
                    init=self.init.to(device))
            finally:
                for hooks in (prior, profile):
                    if hooks is not None:
                        hooks.remove()
            with torch.inference_mode():
                x = loc + scale * z
                proba = teacher(x.flatten(1)).softmax(dim=1)
        return x.flatten(1).cpu().numpy(), proba.cpu().numpy()


class _Ensemble(torch.nn.Module):
    """Several subject models as one: their logits stacked, shape ``(n_models, B, K)``."""

    def __init__(self, models):
        super().__init__()
        self.models = torch.nn.ModuleList(models)

    def forward(self, x):
        return torch.stack([model(x) for model in self.models])


def _n_outputs(model, shape, device):
    """Number of logits the teacher returns."""
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            return model(torch.zeros((2, int(np.prod(shape))), device=device)).shape[1]
    finally:
        model.train(was_training)


def interpolate(model, stimuli, n, *, n_channels=1, batch_size=256, device="cpu",
                random_state=None, out=None):
    """Teacher-labelled interpolations between random pairs of stimuli, each keeping the
    spread of a stimulus.

    For two stimuli ``a`` and ``b`` drawn at random and ``lam`` uniform in (0, 1), each
    channel's window mean is ``lam * mean(a) + (1 - lam) * mean(b)``, and its deviation
    from that mean is ``(lam * dev(a) + (1 - lam) * dev(b)) / sqrt(lam**2 + (1 - lam)**2)``:
    a plain average of two unrelated stimuli would have a smaller within-window spread
    than either (down to 1/sqrt(2) of it at ``lam = 0.5``), a shift that students and
    attackers both read; the rescaling keeps the spread of unrelated stimuli (two alike
    get up to sqrt(2) times theirs). The teacher labels each input. Pairs across classes fill the
    region between the classes, where optimized stimuli are scarce, with inputs whose
    soft labels say how far along they are. Nothing but ``stimuli`` and the teacher goes
    in, so the interpolations carry nothing about the training data that the stimuli do
    not.

    Parameters
    ----------
    model : torch.nn.Module
        The teacher (flat input to logits).
    stimuli : ndarray of shape (n_stimuli, n_channels * n_times), float32
        Stimuli to interpolate between (in the teacher's input scale), channel-major.
    n : int
        Number of interpolations.
    n_channels : int, default=1
        Channels of a stimulus (``C`` of its ``(C, T)`` shape).
    batch_size : int, default=256
        Inputs labelled together.
    device : str or torch.device, default="cpu"
        Where the teacher runs.
    random_state : None, int or numpy.random.SeedSequence
        Seed of the pairs and weights.
    out : (ndarray, ndarray) or None, default=None
        Float32 arrays of shapes ``(n, n_features)`` and ``(n, n_classes)``, apart from
        ``stimuli``, that the interpolations and probabilities are written into, a batch
        at a time; ``None`` allocates them.

    Returns
    -------
    X : ndarray of shape (n, n_features), float32
        ``out[0]`` where given.
    proba : ndarray of shape (n, n_classes), float32
        ``out[1]`` where given.

    Examples
    --------
    >>> import numpy as np, torch
    >>> model = torch.nn.Linear(4, 2)
    >>> X, P = interpolate(model, np.eye(4, dtype=np.float32), 5, random_state=0)
    >>> X.shape, P.shape
    ((5, 4), (5, 2))
    """
    n_features = stimuli.shape[1]
    if n_features % n_channels:
        raise ValueError(f"n_channels={n_channels} does not divide the {n_features} features "
                         "of a stimulus; pass the C of its (C, T) shape.")
    rng = numpy_generator(random_state)
    first, second = rng.integers(0, len(stimuli), (2, n))
    lam = rng.uniform(0.0, 1.0, (n, 1)).astype(np.float32)
    with _FrozenTeacher(model.to(device)) as teacher, torch.inference_mode():
        X, proba = _checked_out(out, n, n_features)
        if proba is None:
            proba = np.empty((n, _n_outputs(teacher, (n_features,), device)), np.float32)
        for start in range(0, n, batch_size):
            rows = slice(start, min(start + batch_size, n))
            X[rows] = _spread_keeping_mix(stimuli[first[rows]], stimuli[second[rows]],
                                          lam[rows], n_channels)
            proba[rows] = teacher(torch.as_tensor(X[rows], device=device)) \
                .softmax(dim=1).cpu().numpy()
    return X, proba


def _spread_keeping_mix(a, b, lam, n_channels):
    """Rows ``lam * a + (1 - lam) * b`` per channel, the deviations from each channel's
    window mean rescaled by ``1 / sqrt(lam**2 + (1 - lam)**2)``."""
    a, b = a.reshape(len(a), n_channels, -1), b.reshape(len(b), n_channels, -1)
    lam = lam[:, :, None]
    level_a, level_b = a.mean(axis=2, keepdims=True), b.mean(axis=2, keepdims=True)
    mixed = lam * level_a + (1 - lam) * level_b + (
        lam * (a - level_a) + (1 - lam) * (b - level_b)) / np.sqrt(lam ** 2 + (1 - lam) ** 2)
    return mixed.reshape(len(mixed), -1)
