"""What the command line refuses: useless output, bad labels, devices, seeds and sizes,
outputs it would overwrite or cannot write, and what a Ctrl-C leaves behind."""

import os

import numpy as np
import pytest
import torch
from sklearn.utils import Bunch

import skstim.cli._demo
import skstim.cli._evaluate
import skstim.cli._outputs
import skstim.cli._synthesize
import skstim.cli.report
import skstim.release
from skstim import StimulusSynthesizer
from skstim.cli import EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_OK, main
from skstim.cli._device import check_device
from skstim.cli._tables import read_table
from skstim.release import load_stimuli, save_stimuli

from ..helpers import CLI_FAST, cli_data, write_npz
from ._cli import run, run_refused_by_argparse, write_csv


@pytest.fixture
def private(tmp_path):
    """The private npz input (72 rows, 6 people, classes 0 and 1) in a fresh folder."""
    return write_npz(tmp_path / "private.npz", cli_data(1))


def _synthesize(source, output, *extra):
    """``skstim synthesize`` of ``source`` into ``output``, small and quiet."""
    return run(["synthesize", "--input", str(source), "--output", str(output),
                "--n-stimuli", "12", "--no-progress", *CLI_FAST, *extra])


def _stimuli_file(path):
    """A small stimuli file of the shape of ``cli_data``, written without synthesis."""
    data = cli_data(2)
    save_stimuli(path, data.X[:12], data.y[:12], metadata={"input_shape": [4, 60]})
    return str(path)


# ------------------------------------------------------------- useless output
def _patch_fit_resample(monkeypatch, one_class=False):
    """Make the teacher answer the majority class of its training rows, and with
    ``one_class`` label every stimulus as the first class."""
    original = StimulusSynthesizer.fit_resample

    def fit_resample(self, X, y, **params):
        X_s, y_s = original(self, X, y, **params)
        values, counts = np.unique(y, return_counts=True)
        majority = int(np.flatnonzero(self.classes_ == values[counts.argmax()])[0])
        eye = np.eye(len(self.classes_), dtype=np.float32)
        self.teacher_.predict_proba = lambda X_: eye[np.full(len(X_), majority)]
        if one_class:
            y_s = np.full_like(y_s, self.classes_[0])
        return X_s, y_s

    monkeypatch.setattr(StimulusSynthesizer, "fit_resample", fit_resample)


def test_stimuli_of_one_class_are_refused(private, tmp_path, monkeypatch):
    _patch_fit_resample(monkeypatch, one_class=True)
    before = sorted(os.listdir(tmp_path))
    code, out, err = _synthesize(private, tmp_path / "stimuli.npz")
    assert code == EXIT_BAD_INPUT, err
    assert "all 12 stimuli" in err and "of class 0 only" in err and "nothing was written" in err
    for fix in ("--teacher-epochs", "--n-stimuli", "--class-prior uniform"):
        assert fix in err, fix
    assert sorted(os.listdir(tmp_path)) == before  # no stimuli file, no temporary file
    assert "Wrote" not in out


def test_stimuli_left_of_one_class_after_the_export_guard_are_refused(private, tmp_path,
                                                                     monkeypatch):
    real_save = skstim.release.save_stimuli

    def save_with_copies(path, X, y, proba=None, *, X_train=None, **kwargs):
        X = np.array(X, copy=True)
        copies = np.flatnonzero(np.asarray(y) != y[0])  # every stimulus of the other class
        X[copies] = X_train[copies]
        return real_save(path, X, y, proba, X_train=X_train, **kwargs)

    monkeypatch.setattr(skstim.release, "save_stimuli", save_with_copies)
    before = sorted(os.listdir(tmp_path))
    code, out, err = _synthesize(private, tmp_path / "stimuli.npz", "--on-copy", "drop")
    assert code == EXIT_BAD_INPUT, err
    assert "after the export guard dropped" in err and "nothing was written" in err
    assert sorted(os.listdir(tmp_path)) == before and out == ""


def test_a_teacher_no_better_than_the_majority_answer_is_warned_about(private, tmp_path,
                                                                       monkeypatch):
    _patch_fit_resample(monkeypatch)
    output = tmp_path / "stimuli.npz"
    code, out, err = _synthesize(private, output)
    assert code == EXIT_OK, err
    warning = [line for line in err.splitlines() if "warning" in line]
    assert len(warning) == 1
    assert "no better than always answering the majority class (0.514)" in warning[0]
    assert "teacher accuracy on its training rows 0.514" in out
    assert len(load_stimuli(output).X) == 12


@pytest.mark.parametrize("missing", ["NA", "N/A", "null", "", "nan", "None", " na "])
def test_a_missing_csv_label_is_not_a_class(tmp_path, missing):
    source = tmp_path / "data.csv"
    source.write_text(f"a,b,label\n1,2,x\n3,4,{missing}\n5,6,y\n7,9,x\n")
    output = tmp_path / "stimuli.npz"
    code, _, err = _synthesize(source, output)
    assert code == EXIT_BAD_INPUT
    assert "label column 'label' has a missing value" in err and "line 3" in err
    assert not output.exists()


def test_missing_labels_and_subject_ids_of_an_npz_are_refused(tmp_path):
    data = cli_data(1)
    labels = np.where(data.y == 1, "apnea", "normal")
    labels[4] = "N/A"
    np.savez(tmp_path / "labels.npz", X=data.X, y=labels)
    with pytest.raises(ValueError, match=r"array 'y' has a missing value \('N/A'\) at row 4"):
        read_table(tmp_path / "labels.npz")
    groups = data.groups.astype(str)
    groups[7] = "null"
    np.savez(tmp_path / "groups.npz", X=data.X, y=data.y, groups=groups)
    with pytest.raises(ValueError, match="group array 'groups' has a missing value"):
        read_table(tmp_path / "groups.npz")


# ------------------------------------------------------------------- bad input
def test_float_labels_are_bad_input_unless_whole(tmp_path):
    data = cli_data(1)
    shape = np.array(data.input_shape)
    np.savez(tmp_path / "halves.npz", X=data.X, y=data.y + 0.5, input_shape=shape)
    code, _, err = _synthesize(tmp_path / "halves.npz", tmp_path / "a.npz")
    assert code == EXIT_BAD_INPUT and "label array 'y' holds 0.5 at row 0" in err
    source = write_csv(tmp_path / "halves.csv", data, labels=data.y + 0.5)
    code, _, err = _synthesize(source, tmp_path / "b.npz", "--input-shape", "4,60")
    assert code == EXIT_BAD_INPUT
    assert "label column 'label' holds 0.5 at line 2" in err and "not whole" in err
    assert not os.path.exists(tmp_path / "a.npz") and not os.path.exists(tmp_path / "b.npz")

    np.savez(tmp_path / "whole.npz", X=data.X, y=data.y.astype(float), input_shape=shape)
    csv_whole = write_csv(tmp_path / "whole.csv", data, labels=[f"{v:.1f}" for v in data.y])
    for path in (tmp_path / "whole.npz", csv_whole):
        y = read_table(path).y
        assert y.dtype.kind == "i" and y.tolist() == data.y.tolist()


@pytest.mark.parametrize("device, message", [
    ("cuda", "no cuda device"),
    ("cuda:0", "no cuda device"),
    ("gpu", "is not a torch device"),
])
def test_a_device_this_machine_lacks_is_bad_input(tmp_path, private, monkeypatch, device,
                                                  message):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    output = tmp_path / "stimuli.npz"
    code, out, err = _synthesize(private, output, "--device", device)
    assert code == EXIT_BAD_INPUT and "--device" in err and message in err
    assert out == "" and not output.exists()
    code, _, err = run(["evaluate", "--stimuli", _stimuli_file(tmp_path / "s.npz"), "--real",
                        private, "--device", device])
    assert code == EXIT_BAD_INPUT and "--device" in err and message in err


def test_a_device_this_machine_has_is_accepted(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert check_device("cpu") == "cpu" and check_device("cuda:0") == "cuda:0"
    with pytest.raises(ValueError, match="has 1 cuda device"):
        check_device("cuda:1")


@pytest.mark.parametrize("seed", ["-1", "4294967296", "1.5"])
def test_a_seed_numpy_refuses_is_bad_input(tmp_path, private, seed):
    output = tmp_path / "stimuli.npz"
    for argv in (["synthesize", "--input", private, "--output", str(output)],
                 ["evaluate", "--stimuli", str(output), "--real", private], ["demo"]):
        code, err = run_refused_by_argparse([*argv, "--random-state", seed])
        assert code == EXIT_BAD_INPUT and "--random-state" in err and "4294967295" in err
    assert not output.exists()


@pytest.mark.parametrize("value", [1e308, -1e308, 1e20])
def test_values_that_overflow_standardizing_are_bad_input(tmp_path, value):
    data = cli_data(1)
    X = data.X.copy()
    X[3, 17] = value
    np.savez(tmp_path / "huge.npz", X=X, y=data.y, input_shape=np.array(data.input_shape))
    output = tmp_path / "stimuli.npz"
    code, _, err = _synthesize(tmp_path / "huge.npz", output)
    assert code == EXIT_BAD_INPUT and "column 17 of X" in err and "Rescale" in err
    assert not output.exists()
    source = write_csv(tmp_path / "huge.csv", Bunch(X=X, y=data.y, groups=data.groups))
    code, _, err = _synthesize(source, output, "--input-shape", "4,60")
    assert code == EXIT_BAD_INPUT and "column 'x17'" in err and "overflows" in err


# ---------------------------------------------------------------------- output
def test_an_unwritable_output_folder_is_found_before_any_work(tmp_path, private, monkeypatch):
    folder = tmp_path / "locked"
    folder.mkdir()
    real_access = os.access

    def access(path, mode, **kwargs):  # the tests may run as root, who may write anywhere
        if os.path.abspath(path) == str(folder) and mode & os.W_OK:
            return False
        return real_access(path, mode, **kwargs)

    def no_work(*args, **kwargs):
        raise AssertionError("the input was read before the output folder was checked")

    monkeypatch.setattr(skstim.cli._outputs.os, "access", access)
    monkeypatch.setattr(skstim.cli._synthesize, "read_table", no_work)
    code, out, err = _synthesize(private, folder / "stimuli.npz")
    assert code == EXIT_BAD_INPUT and "--output" in err and "no permission" in err
    assert out == "" and os.listdir(folder) == []


def test_an_existing_output_is_refused_unless_force(tmp_path, private, monkeypatch):
    other = tmp_path / "notes.npz"
    other.write_text("not stimuli")
    stimuli = _stimuli_file(tmp_path / "stimuli.npz")
    before = open(stimuli, "rb").read()
    for path, what in ((other, "is not a skstim stimuli file"),
                       (stimuli, "holds 12 stimuli of an earlier run")):
        code, out, err = _synthesize(private, path)
        assert code == EXIT_BAD_INPUT and what in err and "--force" in err, err
        assert out == ""
    assert other.read_text() == "not stimuli" and open(stimuli, "rb").read() == before

    # --force replaces it; a Ctrl-C in the report then says what was written already
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(skstim.cli.report, "synthesis_report", interrupt)
    code, out, err = _synthesize(private, other, "--force", "--report", str(tmp_path / "r"))
    assert code == EXIT_INTERRUPTED, err
    assert err.splitlines()[-1] == (
        f"skstim synthesize: interrupted; written before the interruption: the stimuli file "
        f"{str(other)!r}, the report folder {str(tmp_path / 'r')!r} (perhaps incomplete)")
    assert "Traceback" not in err
    assert load_stimuli(other).metadata["synthesis_parameters"]["n_stimuli"] == 12


def test_help_says_an_existing_output_is_refused(capsys):
    with pytest.raises(SystemExit):
        main(["synthesize", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "is refused unless --force" in text and "130 interrupted" in text
    assert "whole numbers written as floats (1.0) are read as integers" in text


# ---------------------------------------------------------------------- Ctrl-C
@pytest.mark.parametrize("command, target", [
    ("synthesize", (skstim.cli._synthesize, "read_table")),
    ("evaluate", (skstim.cli._evaluate, "read_table")),
    ("demo", (skstim.cli._demo, "run_demo")),
])
def test_ctrl_c_ends_with_one_line_and_code_130(tmp_path, private, monkeypatch, command,
                                                target):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(*target, interrupt)
    argv = {"synthesize": ["--input", private, "--output", str(tmp_path / "s.npz")],
            "evaluate": ["--stimuli", _stimuli_file(tmp_path / "given.npz"), "--real",
                         private],
            "demo": ["--quick"]}[command]
    before = sorted(os.listdir(tmp_path))
    code, out, err = run([command, *argv, "--no-progress"])
    assert code == EXIT_INTERRUPTED
    assert err == f"skstim {command}: interrupted; nothing was written\n"
    assert out == "" and sorted(os.listdir(tmp_path)) == before
