"""``--report DIR`` of ``skstim synthesize`` and ``skstim evaluate``: report.md and its figures."""

import os
import re

import pytest

from skstim.cli import EXIT_BAD_INPUT, EXIT_OK
from skstim.cli._tables import read_table
from skstim.cli.report import evaluation_report, synthesis_report
from skstim.release import load_stimuli

from ..helpers import CLI_FAST, cli_data, write_npz
from ._cli import check_figure, utility_cells
from ._cli import run as _run

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
APPENDIX = "## Appendix: what the command printed"


def _read_report(directory):
    """report.md's text, after checking that every figure it links is a PNG in ``directory``."""
    text = (directory / "report.md").read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert links, "the report embeds no figure"
    for link in links:
        assert not os.path.isabs(link) and "/" not in link, link  # relative, beside report.md
        with open(directory / link, "rb") as handle:
            assert handle.read(8) == PNG_MAGIC, link
    leftovers = [name for name in os.listdir(directory) if name.endswith(".tmp")]
    assert not leftovers, leftovers
    return text, links


def _privacy_numbers(stdout):
    """Every decimal number printed from the 'distance to closest record' line on."""
    start = stdout.index("distance to closest record")
    block = stdout[start:].split("\n\nThese checks")[0]
    numbers = re.findall(r"-?\d+\.\d+", block)
    assert len(numbers) >= 8, block
    return numbers


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    private = write_npz(folder / "private.npz", cli_data(1))
    output = str(folder / "stimuli.npz")
    report = folder / "reports" / "synthesis"  # neither folder exists yet
    code, out, err = _run(["synthesize", "--input", private, "--output", output,
                           "--n-stimuli", "24", "--inhibit-identity", "--inhibition-weight",
                           "0.5", "--no-progress", "--report", str(report), *CLI_FAST])
    return {"code": code, "out": out, "err": err, "private": private, "output": output,
            "report": report, "folder": folder}


def test_synthesize_report(synthesized):
    assert synthesized["code"] == EXIT_OK, synthesized["err"]
    report = synthesized["report"]
    text, links = _read_report(report)
    assert f"Report: {report / 'report.md'}" in synthesized["out"]
    assert {"examples_class_1.png", "examples_class_2.png", "utility.png",
            "privacy_distance.png", "privacy_reidentification.png"} <= set(links)
    body = text.split(APPENDIX)[0]

    # what was done: input, rows, people, classes, and every synthesis parameter of the file
    meta = load_stimuli(synthesized["output"]).metadata
    assert synthesized["private"] in body
    assert "| rows | 72 |" in body and "| people (subject ids) | 6 " in body
    assert "| classes | 2 " in body
    assert "### Synthesis parameters (from the stimuli file's metadata)" in body
    for name in meta["synthesis_parameters"]:
        assert f"| `{name}` |" in body, name
    assert "| `n_iter` | 5 |" in body and "| `inhibition_weight` | 0.5 |" in body
    assert "| `n_stimuli` | 24 |" in body
    assert "| `export_guard.n_checked` | 24 |" in body

    # the numbers printed on stdout, in the tables
    for number in _privacy_numbers(synthesized["out"]):
        assert number in body, number
    privacy = meta["privacy"]
    for key, measure in (("teacher_accuracy_on_its_training_rows",
                          "teacher accuracy on its training rows"),
                         ("majority_class_share",
                          "always answering the majority class (its share of the rows)")):
        (low, high), value = privacy[f"{key}_ci"], privacy[key]
        figure = f"{value:.3f} [{low:.3f}, {high:.3f}]"
        assert check_figure(figure) and figure in synthesized["out"]
        assert f"| {measure} | {figure} |" in body
    assert "Wilson intervals over the rows" in body

    # no invented trade-off curve: the run's weight and a pointer to the benchmark
    assert "tradeoff.png" not in links
    assert "inhibition weight 0.5" in body
    assert "benchmarks/privacy.py" in body and "docs/benchmarks/privacy.md" in body
    assert "subject-disjoint" in body and "## Caveats" in body


def test_evaluate_report(synthesized, tmp_path):
    real = write_npz(tmp_path / "heldout.npz", cli_data(2))
    report = tmp_path / "evaluation"
    code, out, err = _run(["evaluate", "--stimuli", synthesized["output"], "--real", real,
                           "--families", "teacher architecture,logistic regression",
                           "--student-epochs", "2", "--no-progress", "--report", str(report)])
    assert code == EXIT_OK, err
    text, links = _read_report(report)
    assert {"utility.png", "privacy_distance.png", "privacy_reidentification.png"} <= set(links)
    body = text.split(APPENDIX)[0]
    assert real in body and "| rows | 72 |" in body
    assert "| `n_iter` | 5 |" in body  # the stimuli file's parameters

    # utility: the six figures printed for each family, intervals and all, in its table row
    for family in ("teacher architecture", "logistic regression"):
        cells = [cell for pair in utility_cells(out, family) for cell in pair]
        for cell in cells:
            check_figure(cell)
        row = next(line for line in body.splitlines() if line.startswith(f"| {family} |"))
        assert row == f"| {family} | " + " | ".join(cells) + " |"
    majority = next(line for line in body.splitlines()
                    if line.startswith("| always the majority class"))
    for cell in majority.strip("| ").split(" | ")[1:]:
        check_figure(cell)
    assert "GroupKFold" in body and "6 subjects of the real file are resampled" in body

    # privacy: every number printed, plus the file's own record from synthesis
    for number in _privacy_numbers(out):
        assert number in body, number
    assert "### As recorded in the stimuli file at synthesis" in body
    assert "benchmarks/privacy.py" in body and "subject-disjoint" in body


def test_evaluate_report_without_subject_ids(synthesized, tmp_path):
    real = write_npz(tmp_path / "heldout.npz", cli_data(2), groups=False)
    report = tmp_path / "evaluation"
    code, out, err = _run(["evaluate", "--stimuli", synthesized["output"], "--real", real,
                           "--families", "logistic regression", "--no-progress",
                           "--report", str(report)])
    assert code == EXIT_OK, err
    text, links = _read_report(report)
    assert "privacy_reidentification.png" not in links and "privacy_distance.png" in links
    body = text.split(APPENDIX)[0]
    assert "unknown: no subject ids" in body
    assert "**Re-identification.** Skipped: no subject ids" in body
    row = next(line for line in body.splitlines() if line.startswith("| logistic regression |"))
    stim_acc, real_acc, stim_kappa, real_kappa, stim_f1, real_f1 = \
        row.strip("| ").split(" | ")[1:]
    assert real_acc == real_kappa == real_f1 == "n/a"
    printed = [stim for stim, _ in utility_cells(out, "logistic regression")]
    assert [stim_acc, stim_kappa, stim_f1] == printed
    assert "rows are resampled because no subject ids were given" in body


def test_evaluate_report_of_rows_without_intervals(synthesized, tmp_path):
    stimuli = load_stimuli(synthesized["output"])
    table = read_table(synthesized["private"])
    scores = {"accuracy": 0.75, "kappa": 0.5, "macro_f1": 0.625}
    rows = [{"family": "k-nn", "stimuli": scores, "real": None},
            {"family": "mlp", "stimuli": scores, "real": scores,
             "stimuli_ci": {"accuracy": [0.5, 0.875], "kappa": [0.25, 0.75],
                            "macro_f1": [0.375, 0.75]}}]
    evaluation_report(tmp_path / "r", stimuli_path=synthesized["output"],
                      real_path=synthesized["private"], stimuli=stimuli, table=table,
                      y_real=table.y, input_shape=(4, 60), rows=rows, n_splits=5,
                      privacy=stimuli.metadata["privacy"])
    body = _read_report(tmp_path / "r")[0]
    assert "| k-nn | 0.750 | n/a | 0.500 | n/a | 0.625 | n/a |" in body
    assert ("| mlp | 0.750 [0.500, 0.875] | 0.750 | 0.500 [0.250, 0.750] | 0.500 | "
            "0.625 [0.375, 0.750] | 0.625 |") in body


@pytest.mark.parametrize("command", ["synthesize", "evaluate"])
def test_report_path_that_is_a_file_is_bad_input(synthesized, tmp_path, command):
    real = write_npz(tmp_path / "data.npz", cli_data(2))
    taken = tmp_path / "report"
    taken.write_text("not a directory")
    before = sorted(os.listdir(tmp_path))
    if command == "synthesize":
        argv = ["synthesize", "--input", real, "--output", str(tmp_path / "stimuli.npz"), *CLI_FAST]
    else:
        argv = ["evaluate", "--stimuli", synthesized["output"], "--real", real]
    code, out, err = _run([*argv, "--no-progress", "--report", str(taken)])
    assert code == EXIT_BAD_INPUT
    assert "--report" in err and "not a directory" in err and "Traceback" not in err
    assert out == ""
    assert sorted(os.listdir(tmp_path)) == before  # no stimuli file, no report
    assert taken.read_text() == "not a directory"


def test_tradeoff_points_are_plotted(synthesized, tmp_path):
    stimuli = load_stimuli(synthesized["output"])
    table = read_table(synthesized["private"])
    points = [(0.0, 0.87, 1.47), (1.0, 0.88, 1.64), {"weight": 0.5, "utility": 0.9,
                                                      "privacy": 1.51}]
    path = synthesis_report(tmp_path / "r", input_path=synthesized["private"],
                            output_path=synthesized["output"], table=table, stimuli=stimuli,
                            privacy=stimuli.metadata["privacy"], n_synthesized=24,
                            tradeoff=points, tradeoff_labels=("student accuracy",
                                                              "linkage / chance"))
    assert path == str(tmp_path / "r" / "report.md")
    text, links = _read_report(tmp_path / "r")
    assert "tradeoff.png" in links
    assert "| inhibition weight | student accuracy | linkage / chance |" in text
    assert "| 0.5 | 0.900 | 1.510 |" in text
    assert "This run measures one point only" not in text
