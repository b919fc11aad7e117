"""The stimuli file a data holder shares: a pickle-free ``.npz`` with a JSON record.

One file holds the stimuli ``X`` (float32), their labels ``y``, optionally the
teacher's soft labels ``proba``, and ``metadata``: a JSON string stored as a 0-d numpy
unicode array. Everything reads back with ``np.load(path, allow_pickle=False)``, so a
recipient never has to unpickle (run code from) a file received from someone else.

Before writing, :func:`save_stimuli` can check that no stimulus is a copy of a private
training row (the export guard), and it writes atomically: a failed save never leaves a
half-written file, nor changes a file already at the destination.
"""

import json
import os

import numpy as np
from sklearn.utils import Bunch

from ..utils import (
    NotJSON,
    check_input_shape,
    check_output_path,
    read_npz,
    to_json,
    write_atomic,
)
from ._guard import export_guard, show_indices

__all__ = ["save_stimuli", "load_stimuli", "FORMAT", "FORMAT_VERSION"]

FORMAT = "skstim-stimuli"
FORMAT_VERSION = 1
_ON_COPY = ("refuse", "drop")
MAX_METADATA_CHARS = 1_000_000  # a record of aggregates and parameters is a few kB
_PROBA_TOLERANCE = 1e-3  # float32 soft labels sum to 1 within this
# Facts of the file itself: written by save_stimuli whatever the caller's metadata says.
_FILE_FACTS = ("format", "format_version", "n_stimuli", "n_features")


# --------------------------------------------------------------------- validation
def _as_finite_2d(array, name, dtype):
    """A float copy of ``array``: 2-D and finite, or a ValueError naming ``name``."""
    try:
        with np.errstate(over="ignore"):  # an overflow to inf is reported just below
            out = np.array(array, dtype=dtype, copy=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric array; numpy cannot make it {np.dtype(dtype)}: "
                         f"{exc}") from exc
    if out.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (n_samples, n_features), got shape {out.shape}. Flatten each "
            "sample, e.g. X.reshape(len(X), -1)."
        )
    if not np.all(np.isfinite(out)):
        raise ValueError(
            f"{name} holds {int(np.sum(~np.isfinite(out)))} NaN or infinite values "
            f"(after conversion to {np.dtype(dtype)}): remove or repair those rows first."
        )
    return out


def _check_label_array(y, n_samples):
    y = np.array(y, copy=True)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D (n_samples,), got shape {y.shape}.")
    if len(y) != n_samples:
        raise ValueError(
            f"X has {n_samples} rows but y has {len(y)} entries: pass one label per stimulus."
        )
    if y.dtype.kind == "O":
        if not all(isinstance(v, str) for v in y):
            kinds = sorted({type(v).__name__ for v in y if not isinstance(v, str)})
            raise ValueError(
                f"y is an object array holding {kinds} values: stimuli files store numeric or "
                "string labels only (no pickle). Convert y, e.g. y.astype(str) or y.astype(int)."
            )
        y = y.astype(str)
    elif y.dtype.kind not in "biufU":
        raise ValueError(
            f"y has dtype {y.dtype}: stimuli files store numeric or str labels only; convert "
            "y, e.g. y.astype(str) (decode bytes first) or y.astype(int)."
        )
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise ValueError("y holds NaN or infinite labels: every stimulus needs a class label.")
    return y


def _check_metadata(metadata):
    """The caller's metadata as a JSON-ready dict; ValueError naming a bad key."""
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict or None, got {type(metadata).__name__}.")
    record = {}
    for key, value in metadata.items():
        if not isinstance(key, str):
            raise ValueError(f"metadata keys must be str, got {key!r} ({type(key).__name__}).")
        try:
            record[key] = to_json(value, repr([key]))
        except NotJSON as exc:
            raise ValueError(
                f"metadata[{key!r}] is not JSON-serializable: metadata{exc.where} is "
                f"{type(exc.value).__name__} {exc.value!r:.80}. Store numbers, str, bool, None, "
                "lists and dicts of them (numpy arrays and scalars are converted), or a "
                "description string."
            ) from None
    return record


def _check_classes(classes, y, proba):
    if classes is None:
        classes = np.unique(y).tolist()
    elif not isinstance(classes, list) or not classes:
        raise ValueError(
            f"metadata['classes'] must be a non-empty list of labels, got {classes!r}."
        )
    elif len(set(classes)) != len(classes):
        raise ValueError(f"metadata['classes'] holds duplicates: {classes!r}.")
    else:
        unknown = set(np.unique(y).tolist()) - set(classes)
        if unknown:
            raise ValueError(
                f"y holds labels {sorted(map(str, unknown))} that are not in "
                f"metadata['classes'] = {classes!r}: list every class."
            )
    if proba is not None and proba.shape[1] != len(classes):
        raise ValueError(
            f"proba has {proba.shape[1]} columns but there are {len(classes)} classes "
            f"({classes!r}): pass metadata={{'classes': [...]}} listing the class of each "
            "column of proba (e.g. the synthesizer's classes_, as stimuli_metadata does)."
        )
    return classes


def _check_sample_shape(input_shape, n_features, where):
    if input_shape is None:
        return None
    return check_input_shape(
        input_shape, n_features, name=where, ndim=None,
        fix="the product of the shape of one sample must be X.shape[1].")


# --------------------------------------------------------------------------- save
def save_stimuli(path, X, y, proba=None, *, metadata=None, X_train=None, on_copy="refuse"):
    """Write stimuli, their labels and a JSON record to a pickle-free ``.npz`` file.

    The file holds ``X`` (float32, 2-D), ``y`` (1-D, numeric or numpy unicode), optionally
    ``proba`` (float32, ``(n_stimuli, n_classes)``) and ``metadata``: a JSON string in a
    0-d numpy unicode array. It reads back with :func:`load_stimuli`, or with plain numpy:
    ``f = np.load(path, allow_pickle=False)`` then ``json.loads(str(f["metadata"]))``.

    The write is atomic: the file is written to a temporary file in the destination
    directory, then renamed onto ``path``. A failure removes the temporary file, so it
    never leaves a half-written file and never changes a file already at ``path``.

    **Export guard.** A data holder should pass ``X_train``, the private rows the teacher
    was fitted on: every stimulus is then compared with them by :func:`export_guard`
    (shapes, under small time shifts, reversal, sign and amplitude; in the layout of
    ``metadata["input_shape"]`` where given). A stimulus more similar to a private row
    than private rows are to each other is a copy of private data, and is refused
    (``on_copy="refuse"``) or dropped (``on_copy="drop"``). Without ``X_train`` nothing
    is checked and ``metadata["export_guard"]`` is ``None``. Stimuli made under a
    differential-privacy budget (``metadata["differential_privacy"]``) are released
    without the guard: it reads the private rows outside the budget, so ``X_train`` is
    refused with them; the guarantee bounds what any stimulus reveals of one unit.

    Parameters
    ----------
    path : str or os.PathLike
        Destination, ending in ``".npz"``; its directory must exist. A file already there
        is replaced.
    X : array-like of shape (n_stimuli, n_features)
        Stimuli, flat; stored as float32 and must be finite.
    y : array-like of shape (n_stimuli,)
        Labels: numbers, or str (stored as a numpy unicode array).
    proba : array-like of shape (n_stimuli, n_classes) or None, default=None
        Soft labels (e.g. the synthesizer's ``y_proba_``); column ``k`` is the class
        ``metadata["classes"][k]``.
    metadata : dict or None, default=None
        JSON-ready record merged into the file's record, e.g. :func:`stimuli_metadata`
        of the synthesizer. Its keys win over the defaults, except ``"format"``,
        ``"format_version"``, ``"n_stimuli"`` and ``"n_features"`` (facts of the file),
        and ``"export_guard"`` when ``X_train`` is given. ``"classes"`` (default: the
        sorted unique labels of ``y``) must list the class of each column of ``proba``;
        ``"input_shape"``, when given, must multiply to ``n_features``. Numpy arrays and
        scalars and tuples are converted; other values that JSON cannot store raise a
        ValueError naming the key.
    X_train : array-like of shape (n_train, n_features) or None, default=None
        The private training rows, for the export guard. Not stored.
    on_copy : {"refuse", "drop"}, default="refuse"
        What to do with stimuli that are copies of training rows: raise a ValueError and
        write nothing, or leave them out of the file with a :class:`UserWarning`.

    Returns
    -------
    report : dict
        ``path``, ``n_saved``, ``n_dropped``, ``dropped_indices`` (indices into the
        ``X`` passed) and ``threshold`` (``None`` without ``X_train``).

    Notes
    -----
    The record holds ``format``, ``format_version``, ``skstim_version``,
    ``n_stimuli``, ``n_features``, ``classes`` and ``export_guard``, plus the keys of
    ``metadata``. With ``X_train``, ``export_guard`` is the guard's whole record (see
    :func:`export_guard`): the ``threshold`` and what it is made of (two figures of the
    training rows' spacing and spread, the number of training rows with a
    near-duplicate, ``degenerate``, ``quantile``, ``margin``, ``max_shift``),
    ``n_checked``, ``n_dropped``, ``dropped_indices`` and ``min_distance``, the
    smallest distance of a saved stimulus to a training row (in standardized units).
    The guard catches copies and near-copies of single rows; it is no proof of privacy
    (see :mod:`skstim.evaluation` for re-identification and membership inference).

    See Also
    --------
    load_stimuli : read the file back.
    stimuli_metadata : the record of how a synthesizer made the stimuli.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skstim.release import load_stimuli, save_stimuli
    >>> rng = np.random.default_rng(0)
    >>> X_train = rng.normal(size=(50, 12))             # the private rows
    >>> X = 3 * rng.normal(size=(20, 12))               # stimuli, unlike any row
    >>> y = np.array(["normal", "apnea"] * 10)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "stimuli.npz")
    ...     report = save_stimuli(path, X, y, metadata={"input_shape": [3, 4]},
    ...                           X_train=X_train)
    ...     data = load_stimuli(path)
    >>> report["n_saved"], report["n_dropped"], report["threshold"] > 0
    (20, 0, True)
    >>> data.X.dtype, data.input_shape, data.classes.tolist()
    (dtype('float32'), (3, 4), ['apnea', 'normal'])

    A stimulus that copies a training row is refused:

    >>> X[4] = X_train[9]
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     save_stimuli(os.path.join(folder, "stimuli.npz"), X, y, X_train=X_train)
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: 1 of 20 stimuli are copies of rows of X_train ...
    """
    path = check_output_path(path)
    if not isinstance(on_copy, str) or on_copy not in _ON_COPY:
        raise ValueError(
            f"on_copy must be 'refuse' (raise, write nothing) or 'drop' (save the stimuli "
            f"that are not copies), got {on_copy!r}."
        )
    X32 = _as_finite_2d(X, "X", np.float32)
    n_stimuli, n_features = X32.shape
    if n_stimuli == 0:
        raise ValueError("X holds no stimuli (0 rows): there is nothing to save.")
    y = _check_label_array(y, n_stimuli)
    if proba is not None:
        proba = _as_finite_2d(proba, "proba", np.float32)
        if len(proba) != n_stimuli:
            raise ValueError(
                f"proba has {len(proba)} rows but there are {n_stimuli} stimuli: pass one row "
                "of class probabilities per stimulus (or proba=None)."
            )
        _check_distributions(proba, "proba")
    user = _check_metadata(metadata)
    classes = _check_classes(user.pop("classes", None), y, proba)
    _check_sample_shape(user.get("input_shape"), n_features, "metadata['input_shape']")

    keep = np.ones(n_stimuli, dtype=bool)
    guard, threshold = None, None
    if X_train is not None and user.get("differential_privacy"):
        raise ValueError(
            "metadata['differential_privacy'] states a guarantee, but X_train asks for the "
            "export guard, which reads the private rows outside the budget (its drops and "
            "threshold would depend on them): pass X_train=None. DP stimuli need no guard: "
            "the guarantee bounds what any stimulus reveals of one unit.")
    if X_train is not None:
        X_train = _as_finite_2d(X_train, "X_train", np.float64)
        keep, guard = export_guard(X32, X_train, input_shape=user.get("input_shape"),
                                   on_copy=on_copy)
        threshold = guard["threshold"]

    from .. import __version__

    record = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "skstim_version": __version__,
        "n_stimuli": None,
        "n_features": None,
        "classes": classes,
        "export_guard": None,
    }
    record.update(user)
    record.update(format=FORMAT, format_version=FORMAT_VERSION,
                  n_stimuli=int(keep.sum()), n_features=int(n_features))
    if guard is not None:
        record["export_guard"] = guard

    text = json.dumps(record, allow_nan=False)
    if len(text) > MAX_METADATA_CHARS:
        raise ValueError(f"metadata holds {len(text):,} characters as JSON, more than "
                         f"{MAX_METADATA_CHARS:,}: a stimuli file's record is for aggregates "
                         "and parameters, not data.")
    arrays = {"X": X32[keep], "y": y[keep], "metadata": np.array(text)}
    if proba is not None:
        arrays["proba"] = proba[keep]
    write_atomic(path, lambda handle: np.savez_compressed(handle, **arrays))

    dropped = np.flatnonzero(~keep).tolist()
    return {"path": path, "n_saved": int(keep.sum()), "n_dropped": len(dropped),
            "dropped_indices": dropped, "threshold": threshold}


# --------------------------------------------------------------------------- load
def _check_loaded_classes(classes, y, damaged):
    """The record's classes: a non-empty list without duplicates that holds every label."""
    if not isinstance(classes, list) or not classes:
        raise ValueError(f"{damaged}: metadata['classes'] must be a non-empty list, got "
                         f"{classes!r:.200}.")
    if len({json.dumps(c) for c in classes}) != len(classes):
        raise ValueError(f"{damaged}: metadata['classes'] holds duplicates: {classes!r:.200}.")
    if y.dtype.kind not in "biufU":
        raise ValueError(f"{damaged}: y has dtype {y.dtype}; labels are numbers or strings.")
    unknown = set(np.unique(y).tolist()) - set(classes)
    if unknown:
        raise ValueError(f"{damaged}: y holds labels {sorted(map(str, unknown))[:10]} that "
                         f"metadata['classes'] = {classes!r:.200} does not list.")
    return classes


def _check_loaded_values(X, proba, n_classes, damaged):
    """Finite stimuli, and probabilities: one column per class, each row a distribution."""
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{damaged}: X holds {int(np.sum(~np.isfinite(X)))} NaN or infinite "
                         "values.")
    if proba is None:
        return
    if proba.ndim != 2 or len(proba) != len(X) or proba.dtype.kind != "f":
        raise ValueError(f"{damaged}: proba has shape {proba.shape} and dtype {proba.dtype} "
                         f"for {len(X)} stimuli; it must be 2-D float, one row per stimulus.")
    if proba.shape[1] != n_classes:
        raise ValueError(f"{damaged}: proba has {proba.shape[1]} columns but "
                         f"metadata['classes'] lists {n_classes} classes.")
    _check_distributions(proba, f"{damaged}: proba")


def _check_distributions(proba, where):
    """Raise unless every row of ``proba`` is finite, in [0, 1] and sums to 1."""
    bad = ~np.isfinite(proba).all(axis=1) | (proba < 0).any(axis=1) | (proba > 1).any(axis=1) \
        | (np.abs(proba.sum(axis=1, dtype=np.float64) - 1.0) > _PROBA_TOLERANCE)
    if bad.any():
        raise ValueError(f"{where} rows {show_indices(np.flatnonzero(bad))} are not probabilities "
                         "(each must be finite, in [0, 1] and sum to 1).")


def load_stimuli(path, *, return_X_y=False):
    """Read a stimuli file written by :func:`save_stimuli`, without pickle.

    The file is checked: it must carry the skstim stimuli format marker and the arrays
    ``X`` and ``y``, and its shapes must agree (rows of ``X``, ``y`` and ``proba``,
    columns of ``proba`` and ``metadata["classes"]``, ``metadata["input_shape"]`` and the
    features of ``X``), so that a damaged or tampered file raises a ValueError.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.npz`` file.
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``X`` (n_stimuli, n_features) float32, ``y`` (n_stimuli,), ``proba``
        (n_stimuli, n_classes) float32 or None, ``metadata`` (dict), ``input_shape``
        (tuple of int, or None when the record has none) and ``classes`` (ndarray).
    (X, y) : tuple
        When ``return_X_y=True``.

    See Also
    --------
    save_stimuli : write the file.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from skstim.release import load_stimuli, save_stimuli
    >>> X, y = np.zeros((4, 6)), np.array([0, 1, 1, 0])
    >>> proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.3, 0.7], [0.6, 0.4]])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "stimuli.npz")
    ...     _ = save_stimuli(path, X, y, proba, metadata={"input_shape": (2, 3)})
    ...     data = load_stimuli(path)
    ...     X_s, y_s = load_stimuli(path, return_X_y=True)
    >>> data.proba.shape, data.input_shape, data.metadata["format"], y_s.tolist()
    ((4, 2), (2, 3), 'skstim-stimuli', [0, 1, 1, 0])
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}.")
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No stimuli file at {path!r}: check the path (a .npz written "
                                "by skstim.release.save_stimuli).")
    not_ours = f"{path!r} is not a skstim stimuli file (a .npz written by save_stimuli)"
    try:
        arrays = read_npz(path, names=("X", "y", "proba", "metadata"),
                          max_bytes={"metadata": 4 * MAX_METADATA_CHARS + 1024})
    except ValueError as exc:
        raise ValueError(f"{not_ours}: {exc}.") from None
    if "metadata" not in arrays:
        raise ValueError(f"{not_ours}: it has no 'metadata' entry.")

    raw = arrays["metadata"]
    if raw.ndim == 0 and raw.dtype.kind == "U" and len(str(raw)) > MAX_METADATA_CHARS:
        raise ValueError(f"{not_ours}: its 'metadata' holds more than {MAX_METADATA_CHARS:,} "
                         "characters.")
    if raw.ndim != 0 or raw.dtype.kind != "U":
        raise ValueError(f"{not_ours}: its 'metadata' is not a JSON string.")
    try:
        metadata = json.loads(str(raw))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{not_ours}: its 'metadata' is not valid JSON ({exc}).") from exc
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise ValueError(f"{not_ours}: its metadata lacks the format marker "
                         f"'format': {FORMAT!r}.")
    version = metadata.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(f"{path!r} has an invalid format_version {version!r}.")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{path!r} has format_version {version}, written by a newer skstim "
            f"({metadata.get('skstim_version')}); this one reads version {FORMAT_VERSION}: "
            "upgrade skstim."
        )

    damaged = f"{path!r} is damaged or was modified"
    for name in ("X", "y"):
        if name not in arrays:
            raise ValueError(f"{damaged}: it has no {name!r} array.")
    X, y, proba = arrays["X"], arrays["y"], arrays.get("proba")
    if X.ndim != 2 or X.dtype.kind != "f":
        raise ValueError(f"{damaged}: X must be a 2-D float array, got {X.dtype} of shape "
                         f"{X.shape}.")
    if y.ndim != 1:
        raise ValueError(f"{damaged}: y must be 1-D, got shape {y.shape}.")
    if len(X) != len(y):
        raise ValueError(f"{damaged}: X has {len(X)} rows but y has {len(y)} entries.")
    for key, actual in (("n_stimuli", len(X)), ("n_features", X.shape[1])):
        if key in metadata and metadata[key] != actual:
            raise ValueError(f"{damaged}: metadata['{key}'] is {metadata[key]!r} but X has "
                             f"{actual}.")
    classes = _check_loaded_classes(metadata.get("classes"), y, damaged)
    _check_loaded_values(X, proba, len(classes), damaged)
    input_shape = _check_sample_shape(metadata.get("input_shape"), X.shape[1],
                                     f"{damaged}: metadata['input_shape']")
    if return_X_y:
        return X, y
    return Bunch(X=X, y=y, proba=proba, metadata=metadata, input_shape=input_shape,
                 classes=np.asarray(classes))
