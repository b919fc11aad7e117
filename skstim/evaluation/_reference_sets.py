"""Synthetic sets a data holder might share instead of stimuli, to rank stimuli against.

Each function fits on the private ``(X, y)`` and returns a whole synthetic set with
hard labels, in the layout of :func:`score_synthetic`: ``(X_synthetic, proba, classes)``
with one-hot ``proba``.
"""

import numpy as np
import torch
from imblearn.over_sampling import SMOTE
from torch import nn

from ..synthesis import ClassGaussian
from ..utils import Substitution, allocate, int_seed, numpy_generator, seeded_torch, torch_seed

__all__ = ["interpolated_set", "class_gaussian_set", "vae_set", "dp_vae_set"]

_DATA = """\
X : ndarray of shape (n, n_features)
        Private data.
    y : ndarray of shape (n,)
        Labels.
    n_samples : int or None, default=None
        Size of the set; ``None`` is ``len(X)``. Classes keep their training shares."""

_RETURNS = """\
X_synthetic : ndarray of shape (n_samples, n_features), float32
        The synthetic rows, in the scale of ``X``.
    proba : ndarray of shape (n_samples, n_classes), float32
        One-hot labels.
    classes : ndarray of shape (n_classes,)
        The class of each column of ``proba``."""


def _per_class_allocation(y, n_samples):
    """Classes, encoded ``y`` and rows to make per class (training shares, ``len(y)`` rows
    by default)."""
    classes, encoded = np.unique(y, return_inverse=True)
    counts = np.bincount(encoded)
    n_samples = len(y) if n_samples is None else int(n_samples)
    return classes, encoded, allocate(n_samples, counts / counts.sum())


def _one_hot(encoded, n_classes):
    return np.eye(n_classes, dtype=np.float32)[encoded]


@Substitution(data=_DATA, returns=_RETURNS)
def interpolated_set(X, y, n_samples=None, *, k_neighbors=5, random_state=None):
    """A synthetic set of SMOTE interpolations between real neighbours of the same class.

    imbalanced-learn's :class:`~imblearn.over_sampling.SMOTE` used as a generator: every
    row is new (a point on the segment between a real sample and one of its
    ``k_neighbors`` nearest same-class neighbours); the real rows are not included.
    Classes keep their training shares.

    Parameters
    ----------
    {data}
    k_neighbors : int, default=5
        Neighbours SMOTE interpolates towards.
    random_state : int or None, default=None
        Seed of SMOTE's choice of rows and neighbours.

    Returns
    -------
    {returns}

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(40, 3)); y = np.arange(40) % 2
    >>> Xs, P, classes = interpolated_set(X, y, random_state=0)
    >>> Xs.shape, P.sum(axis=0).tolist()
    ((40, 3), [20.0, 20.0])
    """
    classes, encoded, wanted = _per_class_allocation(y, n_samples)
    counts = np.bincount(encoded)
    strategy = {c: int(counts[c] + wanted[c]) for c in range(len(classes))}
    seed = int_seed(random_state)
    X_res, y_res = SMOTE(sampling_strategy=strategy, k_neighbors=k_neighbors,
                         random_state=seed).fit_resample(np.asarray(X), encoded)
    X_new, y_new = X_res[len(X):], y_res[len(X):]
    return X_new.astype(np.float32), _one_hot(y_new, len(classes)), classes


class _StandardizedClasses:
    """What a generative reference set starts from: standardized data, classes, a generator."""

    def __init__(self, X, y, n_samples, random_state):
        self.classes, self.encoded, self.wanted = _per_class_allocation(y, n_samples)
        X = np.asarray(X, dtype=np.float32)
        mean, std = X.mean(axis=0), X.std(axis=0)
        self.mean, self.std = mean, np.where(std > 0, std, 1.0)
        self.Z = (X - mean) / self.std
        self.rng = numpy_generator(random_state)

    def draw_targets(self):
        """Class indices of the rows to make, in random order."""
        return self.rng.permutation(np.repeat(np.arange(len(self.classes)), self.wanted))

    def result(self, z, targets):
        """``(X_synthetic, proba, classes)`` from standardized rows ``z`` of ``targets``."""
        return ((z * self.std + self.mean).astype(np.float32),
                _one_hot(targets, len(self.classes)), self.classes)


@Substitution(data=_DATA, returns=_RETURNS)
def class_gaussian_set(X, y, n_samples=None, *, rank=16, random_state=None):
    """A synthetic set drawn from a low-rank Gaussian fitted to each class (probabilistic PCA).

    The starting distribution of ``StimulusSynthesizer(init="class_gaussian")`` without
    any teacher: it shows what the teacher's optimization adds.

    Parameters
    ----------
    {data}
    rank : int, default=16
        Principal directions kept per class.
    random_state : int or None, default=None
        Seed of the draws; the global random states are left as they were.

    Returns
    -------
    {returns}

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(40, 6)), rng.integers(0, 2, size=40)
    >>> class_gaussian_set(X, y, 10, rank=2, random_state=0)[0].shape
    (10, 6)
    """
    data = _StandardizedClasses(X, y, n_samples, random_state)
    model = ClassGaussian.fit(torch.as_tensor(data.Z), torch.as_tensor(data.encoded),
                              len(data.classes), rank=rank)
    targets = data.draw_targets()
    generator = torch.Generator().manual_seed(torch_seed(data.rng.integers(2**31)))
    z = model.draw(torch.as_tensor(targets), (data.Z.shape[1],), generator).numpy()
    return data.result(z, targets)


class _ConditionalVAE(nn.Module):
    def __init__(self, n_features, n_classes, latent_dim, hidden_size):
        super().__init__()
        self.n_classes, self.latent_dim = n_classes, latent_dim
        self.encoder = nn.Sequential(nn.Linear(n_features + n_classes, hidden_size), nn.ReLU(),
                                     nn.Linear(hidden_size, hidden_size), nn.ReLU(),
                                     nn.Linear(hidden_size, 2 * latent_dim))
        self.decoder = nn.Sequential(nn.Linear(latent_dim + n_classes, hidden_size), nn.ReLU(),
                                     nn.Linear(hidden_size, hidden_size), nn.ReLU(),
                                     nn.Linear(hidden_size, n_features))

    def decode(self, latent, onehot):
        return self.decoder(torch.cat([latent, onehot], dim=1))

    def loss(self, x, onehot):
        mu, log_var = self.encoder(torch.cat([x, onehot], dim=1)).chunk(2, dim=1)
        latent = mu + torch.randn_like(mu) * (0.5 * log_var).exp()
        reconstruction = (self.decode(latent, onehot) - x).pow(2).sum(dim=1)
        kl = 0.5 * (mu.pow(2) + log_var.exp() - 1 - log_var).sum(dim=1)
        return (reconstruction + kl).mean()


@Substitution(data=_DATA, returns=_RETURNS)
def vae_set(X, y, n_samples=None, *, latent_dim=16, hidden_size=256, max_epochs=60,
            batch_size=128, lr=1e-3, random_state=None):
    """A synthetic set decoded from a conditional VAE fitted on the private data.

    A small generative model of the data: MLP encoder and decoder conditioned on the
    class, trained on standardized features; samples are decoder means at latent
    draws from the prior.

    Parameters
    ----------
    {data}
    latent_dim, hidden_size : int
        Sizes of the latent code and of the hidden layers.
    max_epochs, batch_size : int
        Training length and mini-batch size.
    lr : float, default=1e-3
        Adam's learning rate.
    random_state : int or None, default=None
        Seed; the global torch random state is left as it was.

    Returns
    -------
    {returns}

    Examples
    --------
    >>> X = np.random.default_rng(1).normal(size=(30, 6))
    >>> X_synthetic, proba, classes = vae_set(X, np.repeat(["a", "b"], 15), 8, max_epochs=2,
    ...                                       random_state=0)
    >>> X_synthetic.shape, classes.tolist()
    ((8, 6), ['a', 'b'])
    """
    data = _StandardizedClasses(X, y, n_samples, random_state)
    n_classes = len(data.classes)
    with seeded_torch(int(data.rng.integers(2**62))):
        model = _ConditionalVAE(data.Z.shape[1], n_classes, latent_dim, hidden_size)
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        rows_all = torch.as_tensor(data.Z)
        onehot = torch.as_tensor(_one_hot(data.encoded, n_classes))
        for _ in range(max_epochs):
            for rows in torch.randperm(len(rows_all)).split(batch_size):
                loss = model.loss(rows_all[rows], onehot[rows])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        targets = data.draw_targets()
        with torch.inference_mode():
            latent = torch.randn(len(targets), latent_dim)
            z = model.decode(latent, torch.as_tensor(_one_hot(targets, n_classes))).numpy()
    return data.result(z, targets)


def dp_vae_set(X, y, n_samples=None, *, epsilon, delta=None, unit="window", groups=None,
               input_shape=None, latent_dim=16, hidden_size=256, max_epochs=60, batch_size=128,
               lr=1e-3, max_grad_norm=1.0, random_state=None):
    """The conditional VAE of :func:`vae_set`, trained under an (epsilon, delta) budget.

    A differentially private generative peer of private stimuli: the standardization
    (per channel) and the class shares are released by the mechanisms of
    :class:`~skstim.dp.PrivateAggregates` and the VAE is trained by DP-SGD with Opacus
    (:func:`~skstim.dp.train_private`), the whole composed by one accountant with the
    same split as ``StimulusSynthesizer(dp_epsilon=...)`` (a fifth to the aggregates).
    Needs ``pip install 'skstim[dp]'``.

    Parameters
    ----------
    X : ndarray of shape (n, n_features)
        Private data.
    y : ndarray of shape (n,)
        Labels.
    n_samples : int or None, default=None
        Size of the set; ``None`` is the noisy count of rows (``unit="window"``; the
        exact count would tell a row's presence). Classes follow the released shares.
    epsilon : float
        The budget.
    delta : float or None, default=None
        ``None``: :func:`~skstim.dp.default_delta` of the number of units.
    unit : {"window", "person"}, default="window"
        What the guarantee protects; ``"person"`` needs ``groups``.
    groups : array-like of shape (n,) or None, default=None
        Person of each row.
    input_shape : tuple of int or None, default=None
        ``(n_channels, n_times)``; ``None`` is one channel.
    latent_dim, hidden_size, max_epochs, batch_size, lr : as in :func:`vae_set`
    max_grad_norm : float, default=1.0
        Clipping bound of one unit's gradient.
    random_state : int or None, default=None
        Seed of the noise, the sampling and the draws.

    Returns
    -------
    X_synthetic, proba, classes
        As :func:`vae_set`.
    privacy : dict
        The record of what was spent (as ``StimulusSynthesizer.privacy_``).

    Examples
    --------
    >>> X = np.random.default_rng(1).normal(size=(60, 6))
    >>> Xs, P, classes, privacy = dp_vae_set(X, np.repeat(["a", "b"], 30), 8, epsilon=8.0,
    ...                                      max_epochs=2, random_state=0)
    >>> Xs.shape, privacy["epsilon"] <= 8.0
    ((8, 6), True)
    """
    from .. import dp

    dp.require_opacus()
    if unit == "person" and groups is None:
        raise ValueError("unit='person' needs groups, the person of each row.")
    X = np.asarray(X, dtype=np.float32)
    shape = (1, X.shape[1]) if input_shape is None else tuple(input_shape)
    classes, encoded = np.unique(y, return_inverse=True)
    n_classes = len(classes)
    if unit == "person" and n_samples is None:
        raise ValueError("unit='person': the number of rows is private; pass n_samples.")
    units = np.arange(len(X)) if unit == "window" else np.asarray(groups)
    delta = dp.default_delta(len(np.unique(units))) if delta is None else delta
    aggregates = dp.aggregate_names(False, False)
    noise = dp.aggregate_noise(epsilon, delta, aggregates)
    rng = numpy_generator(random_state)
    account = dp.PrivacyAccount(delta, unit)
    private = dp.PrivateAggregates(units, noise, account, torch.Generator().manual_seed(
        int(rng.integers(2**31 - 1))), min_units=1)
    channels = X.reshape(len(X), *shape)
    loc, scale = private.standardization(channels)
    prior, n_noisy = private.class_prior(encoded, n_classes)
    if n_samples is None:  # the exact number of rows would tell a unit's presence
        n_samples = max(1, int(round(n_noisy)))
    # sampling and steps follow the noisy count of units, not the exact one
    per_unit = 1 if unit == "window" else 16
    sample_rate = min(1.0, batch_size / (per_unit * max(n_noisy, 1.0)))
    n_steps = max_epochs * max(1, int(round(1 / sample_rate)))
    sgd = dp.sgd_noise(epsilon, delta, aggregates, noise,
                       dp.GaussianMechanism("VAE DP-SGD", 1.0, sample_rate, n_steps))
    Z = ((channels - loc) / scale).reshape(len(X), -1).astype(np.float32)
    with seeded_torch(int(rng.integers(2**62))):
        model = _ConditionalVAE(Z.shape[1], n_classes, latent_dim, hidden_size)
        account.add(dp.train_private(
            model, lambda m, rows, onehot: m.loss(rows, onehot), Z,
            _one_hot(encoded, n_classes), units, noise_multiplier=sgd, n_steps=n_steps,
            sample_rate=sample_rate, max_grad_norm=max_grad_norm, lr=lr,
            expected_units=max(n_noisy, 1.0),
            random_state=int(rng.integers(2**31 - 1)), name="VAE DP-SGD"))
        targets = rng.permutation(np.repeat(np.arange(n_classes), allocate(n_samples, prior)))
        model.eval()
        with torch.inference_mode():
            z = model.decode(torch.randn(len(targets), latent_dim),
                             torch.as_tensor(_one_hot(targets, n_classes))).numpy()
    X_synthetic = (z.reshape(len(z), *shape) * scale + loc).reshape(len(z), -1)
    return (X_synthetic.astype(np.float32), _one_hot(targets, n_classes), classes,
            account.record())
