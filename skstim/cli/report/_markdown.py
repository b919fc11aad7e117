"""Markdown of the report: the writer that puts files in the report's folder, and the
escaping and formatting of text, numbers and tables.
"""

import json
import os

import numpy as np

from ...utils import write_atomic

__all__ = ["REPORT_NAME"]

REPORT_NAME = "report.md"
_SHOWN_ITEMS = 20  # entries of a long list shown in a table cell


# ------------------------------------------------------------------------- writing
def _write_atomic(directory, name, write):
    """Write ``directory/name`` through ``write(handle)``, whole or not at all."""
    return write_atomic(os.path.join(directory, name), write)


class _Writer:
    """Collects the figures (written at once) and the markdown of one report."""

    def __init__(self, directory):
        self.directory = os.fspath(directory)
        os.makedirs(self.directory, exist_ok=True)
        self.files = []
        self.n_figures = 0

    def figure(self, name, figure, caption):
        """Write ``figure`` as ``name`` and return its numbered markdown embedding."""
        figure.tight_layout()
        _write_atomic(self.directory, name,
                      lambda handle: figure.savefig(handle, format="png", dpi=figure.dpi))
        self.files.append(name)
        self.n_figures += 1
        return f"![Figure {self.n_figures}: {_inline(caption)}]({name})\n\n" \
               f"*Figure {self.n_figures}: {caption}*"

    def markdown(self, text):
        """Write ``text`` as ``report.md``, after the figures it links; return its path."""
        _write_atomic(self.directory, REPORT_NAME,
                      lambda handle: handle.write(text.encode("utf-8")))
        self.files.append(REPORT_NAME)
        return os.path.join(self.directory, REPORT_NAME)


# ----------------------------------------------------------------------- formatting
def _inline(text):
    """Text safe inside a markdown image's alt text or a table cell."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("[", "\\[") \
        .replace("]", "\\]").replace("\n", " ")


def _code(text):
    """``text`` on one line as inline code, fenced so that backticks inside survive."""
    text = str(text).replace("\n", " ")
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}" if fence == "`" else f"{fence} {text} {fence}"


def _num(value, digits=3):
    """A number as the command prints it (``digits`` decimals); None and NaN as n/a."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "n/a"
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value)).lower()
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return f"{float(value):.{digits}f}"


def _value(value):
    """A metadata value for a table cell: plain numbers, JSON for lists, None as null."""
    if isinstance(value, bool) or value is None:
        return _code(json.dumps(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, str):
        return _inline(value) if value else '""'
    if isinstance(value, (list, tuple)):
        shown = [json.loads(json.dumps(v)) if not isinstance(v, float) else float(f"{v:.6g}")
                 for v in value[:_SHOWN_ITEMS]]
        text = json.dumps(shown)
        if len(value) > _SHOWN_ITEMS:
            text = text[:-1] + f", ... ({len(value)} in all)]"
        return _code(text)
    return _code(json.dumps(value, default=str))


def _table(header, rows):
    """A markdown table of ``header`` and ``rows`` (cells as they are)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _flatten(record, prefix=""):
    """``(dotted.name, value)`` of every leaf of a nested dict; an empty dict is a leaf."""
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            yield from _flatten(value, name + ".")
        else:
            yield name, value


def _label_counts(y, classes=None):
    """``(label, count)`` of every label of ``y``: those of ``classes`` first, in order."""
    values, counts = np.unique(np.asarray(y), return_counts=True)
    found = dict(zip(values.tolist(), counts.tolist()))
    order = list(classes) if classes is not None else values.tolist()
    order += [v for v in values.tolist() if v not in order]
    return [(c, int(found.get(c, 0))) for c in order]


def _label(value):
    """A class label as inline code: a str as it is, anything else as JSON."""
    return _code(value if isinstance(value, str) else json.dumps(value))


def _options_table(options):
    """The command's options (``vars(args)``) as a table of ``--option`` and value."""
    rows = []
    for name, value in (options or {}).items():
        if name == "command":
            continue
        option = "--" + name.replace("_", "-")
        if isinstance(value, (list, tuple)):
            shown = _code(",".join(str(v) for v in value))
        elif value is None:
            shown = "not given"
        elif isinstance(value, bool):
            shown = "yes" if value else "no"
        else:
            shown = _code(value)
        rows.append((_code(option), shown))
    return _table(["option", "value"], rows)


def _counts_text(y, classes, unit=""):
    """The count of each label of ``y``, followed by ``unit``, as the tables list them."""
    return ", ".join(f"{_label(c)} {n}{unit}" for c, n in _label_counts(y, classes))
