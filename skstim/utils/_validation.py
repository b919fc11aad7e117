"""Checks of the inputs shared by estimators, networks, files and the command line."""

import numbers
import os

import numpy as np
from sklearn.utils.validation import column_or_1d

__all__ = ["check_input_shape", "check_same_length", "check_groups", "allocate", "available_memory",
           "check_fits_in_memory"]


def check_input_shape(input_shape, n_features=None, *, name="input_shape", data="X", fix=None,
                      ndim=2, error=ValueError):
    """The shape of one sample as a tuple of positive ints that multiply to ``n_features``.

    Parameters
    ----------
    input_shape : sequence of int or None
        ``(n_channels, n_times)``; ``None`` means ``(1, n_features)``.
    n_features : int or None, default=None
        Features of the flat data; ``None`` checks the shape alone (and refuses ``None``).
    name : str, default="input_shape"
        How the error names the parameter.
    data : str, default="X"
        How the error names the data.
    fix : str or None, default=None
        What the error tells the user to do when the shape does not match the data.
    ndim : int or None, default=2
        Entries of the shape; ``None`` accepts any number.
    error : exception class, default=ValueError
        Raised for a bad shape.

    Returns
    -------
    shape : tuple of int

    Examples
    --------
    >>> check_input_shape((4, 60), 240), check_input_shape(None, 12)
    ((4, 60), (1, 12))
    >>> check_input_shape((4, 50), 240)
    Traceback (most recent call last):
    ...
    ValueError: input_shape=(4, 50) does not match X with 240 features: pass input_shape=(n_channels, n_times) with n_channels * n_times == 240, or input_shape=None for (1, 240).
    """
    if input_shape is None:
        if n_features is None:
            raise error(f"{name} is None: pass {name}=(n_channels, n_times), or let "
                        "StimulusSynthesizer set it from the data.")
        return (1, int(n_features))
    entries = "two" if ndim == 2 else "one or more" if ndim is None else str(ndim)
    try:
        shape = tuple(input_shape)
    except TypeError:
        shape = ()
    if not shape or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool)
                            and v >= 1 for v in shape):
        raise error(f"{name} must hold {entries} positive integers (n_channels, n_times), "
                    f"got {input_shape!r}.")
    shape = tuple(int(v) for v in shape)
    wrong_length = ndim is not None and len(shape) != ndim
    if n_features is not None and (wrong_length or int(np.prod(shape)) != n_features):
        if fix is None:
            fix = (f"pass {name}=(n_channels, n_times) with n_channels * n_times == {n_features}, "
                   f"or {name}=None for (1, {n_features}).")
        raise error(f"{name}={shape} does not match {data} with {n_features} features: {fix}")
    if wrong_length:
        raise error(f"{name} must hold {entries} positive integers (n_channels, n_times), "
                    f"got {input_shape!r}.")
    return shape


def check_same_length(**arrays):
    """Raise a ValueError naming the arrays unless they all have the same number of rows.

    Examples
    --------
    >>> check_same_length(X=np.zeros((3, 2)), y=np.zeros(2))
    Traceback (most recent call last):
    ...
    ValueError: X, y must have the same number of rows (one per sample); got {'X': 3, 'y': 2}.
    """
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"{', '.join(lengths)} must have the same number of rows (one per "
                         f"sample); got {lengths}.")


def check_groups(groups, n_samples):
    """``groups`` as a 1-D array of ``n_samples`` subject ids, or None; a clear error otherwise.

    Examples
    --------
    >>> check_groups([1, 1, 2], 3).tolist()
    [1, 1, 2]
    >>> check_groups([1, 2], 3)
    Traceback (most recent call last):
    ...
    ValueError: groups has 2 entries but X has 3 rows: pass the subject of every sample.
    """
    if groups is None:
        return None
    groups = column_or_1d(groups, warn=True)
    if len(groups) != n_samples:
        raise ValueError(f"groups has {len(groups)} entries but X has {n_samples} rows: pass "
                         "the subject of every sample.")
    return groups


def allocate(n, prior):
    """Per-class counts summing to ``n``, proportional to ``prior`` (largest remainder).

    Examples
    --------
    >>> allocate(10, [0.5, 0.3, 0.2]).tolist(), allocate(3, [0.5, 0.5]).tolist()
    ([5, 3, 2], [2, 1])
    """
    exact = n * np.asarray(prior, dtype=float)
    counts = np.floor(exact).astype(int)
    counts[np.argsort(counts - exact)[: n - counts.sum()]] += 1
    return counts


def available_memory():
    """Bytes of physical memory available now, or None where the system does not say."""
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def check_fits_in_memory(n_bytes, what, fix):
    """Raise a MemoryError naming ``what`` and ``fix`` unless ``n_bytes`` fit in memory now.

    Examples
    --------
    >>> check_fits_in_memory(1024, "a small array", "make it smaller")
    >>> check_fits_in_memory(2 ** 70, "a huge array", "make it smaller")
    Traceback (most recent call last):
    ...
    MemoryError: a huge array would need 1,099,511,627,776 GiB ...
    """
    available = available_memory()
    if available is not None and n_bytes > available:
        raise MemoryError(
            f"{what} would need {n_bytes / 2 ** 30:,.0f} GiB of memory, and "
            f"{available / 2 ** 30:,.1f} GiB are available: {fix}. Nothing was computed."
        )
