"""Helpers of the command-line tests: run ``skstim`` in-process, write csv inputs."""

import contextlib
import csv
import io
import re

import pytest

from skstim.cli import main


def run(argv):
    """``main(argv)`` with stdout and stderr captured: ``(code, out, err)``."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def run_refused_by_argparse(argv):
    """``main(argv)`` for arguments argparse refuses: ``(exit code, stderr)``."""
    err = io.StringIO()
    with pytest.raises(SystemExit) as info, contextlib.redirect_stderr(err):
        main(argv)
    return info.value.code, err.getvalue()


def write_csv(path, data, label="label", labels=None, groups="groups", columns=None):
    """Write ``data`` as the command line's csv input (header row first); return the path."""
    names = columns or [f"x{i}" for i in range(data.X.shape[1])]
    labels = data.y if labels is None else labels
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(names + [label] + ([groups] if groups else []))
        for x, y, g in zip(data.X, labels, data.groups):
            writer.writerow([f"{v:.6g}" for v in x] + [y] + ([g] if groups else []))
    return str(path)


# a printed figure with its 95 % interval, ``0.912 [0.870, 0.950]``, or ``n/a``
FIGURE = r"n/a|-?\d+\.\d+ \[-?\d+\.\d+, -?\d+\.\d+\]"
UTILITY_TITLES = ("Accuracy", "Cohen's kappa", "Macro F1")


def check_figure(text):
    """``value [low, high]`` as three floats, after checking the interval holds the value."""
    match = re.fullmatch(r"(-?\d+\.\d+) \[(-?\d+\.\d+), (-?\d+\.\d+)\]", text)
    assert match, text
    value, low, high = map(float, match.groups())
    assert low <= value <= high, text
    return value, low, high


def utility_cells(out, family):
    """The two printed cells (stimuli, real) of ``family`` in each utility block of
    ``skstim evaluate``, in the order of ``UTILITY_TITLES``."""
    lines = out.split("\n\nPrivacy:")[0].splitlines()
    cells = []
    for title in UTILITY_TITLES:
        block = lines[lines.index(f"{title}:"):]
        row = next(line for line in block if line.startswith(family))
        found = re.findall(FIGURE, row[len(family):])
        assert len(found) == 2, row
        cells.append(found)
    return cells
