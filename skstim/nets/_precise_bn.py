"""A skorch callback that ends a fit with the BatchNorm statistics of the whole training set."""

import numpy as np
import torch
from skorch.callbacks import Callback

__all__ = ["PreciseBatchNorm"]


class PreciseBatchNorm(Callback):
    """Set every BatchNorm layer's running statistics to those of the whole training set.

    During training a BatchNorm layer keeps an exponential average of its last batches'
    statistics (``momentum=0.1``: about the last ten), and predictions use that average.
    Where the batches differ, the average at the last step can sit far from the
    statistics of the data, and a network's predictions on new data can then swing
    from one epoch to the next (an MLP student on stimuli: the held-out windows called
    apnea went from 2 % to 92 % between epochs, ``docs/benchmarks/utility.md``). At the
    end of ``fit`` this callback passes the training rows through the network once, in
    batches of a fixed random order and without gradient, and keeps the average of
    every BatchNorm layer's batch statistics (torch's
    :func:`torch.optim.swa_utils.update_bn`;
    "precise BatchNorm", Wu and Johnson, "Rethinking 'Batch' in BatchNorm", 2021). The
    weights do not change.

    It reads only the rows the network was fitted on: for a student on stimuli, the
    stimuli.

    Parameters
    ----------
    batch_size : int, default=1024
        Rows per forward pass. Every batch's statistics count the same in the average,
        and the rows are shuffled first (a fixed order, drawn from its own generator)
        so that batches of data sorted by class or person still resemble the whole.

    Examples
    --------
    >>> import numpy as np
    >>> from skstim.nets import PreciseBatchNorm, make_network
    >>> X = np.random.default_rng(0).normal(size=(200, 20)).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(int)
    >>> net = make_network((1, 20), arch="mlp", max_epochs=2, random_state=0,
    ...                    callbacks=[("precise_bn", PreciseBatchNorm())]).fit(X, y)
    >>> float(net.module_.layers[1].momentum)  # the layer's own momentum is kept
    0.1
    """

    def __init__(self, batch_size=1024):
        self.batch_size = batch_size

    def on_train_end(self, net, X=None, y=None, **kwargs):
        if X is None:
            return
        if not isinstance(X, (np.ndarray, torch.Tensor)):
            raise TypeError(f"PreciseBatchNorm passes the training rows through the network "
                            f"and needs them as one array, got {type(X).__name__}; leave the "
                            "callback out for this network.")
        if isinstance(X, torch.Tensor):
            X = X.detach().cpu().numpy()
        X = np.asarray(X, dtype=np.float32)
        order = np.random.default_rng(0).permutation(len(X))
        batches = (torch.as_tensor(X[order[start:start + self.batch_size]])
                   for start in range(0, len(X), self.batch_size))
        torch.optim.swa_utils.update_bn(batches, net.module_, device=net.device)
