"""The skorch classifier that :func:`skstim.nets.make_network` returns."""

import numpy as np
import torch
from skorch import NeuralNetClassifier
from skorch.dataset import Dataset
from torch import nn
from torch.utils.data import DataLoader

from ..utils import seeded_torch, torch_seed

__all__ = ["NetClassifier"]


class _RowBatches(Dataset):
    """skorch's dataset over numpy arrays that hands the data loader a batch's rows taken
    at once (``__getitems__``) instead of one ``__getitem__`` call per row: the same
    batches, without skorch's per-row indexing and conversion."""

    def __getitems__(self, indices):
        X = torch.as_tensor(self.X[indices])
        y = torch.zeros(len(indices), 1) if self.y is None else torch.as_tensor(self.y[indices])
        return list(zip(X, y))


class NetClassifier(NeuralNetClassifier):
    """skorch classifier on logits that behaves as a scikit-learn classifier.

    Compared with :class:`skorch.NeuralNetClassifier`: cross-entropy on logits and no
    validation split by default; ``X`` is cast to float32; labels of any type are
    encoded (``classes_`` keeps them and ``predict`` returns them); ``y`` may also be a
    2-D array of soft labels (one column per class, in the order of the ``classes``
    parameter), which cross-entropy accepts as a distillation target; ``random_state``
    seeds the weight initialization and batch order without touching the global torch
    random state.

    Use :func:`skstim.nets.make_network` (or :func:`skstim.make_teacher`, the same with
    precise BatchNorm) to build one.

    Examples
    --------
    >>> import numpy as np
    >>> from skstim.nets import make_network
    >>> X = np.random.default_rng(0).normal(size=(40, 10))
    >>> y = np.where(X[:, 0] > 0, "apnea", "normal")
    >>> net = make_network((1, 10), arch="mlp", max_epochs=3, random_state=0).fit(X, y)
    >>> sorted(set(net.predict(X)) - {"apnea", "normal"})
    []
    """

    def __init__(self, module, *args, criterion=nn.CrossEntropyLoss, train_split=None,
                 random_state=None, **kwargs):
        super().__init__(module, *args, criterion=criterion, train_split=train_split, **kwargs)
        self.random_state = random_state

    def _get_param_names(self):
        # skorch's record of the extra keyword names is no parameter: left in, it shows in
        # every repr, as a set whose order changes from one process to the next.
        return [k for k in super()._get_param_names() if k != "_params_to_validate"]

    def _encode(self, y):
        y = np.asarray(y)
        if y.ndim == 2 and y.dtype.kind == "f":
            classes = np.arange(y.shape[1]) if self.classes is None else np.asarray(self.classes)
            if len(classes) != y.shape[1]:
                raise ValueError(
                    f"Soft labels y have {y.shape[1]} columns but classes has {len(classes)} "
                    "entries: pass classes=... with one entry per column."
                )
            self.classes_fitted_ = classes
            return y.astype(np.float32)
        self.classes_fitted_, encoded = np.unique(y, return_inverse=True)
        return encoded.astype(np.int64)

    @property
    def classes_(self):
        return self.classes_fitted_

    def fit(self, X, y=None, **fit_params):
        """Fit the network on float32 ``X`` and encoded (or soft) ``y``; see ``NeuralNet.fit``."""
        X = np.asarray(X, dtype=np.float32)
        y = self._encode(y)
        with seeded_torch(torch_seed(self.random_state)):
            return super().fit(X, y, **fit_params)

    def get_dataset(self, X, y=None):
        """skorch's dataset; for numpy arrays and the default ``dataset``, one that takes
        each batch's rows at once."""
        if (self.dataset is Dataset and not self.get_params_for("dataset")
                and isinstance(X, np.ndarray) and (y is None or isinstance(y, np.ndarray))):
            return _RowBatches(X, y)
        return super().get_dataset(X, y)

    def get_iterator(self, dataset, training=False):
        """skorch's data loader; when predicting, it draws its seed from a private generator,
        not from the global torch random state."""
        iterator = super().get_iterator(dataset, training=training)
        if not training and isinstance(iterator, DataLoader) and iterator.generator is None:
            iterator.generator = torch.Generator()
        return iterator

    def infer(self, x, **fit_params):
        if isinstance(x, torch.Tensor) and x.dtype == torch.float64:
            x = x.float()
        return super().infer(x, **fit_params)

    def predict_proba(self, X):
        """Class probabilities, the softmax of the logits."""
        if isinstance(X, np.ndarray):
            X = X.astype(np.float32, copy=False)
        return super().predict_proba(X)

    def predict(self, X):
        """Class labels, as given to ``fit``."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]
