"""Teacher and student networks for flat signal windows.

Every module takes the flat 2-D ``X`` of scikit-learn, shape ``(n, C*T)``, and views it
as ``input_shape=(C, T)``. Each one starts with a per-channel BatchNorm on the input and
carries BatchNorm layers inside, so that the BatchNorm-statistics prior of the synthesis
engine constrains every architecture offered as a teacher. The input BatchNorm keeps a
cumulative average (``momentum=None``): the input statistics do not change during
training, so after any number of batches it holds the data's own per-channel mean and
variance (an exponential average would lag far behind a channel such as SpO2 near 95).
"""

from torch import nn

from ..utils import check_input_shape

__all__ = ["ConvNet1d", "MLP", "GRUNet", "ARCHITECTURES"]


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

    Examples
    --------
    >>> import torch
    >>> net = ConvNet1d(input_shape=(2, 60), n_classes=3)
    >>> net(torch.zeros(4, 120)).shape
    torch.Size([4, 3])
    """

    def __init__(self, input_shape=None, n_classes=2, n_filters=16, n_blocks=3,
                 kernel_size=7, dropout=0.1):
        super().__init__()
        n_channels, n_times = check_input_shape(input_shape)
        self.input_shape = (n_channels, n_times)
        layers = [_BatchNorm1d(n_channels, momentum=None)]
        width, length = n_channels, n_times
        for block in range(n_blocks):
            out = n_filters * min(2**block, 4)
            layers += [
                nn.Conv1d(width, out, kernel_size, padding=kernel_size // 2, bias=False),
                _BatchNorm1d(out),
                nn.ReLU(),
            ]
            if length >= 2:
                layers.append(nn.MaxPool1d(2))
                length //= 2
            width = out
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(width, n_classes))

    def forward(self, X):
        x = X.reshape(-1, *self.input_shape)
        return self.head(self.features(x).mean(dim=-1))


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

    Examples
    --------
    >>> import torch
    >>> MLP(input_shape=(1, 30))(torch.zeros(5, 30)).shape
    torch.Size([5, 2])
    """

    def __init__(self, input_shape=None, n_classes=2, hidden_sizes=(128, 64), dropout=0.1):
        super().__init__()
        n_channels, n_times = check_input_shape(input_shape)
        self.input_shape = (n_channels, n_times)
        self.input_norm = _BatchNorm1d(n_channels, momentum=None)
        layers, width = [], n_channels * n_times
        for size in hidden_sizes:
            layers += [nn.Linear(width, size, bias=False), _BatchNorm1d(size), nn.ReLU()]
            width = size
        layers += [nn.Dropout(dropout), nn.Linear(width, n_classes)]
        self.layers = nn.Sequential(*layers)

    def forward(self, X):
        x = self.input_norm(X.reshape(-1, *self.input_shape))
        return self.layers(x.flatten(1))


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

    Examples
    --------
    >>> import torch
    >>> GRUNet(input_shape=(3, 20))(torch.zeros(2, 60)).shape
    torch.Size([2, 2])
    """

    def __init__(self, input_shape=None, n_classes=2, hidden_size=32, num_layers=1):
        super().__init__()
        n_channels, n_times = check_input_shape(input_shape)
        self.input_shape = (n_channels, n_times)
        self.input_norm = _BatchNorm1d(n_channels, momentum=None)
        self.gru = nn.GRU(n_channels, hidden_size, num_layers=num_layers, batch_first=True)
        self.head = nn.Sequential(_BatchNorm1d(hidden_size), nn.Linear(hidden_size, n_classes))

    def forward(self, X):
        x = self.input_norm(X.reshape(-1, *self.input_shape))
        _, state = self.gru(x.transpose(1, 2))
        return self.head(state[-1])


ARCHITECTURES = {"cnn": ConvNet1d, "mlp": MLP, "gru": GRUNet}

