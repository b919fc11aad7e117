"""Who stands behind a class aggregate: equal weight per person, and floors on the support."""

import warnings
from dataclasses import dataclass

import numpy as np
import torch

__all__ = ["ClassSupport", "SupportFloorWarning", "class_support"]


class SupportFloorWarning(UserWarning):
    """A class has too few people or rows behind it for class-specific aggregates."""


@dataclass
class ClassSupport:
    """Weights and floors of the class aggregates the synthesizer takes from private data.

    Every class aggregate (the start's statistics, the class activation statistics)
    is a weighted mean over the class's rows in which each person weighs the same:
    a person's rows in a class share one unit of weight, so that a person with many
    windows does not own the mean or a principal direction. A class whose support
    (people, where ``groups`` is known, and rows) is below the floors gets no
    class-specific aggregate: it uses the pooled aggregate of all classes, each
    person again weighing the same; where the pool is below the floors too, the
    start is white noise and the activation statistics are the teacher's running
    statistics (averages over all training rows, part of the teacher).

    Attributes
    ----------
    class_weights : torch.Tensor of shape (n_samples,)
        Weight of each row in its class's aggregate; each class's weights sum to 1.
    pool_weights : torch.Tensor of shape (n_samples,)
        Weight of each row in the pooled aggregate; they sum to 1.
    n_people : ndarray of shape (n_classes,)
        People (rows where ``groups`` is unknown) behind each class.
    n_rows : ndarray of shape (n_classes,)
        Rows of each class.
    supported : ndarray of bool, shape (n_classes,)
        Classes that meet both floors and get class-specific aggregates.
    pool_people, pool_rows : int
        Support of the pooled aggregate.
    pool_supported : bool
        Whether the pooled aggregate meets both floors.
    """

    class_weights: torch.Tensor
    pool_weights: torch.Tensor
    n_people: np.ndarray
    n_rows: np.ndarray
    supported: np.ndarray
    pool_people: int
    pool_rows: int
    pool_supported: bool

    def source(self, c):
        """Where class ``c``'s aggregates come from: ``"class"``, ``"pooled"`` or ``"none"``."""
        if self.supported[c]:
            return "class"
        return "pooled" if self.pool_supported else "none"


def _unit_weights(units):
    """Weight 1 / (rows of the row's unit), normalized to sum to 1."""
    _, index, counts = np.unique(units, return_inverse=True, return_counts=True)
    weights = 1.0 / counts[index]
    return weights / weights.sum(), len(counts)


def class_support(targets, n_classes, groups=None, *, min_people=5, min_rows=20, warn=True,
                  class_names=None):
    """Weights and floors of the class aggregates of rows with class ``targets``.

    Parameters
    ----------
    targets : array-like of int, shape (n_samples,)
        Class index of each row.
    n_classes : int
        Number of classes.
    groups : array-like of shape (n_samples,) or None, default=None
        Person of each row; ``None`` counts each row as its own person (the
        people floor then binds the rows).
    min_people : int, default=5
        Fewest people behind a class-specific aggregate.
    min_rows : int, default=20
        Fewest rows behind a class-specific aggregate.
    warn : bool, default=True
        Emit a :class:`SupportFloorWarning` for each class below the floors.
    class_names : sequence or None, default=None
        Class labels for the warnings (default: the class indices).

    Returns
    -------
    support : ClassSupport

    Examples
    --------
    >>> import numpy as np
    >>> targets = np.array([0] * 30 + [1] * 3)
    >>> groups = np.arange(33) % 6
    >>> s = class_support(targets, 2, groups, warn=False)
    >>> s.supported.tolist(), s.n_people.tolist(), s.source(1)
    ([True, False], [6, 3], 'pooled')
    """
    targets = np.asarray(targets)
    units = np.arange(len(targets)) if groups is None else np.asarray(groups)
    class_weights = np.zeros(len(targets))
    n_people = np.zeros(n_classes, dtype=int)
    n_rows = np.bincount(targets, minlength=n_classes)[:n_classes]
    for c in range(n_classes):
        rows = targets == c
        if rows.any():
            class_weights[rows], n_people[c] = _unit_weights(units[rows])
    pool_weights, pool_people = _unit_weights(units) if len(units) else (np.zeros(0), 0)
    supported = (n_people >= min_people) & (n_rows >= min_rows)
    pool_supported = bool(pool_people >= min_people and len(targets) >= min_rows)
    support = ClassSupport(
        torch.as_tensor(class_weights, dtype=torch.float32),
        torch.as_tensor(pool_weights, dtype=torch.float32), n_people, n_rows, supported,
        int(pool_people), len(targets), pool_supported)
    if warn:
        names = list(range(n_classes)) if class_names is None else list(class_names)
        _warn_below_floors(support, min_people, min_rows, groups is not None, names)
    return support


def without_floors(targets, n_classes):
    """Support without floors, each row its own person (for calls that give none).

    A class without rows gets nothing from the data (no pooled fallback), as before
    floors existed.
    """
    targets = targets.cpu().numpy() if isinstance(targets, torch.Tensor) else targets
    support = class_support(targets, n_classes, min_people=1, min_rows=1, warn=False)
    support.pool_supported = False
    return support


def _warn_below_floors(support, min_people, min_rows, by_person, names):
    for c in np.flatnonzero(~support.supported):
        fallback = ("the pooled aggregates of all classes" if support.pool_supported else
                    "white noise and the teacher's running statistics (averages over all "
                    "training rows, learned with the teacher)")
        who = (f"{support.n_people[c]} people and {support.n_rows[c]} rows" if by_person else
               f"{support.n_rows[c]} rows (without groups each row counts as a person)")
        warnings.warn(
            f"Class {names[c]!r} has {who}, below the support floors (min_class_people="
            f"{min_people}, min_class_rows={min_rows}): its start and activation statistics "
            f"use {fallback}, so that no class aggregate stands for too few people. Lower "
            "the floors only where the class's people may be identified.",
            SupportFloorWarning, stacklevel=4)
