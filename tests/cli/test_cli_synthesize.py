"""``skstim synthesize`` and ``skstim evaluate``: a data holder's workflow on the command line."""

import json
import re

import numpy as np
import pytest

import skstim.release
from skstim import StimulusSynthesizer
from skstim.cli import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, main
from skstim.cli._parser import build_parser
from skstim.release import load_stimuli
from skstim.utils import proportion_interval

from ..helpers import CLI_FAST, cli_data, write_npz
from ._cli import UTILITY_TITLES, check_figure, run_refused_by_argparse, utility_cells
from ._cli import run as _run
from ._cli import write_csv as _write_csv


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    """One synthesis from an npz with groups, with the progress bar on."""
    folder = tmp_path_factory.mktemp("cli")
    private = write_npz(folder / "private.npz", cli_data(1))
    output = str(folder / "stimuli.npz")
    code, out, err = _run(["synthesize", "--input", private, "--output", output,
                           "--n-stimuli", "30", *CLI_FAST])
    return {"code": code, "out": out, "err": err, "output": output, "folder": folder}


def test_synthesize_npz_writes_a_stimuli_file(synthesized):
    assert synthesized["code"] == EXIT_OK, synthesized["err"]
    data = load_stimuli(synthesized["output"])
    assert data.X.shape == (30, 240) and data.proba.shape == (30, 2)
    assert data.input_shape == (4, 60)
    assert set(data.y.tolist()) <= {0, 1} and data.classes.tolist() == [0, 1]
    meta = data.metadata
    params = meta["synthesis_parameters"]
    assert params["n_iter"] == 5 and params["n_stimuli"] == 30 and params["random_state"] == 0
    assert meta["export_guard"]["n_checked"] == 30
    privacy = meta["privacy"]
    json.dumps(privacy, allow_nan=False)
    assert 0 <= privacy["teacher_accuracy_on_its_training_rows"] <= 1
    for key in ("teacher_accuracy_on_its_training_rows", "majority_class_share"):
        low, high = privacy[f"{key}_ci"]  # beside the figure, whose key is unchanged
        assert 0 <= low <= privacy[key] <= high <= 1 and low < high
    assert privacy["distance_to_closest_record"]["ratio"] > 0
    reid = privacy["reidentification"]
    assert reid["n_subjects"] == 6 and reid["chance"] == pytest.approx(1 / 6)
    assert 0 <= reid["stimuli_share_linked_to_most_common_subject"] <= 1
    assert 0 <= reid["real_held_back_top1_accuracy"] <= 1
    low, high = reid["real_held_back_top1_accuracy_ci"]
    assert low <= reid["real_held_back_top1_accuracy"] <= high
    assert privacy["reidentification_hrv"]["n_subjects"] == 6
    assert privacy["worst_case"]["attacker"] in (None, "reidentification", "reidentification_hrv")


def test_synthesize_prints_a_labelled_summary_and_a_progress_bar(synthesized):
    out = synthesized["out"]
    assert "per class: 0:" in out and "1:" in out
    assert "Export guard" in out and "0 dropped" in out
    privacy = load_stimuli(synthesized["output"]).metadata["privacy"]
    line = next(line for line in out.splitlines() if "teacher accuracy on its training rows"
                in line)
    printed = re.findall(r"-?\d+\.\d+ \[-?\d+\.\d+, -?\d+\.\d+\]", line)
    assert len(printed) == 2 and "Wilson" in line
    for text, key in zip(printed, ("teacher_accuracy_on_its_training_rows",
                                   "majority_class_share")):
        value, low, high = check_figure(text)
        assert value == pytest.approx(privacy[key], abs=5e-4)
        assert (low, high) == pytest.approx(privacy[f"{key}_ci"], abs=5e-4)
    assert "distance to closest record" in out and "re-identification" in out
    assert "chance 0.167" in out
    assert "synthesizing" in synthesized["err"]  # tqdm bar on stderr


def test_synthesize_csv_with_string_labels_and_identity_inhibition(tmp_path):
    data = cli_data(1)
    labels = np.where(data.y == 1, "apnea", "normal")
    source = _write_csv(tmp_path / "private.csv", data, label="event", labels=labels,
                        groups="subject")
    output = tmp_path / "stimuli.npz"
    code, out, err = _run(["synthesize", "--input", source, "--output", str(output),
                           "--label-column", "event", "--group-column", "subject",
                           "--input-shape", "4,60", "--stimuli-per-row", "0.25",
                           "--inhibit-identity", "--inhibition-weight", "0.5",
                           "--no-progress", *CLI_FAST])
    assert code == EXIT_OK, err
    assert "synthesizing" not in err  # --no-progress
    stimuli = load_stimuli(output)
    assert stimuli.X.shape == (18, 240)  # 0.25 * 72 rows
    assert stimuli.classes.tolist() == ["apnea", "normal"]
    assert stimuli.input_shape == (4, 60)
    assert stimuli.metadata["synthesis_parameters"]["inhibition_weight"] == 0.5
    assert stimuli.metadata["privacy"]["identity_inhibition"] is True


def test_inhibit_identity_without_groups_is_bad_input(tmp_path):
    source = write_npz(tmp_path / "private.npz", cli_data(1), groups=False)
    output = tmp_path / "stimuli.npz"
    code, _, err = _run(["synthesize", "--input", source, "--output", str(output),
                         "--inhibit-identity", *CLI_FAST])
    assert code == EXIT_BAD_INPUT
    assert "--group-column" in err and "Traceback" not in err
    assert not output.exists()


def test_missing_input_file_is_bad_input(tmp_path):
    output = tmp_path / "stimuli.npz"
    code, _, err = _run(["synthesize", "--input", str(tmp_path / "nothing.npz"),
                         "--output", str(output)])
    assert code == EXIT_BAD_INPUT and "nothing.npz" in err
    assert not output.exists()


def test_csv_without_the_label_column_names_the_columns(tmp_path):
    source = _write_csv(tmp_path / "data.csv", cli_data(1), label="target",
                        columns=[f"c{i}" for i in range(240)])
    code, _, err = _run(["synthesize", "--input", source, "--output",
                         str(tmp_path / "stimuli.npz")])
    assert code == EXIT_BAD_INPUT
    assert "'label'" in err and "'c0'" in err and "'target'" in err and "--label-column" in err


@pytest.mark.parametrize("content, expected", [
    ("a,b,label\n1,x,0\n2,3,1\n", "non-numeric value 'x'"),
    ("a,b,label\n1,,0\n2,3,1\n", "missing, NaN"),
    ("a,b,label\n1,nan,0\n2,3,1\n", "missing, NaN"),
])
def test_bad_csv_values_are_bad_input(tmp_path, content, expected):
    source = tmp_path / "data.csv"
    source.write_text(content)
    code, _, err = _run(["synthesize", "--input", str(source), "--output",
                         str(tmp_path / "stimuli.npz")])
    assert code == EXIT_BAD_INPUT and expected in err and "'b'" in err


def test_unknown_extension_and_bad_shape_are_bad_input(tmp_path):
    source = tmp_path / "data.txt"
    source.write_text("1,2\n")
    code, _, err = _run(["synthesize", "--input", str(source), "--output",
                         str(tmp_path / "s.npz")])
    assert code == EXIT_BAD_INPUT and ".npz" in err and ".csv" in err
    npz = write_npz(tmp_path / "private.npz", cli_data(1))
    code, _, err = _run(["synthesize", "--input", npz, "--output", str(tmp_path / "s.npz"),
                         "--input-shape", "3,7"])
    assert code == EXIT_BAD_INPUT and "--input-shape" in err


def _plant_a_copy(monkeypatch):
    """Make the first stimulus a copy of a private row just before the real save_stimuli."""
    real_save = skstim.release.save_stimuli

    def save_with_a_copy(path, X, y, proba=None, *, X_train=None, **kwargs):
        X = np.array(X, copy=True)
        X[0] = X_train[5]
        return real_save(path, X, y, proba, X_train=X_train, **kwargs)

    monkeypatch.setattr(skstim.release, "save_stimuli", save_with_a_copy)


@pytest.mark.parametrize("on_copy", ["refuse", "drop"])
def test_export_guard(tmp_path, monkeypatch, on_copy):
    _plant_a_copy(monkeypatch)
    source = write_npz(tmp_path / "private.npz", cli_data(1))
    output = tmp_path / "stimuli.npz"
    code, out, err = _run(["synthesize", "--input", source, "--output", str(output),
                           "--n-stimuli", "8", "--mix", "0", "--on-copy", on_copy, "--no-progress",
                           "--teacher-arch", "mlp", "--teacher-epochs", "1", "--n-iter", "2"])
    if on_copy == "refuse":
        assert code == EXIT_FAILURE
        assert "copies" in err and "--on-copy drop" in err and "Traceback" not in err
        assert not output.exists()
    else:
        assert code == EXIT_OK, err
        assert "7 stimuli (of 8 synthesized)" in out and "1 dropped (indices [0])" in out
        assert load_stimuli(output).metadata["export_guard"]["n_dropped"] == 1


def test_evaluate_prints_utility_and_privacy_tables(synthesized):
    real = write_npz(synthesized["folder"] / "heldout.npz", cli_data(2))
    code, out, err = _run(["evaluate", "--stimuli", synthesized["output"], "--real", real,
                           "--student-epochs", "2", "--no-progress"])
    assert code == EXIT_OK, err
    lines = out.splitlines()
    for family in ("teacher architecture", "random forest", "logistic regression"):
        assert len([line for line in lines if line.startswith(family)]) == len(UTILITY_TITLES)
        for cells in utility_cells(out, family):  # stimuli, real: both with intervals
            for cell in cells:
                assert all(-1 <= v <= 1 for v in check_figure(cell)), cell
    assert "the 6 subjects of the real file are resampled (a cluster bootstrap" in out
    assert "rows are resampled" not in out
    assert "GroupKFold" in out and "trained on the stimuli" in out
    assert "distance to closest record" in out and "re-identification" in out


def test_evaluate_without_groups_has_no_real_reference(synthesized, tmp_path):
    real = _write_csv(tmp_path / "heldout.csv", cli_data(2), groups=None)
    code, out, err = _run(["evaluate", "--stimuli", synthesized["output"], "--real", real,
                           "--families", "logistic regression", "--no-progress"])
    assert code == EXIT_OK, err
    (accuracy, real), *others = utility_cells(out, "logistic regression")
    assert real == "n/a" and all(cells[1] == "n/a" for cells in others)
    assert "rows are resampled because no subject ids were given" in out
    assert "cluster bootstrap" not in out
    # accuracy: the Wilson interval of the rows predicted right
    value, low, high = check_figure(accuracy)
    hits = round(value * 72)
    assert (low, high) == pytest.approx(proportion_interval(hits, 72), abs=5e-4)
    for cells in others:  # kappa, macro F1: a bootstrap over rows
        check_figure(cells[0])
    for attacker in ("summary-feature attacker", "HRV attacker"):
        assert f"re-identification ({attacker}): skipped (no subject ids" in out
    assert "worst attack: none (no attacker ran: no subject ids" in out


def test_evaluate_bad_input(synthesized, tmp_path):
    real = write_npz(tmp_path / "heldout.npz", cli_data(2))
    code, _, err = _run(["evaluate", "--stimuli", str(tmp_path / "none.npz"), "--real", real])
    assert code == EXIT_BAD_INPUT and "none.npz" in err
    code, _, err = _run(["evaluate", "--stimuli", synthesized["output"], "--real", real,
                         "--families", "teacher architecture,oracle"])
    assert code == EXIT_BAD_INPUT and "oracle" in err


def test_synthesize_defaults_follow_the_synthesizer():
    args = build_parser().parse_args(["synthesize", "--input", "a.npz", "--output", "b.npz"])
    defaults = StimulusSynthesizer().get_params()
    assert args.n_stimuli == defaults["n_stimuli"]
    assert args.stimuli_per_row == defaults["stimuli_per_sample"]
    assert args.n_iter == defaults["n_iter"]


@pytest.mark.parametrize("command", ["synthesize", "evaluate"])
def test_help_documents_every_option(command, capsys):
    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    options = [(action.option_strings, action.help)
               for action in subparsers.choices[command]._actions if action.option_strings]
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    assert len(options) > 5
    for strings, help_text in options:
        assert help_text, strings
        for option in strings:
            assert option in text, option


@pytest.mark.parametrize("amount, message", [
    (["--n-stimuli", "4.0"], "--stimuli-per-row"),
    (["--n-stimuli", "true"], "count of stimuli"),
    (["--stimuli-per-row", "0"], "positive number"),
    (["--n-stimuli", "4", "--stimuli-per-row", "2"], "not allowed with"),
])
def test_a_count_and_a_multiple_of_the_rows_cannot_be_confused(tmp_path, amount, message):
    npz = write_npz(tmp_path / "private.npz", cli_data(1))
    output = tmp_path / "s.npz"
    code, err = run_refused_by_argparse(["synthesize", "--input", npz, "--output", str(output),
                                         *amount])
    assert code == EXIT_BAD_INPUT and message in err
    assert not output.exists()


def test_mix_reaches_the_synthesizer_and_a_share_of_one_is_refused(tmp_path):
    source = write_npz(tmp_path / "private.npz", cli_data(1))
    output = tmp_path / "stimuli.npz"
    code, out, err = _run(["synthesize", "--input", source, "--output", str(output),
                           "--n-stimuli", "30", "--mix", "0.5", "--no-progress", *CLI_FAST])
    assert code == EXIT_OK, err
    assert load_stimuli(output).metadata["synthesis_parameters"]["mix"] == 0.5
    refused = tmp_path / "refused.npz"
    code, err = run_refused_by_argparse(["synthesize", "--input", source, "--output",
                                         str(refused), "--mix", "1"])
    assert code == EXIT_BAD_INPUT and "--mix" in err and "[0, 1)" in err
    assert not refused.exists()
