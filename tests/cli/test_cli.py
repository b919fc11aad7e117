"""The ``skstim`` command."""

import subprocess
import sys

import numpy as np
import pytest

import skstim.evaluation
from skstim import __version__
from skstim.cli import main
from skstim.cli._demo import QUICK
from skstim.cli._parser import build_parser
from skstim.evaluation import FAMILY_NAMES, student_families


def test_help(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    assert "demo" in capsys.readouterr().out


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_python_m_skstim():
    for argv in (["--help"], ["evaluate", "--help"]):
        done = subprocess.run([sys.executable, "-m", "skstim", *argv], capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert "usage: skstim" in done.stdout
    done = subprocess.run([sys.executable, "-m", "skstim"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2 and "usage: skstim" in done.stderr


def test_evaluate_help_lists_the_families_without_building_students(monkeypatch, capsys):
    def refuse(*args, **kwargs):
        raise AssertionError("the parser built student families")

    monkeypatch.setattr(skstim.evaluation, "student_families", refuse)
    with pytest.raises(SystemExit) as info:
        main(["evaluate", "--help"])
    assert info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps the help
    assert f"from: {', '.join(FAMILY_NAMES)} (default:" in text
    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    families = next(a for a in subparsers.choices["evaluate"]._actions
                    if a.dest == "families")
    assert all(name in families.help for name in FAMILY_NAMES)


def test_family_names_are_the_families_built():
    assert tuple(student_families((1, 8))) == FAMILY_NAMES
    assert tuple(student_families((1, 8), families=["k-nn", "mlp"])) == ("k-nn", "mlp")


def test_no_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2
    assert "usage" in capsys.readouterr().err


def test_quick_demo_prints_the_table(capsys):
    assert main(["demo", "--quick", "--no-progress"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    for family in QUICK.families:
        rows = [line for line in lines if line.startswith(family)]
        assert len(rows) == 1, family
        numbers = [float(v) for v in rows[0][len(family):].split()]
        assert len(numbers) == 6
        accuracies = numbers[0], numbers[1]
        assert all(0 <= a <= 1 for a in accuracies)
        assert numbers[2] == pytest.approx(accuracies[1] - accuracies[0], abs=2e-3)
    assert "Teacher accuracy on held-out subjects" in captured.out
    assert "skstim demo" not in captured.err  # --no-progress hides the bar
    released = ["real windows (upper bound)", "stimuli", "stimuli, inhibition", "noise (floor)"]
    privacy = {name: [line for line in lines if line.startswith(name)] for name in released}
    for name in released:
        numbers = [float(v) for v in privacy[name][-1].split()[-4:]]
        assert len(numbers) == 4 and all(np.isfinite(numbers)), name
        linkage, auc, dcr, accuracy = numbers
        assert linkage >= 0 and 0 <= auc <= 1 and dcr >= 0 and 0 <= accuracy <= 1
    real_dcr = float(privacy["real windows (upper bound)"][0].split()[-2])
    stimuli_dcr = float(privacy["stimuli"][0].split()[-2])
    assert real_dcr < stimuli_dcr  # real rows sit on the private rows, stimuli do not
