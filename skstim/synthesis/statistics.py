"""Class-conditional activation statistics of a teacher's BatchNorm layers on real data."""

import torch
from torch import nn

__all__ = ["batchnorm_layers", "class_activation_statistics", "segment_time"]


def batchnorm_layers(model):
    """The BatchNorm layers of ``model``, in module order."""
    return [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]


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
    S = max(1, min(int(n_segments), L))
    if S == 1:
        return x, targets, 1
    length = L // S
    segments = x[..., :S * length].reshape(B, C, S, length).permute(0, 2, 1, 3)
    segment_targets = targets[:, None] * S + torch.arange(S, device=targets.device)[None, :]
    return segments.reshape(B * S, C, length), segment_targets.reshape(-1), S


def class_activation_statistics(model, X, targets, n_classes, batch_size=1024, n_segments=1):
    """Per-class mean and variance of the input of every BatchNorm layer.

    Statistics are pooled over samples and time, per channel, like the layer's own
    running statistics but for each class separately. They are aggregates over all
    samples of a class, one mean and one variance per channel (and segment): with many
    samples no single one can be read back from them, but a class of one sample gives
    that sample's per-channel means and variances at every layer. With
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

    Returns
    -------
    statistics : list of (mean, var)
        One pair per BatchNorm layer, each a tensor of shape ``(n_classes * S,
        n_channels)`` (row ``c * S + s``: class ``c``, segment ``s``). A class without
        samples gets the layer's running statistics.

    Examples
    --------
    >>> import torch
    >>> from skstim.nets import MLP
    >>> net = MLP(input_shape=(2, 5)).eval()
    >>> stats = class_activation_statistics(net, torch.randn(30, 10), torch.arange(30) % 2, 2)
    >>> [tuple(m.shape) for m, v in stats]
    [(2, 2), (2, 128), (2, 64)]
    """
    layers = batchnorm_layers(model)
    sums = [None] * len(layers)
    shifts = [None] * len(layers)

    def make_hook(index):
        def hook(module, inputs, output):
            x = inputs[0]
            per_sample = x.flatten(2) if x.dim() > 2 else x[:, :, None]
            per_sample, segment_targets, S = segment_time(per_sample, batch_targets[0],
                                                          n_segments)
            if shifts[index] is None:
                # Sums of squares about a per-channel shift near the mean (that of the first
                # batch): about zero they would cancel catastrophically in float32 for a
                # channel far from zero with a small spread (SpO2 near 95 %).
                shifts[index] = per_sample.mean(dim=(0, 2))
            per_sample = per_sample - shifts[index][None, :, None]
            weight = nn.functional.one_hot(segment_targets, n_classes * S).to(per_sample.dtype)
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

    batch_targets = [None]
    handles = [layer.register_forward_hook(make_hook(i)) for i, layer in enumerate(layers)]
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            for start in range(0, len(X), batch_size):
                batch_targets[0] = targets[start:start + batch_size]
                model(X[start:start + batch_size])
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)

    statistics = []
    for layer, (s1, s2, n), shift in zip(layers, sums, shifts):
        n = n[:, None]
        shifted_mean = s1 / n.clamp(min=1)
        mean = torch.where(n > 0, shifted_mean + shift[None, :], layer.running_mean[None, :])
        var = torch.where(n > 0, s2 / n.clamp(min=1) - shifted_mean.pow(2),
                          layer.running_var[None, :])
        statistics.append((mean.clone(), var.clamp(min=0).clone()))
    return statistics
