"""What the report of ``--report DIR`` hands on: no private row unless asked for (then
marked and owner-only), user text escaped, and no stale report left behind."""

import os
import re
import stat

import numpy as np
import pytest
from sklearn.utils import Bunch

from skstim.cli import EXIT_BAD_INPUT, EXIT_OK
from skstim.cli._tables import read_table
from skstim.cli.report import _sections, evaluation_report, synthesis_report
from skstim.cli.report._figures import PRIVATE_MARK
from skstim.release import load_stimuli

from ..helpers import CLI_FAST, cli_data, write_npz
from ._cli import run

LINK = re.compile(r"!\[(?:[^\]\\]|\\.)*\]\(([^)]+)\)")


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    """A stimuli file synthesized from 72 private rows of 6 people, classes 0 and 1."""
    folder = tmp_path_factory.mktemp("report_privacy")
    private = write_npz(folder / "private.npz", cli_data(1))
    output = str(folder / "stimuli.npz")
    code, _, err = run(["synthesize", "--input", private, "--output", output, "--n-stimuli",
                        "24", "--no-progress", *CLI_FAST])
    assert code == EXIT_OK, err
    return Bunch(private=private, output=output, table=read_table(private),
                 stimuli=load_stimuli(output))


@pytest.fixture
def drawn(monkeypatch):
    """The example figures the report draws, as they are drawn."""
    figures = []
    original = _sections._examples_figure

    def record(*args, **kwargs):
        figure = original(*args, **kwargs)
        figures.append(figure)
        return figure

    monkeypatch.setattr(_sections, "_examples_figure", record)
    return figures


def _report(synthesized, directory, table=None, stimuli=None, **kwargs):
    """The synthesis report of ``synthesized`` in ``directory``; its text."""
    stimuli = synthesized.stimuli if stimuli is None else stimuli
    path = synthesis_report(directory, input_path=kwargs.pop("input_path", synthesized.private),
                            output_path=kwargs.pop("output_path", synthesized.output),
                            table=synthesized.table if table is None else table,
                            stimuli=stimuli, privacy=stimuli.metadata["privacy"],
                            n_synthesized=len(stimuli.X), **kwargs)
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _private_lines(figures, X):
    """How many lines drawn in ``figures`` are a channel of a row of ``X`` (C=4, T=60)."""
    rows = X.reshape(len(X), 4, 60)
    found = 0
    for figure in figures:
        for ax in figure.axes:
            for line in ax.get_lines():
                y = np.asarray(line.get_ydata(), dtype=float)
                if len(y) == 60:
                    found += int(np.any(np.abs(rows - y).max(axis=2) < 1e-6))
    return found


def _captions(text):
    """The figure captions of the example figures, in order."""
    return re.findall(r"^\*Figure \d+: ((?:\*\*[^*]+\*\*: )?class `.*)\*$", text, re.M)


def test_the_default_report_draws_no_private_row(synthesized, drawn, tmp_path):
    text = _report(synthesized, tmp_path / "r")
    assert len(drawn) == 2  # one figure per class
    assert _private_lines(drawn, synthesized.table.X) == 0
    for figure in drawn:  # stimuli beside the class's mean and spread over 6 people
        assert len(figure.axes) == 8 and all(len(ax.collections) for ax in figure.axes)
        assert PRIVATE_MARK not in figure.get_suptitle()
    assert "This report holds no row of the private input" in text
    assert "**No real row is drawn.**" in text and PRIVATE_MARK not in text
    captions = _captions(text)
    assert len(captions) == 2
    assert captions[0] == ("class `0`: 3 stimuli beside the mean ± sd of the class's 35 real "
                           "rows (6 people).")
    for name in os.listdir(tmp_path / "r"):
        assert stat.S_IMODE(os.stat(tmp_path / "r" / name).st_mode) & 0o044  # not private


def test_too_few_people_or_none_counted_draw_the_stimuli_alone(synthesized, drawn, tmp_path):
    text = _report(synthesized, tmp_path / "few", min_people=7)
    assert _private_lines(drawn, synthesized.table.X) == 0
    assert all(len(figure.axes) == 4 for figure in drawn)  # one column: the stimuli
    assert all(not ax.collections for figure in drawn for ax in figure.axes)
    assert len(_captions(text)) == 2
    for caption in _captions(text):
        assert "3 stimuli alone: its real rows come from 6 people, fewer than " \
               "--report-min-people 7, so no aggregate of them is drawn" in caption

    drawn.clear()
    table = Bunch(**synthesized.table)
    table.groups = None
    text = _report(synthesized, tmp_path / "uncounted", table=table)
    assert all(len(figure.axes) == 4 for figure in drawn)
    assert "the people could not be counted and no aggregate is drawn" in text
    assert len(_captions(text)) == 2
    for caption in _captions(text):
        assert "the people could not be counted (no subject ids" in caption


def test_private_examples_are_marked_and_readable_by_the_owner_only(synthesized, drawn,
                                                                    tmp_path):
    directory = tmp_path / "private"
    text = _report(synthesized, directory, private=True)
    assert _private_lines(drawn, synthesized.table.X) >= 2 * 4 * 3  # 3 rows per class
    for figure in drawn:
        assert figure.get_suptitle().startswith(PRIVATE_MARK)
        real_column = figure.axes[0::2]
        assert all(PRIVATE_MARK in [t.get_text() for t in ax.texts] for ax in real_column)
    assert f"> **{PRIVATE_MARK}.** This report draws rows of the private input" in text
    captions = _captions(text)
    assert len(captions) == 2 and all(c.startswith(f"**{PRIVATE_MARK}**") for c in captions)
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    names = os.listdir(directory)
    assert "report.md" in names and len(names) >= 5
    for name in names:
        assert stat.S_IMODE(os.stat(directory / name).st_mode) == 0o600, name


EVIL = {0: "<img src=x onerror=alert(1)>", 1: "**x**|y $\\oops$"}


def _outside_code(text):
    """``text`` without its code spans and fenced code blocks."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    return re.sub(r"(`+)(.+?)(?<!`)\1(?!`)", "", text)


def test_labels_column_and_file_names_appear_as_text(synthesized, tmp_path):
    table = Bunch(**synthesized.table)
    table.y = np.array([EVIL[v] for v in table.y.tolist()])
    table.label_column, table.group_column = "<b>label</b>", "`g`|h"
    stimuli = Bunch(**synthesized.stimuli)
    stimuli.y = np.array([EVIL[v] for v in stimuli.y.tolist()])
    stimuli.classes = np.array([EVIL[0], EVIL[1]])
    stimuli.metadata = {**stimuli.metadata, "classes": [EVIL[0], EVIL[1]]}
    text = _report(synthesized, tmp_path / "r", table=table, stimuli=stimuli,
                   input_path="in<script>|put.npz", output_path="out`put`.npz")

    prose = _outside_code(text)
    for raw in ("<img", "<script", "<b>", "**x**", "$\\oops"):
        assert raw not in prose, raw
    for raw in (EVIL[0], "<b>label</b>"):
        assert f"`{raw}`" in text, raw  # shown as text, in a code span
    assert "`` out`put`.npz ``" in text
    lines = text.splitlines()
    for k, line in enumerate(lines):  # every row of a table has the header's cells
        if line.startswith("|") and not lines[k - 1].startswith("|"):
            n_cells = len(re.findall(r"(?<!\\)\|", line))
            for row in lines[k + 1:]:
                if not row.startswith("|"):
                    break
                assert len(re.findall(r"(?<!\\)\|", row)) == n_cells, row
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(text)
    assert "<img src=x" not in html and "<script" not in html and "<b>label" not in html


def _previous_report(directory):
    """A report as an earlier run left it, among files of the user; their bytes."""
    directory.mkdir()
    (directory / "report.md").write_text(
        "# old\n![a](examples_class_3.png)\n![b](tradeoff.png)\n![c](mine.png)\n")
    for name in ("examples_class_3.png", "tradeoff.png", "mine.png", "notes.txt",
                 "examples_class_9.png"):
        (directory / name).write_bytes(name.encode())
    return {name: (directory / name).read_bytes() for name in os.listdir(directory)}


def test_a_report_folder_is_replaced_only_when_asked(synthesized, tmp_path):
    directory = tmp_path / "report"
    before = _previous_report(directory)
    real = write_npz(tmp_path / "heldout.npz", cli_data(2))
    output = tmp_path / "new.npz"
    evaluate = ["evaluate", "--stimuli", synthesized.output, "--real", real, "--families",
                "logistic regression", "--no-progress", "--report", str(directory)]
    for argv in (["synthesize", "--input", synthesized.private, "--output", str(output),
                  "--report", str(directory), *CLI_FAST], evaluate):
        code, out, err = run(argv)
        assert code == EXIT_BAD_INPUT and "already holds a report" in err
        assert "--overwrite-report" in err and out == ""
    assert not output.exists()
    assert {name: (directory / name).read_bytes() for name in os.listdir(directory)} == before

    code, out, err = run([*evaluate, "--overwrite-report", "--report-private-examples"])
    assert code == EXIT_OK, err
    text = (directory / "report.md").read_text(encoding="utf-8")
    written = ["report.md"] + LINK.findall(text)
    assert set(os.listdir(directory)) == set(written) | {"mine.png", "notes.txt",
                                                         "examples_class_9.png"}
    for name in ("mine.png", "notes.txt", "examples_class_9.png"):  # the user's, untouched
        assert (directory / name).read_bytes() == before[name]
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    for name in written:
        assert stat.S_IMODE(os.stat(directory / name).st_mode) == 0o600, name
    assert PRIVATE_MARK in text and "This report draws rows of the real file" in text

    code, out, err = run([*evaluate, "--overwrite-report", "--report-min-people", "7"])
    assert code == EXIT_OK, err
    text = (directory / "report.md").read_text(encoding="utf-8")
    assert PRIVATE_MARK not in text and "fewer than --report-min-people 7" in text


def test_the_report_functions_refuse_to_replace_a_report_silently(synthesized, tmp_path):
    _previous_report(tmp_path / "r")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        evaluation_report(tmp_path / "r", stimuli_path=synthesized.output,
                          real_path=synthesized.private, stimuli=synthesized.stimuli,
                          table=synthesized.table, y_real=synthesized.table.y,
                          input_shape=(4, 60), rows=[], n_splits=0,
                          privacy=synthesized.stimuli.metadata["privacy"])
    assert (tmp_path / "r" / "tradeoff.png").exists()
