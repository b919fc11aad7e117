"""Teacher and student networks for flat signal windows.

Every module takes the flat 2-D ``X`` of scikit-learn, shape ``(n, C*T)``, and views it
as ``input_shape=(C, T)``. Each one starts with a per-channel BatchNorm on the input and
carries BatchNorm layers inside, so that the BatchNorm-statistics prior of the synthesis
engine constrains every architecture offered as a teacher. The input BatchNorm keeps a
cumulative average (``momentum=None``): the input statistics do not change during
training, so after any number of batches it holds the data's own per-channel mean and
variance (an exponential average would lag far behind a channel such as SpO2 near 95).

With ``norm="group"`` the networks hold no BatchNorm, which differentially private
training does not allow: the input is standardized by given per-channel statistics
(:class:`~skstim.nets.Standardize`, ``input_loc`` and ``input_scale``) and the hidden
layers are normalized per sample by GroupNorm. The prior then reads those layers' inputs.
"""

import torch
from torch import nn

from ..utils import Standardize, Substitution, check_input_shape, group_norm

__all__ = ["ConvNet1d", "MLP", "GRUNet", "SummaryNet", "summary_statistics", "ARCHITECTURES"]


class _BatchNorm1d(nn.BatchNorm1d):
    """BatchNorm that normalizes with its running statistics when a training batch holds
    a single value per channel (a last mini-batch of one sample), instead of failing."""

    def forward(self, x):
        values_per_channel = x.numel() // x.shape[1]
        if self.training and values_per_channel < 2:
            return nn.functional.batch_norm(
                x, self.running_mean, self.running_var, self.weight, self.bias,
                training=False, eps=self.eps,
            )
        return super().forward(x)


class _PairMaxFunction(torch.autograd.Function):
    """The larger of each pair of neighbouring time steps, with max-pooling's gradient:
    to the larger of the two, to the first where they are equal."""

    @staticmethod
    def forward(ctx, x):
        length = x.shape[-1] // 2 * 2
        first, second = x[..., :length].unflatten(-1, (length // 2, 2)).unbind(-1)
        takes_second = second > first
        ctx.save_for_backward(takes_second)
        ctx.n_times = x.shape[-1]
        return torch.maximum(first, second)

    @staticmethod
    def backward(ctx, grad):
        (takes_second,) = ctx.saved_tensors
        grad_x = grad.new_empty(*grad.shape[:-1], ctx.n_times)
        length = 2 * grad.shape[-1]
        if ctx.n_times > length:  # the last step of an odd length is in no pair
            grad_x[..., length:] = 0
        first, second = grad_x[..., :length].unflatten(-1, (length // 2, 2)).unbind(-1)
        torch.mul(grad, takes_second, out=second)
        torch.sub(grad, second, out=first)
        return grad_x


class _PairMax(nn.Module):
    """The larger of each pair of neighbouring time steps, as ``nn.MaxPool1d(2)``.

    Same values and gradients (to the first of equal values). On CPU torch's kernel for
    max-pooling with gradients, or a max over a ``(..., T // 2, 2)`` view, costs several
    times a few element-wise operations over the two halves of each pair
    (``benchmarks/pooling.py``); without gradients torch's kernel is the fastest.
    """

    def forward(self, x):
        if x.shape[-1] < 2:
            return x[..., :0]
        if torch.is_grad_enabled() and x.requires_grad:
            return _PairMaxFunction.apply(x)
        return nn.functional.max_pool1d(x, 2)


NORMS = ("batch", "group")
_NORM_DOC = """norm : {"batch", "group"}, default="batch"
        BatchNorm layers, or (for differentially private training) a fixed input
        standardization and GroupNorm in the hidden layers.
    input_loc, input_scale : sequence of float or None, default=None
        Per-channel statistics of the fixed input standardization (``norm="group"``
        only; ``None``: 0 and 1)."""


def _check_norm(norm, input_loc, input_scale):
    if norm not in NORMS:
        raise ValueError(f"norm must be one of {NORMS}, got {norm!r}.")
    if norm == "batch" and (input_loc is not None or input_scale is not None):
        raise ValueError("input_loc and input_scale are for norm='group': with norm='batch' "
                         "the input BatchNorm learns the statistics from the data.")


def _input_norm(n_channels, norm, input_loc, input_scale):
    """The first layer: a BatchNorm that learns the input statistics, or fixed ones."""
    _check_norm(norm, input_loc, input_scale)
    if norm == "batch":
        return _BatchNorm1d(n_channels, momentum=None)
    return Standardize(n_channels, input_loc, input_scale)


def _hidden_norm(n_channels, norm):
    return _BatchNorm1d(n_channels) if norm == "batch" else group_norm(n_channels)


@Substitution(norm=_NORM_DOC)
class ConvNet1d(nn.Module):
    """1-D convolutional network with BatchNorm, ending in class logits.

    Parameters
    ----------
    input_shape : tuple of int
        ``(n_channels, n_times)`` of one sample; the input is flat ``(n, C*T)``.
    n_classes : int, default=2
        Number of output logits.
    n_filters : int, default=16
        Channels of the first convolution; each block doubles them, up to 4x.
    n_blocks : int, default=3
        Convolution blocks (conv, BatchNorm, ReLU, max-pool by 2 while the length allows).
    kernel_size : int, default=7
        Width of every convolution (odd, "same" padding).
    dropout : float, default=0.1
        Dropout before the linear read-out.
    {norm}

    Examples
    --------
    >>> import torch
    >>> net = ConvNet1d(input_shape=(2, 60), n_classes=3)
    >>> net(torch.zeros(4, 120)).shape
    torch.Size([4, 3])
    """

    def __init__(self, input_shape=None, n_classes=2, n_filters=16, n_blocks=3,
                 kernel_size=7, dropout=0.1, norm="batch", input_loc=None, input_scale=None):
        super().__init__()
        n_channels, n_times = check_input_shape(input_shape)
        self.input_shape = (n_channels, n_times)
        layers = [_input_norm(n_channels, norm, input_loc, input_scale)]
        width, length = n_channels, n_times
        for block in range(n_blocks):
            out = n_filters * min(2**block, 4)
            layers += [
                nn.Conv1d(width, out, kernel_size, padding=kernel_size // 2, bias=False),
                _hidden_norm(out, norm),
                nn.ReLU(),
            ]
            if length >= 2:
                layers.append(_PairMax())
                length //= 2
            width = out
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(width, n_classes))

    def forward(self, X):
        x = X.reshape(-1, *self.input_shape)
        return self.head(self.features(x).mean(dim=-1))


@Substitution(norm=_NORM_DOC)
class MLP(nn.Module):
    """Multi-layer perceptron with BatchNorm after every hidden layer.

    Parameters
    ----------
    input_shape : tuple of int
        ``(n_channels, n_times)`` of one sample.
    n_classes : int, default=2
        Number of output logits.
    hidden_sizes : tuple of int, default=(128, 64)
        Width of each hidden layer (Linear, BatchNorm, ReLU).
    dropout : float, default=0.1
        Dropout before the linear read-out.
    {norm}

    Examples
    --------
    >>> import torch
    >>> MLP(input_shape=(1, 30))(torch.zeros(5, 30)).shape
    torch.Size([5, 2])
    """

    def __init__(self, input_shape=None, n_classes=2, hidden_sizes=(128, 64), dropout=0.1,
                 norm="batch", input_loc=None, input_scale=None):
        super().__init__()
        n_channels, n_times = check_input_shape(input_shape)
        self.input_shape = (n_channels, n_times)
        self.input_norm = _input_norm(n_channels, norm, input_loc, input_scale)
        layers, width = [], n_channels * n_times
        for size in hidden_sizes:
            layers += [nn.Linear(width, size, bias=False), _hidden_norm(size, norm), nn.ReLU()]
            width = size
        layers += [nn.Dropout(dropout), nn.Linear(width, n_classes)]
        self.layers = nn.Sequential(*layers)

    def forward(self, X):
        x = self.input_norm(X.reshape(-1, *self.input_shape))
        return self.layers(x.flatten(1))


@Substitution(norm=_NORM_DOC)
class GRUNet(nn.Module):
    """Gated recurrent network over time, BatchNorm on its input and its last state.

    Parameters
    ----------
    input_shape : tuple of int
        ``(n_channels, n_times)`` of one sample; channels are the GRU's input features.
    n_classes : int, default=2
        Number of output logits.
    hidden_size : int, default=32
        GRU state size.
    num_layers : int, default=1
        Stacked GRU layers.
    {norm}

    Examples
    --------
    >>> import torch
    >>> GRUNet(input_shape=(3, 20))(torch.zeros(2, 60)).shape
    torch.Size([2, 2])
    """

    def __init__(self, input_shape=None, n_classes=2, hidden_size=32, num_layers=1, norm="batch",
                 input_loc=None, input_scale=None):
        super().__init__()
        n_channels, n_times = check_input_shape(input_shape)
        self.input_shape = (n_channels, n_times)
        self.input_norm = _input_norm(n_channels, norm, input_loc, input_scale)
        self.gru = nn.GRU(n_channels, hidden_size, num_layers=num_layers, batch_first=True)
        self.head = nn.Sequential(_hidden_norm(hidden_size, norm),
                                  nn.Linear(hidden_size, n_classes))

    def forward(self, X):
        x = self.input_norm(X.reshape(-1, *self.input_shape))
        _, state = self.gru(x.transpose(1, 2))
        return self.head(state[-1])


def summary_statistics(x):
    """Thirteen differentiable summaries of each channel of ``x`` (shape ``(B, C, T)``).

    Mean, standard deviation, the 5, 25, 50, 75 and 95 % quantiles, mean absolute and
    standard deviation of the successive differences, and the relative power in 4
    equal bands of the frequency axis (periodogram, zero frequency left out): the
    features of :func:`skstim.evaluation.summary_features`, with a plain periodogram in
    place of Welch's, so that gradients flow through them.

    Examples
    --------
    >>> import torch
    >>> summary_statistics(torch.randn(5, 2, 40)).shape
    torch.Size([5, 2, 13])
    """
    q = torch.quantile(x, x.new_tensor([0.05, 0.25, 0.5, 0.75, 0.95]), dim=2).permute(1, 2, 0)
    diff = x[..., 1:] - x[..., :-1]
    power = torch.fft.rfft(x - x.mean(dim=2, keepdim=True), dim=2).abs().pow(2)[..., 1:]
    bands = torch.stack([band.sum(dim=2) for band in power.tensor_split(4, dim=2)], dim=2)
    relative = bands / bands.sum(dim=2, keepdim=True).clamp_min(1e-12)
    return torch.cat([x.mean(dim=2, keepdim=True), x.std(dim=2, unbiased=False, keepdim=True),
                      q, diff.abs().mean(dim=2, keepdim=True),
                      diff.std(dim=2, unbiased=False, keepdim=True), relative], dim=2)


class SummaryNet(nn.Module):
    """Perceptron on thirteen summaries per channel (level, spread, quantiles, band powers).

    Sees what a summary-feature attacker sees (:func:`summary_statistics`), not the
    time course: as a subject model beside the CNN it makes identity inhibition cover
    the statistics a random forest on summary features links people by.

    Parameters
    ----------
    input_shape : tuple of int
        ``(n_channels, n_times)`` of one sample, ``n_times >= 8``.
    n_classes : int, default=2
        Number of output logits.
    hidden_sizes : tuple of int, default=(64,)
        Width of each hidden layer (Linear, BatchNorm, ReLU).

    Examples
    --------
    >>> import torch
    >>> SummaryNet(input_shape=(2, 30))(torch.randn(5, 60)).shape
    torch.Size([5, 2])
    """

    def __init__(self, input_shape=None, n_classes=2, hidden_sizes=(64,)):
        super().__init__()
        n_channels, n_times = check_input_shape(input_shape)
        if n_times < 8:
            raise ValueError(f"SummaryNet needs windows of at least 8 time steps for its 4 "
                             f"frequency bands, got input_shape={input_shape!r}.")
        self.input_shape = (n_channels, n_times)
        self.feature_norm = _BatchNorm1d(n_channels * 13, momentum=None)
        layers, width = [], n_channels * 13
        for size in hidden_sizes:
            layers += [nn.Linear(width, size, bias=False), _BatchNorm1d(size), nn.ReLU()]
            width = size
        layers += [nn.Linear(width, n_classes)]
        self.layers = nn.Sequential(*layers)

    def forward(self, X):
        x = X.reshape(-1, *self.input_shape)
        return self.layers(self.feature_norm(summary_statistics(x).flatten(1)))


ARCHITECTURES = {"cnn": ConvNet1d, "mlp": MLP, "gru": GRUNet, "summary": SummaryNet}

