"""Class-conditional activation statistics of a teacher's normalization layers on real data."""

import numpy as np
import torch
from torch import nn

from ..utils import normalization_layers
from .support import without_floors

__all__ = ["batchnorm_layers", "class_activation_statistics", "segment_time", "run_with_hooks",
           "person_activation_profiles", "channels_by_time", "TimeMeans", "tap_time_moments"]


def batchnorm_layers(model):
    """The BatchNorm layers of ``model``, in module order."""
    return [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]


def channels_by_time(x):
    """A layer input as ``(B, C, L)``: a flat ``(B, C)`` input is one time step.

    Examples
    --------
    >>> import torch
    >>> channels_by_time(torch.zeros(4, 3)).shape, channels_by_time(torch.zeros(4, 3, 5, 2)).shape
    (torch.Size([4, 3, 1]), torch.Size([4, 3, 10]))
    """
    return x.flatten(2) if x.dim() > 2 else x[:, :, None]


class TimeMeans:
    """Forward hook that keeps the per-channel time mean of a layer's input in ``store[index]``.

    A plain object, not a closure, so that a module carrying it can be pickled and copied.

    Examples
    --------
    >>> import torch
    >>> store = {}
    >>> layer = torch.nn.BatchNorm1d(2)
    >>> _ = layer.register_forward_hook(TimeMeans(store, 0))
    >>> _ = layer(torch.ones(3, 2, 4))
    >>> store[0].shape
    torch.Size([3, 2])
    """

    def __init__(self, store, index):
        self.store, self.index = store, index

    def __call__(self, module, inputs, output):
        self.store[self.index] = channels_by_time(inputs[0]).mean(dim=2)


def segment_time(x, targets, n_segments):
    """Cut activations into ``n_segments`` equal time segments, each a sample of its own.

    Segment ``s`` of a sample of class ``c`` gets the index ``c * S + s``, so that
    per-class statistics of the result are per (class, segment). ``S = min(n_segments,
    length)``; time steps past ``S * (length // S)`` are left out.

    Parameters
    ----------
    x : torch.Tensor of shape (B, C, L)
    targets : torch.Tensor of shape (B,)
    n_segments : int

    Returns
    -------
    segments : torch.Tensor of shape (B * S, C, L // S)
    segment_targets : torch.Tensor of shape (B * S,)
    S : int

    Examples
    --------
    >>> import torch
    >>> x = torch.arange(6.).view(1, 1, 6)
    >>> seg, t, S = segment_time(x, torch.tensor([1]), 3)
    >>> seg[:, 0].tolist(), t.tolist(), S
    ([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]], [3, 4, 5], 3)
    """
    B, C, L = x.shape
    segments = _time_segments(x, n_segments)
    S, length = segments.shape[2:]
    if S == 1:
        return x, targets, 1
    segment_targets = targets[:, None] * S + torch.arange(S, device=targets.device)[None, :]
    return (segments.permute(0, 2, 1, 3).reshape(B * S, C, length),
            segment_targets.reshape(-1), S)


class _MomentsTap(torch.autograd.Function):
    """``x`` passed through, with its per-sample moments over time as two more outputs.

    The backward pass adds the moments' gradient, one affine map ``a * x + b`` per
    sample, channel and segment, to the gradient flowing back from the layer, into a
    single new tensor: autograd's own graph of the same reductions (a subtraction, a
    square, two sums, and the sum of the two branches' gradients) makes several
    temporaries the size of ``x``, which cost more than the teacher's own arithmetic.
    """

    @staticmethod
    def forward(ctx, x, shift, n_segments):
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(x, shift)
        ctx.n_segments = n_segments
        v = _time_segments(x, n_segments)
        centered = v if shift is None else v - shift
        n = v.shape[-1]
        return (x.view_as(x), centered.sum(dim=-1) / n,
                torch.linalg.vecdot(centered, centered, dim=-1) / n)

    @staticmethod
    def backward(ctx, grad_x, grad_mean, grad_square):
        x, shift = ctx.saved_tensors
        v = _time_segments(x, ctx.n_segments)
        n = v.shape[-1]
        zero = x.new_zeros(v.shape[:-1] + (1,))
        a = zero if grad_square is None else (grad_square * (2.0 / n)).unsqueeze(-1)
        b = zero if grad_mean is None else grad_mean.unsqueeze(-1) / n
        if shift is not None:
            b = b - a * shift
        moments_grad = (v * a).add_(b)
        x3 = channels_by_time(x)
        if moments_grad.numel() == x3.numel():
            grad = moments_grad.reshape(x3.shape)
        else:  # time steps past the last whole segment get no moments' gradient
            grad = torch.zeros_like(x3)
            grad[..., :moments_grad.shape[2] * n].unflatten(-1, moments_grad.shape[2:]).add_(
                moments_grad)
        if grad_x is not None:
            grad.add_(channels_by_time(grad_x))
        return grad.view_as(x), None, None


def _time_segments(x, n_segments):
    """A layer input as a ``(B, C, S, L // S)`` view (see :func:`segment_time`)."""
    x = channels_by_time(x)
    S = max(1, min(int(n_segments), x.shape[2]))
    length = x.shape[2] // S
    return x[..., :S * length].unflatten(-1, (S, length))


def tap_time_moments(x, shift=None, n_segments=1):
    """Pass a layer input through, with its per-sample moments over time (and segments).

    The moments the BatchNorm prior pools per class, taken where the input flows (a
    forward pre-hook returns the first output in place of the input), so that their
    gradient joins the layer's in one pass (a custom autograd function). With
    ``n_segments > 1`` each of :func:`segment_time`'s segments is a sample of its own.
    Sums of squares are taken about a per-channel ``shift`` near the mean, so that they
    do not cancel in float32 for a channel far from zero with a small spread (``None``:
    about zero, which spares a temporary the size of ``x`` where means are within a few
    spreads of zero).

    Parameters
    ----------
    x : torch.Tensor of shape (B, C, ...) or (B, C)
        A layer input (all dimensions after the channels are time, as in
        :func:`channels_by_time`).
    shift : torch.Tensor of shape (C,) or None, default=None
    n_segments : int, default=1

    Returns
    -------
    x : torch.Tensor
        The input, as a view.
    mean, square : torch.Tensor of shape (B * S, C)
        Mean and mean square about ``shift``; row ``b * S + s``: sample ``b``, segment
        ``s`` (``S`` as in :func:`segment_time`). The variance about the mean is
        ``square - mean ** 2``.

    Examples
    --------
    >>> import torch
    >>> x = torch.tensor([[[1., 3., 5., 7.]]])
    >>> same, mean, square = tap_time_moments(x, torch.tensor([4.]), n_segments=2)
    >>> torch.equal(same, x), mean.tolist(), square.tolist()
    (True, [[-2.0], [2.0]], [[5.0], [5.0]])
    """
    C = x.shape[1]
    if shift is not None:
        shift = shift.reshape(1, C, 1, 1).to(x.dtype)
    same, mean, square = _MomentsTap.apply(x, shift, n_segments)
    B, _, S = mean.shape
    return same, mean.transpose(1, 2).reshape(B * S, C), square.transpose(1, 2).reshape(B * S, C)


def run_with_hooks(model, X, batch_size, hooks, before_batch=None):
    """Run ``model`` in eval mode over ``X`` in batches, one forward hook per normalization
    layer in ``hooks``; ``before_batch(rows)`` is called with each batch's slice.

    The hooks are removed and the model's mode restored afterwards.

    Examples
    --------
    >>> import torch
    >>> from skstim.nets import MLP
    >>> seen = []
    >>> hooks = [lambda module, inputs, output: seen.append(inputs[0].shape[0])] * 3
    >>> run_with_hooks(MLP(input_shape=(1, 4)), torch.randn(5, 4), 2, hooks)
    >>> seen[:3]
    [2, 2, 2]
    """
    handles = [layer.register_forward_hook(hook)
               for layer, hook in zip(normalization_layers(model), hooks)]
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            for start in range(0, len(X), batch_size):
                rows = slice(start, start + batch_size)
                if before_batch is not None:
                    before_batch(rows)
                model(X[rows])
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)


def _running_statistics(layer, n_segments, like):
    """A layer's running mean and variance, one row per segment; NaN (no target) for a
    layer that keeps none (GroupNorm, :class:`~skstim.nets.Standardize`)."""
    if getattr(layer, "running_mean", None) is None:
        nan = torch.full((n_segments, like.shape[1]), float("nan"), dtype=like.dtype,
                         device=like.device)
        return nan, nan
    return (layer.running_mean[None, :].expand(n_segments, -1),
            layer.running_var[None, :].expand(n_segments, -1))


def class_activation_statistics(model, X, targets, n_classes, batch_size=1024, n_segments=1,
                                support=None):
    """Per-class mean and variance of the input of every normalization layer.

    Statistics are pooled over samples and time, per channel, like the layer's own
    running statistics but for each class separately. With a ``support``
    (:func:`~skstim.synthesis.class_support`) each person weighs the same in them
    (the statistics of the mixture of the class's people), and a class below the
    support floors gets the pooled statistics of all classes, or the layer's running
    statistics where the pool is below the floors too (NaN, no target, at a layer that
    keeps none, such as GroupNorm). They are sums over a class's
    rows, one mean and one variance per channel (and segment); without floors a class
    of one sample gives that sample's per-channel means and variances at every
    layer. With
    ``n_segments > 1`` they are kept per time segment as well (see
    :func:`segment_time`), so that where in the window a pattern sits is part of
    what the prior asks of the stimuli.

    Parameters
    ----------
    model : torch.nn.Module
        The teacher; run in eval mode, without gradients.
    X : torch.Tensor of shape (n, n_features)
        Real samples, flat, on the model's device.
    targets : torch.Tensor of shape (n,)
        Class index of each sample.
    n_classes : int
        Number of classes.
    batch_size : int, default=1024
        Samples per forward pass.
    n_segments : int, default=1
        Time segments per window, per layer at most the layer's length.
    support : ClassSupport or None, default=None
        Weights and floors; ``None`` weighs every sample the same, without floors.

    Returns
    -------
    statistics : list of (mean, var)
        One pair per normalization layer (see
        ``normalization_layers``), each a tensor of shape ``(n_classes * S,
        n_channels)`` (row ``c * S + s``: class ``c``, segment ``s``).

    Examples
    --------
    >>> import torch
    >>> from skstim.nets import MLP
    >>> net = MLP(input_shape=(2, 5)).eval()
    >>> stats = class_activation_statistics(net, torch.randn(30, 10), torch.arange(30) % 2, 2)
    >>> [tuple(m.shape) for m, v in stats]
    [(2, 2), (2, 128), (2, 64)]
    """
    support = without_floors(targets, n_classes) if support is None else support
    class_weights = support.class_weights.to(X.device)
    pool_weights = support.pool_weights.to(X.device)
    layers = normalization_layers(model)
    sums = [None] * len(layers)
    shifts = [None] * len(layers)

    def make_hook(index):
        def hook(module, inputs, output):
            x = inputs[0]
            per_sample = channels_by_time(x)
            per_sample, segment_targets, S = segment_time(per_sample, batch_targets[0],
                                                          n_segments)
            if shifts[index] is None:
                # Sums of squares about a per-channel shift near the mean (that of the first
                # batch): about zero they would cancel catastrophically in float32 for a
                # channel far from zero with a small spread (SpO2 near 95 %).
                shifts[index] = per_sample.mean(dim=(0, 2))
            per_sample = per_sample - shifts[index][None, :, None]
            # Columns c * S + s: class c, segment s; then n_classes * S + s: the pool.
            segment = segment_targets % S
            weight = torch.cat([
                nn.functional.one_hot(segment_targets, n_classes * S)
                * batch_weights[0].repeat_interleave(S)[:, None],
                nn.functional.one_hot(segment, S) * batch_weights[1].repeat_interleave(S)[:, None],
            ], dim=1).to(per_sample.dtype)
            s1 = weight.T @ per_sample.sum(dim=2)
            s2 = weight.T @ per_sample.pow(2).sum(dim=2)
            n = weight.sum(dim=0) * per_sample.shape[2]
            if sums[index] is None:
                sums[index] = [s1, s2, n]
            else:
                sums[index][0] += s1
                sums[index][1] += s2
                sums[index][2] += n
        return hook

    batch_targets, batch_weights = [None], [None, None]

    def before_batch(rows):
        batch_targets[0] = targets[rows]
        batch_weights[:] = (class_weights[rows], pool_weights[rows])

    run_with_hooks(model, X, batch_size, [make_hook(i) for i in range(len(layers))],
                    before_batch)

    statistics = []
    for layer, (s1, s2, n), shift in zip(layers, sums, shifts):
        n = n[:, None].clamp(min=1e-12)
        mean, var = s1 / n, s2 / n
        var = var - mean.pow(2)
        mean = mean + shift[None, :]
        S = len(mean) // (n_classes + 1)
        rows = []
        for c in range(n_classes):
            source = support.source(c)
            if source == "class":
                rows.append((mean[c * S:(c + 1) * S], var[c * S:(c + 1) * S]))
            elif source == "pooled":
                rows.append((mean[n_classes * S:], var[n_classes * S:]))
            else:
                rows.append(_running_statistics(layer, S, mean))
        statistics.append((torch.cat([m for m, _ in rows]).clone(),
                           torch.cat([v for _, v in rows]).clamp(min=0).clone()))
    return statistics


def person_activation_profiles(model, X, groups, batch_size=1024):
    """Each person's mean activation in the teacher, and the spread within a person.

    A window's activation features are the time means of every normalization layer's
    input, channel by channel, over all layers; a person's profile is their mean over
    the person's windows, and the spread is the root of the within-person variance of
    each feature, pooled over people with each person weighing the same (floored at
    1e-3 of the feature's overall standard deviation). Used by
    :class:`~skstim.synthesis.ProfileInhibition`. One profile per person: private
    data, held only by the fitted inhibitor.

    Parameters
    ----------
    model : torch.nn.Module
        The teacher; run in eval mode, without gradients.
    X : torch.Tensor of shape (n, n_features)
        Real samples, flat, on the model's device.
    groups : array-like of shape (n,)
        Person of each sample.
    batch_size : int, default=1024
        Samples per forward pass.

    Returns
    -------
    profiles : torch.Tensor of shape (n_people, n_activation_features)
    spread : torch.Tensor of shape (n_activation_features,)

    Examples
    --------
    >>> import torch
    >>> from skstim.nets import MLP
    >>> net = MLP(input_shape=(2, 5), hidden_sizes=(8,)).eval()
    >>> profiles, spread = person_activation_profiles(net, torch.randn(30, 10), torch.arange(30) % 3)
    >>> tuple(profiles.shape), tuple(spread.shape)
    ((3, 10), (10,))
    """
    layers = normalization_layers(model)
    features = {}

    def make_hook(index):
        def hook(module, inputs, output):
            x = inputs[0]
            features.setdefault(index, []).append(
                channels_by_time(x).mean(dim=2))
        return hook

    run_with_hooks(model, X, batch_size, [make_hook(i) for i in range(len(layers))])
    F = torch.cat([torch.cat(features[i]) for i in range(len(layers))], dim=1)
    _, index = np.unique(np.asarray(groups), return_inverse=True)
    index = torch.as_tensor(index, device=F.device)
    n_people = int(index.max()) + 1
    counts = torch.bincount(index, minlength=n_people).to(F.dtype)[:, None]
    profiles = torch.zeros(n_people, F.shape[1], dtype=F.dtype, device=F.device)
    profiles.index_add_(0, index, F)
    profiles = profiles / counts
    within = torch.zeros_like(profiles).index_add_(0, index, (F - profiles[index]).pow(2))
    spread = (within / counts).mean(dim=0).sqrt()
    return profiles.clone(), spread.clamp_min(1e-3 * F.std(dim=0).clamp_min(1e-12)).clone()
