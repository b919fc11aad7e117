"""DP-SGD for the skorch networks of skstim, per window or per person, with Opacus."""

import warnings
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import clone
from skorch.callbacks import PassthroughScoring
from torch.nn.modules.batchnorm import _BatchNorm

from ..nets import NetClassifier
from ..utils import check_groups, numpy_generator
from ._accounting import GaussianMechanism
from ._opacus import require_opacus

__all__ = ["DPNetClassifier", "UNITS", "private_step", "private_training", "to_dp_net",
           "train_private"]

UNITS = ("window", "person")


class _PoissonUnitBatches:
    """Training batches of DP-SGD: at each step every unit (window or person) takes part
    with probability ``sample_rate``, a person with at most ``windows_per_person`` of
    their windows. Yields ``(X, y, unit)``: ``unit`` numbers each row's unit in the step."""

    def __init__(self, X, y, units, sample_rate, n_steps, windows_per_person, rng):
        self.X, self.y = X, y
        _, index = np.unique(units, return_inverse=True)
        order = np.argsort(index, kind="stable")
        self.rows_of_unit = np.split(order, np.cumsum(np.bincount(index))[:-1])
        self.sample_rate, self.n_steps = sample_rate, n_steps
        self.windows_per_person, self.rng = windows_per_person, rng

    def __len__(self):
        return self.n_steps

    def __iter__(self):
        for _ in range(self.n_steps):
            chosen = np.flatnonzero(self.rng.random(len(self.rows_of_unit)) < self.sample_rate)
            rows = [self._draw(self.rows_of_unit[u]) for u in chosen]
            unit = np.repeat(np.arange(len(rows)), [len(r) for r in rows])
            rows = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
            yield (torch.as_tensor(self.X[rows]), torch.as_tensor(self.y[rows]),
                   torch.as_tensor(unit, dtype=torch.int64))

    def _draw(self, rows):
        if len(rows) <= self.windows_per_person:
            return rows
        return np.sort(self.rng.choice(rows, self.windows_per_person, replace=False))


class _TrainLoss(PassthroughScoring):
    """skorch's epoch training loss (a batch-size-weighted mean), NaN for an epoch whose
    Poisson samples were all empty: steps of noise alone, as few units at a low sample
    rate can give."""

    def get_avg_score(self, history):
        if not sum(history[-1, "batches", :, "train_batch_size"]):
            return float("nan")
        return super().get_avg_score(history)


class DPNetClassifier(NetClassifier):
    """A :class:`~skstim.nets.NetClassifier` trained by DP-SGD (Abadi et al., 2016) with Opacus.

    Each step draws a Poisson sample of the units (every window, or every person,
    takes part with probability ``sample_rate``), takes each unit's gradient (a
    person's: the mean over up to ``windows_per_person`` of their windows), clips it
    to ``max_grad_norm``, sums, and adds Gaussian noise of standard deviation
    ``noise_multiplier * max_grad_norm`` before the optimizer's step (Opacus's
    ``GradSampleModule`` and ``DPOptimizer``). One "epoch" is ``len(X) / batch_size``
    steps, as without DP. The module must hold no BatchNorm (a sample's output would
    depend on its batch): build it with ``norm="group"``.

    What the steps spend is :meth:`mechanism` (for :class:`~skstim.dp.PrivacyAccount`);
    :class:`~skstim.StimulusSynthesizer` with ``dp_epsilon`` sets the noise from its
    budget. Parameters other than those below are those of
    :class:`~skstim.nets.NetClassifier`.

    Parameters
    ----------
    module : torch.nn.Module class or instance
        The network.
    noise_multiplier : float, default=1.0
        Noise standard deviation over the clipping bound.
    max_grad_norm : float, default=1.0
        Clipping bound of one unit's gradient (L2 over all parameters).
    unit : {"window", "person"}, default="window"
        What one privacy unit is; ``"person"`` needs ``groups`` in ``fit``.
    sample_rate : float or None, default=None
        Chance a unit takes part in a step; ``None``: ``batch_size`` windows per step
        on average (``batch_size / len(X)`` per window; per person, ``batch_size /
        (windows_per_person * n_people)``, at most 1).
    windows_per_person : int, default=16
        Most windows of one person in a step (``unit="person"``).
    expected_units : float or None, default=None
        Number of units the sampling is planned for: the sample rate, the steps of an
        epoch (``1 / sample_rate``) and the divisor of the noisy gradient sum follow
        it. ``None`` counts them in ``fit``, which ties all three to the exact number
        of units; a guarantee against adding or removing a unit needs a count chosen
        without the data or released privately (:class:`~skstim.StimulusSynthesizer`
        passes its noisy count).

    Examples
    --------
    >>> import numpy as np
    >>> from skstim.dp import DPNetClassifier
    >>> from skstim.nets import MLP
    >>> X = np.random.default_rng(0).normal(size=(256, 20))
    >>> y = (X[:, :10].mean(axis=1) > 0).astype(int)
    >>> net = DPNetClassifier(MLP, module__input_shape=(1, 20), module__norm="group",
    ...                       noise_multiplier=0.8, max_epochs=2, batch_size=64, verbose=0,
    ...                       random_state=0).fit(X, y)
    >>> m = net.mechanism()
    >>> m.steps, round(m.sample_rate, 3)
    (8, 0.25)
    """

    def __init__(self, module, *args, noise_multiplier=1.0, max_grad_norm=1.0, unit="window",
                 sample_rate=None, windows_per_person=16, expected_units=None, **kwargs):
        super().__init__(module, *args, **kwargs)
        self.noise_multiplier = noise_multiplier
        self.max_grad_norm = max_grad_norm
        self.unit = unit
        self.sample_rate = sample_rate
        self.windows_per_person = windows_per_person
        self.expected_units = expected_units

    def _check_dp_params(self):
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {UNITS}, got {self.unit!r}.")
        for name, value in (("noise_multiplier", self.noise_multiplier),
                            ("max_grad_norm", self.max_grad_norm)):
            if not isinstance(value, Real) or isinstance(value, bool) or not value > 0:
                raise ValueError(f"{name} must be a positive number, got {value!r}.")
        if self.sample_rate is not None and not 0 < self.sample_rate <= 1:
            raise ValueError(f"sample_rate must lie in (0, 1] or be None, got "
                             f"{self.sample_rate!r}.")
        if not isinstance(self.windows_per_person, Integral) or self.windows_per_person < 1:
            raise ValueError(f"windows_per_person must be a positive int, got "
                             f"{self.windows_per_person!r}.")

    def plan(self, n_units):
        """The DP-SGD steps a fit for ``n_units`` units will take, as a
        :class:`~skstim.dp.GaussianMechanism` (for budgeting before the fit)."""
        self._check_dp_params()
        per_unit = 1 if self.unit == "window" else self.windows_per_person
        self.planned_units_ = float(n_units)
        self.sample_rate_ = (float(self.sample_rate) if self.sample_rate is not None else
                             min(1.0, self.batch_size / (per_unit * max(n_units, 1.0))))
        self.steps_per_epoch_ = max(1, int(round(1 / self.sample_rate_)))
        return GaussianMechanism("teacher DP-SGD", float(self.noise_multiplier),
                                 self.sample_rate_, self.max_epochs * self.steps_per_epoch_)

    def fit(self, X, y=None, groups=None, **fit_params):
        """Fit by DP-SGD; ``groups`` (the person of each row) is needed for ``unit="person"``."""
        self._check_dp_params()
        require_opacus()
        if self.unit == "person" and groups is None:
            raise ValueError("unit='person' bounds what each person's windows change: pass "
                             "groups=person_ids to fit, or use unit='window'.")
        groups = check_groups(groups, len(X))
        self._units = np.arange(len(X)) if self.unit == "window" else np.asarray(groups)
        self.plan(len(np.unique(self._units)) if self.expected_units is None
                  else self.expected_units)
        self.n_steps_ = 0
        try:
            return super().fit(X, y, **fit_params)
        finally:
            del self._units  # who the rows belong to stays out of the fitted net

    @property
    def _default_callbacks(self):
        return [(name, _TrainLoss(name="train_loss", on_train=True) if name == "train_loss"
                 else callback) for name, callback in super()._default_callbacks]

    def initialize_module(self):
        """skorch's module, checked by Opacus's validator (no BatchNorm)."""
        super().initialize_module()
        errors = [f"{type(m).__name__} makes a sample's output depend on its batch."
                  for m in self.module_.modules() if isinstance(m, _BatchNorm)]
        errors += require_opacus().validators.ModuleValidator.validate(self.module_, strict=False)
        if errors:
            raise ValueError(
                f"The network cannot be trained with DP-SGD: {errors[0]} Build it with "
                "norm='group' (make_teacher(..., norm='group')), which uses GroupNorm and a "
                "fixed input standardization in place of BatchNorm.")
        return self

    def get_iterator(self, dataset, training=False):
        """Poisson samples of the units when training; skorch's loader otherwise."""
        if not training:
            return super().get_iterator(dataset, training=False)
        return _PoissonUnitBatches(
            np.asarray(dataset.X), np.asarray(dataset.y), self._units, self.sample_rate_,
            self.steps_per_epoch_, self.windows_per_person, self._batch_rng)

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        """skorch's loop with per-unit gradients recorded (GradSampleModule's hooks) and
        the optimizer wrapped in a ``DPOptimizer`` for its duration."""
        seeds = torch.randint(0, 2**31 - 1, (2,)).tolist()  # from the seeded torch state
        self._batch_rng = numpy_generator(seeds[0])
        noise = torch.Generator(device=self.device).manual_seed(seeds[1])
        plain = self.optimizer_
        expected_units = self.sample_rate_ * self.planned_units_
        with private_training(self.module_, plain, self.noise_multiplier, self.max_grad_norm,
                              expected_units, noise) as private:
            self.optimizer_ = private
            try:
                return super().fit_loop(X, y, epochs=epochs, **fit_params)
            finally:
                self.optimizer_ = plain

    def train_step(self, batch, **fit_params):
        """One DP-SGD step: per-unit gradients, clipped, summed and noised by the optimizer."""
        Xi, yi, unit = batch
        self._set_training(True)
        y_pred = []

        def loss():
            y_pred.append(self.infer(Xi, **fit_params))
            return self.get_loss(y_pred[0], yi, X=Xi, training=True)

        value = private_step(self.module_, self.optimizer_, loss, len(Xi),
                             unit.to(self.device) if self.unit == "person" else None)
        self.n_steps_ += 1
        return {"loss": value, "y_pred": y_pred[0] if y_pred else None}

    def mechanism(self):
        """The DP-SGD steps taken, as a :class:`~skstim.dp.GaussianMechanism`."""
        return GaussianMechanism("teacher DP-SGD", float(self.noise_multiplier),
                                 self.sample_rate_, int(self.n_steps_))


@contextmanager
def private_training(module, optimizer, noise_multiplier, max_grad_norm, expected_units,
                     generator):
    """Opacus's per-sample gradient hooks on ``module`` and ``optimizer`` wrapped in a
    ``DPOptimizer`` (clipping to ``max_grad_norm``, noise of ``noise_multiplier`` times
    it, the sum divided by ``expected_units``), for the duration of the block."""
    opacus = require_opacus()
    hooks = opacus.GradSampleModule(module, loss_reduction="mean")
    try:
        yield opacus.optimizers.DPOptimizer(
            optimizer, noise_multiplier=float(noise_multiplier),
            max_grad_norm=float(max_grad_norm), expected_batch_size=expected_units,
            loss_reduction="mean", generator=generator)
    finally:
        hooks._close()


def private_step(module, optimizer, loss, n_rows, unit=None):
    """One DP-SGD step of a ``DPOptimizer``: ``loss()`` (a batch mean) is differentiated
    per row, the rows' gradients averaged per ``unit`` (``None``: each row its own),
    clipped, summed and noised. A batch of no rows is a step of noise alone, as the
    accounting assumes. Returns the detached loss (0 for an empty batch)."""
    optimizer.zero_grad()
    params = [p for p in module.parameters() if p.requires_grad]
    if not n_rows:
        for p in params:
            p.grad_sample = p.new_zeros((0, *p.shape))
        optimizer.step()
        return torch.zeros(())
    value = loss()
    with warnings.catch_warnings():
        # Opacus's hooks see no input that needs a gradient (the data): as intended
        warnings.filterwarnings("ignore", message="Full backward hook is firing")
        value.backward()
    if unit is not None:
        _per_unit_means(params, unit)
    optimizer.step()
    return value.detach()


def _per_unit_means(params, unit):
    """Replace each parameter's per-row gradients by their mean over each unit's rows."""
    counts = torch.bincount(unit).clamp_min(1)
    for p in params:
        rows = p.grad_sample
        means = rows.new_zeros((len(counts), *rows.shape[1:])).index_add_(0, unit, rows)
        p.grad_sample = means / counts.view(-1, *([1] * (rows.dim() - 1))).to(rows.dtype)


def to_dp_net(template, unit):
    """An unfitted :class:`DPNetClassifier` with ``template``'s parameters and ``unit``.

    ``None`` gives the GroupNorm CNN (``make_network(norm="group")``); a
    :class:`~skstim.nets.NetClassifier` (e.g. from ``make_teacher(norm="group")``) is
    converted; a :class:`DPNetClassifier` is cloned. Any other net is refused.

    Examples
    --------
    >>> to_dp_net(None, "person").get_params()["module__norm"]
    'group'
    """
    from ..nets import make_network

    if template is None:
        template = make_network(norm="group")
    if isinstance(template, DPNetClassifier):
        return clone(template).set_params(unit=unit)
    if type(template) is not NetClassifier:
        raise ValueError(
            f"dp_epsilon trains the teacher by DP-SGD, which takes a NetClassifier "
            f"(make_teacher(..., norm='group')) or a DPNetClassifier; got "
            f"{type(template).__name__}.")
    return DPNetClassifier(**template.get_params(deep=False), unit=unit)


def train_private(module, loss, X, y, units, *, noise_multiplier, n_steps, sample_rate,
                  max_grad_norm=1.0, lr=1e-3, windows_per_person=16, expected_units=None,
                  random_state=None, name="DP-SGD"):
    """Train ``module`` by DP-SGD (Adam) on ``(X, y)`` outside skorch; return its mechanism.

    ``loss(module, X_batch, y_batch)`` is a batch mean. Each of the ``n_steps`` steps
    draws a Poisson sample of the ``units`` at ``sample_rate`` (a unit of several rows
    takes part with up to ``windows_per_person`` of them, their gradients averaged),
    as :class:`DPNetClassifier` does, the noisy sum divided by ``sample_rate *
    expected_units`` (``None``: the exact number of units; pass a private count for a
    guarantee against adding or removing a unit). ``name`` names the mechanism.

    Returns
    -------
    mechanism : GaussianMechanism
        The steps taken, for a :class:`~skstim.dp.PrivacyAccount`.

    Examples
    --------
    >>> import numpy as np, torch
    >>> net = torch.nn.Linear(3, 1)
    >>> X, y = np.ones((50, 3), np.float32), np.zeros((50, 1), np.float32)
    >>> def mse(module, xb, yb):
    ...     return (module(xb) - yb).pow(2).mean()
    >>> train_private(net, mse, X, y, np.arange(50), noise_multiplier=1.0, n_steps=5,
    ...               sample_rate=0.2, random_state=0).steps
    5
    """
    rng = numpy_generator(random_state)
    generator = torch.Generator().manual_seed(int(rng.integers(2**31 - 1)))
    batches = _PoissonUnitBatches(np.asarray(X), np.asarray(y), units, sample_rate, n_steps,
                                  windows_per_person, rng)
    per_unit = len(np.unique(units)) < len(X)
    expected_units = sample_rate * (len(np.unique(units)) if expected_units is None
                                    else expected_units)
    module.train()
    with private_training(module, torch.optim.Adam(module.parameters(), lr=lr),
                          noise_multiplier, max_grad_norm, expected_units, generator) as optimizer:
        for X_batch, y_batch, unit in batches:
            private_step(module, optimizer, lambda: loss(module, X_batch, y_batch), len(X_batch),
                         unit if per_unit else None)
    return GaussianMechanism(name, float(noise_multiplier), float(sample_rate), int(n_steps))
