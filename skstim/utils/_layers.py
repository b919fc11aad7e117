"""Normalization layers the networks share with the synthesis engine's prior."""

import math

import torch
from torch import nn

__all__ = ["Standardize", "group_norm", "normalization_layers"]


class Standardize(nn.Module):
    """Fixed per-channel standardization, ``(x - loc) / scale``, of a ``(B, C, ...)`` input.

    Where BatchNorm learns the input's statistics from the training batches (which
    differential privacy does not allow: a sample's output would depend on its
    batch), this layer is given them: ``loc`` and ``scale`` are buffers, set at
    construction (e.g. by :class:`~skstim.StimulusSynthesizer` from its own, possibly
    differentially private, aggregates) and never trained.

    Parameters
    ----------
    n_channels : int
        Channels of the input.
    loc, scale : sequence of float or None, default=None
        Per-channel centre and scale; ``None`` gives 0 and 1 (the identity).

    Examples
    --------
    >>> import torch
    >>> layer = Standardize(2, loc=[0.0, 95.0], scale=[1.0, 2.0])
    >>> layer(torch.tensor([[[1.0], [97.0]]])).flatten().tolist()
    [1.0, 1.0]
    """

    def __init__(self, n_channels, loc=None, scale=None):
        super().__init__()
        loc = torch.zeros(n_channels) if loc is None else torch.as_tensor(loc, dtype=torch.float32)
        scale = torch.ones(n_channels) if scale is None else torch.as_tensor(
            scale, dtype=torch.float32)
        if loc.shape != (n_channels,) or scale.shape != (n_channels,):
            raise ValueError(f"loc and scale need one value per channel ({n_channels}), got "
                             f"shapes {tuple(loc.shape)} and {tuple(scale.shape)}.")
        if not torch.all(scale > 0):
            raise ValueError(f"scale must be positive in every channel, got {scale.tolist()}.")
        self.register_buffer("loc", loc.reshape(-1).clone())
        self.register_buffer("scale", scale.reshape(-1).clone())

    def forward(self, x):
        shape = (1, -1) + (1,) * (x.dim() - 2)
        return (x - self.loc.view(shape)) / self.scale.view(shape)


def group_norm(n_channels, max_groups=8):
    """GroupNorm over ``n_channels`` with the most groups up to ``max_groups`` that divide them.

    Examples
    --------
    >>> group_norm(64).num_groups, group_norm(12).num_groups, group_norm(7).num_groups
    (8, 4, 1)
    """
    return nn.GroupNorm(math.gcd(int(n_channels), max_groups), int(n_channels))


def normalization_layers(model):
    """The layers whose inputs the activation-statistics prior reads, in module order.

    BatchNorm layers, and the layers of networks without them: GroupNorm, LayerNorm
    and :class:`Standardize` (e.g. a network built with ``norm="group"``).

    Examples
    --------
    >>> from torch import nn
    >>> model = nn.Sequential(Standardize(2), nn.Conv1d(2, 8, 3), group_norm(8), nn.BatchNorm1d(8))
    >>> [type(m).__name__ for m in normalization_layers(model)]
    ['Standardize', 'GroupNorm', 'BatchNorm1d']
    """
    kinds = (nn.modules.batchnorm._BatchNorm, nn.GroupNorm, nn.LayerNorm, Standardize)
    return [m for m in model.modules() if isinstance(m, kinds)]
