"""Markdown of the report: the writer that puts files in the report's folder, and the
escaping and formatting of text, numbers and tables.
"""

import json
import os
import re

import numpy as np

from ...utils import write_atomic

__all__ = ["REPORT_NAME", "FIGURE_NAMES"]

REPORT_NAME = "report.md"
# every figure a report may write: the only files besides report.md it ever removes
FIGURE_NAMES = re.compile(r"(examples_class_\d+|utility|privacy_distance|"
                          r"privacy_reidentification|tradeoff)\.png")
_SHOWN_ITEMS = 20  # entries of a long list shown in a table cell


# ------------------------------------------------------------------------- writing
def _previous_report_files(directory):
    """``report.md`` of ``directory`` and the figures it links that a report writes."""
    path = os.path.join(directory, REPORT_NAME)
    with open(path, encoding="utf-8", errors="replace") as handle:
        links = re.findall(r"!\[(?:[^\]\\]|\\.)*\]\(([^)\s]+)\)", handle.read())
    figures = sorted({link for link in links if FIGURE_NAMES.fullmatch(link)})
    return [REPORT_NAME] + figures


class _Writer:
    """Collects the figures (written at once) and the markdown of one report.

    Parameters
    ----------
    directory : str or os.PathLike
        Created with its parents if missing.
    private : bool, default=False
        The report shows private rows: ``directory`` is made 0700 and every file 0600.
    overwrite : bool, default=False
        Replace a report already in ``directory``: its ``report.md`` and the figures it
        links (and only those) are removed before anything is written, so that no stale
        figure survives. Without it, an existing ``report.md`` is a FileExistsError.
    """

    def __init__(self, directory, private=False, overwrite=False):
        self.directory = os.fspath(directory)
        self.private = private
        os.makedirs(self.directory, exist_ok=True)
        if private:
            os.chmod(self.directory, 0o700)
        if os.path.lexists(os.path.join(self.directory, REPORT_NAME)):
            if not overwrite:
                raise FileExistsError(f"{self.directory!r} holds a report already "
                                      f"({REPORT_NAME}); pass overwrite=True to replace it.")
            for name in _previous_report_files(self.directory):  # report.md first
                path = os.path.join(self.directory, name)
                if os.path.isfile(path) or os.path.islink(path):
                    os.unlink(path)
        self.files = []
        self.n_figures = 0

    def _write(self, name, write):
        """Write ``name`` through ``write(handle)``, whole or not at all (0600 if private)."""
        path = write_atomic(os.path.join(self.directory, name), write)
        if self.private:  # the folder is 0700 already: no one else could open it meanwhile
            os.chmod(path, 0o600)
        self.files.append(name)
        return path

    def figure(self, name, figure, caption):
        """Write ``figure`` as ``name`` and return its numbered markdown embedding."""
        figure.tight_layout()
        self._write(name, lambda handle: figure.savefig(handle, format="png", dpi=figure.dpi))
        self.n_figures += 1
        return f"![Figure {self.n_figures}: {_inline(caption)}]({name})\n\n" \
               f"*Figure {self.n_figures}: {caption}*"

    def markdown(self, text):
        """Write ``text`` as ``report.md``, after the figures it links; return its path."""
        self._write(REPORT_NAME, lambda handle: handle.write(text.encode("utf-8")))
        return os.path.join(self.directory, REPORT_NAME)


# ----------------------------------------------------------------------- formatting
# Markdown punctuation that could start emphasis, code, a link, an image, a table cell,
# strikethrough or a heading; each is shown as itself behind a backslash (CommonMark).
_MARKDOWN = re.compile(r"([\\`*_\[\]|~#!])")


def _inline(text):
    """Text shown as itself in a paragraph, an image's alt text or a table cell.

    HTML is escaped (``<`` as ``&lt;``), markdown punctuation backslash-escaped and line
    breaks joined, so that user text (a class label, a column or file name) can neither
    inject HTML nor break a table.
    """
    text = " ".join(str(text).splitlines())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN.sub(r"\\\1", text)


def _text(value):
    """A value of a record for the markdown: a str escaped by :func:`_inline`, else as is."""
    return _inline(value) if isinstance(value, str) else str(value)


def _code(text):
    """``text`` on one line as inline code.

    A code span shows HTML and markdown as text; its fence is one backtick longer than
    the longest run of backticks inside. In a table, :func:`_table` escapes its ``|``.
    """
    text = " ".join(str(text).splitlines())
    fence = "`" * (1 + max((len(run) for run in re.findall("`+", text)), default=0))
    return f"{fence} {text} {fence}" if "`" in text else f"{fence}{text}{fence}"


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


def _cell(cell):
    """A table cell: every ``|`` not escaped yet is escaped.

    GitHub's tables split cells at ``|`` even inside a code span, and show ``\\|`` there
    as ``|``.
    """
    return re.sub(r"(?<!\\)\|", r"\\|", str(cell))


def _table(header, rows):
    """A markdown table of ``header`` and ``rows`` (markdown cells, ``|`` escaped)."""
    lines = ["| " + " | ".join(map(_cell, header)) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(_cell, row)) + " |" for row in rows]
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
