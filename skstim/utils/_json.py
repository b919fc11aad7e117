"""Plain JSON values from numpy scalars and arrays, tuples and dicts."""

from numbers import Integral, Real

import numpy as np

__all__ = ["NotJSON", "to_json", "describe", "json_or_description"]


class NotJSON(TypeError):
    """A value that has no JSON form; ``where`` locates it, e.g. ``['a'][0]``."""

    def __init__(self, where, value):
        self.where, self.value = where, value
        super().__init__(where)


def to_json(value, where=""):
    """``value`` with numpy scalars and arrays, tuples and dicts made plain JSON types.

    Raises :class:`NotJSON` for anything else, and for non-finite floats (JSON has no
    NaN or infinity).
    """
    if value is None or isinstance(value, (bool, str)):
        return str(value) if isinstance(value, np.str_) else value
    if isinstance(value, np.generic):
        return to_json(value.item(), where)
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        if not np.isfinite(value):
            raise NotJSON(where, value)
        return float(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufU":
            raise NotJSON(where, value)
        return to_json(value.tolist(), where)
    if isinstance(value, (list, tuple)):
        return [to_json(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for key, v in value.items():
            key = key.item() if isinstance(key, np.generic) else key
            if not isinstance(key, (str, int, float, bool)):
                raise NotJSON(f"{where}[{key!r}]", key)
            out[str(key) if not isinstance(key, str) else key] = to_json(v, f"{where}[{key!r}]")
        return out
    raise NotJSON(where, value)


def describe(value):
    """A short string for a parameter value that has no JSON form."""
    if isinstance(value, type):
        return f"{value.__module__}.{value.__qualname__}"
    if isinstance(value, Real):
        return repr(float(value))
    return type(value).__name__


def json_or_description(value):
    try:
        return to_json(value)
    except NotJSON:
        return describe(value)
