"""Input tables of the ``skstim`` command (``.npz`` archives and ``.csv`` files) and the
option values that describe them.

Everything here raises :class:`~skstim.cli._errors.InputError` for input the user has to
fix (a missing file, an unknown format, a missing column, a non-numeric or missing value);
the command prints its message and exits with code 2, without a traceback.
"""

import csv
import os

import numpy as np
from sklearn.utils import Bunch

from ..utils import check_input_shape, read_npz
from ._errors import InputError

__all__ = ["parse_input_shape", "parse_n_stimuli", "parse_stimuli_per_row", "read_table",
           "resolve_input_shape"]

_SHOWN = 20  # column or array names listed in an error message


def _names(names):
    """Names for an error message, quoted; a long list shows its first and last ones."""
    names = [repr(str(n)) for n in names]
    if not names:
        return "none"
    if len(names) <= _SHOWN:
        return ", ".join(names)
    # the first and the last ones: label and id columns usually sit at either end
    return (f"{', '.join(names[:_SHOWN - 6])}, ..., {', '.join(names[-6:])} "
            f"({len(names)} in all)")


# ------------------------------------------------------------------ option values
def parse_input_shape(text):
    """``"C,T"`` (or ``"CxT"``) as a pair of positive ints.

    Examples
    --------
    >>> parse_input_shape("4,60"), parse_input_shape("1x240")
    ((4, 60), (1, 240))
    """
    parts = str(text).lower().replace("x", ",").split(",")
    try:
        shape = tuple(int(p.strip()) for p in parts)
    except ValueError:
        shape = ()
    if len(shape) != 2 or min(shape) < 1:
        raise InputError(
            f"--input-shape must be two positive integers C,T (channels, time steps per "
            f"channel), e.g. --input-shape 4,60; got {text!r}."
        )
    return shape


def parse_n_stimuli(text):
    """A count of stimuli: a positive integer (``"500"``).

    A decimal is refused with the option that takes a multiple of the rows, so that
    ``4`` (four stimuli) and ``4.0`` (four per row) cannot be confused.

    Examples
    --------
    >>> parse_n_stimuli("500")
    500
    """
    text = str(text).strip()
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < 1:
        raise InputError(
            f"--n-stimuli is a count of stimuli, a positive integer (e.g. 500); got {text!r}. "
            "For a multiple of the number of input rows, use --stimuli-per-row (e.g. "
            "--stimuli-per-row 1.5)."
        )
    return value


def parse_stimuli_per_row(text):
    """A positive finite number: stimuli per input row (``"1.5"``).

    Examples
    --------
    >>> parse_stimuli_per_row("1.5"), parse_stimuli_per_row("4")
    (1.5, 4.0)
    """
    try:
        value = float(str(text).strip())
    except ValueError:
        value = None
    if value is None or not np.isfinite(value) or value <= 0:
        raise InputError(
            f"--stimuli-per-row must be a positive number (stimuli per input row, e.g. 1.5); "
            f"got {text!r}."
        )
    return value


def resolve_input_shape(input_shape, n_features, source="--input-shape", data="the data"):
    """``input_shape`` checked against ``n_features``; ``None`` gives ``(1, n_features)``.

    Parameters
    ----------
    input_shape : sequence of int or None
        ``(C, T)`` of one row.
    n_features : int
        Feature columns of the data.
    source : str, default="--input-shape"
        Where the shape comes from, as the error names it.
    data : str, default="the data"
        What the shape describes, as the error names it.

    Returns
    -------
    shape : tuple of int

    Raises
    ------
    InputError
        The shape is not two positive integers whose product is ``n_features``; the
        message tells how to pass ``--input-shape``.

    Examples
    --------
    >>> resolve_input_shape(None, 12), resolve_input_shape((3, 4), 12)
    ((1, 12), (3, 4))
    """
    if input_shape is not None:
        input_shape = tuple(int(v) for v in input_shape)
    return check_input_shape(
        input_shape, n_features, name=source, data=data, error=InputError,
        fix=f"C * T must equal the number of feature columns; pass --input-shape C,T "
            f"(e.g. --input-shape 1,{n_features}).")


# -------------------------------------------------------------------------- values
# Texts that spreadsheets, pandas and R write for a missing value: never a class or a person.
MISSING = ("", "na", "n/a", "nan", "-nan", "null", "none", "<na>", "nat", "#n/a")


def _check_not_missing(values, what, where):
    """InputError if a text of ``values`` marks a missing value; ``where(i)`` names row i."""
    missing = np.isin(np.char.lower(np.char.strip(np.asarray(values, dtype=str))), MISSING)
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise InputError(
            f"{what} has a missing value ({str(values[row])!r}) at {where(row)} "
            f"({int(missing.sum())} row(s) in all): every row needs one; remove or label "
            f"those rows first. Empty, {', '.join(repr(m) for m in MISSING[1:])} (in any case) "
            "are missing values, never a class or a subject.")


def _whole_numbers(values, what, where, labels):
    """Float ``values`` as int64 where all are whole numbers; else, for ``labels``, an
    InputError naming the first other one (for subject ids, ``values`` unchanged)."""
    whole = np.isfinite(values) & (np.mod(values, 1) == 0) & (np.abs(values) < 2**63)
    if whole.all():
        return values.astype(np.int64)
    if labels:
        row = int(np.flatnonzero(~whole)[0])
        raise InputError(
            f"{what} holds {float(values[row]):g} at {where(row)}, a number that is not "
            "whole: class labels are integers or names (whole numbers written as floats, "
            "e.g. 1.0, are read as integers). Is this the label column (--label-column)? Else "
            "relabel the classes as integers or names.")
    return values


def _as_labels(values, what, where, labels=True):
    """Labels (or, ``labels=False``, subject ids) read as text: missing values refused, then
    ints if all are whole numbers, else (labels refused) floats, else str."""
    values = np.asarray(values, dtype=str)
    _check_not_missing(values, what, where)
    try:
        return np.array([int(v) for v in values])
    except ValueError:
        pass
    try:
        converted = np.array([float(v) for v in values])
    except ValueError:
        return values
    return _whole_numbers(converted, what, where, labels)


def _check_labels(values, what, where, labels=True):
    """The labels (or subject ids) of an npz checked as :func:`_as_labels` reads a csv's."""
    if values.dtype.kind == "U":
        _check_not_missing(values, what, where)
    elif values.dtype.kind == "f":
        values = _whole_numbers(values, what, where, labels)
    return values


def _check_1d(values, name, n_rows, what):
    """``values`` checked as one finite number or string per row of X."""
    if values.ndim != 1:
        raise InputError(f"{what} {name!r} must be 1-D (one entry per row), got shape "
                         f"{values.shape}.")
    if len(values) != n_rows:
        raise InputError(f"{what} {name!r} has {len(values)} entries but X has {n_rows} rows: "
                         "one entry per row is needed.")
    if values.dtype.kind == "f" and not np.all(np.isfinite(values)):
        row = int(np.flatnonzero(~np.isfinite(values))[0])
        raise InputError(f"{what} {name!r} has a missing value (NaN) at row {row}: every row "
                         "needs one.")
    if values.dtype.kind not in "biufU":
        raise InputError(f"{what} {name!r} has dtype {values.dtype}: store numbers or strings.")
    return values


def _check_named(path, names, kind, label_column, group_column, label_hint=""):
    """InputError unless ``names`` (the arrays or columns of ``path``) hold the label
    column and the group column (where one is named); ``kind`` is "array" or "column"."""
    if label_column not in names:
        raise InputError(
            f"{path!r} has no label {kind} {label_column!r}; its {kind}s are {_names(names)}. "
            f"Pass --label-column NAME{label_hint}."
        )
    if group_column is not None and group_column not in names:
        raise InputError(
            f"{path!r} has no group {kind} {group_column!r} (--group-column); its {kind}s are "
            f"{_names(names)}."
        )


def _check_finite(X, holds, column):
    """InputError unless every value of ``X`` is finite and fits the networks' float32.

    The message is ``holds(n_bad, row, column)`` (the count of NaN or infinite values and
    the place of the first), then what to do. A finite value so large that float32 (the
    networks' precision) or standardizing a feature overflows is refused too, naming
    ``column(j)``.
    """
    bad = ~np.isfinite(X)
    if bad.any():
        row, col = (int(v) for v in np.argwhere(bad)[0])
        raise InputError(f"{holds(int(bad.sum()), row, col)}: remove or repair those rows first.")
    with np.errstate(over="ignore", invalid="ignore"):
        X32 = X.astype(np.float32)
        # what standardizing computes: float32 values, their spread and sum of squares
        fits = (np.isfinite(X32).all(axis=0) & np.isfinite(X32.std(axis=0))
                & np.isfinite(np.square(X32).sum(axis=0)))
    if not fits.all():
        col = int(np.flatnonzero(~fits)[0])
        largest = float(np.abs(X[:, col]).max())
        raise InputError(
            f"{column(col)} holds values as large as {largest:.3g}: standardizing the "
            "features overflows at that size (skstim computes in float32, up to about "
            "3.4e38, squares included). Rescale the data (e.g. change the unit) first.")


# ---------------------------------------------------------------------------- npz
def _read_npz(path, label_column, group_column):
    """The table in the ``.npz`` archive at ``path``, read without pickle."""
    try:
        arrays = read_npz(path)
    except ValueError as exc:
        raise InputError(f"cannot read {path!r}: {exc}. A table is an .npz archive with arrays "
                         "'X' and 'y', written e.g. with numpy.savez(path, X=X, y=y, "
                         "groups=groups).") from None
    files = list(arrays)
    if "X" not in files:
        raise InputError(f"{path!r} has no array 'X' (the features, 2-D); its arrays are "
                         f"{_names(files)}.")
    label_key = label_column if label_column is not None else "y"
    _check_named(path, files, "array", label_key, group_column,
                 label_hint=" to name the array holding the labels")
    if group_column is None and "groups" in files:
        group_column = "groups"
    X, y = arrays["X"], arrays[label_key]
    groups = None if group_column is None else arrays[group_column]
    shape = arrays.get("input_shape")

    if X.ndim != 2:
        raise InputError(
            f"X in {path!r} must be 2-D (n_rows, n_channels * n_times), got shape {X.shape}: "
            "flatten each sample, e.g. X.reshape(len(X), -1), and pass --input-shape C,T."
        )
    if X.dtype.kind not in "biuf":
        raise InputError(f"X in {path!r} has dtype {X.dtype}: the features must be numeric.")
    X = X.astype(np.float64)
    _check_finite(X, lambda n, row, col: f"X in {path!r} holds {n} NaN or infinite values "
                                         f"(first at row {row}, column {col})",
                  lambda col: f"column {col} of X in {path!r}")
    y = _check_labels(_check_1d(y, label_key, len(X), "label array"),
                      f"label array {label_key!r}", lambda row: f"row {row}")
    if groups is not None:
        groups = _check_labels(_check_1d(groups, group_column, len(X), "group array"),
                               f"group array {group_column!r}", lambda row: f"row {row}",
                               labels=False)
    if shape is not None:
        shape = shape.ravel()
        if shape.dtype.kind not in "iu" or len(shape) != 2:
            raise InputError(f"input_shape in {path!r} must hold two integers (C, T), got "
                             f"{shape.tolist()}.")
        shape = tuple(int(v) for v in shape)
    return Bunch(X=X, y=y, groups=groups, input_shape=shape,
                 feature_names=None, label_column=label_key, group_column=group_column)


# ---------------------------------------------------------------------------- csv
def _read_csv(path, label_column, group_column):
    """The table in the ``.csv`` file at ``path``: a header row, then data rows."""
    label_column = "label" if label_column is None else label_column
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except UnicodeDecodeError as exc:
        raise InputError(f"{path!r} is not a UTF-8 text file ({exc}).") from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise InputError(f"{path!r} is empty: a csv needs a header row and data rows.")
    header = [name.strip() for name in rows[0]]
    data = rows[1:]
    if not data:
        raise InputError(f"{path!r} has a header row but no data rows.")
    duplicates = sorted({n for n in header if header.count(n) > 1})
    if duplicates:
        raise InputError(f"{path!r} has duplicate column names {_names(duplicates)}: every "
                         "column needs its own name.")
    for line, row in enumerate(data, start=2):
        if len(row) != len(header):
            raise InputError(f"line {line} of {path!r} has {len(row)} fields but the header "
                             f"has {len(header)} columns.")
    _check_named(path, header, "column", label_column, group_column)
    if group_column is None and "groups" in header and label_column != "groups":
        group_column = "groups"
    if group_column == label_column:
        raise InputError(f"--group-column and --label-column both name {label_column!r}: the "
                         "subject ids and the labels must be different columns.")

    columns = list(zip(*data))
    index = {name: i for i, name in enumerate(header)}
    def line(row):
        return f"line {row + 2} of {path!r}"

    y = _as_labels([v.strip() for v in columns[index[label_column]]],
                   f"label column {label_column!r}", line)
    groups = None
    if group_column is not None:
        groups = _as_labels([v.strip() for v in columns[index[group_column]]],
                            f"group column {group_column!r}", line, labels=False)
    feature_names = [n for n in header if n not in (label_column, group_column)]
    if not feature_names:
        raise InputError(f"{path!r} has no feature column: every column other than the label "
                         "and group columns is a feature.")
    X = np.empty((len(data), len(feature_names)))
    for j, name in enumerate(feature_names):
        values = columns[index[name]]
        try:
            X[:, j] = [float(v) if v.strip() else np.nan for v in values]
        except ValueError:
            row = next(i for i, v in enumerate(values) if v.strip() and not _is_float(v))
            raise InputError(
                f"column {name!r} of {path!r} holds the non-numeric value {values[row]!r} at "
                f"line {row + 2}: every column other than the label column "
                f"({label_column!r}) and the group column is a numeric feature. Pass "
                "--label-column / --group-column, or drop the column."
            ) from None
    _check_finite(X, lambda n, row, col: f"{path!r} holds {n} missing, NaN or infinite feature "
                                         f"values (first in column {feature_names[col]!r}, "
                                         f"line {row + 2})",
                  lambda col: f"column {feature_names[col]!r} of {path!r}")
    return Bunch(X=X, y=y, groups=groups, input_shape=None, feature_names=feature_names,
                 label_column=label_column, group_column=group_column)


def _is_float(text):
    """Whether ``float(text)`` reads ``text``."""
    try:
        float(text)
    except ValueError:
        return False
    return True


# ------------------------------------------------------------------------- public
def read_table(path, *, label_column=None, group_column=None, input_shape=None):
    """Read features, labels and optional subject ids from an ``.npz`` or ``.csv`` file.

    ``.npz``: arrays ``X`` (2-D), the labels (``y``, or the array ``label_column``
    names), optionally the subject ids (``groups``, or the array ``group_column``
    names) and ``input_shape``. ``.csv``: a header row; the label column
    (``label_column``, default ``"label"``), optionally a group column
    (``group_column``; by default a column named ``"groups"`` if there is one); every
    other column is a numeric feature. Labels and group ids read from a csv are ints
    when they all are whole numbers (``1`` or ``1.0``), else strings; labels that are
    other numbers (``0.5``) are refused (group ids stay floats), and so are labels and
    group ids that mark a missing value (empty, ``NA``, ``N/A``, ``null``, ``none``,
    ``nan``, ... in any case; see ``MISSING``). The same holds for an npz's arrays.

    Parameters
    ----------
    path : str
        The file; its extension picks the format.
    label_column : str or None, default=None
        Label column or array; ``None`` is ``"label"`` (csv) or ``"y"`` (npz).
    group_column : str or None, default=None
        Subject-id column or array; ``None`` uses ``"groups"`` where present.
    input_shape : tuple of int or None, default=None
        ``(C, T)`` of one row; overrides the npz's ``input_shape``; ``None`` and no
        stored shape give ``(1, n_features)``.

    Returns
    -------
    table : :class:`~sklearn.utils.Bunch`
        ``X`` (float64, 2-D), ``y``, ``groups`` (or None), ``input_shape``,
        ``feature_names`` (csv), ``label_column``, ``group_column``.

    Raises
    ------
    InputError
        With a message for the user (a missing file, an unknown extension, a missing
        column, a non-numeric or missing value, a label that is not whole, a value so
        large that standardizing overflows, a shape that does not fit).

    Examples
    --------
    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "data.csv")
    ...     with open(path, "w") as f:
    ...         _ = f.write("a,b,label,groups\\n1,2,apnea,7\\n3,4,normal,8\\n")
    ...     t = read_table(path)
    >>> t.X.tolist(), t.y.tolist(), t.groups.tolist(), t.input_shape
    ([[1.0, 2.0], [3.0, 4.0]], ['apnea', 'normal'], [7, 8], (1, 2))
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise InputError(f"no file at {path!r}: check the path.")
    if os.path.isdir(path):
        raise InputError(f"{path!r} is a directory, not a file.")
    extension = os.path.splitext(path)[1].lower()
    if extension == ".npz":
        table = _read_npz(path, label_column, group_column)
    elif extension == ".csv":
        table = _read_csv(path, label_column, group_column)
    else:
        raise InputError(
            f"{path!r} has the extension {extension or '(none)'!r}; skstim reads .npz (arrays "
            "X, y, optional groups and input_shape) and .csv (a header row, a label column, "
            "feature columns) files."
        )
    if input_shape is not None:
        table.input_shape = resolve_input_shape(input_shape, table.X.shape[1])
    else:
        table.input_shape = resolve_input_shape(table.input_shape, table.X.shape[1],
                                                source="input_shape", data=f"X of {path!r}")
    return table
