"""``skstim synthesize --dp-epsilon``: a stimuli file under a differential-privacy budget."""

import json
import os

import pytest

from skstim.cli import EXIT_BAD_INPUT, EXIT_OK
from skstim.release import load_stimuli

from ..helpers import CLI_FAST, cli_data, write_npz
from ._cli import run

pytest.importorskip("opacus", reason="the dp extra (Opacus) is not installed")


@pytest.fixture(scope="module")
def private_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dp")
    private = write_npz(folder / "private.npz", cli_data(1))
    output = str(folder / "stimuli.npz")
    report = str(folder / "report")
    code, out, err = run(["synthesize", "--input", private, "--output", output,
                          "--n-stimuli", "30", "--dp-epsilon", "5", "--dp-unit", "person",
                          "--report", report, *CLI_FAST])
    return {"code": code, "out": out, "err": err, "output": output, "report": report,
            "private": private, "folder": folder}


def test_the_file_states_the_guarantee_and_holds_no_check_of_the_private_rows(private_run):
    assert private_run["code"] == EXIT_OK, private_run["err"]
    meta = load_stimuli(private_run["output"]).metadata
    record = meta["differential_privacy"]
    assert record["unit"] == "person" and 0 < record["epsilon"] <= 5.0
    assert {m["name"] for m in record["mechanisms"]} >= {"teacher DP-SGD", "class prior"}
    assert meta["export_guard"] is None
    privacy = meta["privacy"]
    assert set(privacy) == {"differential_privacy", "left_out", "identity_inhibition"}
    for figure in ("teacher_accuracy_on_its_training_rows", "distance_to_closest_record",
                   "reidentification"):
        assert figure not in json.dumps(meta)
    assert meta["synthesis_parameters"]["dp_epsilon"] == 5.0
    assert meta["teacher"]["module_params"]["module__norm"] == "group"


def test_the_summary_and_the_report_state_the_guarantee(private_run):
    out = private_run["out"]
    assert "Differential privacy: (epsilon" in out and "per person" in out
    assert "teacher DP-SGD: noise multiplier" in out and "Does not cover" in out
    assert "Export guard" not in out
    with open(os.path.join(private_run["report"], "report.md")) as handle:
        report = handle.read()
    assert "## Differential privacy" in report and "| teacher DP-SGD |" in report
    assert "## Privacy" not in report and "teacher accuracy on its training rows" not in report


@pytest.mark.parametrize("extra, match", [
    (["--inhibit-identity"], "--inhibit-identity cannot be combined with --dp-epsilon"),
    (["--teacher-arch", "gru"], "--teacher-arch gru cannot be trained by DP-SGD"),
    (["--dp-unit", "person"], "--dp-unit person needs --n-stimuli N"),
])
def test_what_the_budget_cannot_cover_is_bad_input(private_run, extra, match):
    output = str(private_run["folder"] / "refused.npz")
    code, _, err = run(["synthesize", "--input", private_run["private"], "--output", output,
                        "--dp-epsilon", "5", *CLI_FAST, *extra])
    assert code == EXIT_BAD_INPUT and match in err
    assert not os.path.exists(output)
