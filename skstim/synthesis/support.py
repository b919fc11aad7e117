"""Who stands behind a class aggregate: equal weight per person, and floors on the support."""

import warnings
from dataclasses import dataclass

import numpy as np
import torch

__all__ = ["ClassSupport", "SupportFloorWarning", "FewPeopleStartWarning", "class_support",
           "warn_few_people_for_directions"]


class SupportFloorWarning(UserWarning):
    """A class has too few people or rows behind it for class-specific aggregates."""


class FewPeopleStartWarning(UserWarning):
    """A class start takes its principal directions from few people, just above the floor."""


@dataclass
class ClassSupport:
    """Weights and floors of the class aggregates the synthesizer takes from private data.

    Every class aggregate (the start's statistics, the class activation statistics)
    is a weighted mean over the class's rows in which each person weighs the same:
    a person's rows in a class share one unit of weight, so that a person with many
    windows does not own the mean or a principal direction (``max_person_share`` of
    :func:`class_support` relaxes this to a cap). A class whose support
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


def _capped_shares(counts, max_share):
    """Shares proportional to ``counts``, none above ``max_share / len(counts)``.

    The excess of a capped unit is handed to the others in proportion to their counts
    (water-filling), so the shares still sum to 1; ``max_share=1`` gives equal shares,
    ``None`` the plain proportions.
    """
    shares = counts / counts.sum()
    if max_share is None:
        return shares
    cap = max_share / len(counts)
    capped = np.zeros(len(counts), dtype=bool)
    while True:
        over = ~capped & (shares > cap * (1 + 1e-12))
        if not over.any():
            return shares
        capped |= over
        free = counts[~capped]
        shares = np.where(capped, cap, 0.0)
        if free.size:
            shares[~capped] = (1.0 - cap * capped.sum()) * free / free.sum()


def _unit_weights(units, max_share=1.0):
    """Row weights summing to 1: each unit's share (see :func:`_capped_shares`) split
    evenly among its rows; the number of units."""
    _, index, counts = np.unique(units, return_inverse=True, return_counts=True)
    shares = _capped_shares(counts.astype(float), max_share)
    return shares[index] / counts[index], len(counts)


def class_support(targets, n_classes, groups=None, *, min_people=10, min_rows=20,
                  max_person_share=1.0, warn=True, class_names=None):
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
    min_people : int, default=10
        Fewest people behind a class-specific aggregate.
    min_rows : int, default=20
        Fewest rows behind a class-specific aggregate.
    max_person_share : float >= 1 or None, default=1.0
        Largest weight one person holds in an aggregate, as a multiple of the equal
        share (1 / people): ``1.0`` weighs every person the same; ``2.0`` weighs the
        rows as they come except that no person holds more than twice the equal share
        (the excess goes to the others in proportion to their rows); ``None`` weighs
        the rows as they come.
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
    >>> groups = np.arange(33) % 12
    >>> s = class_support(targets, 2, groups, warn=False)
    >>> s.supported.tolist(), s.n_people.tolist(), s.source(1)
    ([True, False], [12, 3], 'pooled')
    """
    targets = np.asarray(targets)
    units = np.arange(len(targets)) if groups is None else np.asarray(groups)
    class_weights = np.zeros(len(targets))
    n_people = np.zeros(n_classes, dtype=int)
    n_rows = np.bincount(targets, minlength=n_classes)[:n_classes]
    for c in range(n_classes):
        rows = targets == c
        if rows.any():
            class_weights[rows], n_people[c] = _unit_weights(units[rows], max_person_share)
    pool_weights, pool_people = (_unit_weights(units, max_person_share) if len(units)
                                 else (np.zeros(0), 0))
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


def warn_few_people_for_directions(support, min_people, class_names=None):
    """Warn, with :class:`FewPeopleStartWarning`, for each start aggregate (a class's own,
    or the pool that classes below the floors use) that meets the people floor but has
    fewer than twice as many people.

    With so few people the principal directions of a class start are close to the
    differences between the people's own windows. In a simulated study of 12 people per
    class (privacy benchmark, "Twelve people") they gave a linkage attack an AUC of 0.72
    against 0.55 for noise, and a start of white noise took every attack back into the
    noise floor's interval for 4.7 points of a student's accuracy.

    Parameters
    ----------
    support : ClassSupport
        Counted with the people of each row (``groups``).
    min_people : int
        The people floor the support was made with.
    class_names : sequence or None, default=None
        Class labels for the warnings (default: the class indices).

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> support = class_support(np.zeros(24, int), 1, np.arange(24) % 12, warn=False)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_few_people_for_directions(support, 10)
    >>> caught[0].category.__name__
    'FewPeopleStartWarning'
    """
    names = list(range(len(support.n_people))) if class_names is None else list(class_names)
    sources = {}
    for c in range(len(support.n_people)):
        source = support.source(c)
        if source != "none":
            sources.setdefault(source if source == "pooled" else c, []).append(names[c])
    for key, classes in sources.items():
        people = support.pool_people if key == "pooled" else int(support.n_people[key])
        if people < 2 * min_people:
            which = (f"Class {classes[0]!r}'s start" if key != "pooled" else
                     f"The pooled start of classes {classes}")
            warnings.warn(
                f"{which} takes up to {people - 1} principal directions from {people} people, "
                f"fewer than twice min_class_people={min_people}: with so few people they are "
                "close to the people's own windows, and with 12 people per class they let a "
                "linkage attack tell who was in the study (AUC 0.72 against 0.55 for noise; "
                "docs/benchmarks/privacy.md, 'Twelve people'). Where these people's anonymity "
                "matters more than a few points of accuracy, pass init='noise' (or "
                "init_rank=1).", FewPeopleStartWarning, stacklevel=4)


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
