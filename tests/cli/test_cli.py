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


def _numbers(text):
    """The numbers of a table row, brackets and commas dropped."""
    return [float(v) for v in text.replace("[", " ").replace("]", " ").replace(",", " ").split()]


def _check_triples(numbers):
    """``value [low, high]`` triples: ordered, finite."""
    assert len(numbers) % 3 == 0
    for value, low, high in zip(numbers[::3], numbers[1::3], numbers[2::3]):
        assert np.isfinite([value, low, high]).all() and low <= value + 1e-9 <= high + 2e-9


def test_quick_demo_prints_every_figure_with_its_interval(capsys):
    from skstim.evaluation import ATTACK_LABELS

    assert main(["demo", "--quick", "--no-progress"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    for family in QUICK.families:
        rows = [line for line in lines if line.startswith(family)]
        assert len(rows) == 2, family  # accuracy, then kappa
        for row in rows:
            numbers = _numbers(row[len(family):])
            assert len(numbers) == 9
            _check_triples(numbers[:6])
            real, stimuli, gap = numbers[0], numbers[3], numbers[6]
            assert gap == pytest.approx(stimuli - real, abs=2e-3)
            assert numbers[7] <= numbers[8]
        accuracy = _numbers(rows[0][len(family):])
        assert 0 <= accuracy[0] <= 1 and 0 <= accuracy[3] <= 1
    assert "Teacher accuracy on held-out subjects" in captured.out
    assert "skstim demo" not in captured.err  # --no-progress hides the bar
    for label in ("linkage, summary-feature forest", "membership, loss of a student",
                  "membership, density ratio (DOMIAS)"):
        assert label in ATTACK_LABELS.values()
        row, = [line for line in lines if line.startswith(label)]
        numbers = _numbers(row[len(label):])
        assert len(numbers) == 12  # real, stimuli, inhibited stimuli, noise
        _check_triples(numbers)
        assert all(0 <= v <= 1 for v in numbers)
    distance = "distance ratio (0: copies, 1: none)"
    row, = [line for line in lines if line.startswith(distance)]
    real_dcr, stimuli_dcr = _numbers(row[len(distance):])[0:4:3]
    assert real_dcr < stimuli_dcr  # real rows sit on the private rows, stimuli do not
    worst = lines[lines.index("Worst case, over the attacks whose interval on the real windows "
                              "lies above 0.5:") + 1:]
    for name in ["real windows (upper bound)", "stimuli", "stimuli, inhibition", "noise (floor)"]:
        assert any(line.strip().startswith(name) for line in worst), name


def test_demo_n_jobs_reaches_run_demo_and_zero_is_a_usage_error(monkeypatch, capsys):
    import skstim.cli._demo

    seen = []

    def record(**kwargs):
        seen.append(kwargs["n_jobs"])
        raise KeyboardInterrupt

    monkeypatch.setattr(skstim.cli._demo, "run_demo", record)
    assert main(["demo", "--quick", "--no-progress"]) == 130
    assert main(["demo", "--quick", "--no-progress", "--n-jobs", "1"]) == 130
    assert seen == [-1, 1]
    with pytest.raises(SystemExit) as info:
        main(["demo", "--n-jobs", "0"])
    assert info.value.code == 2
    assert "--n-jobs: expected an integer other than 0" in capsys.readouterr().err


def _native_threads():
    from threadpoolctl import threadpool_info

    return {pool["num_threads"] for pool in threadpool_info()}


def test_demo_tasks_run_with_their_threads_and_restore_them():
    import torch
    from threadpoolctl import threadpool_limits

    from skstim.cli._lanes import WithThreads

    with threadpool_limits(limits=2):
        before, native = torch.get_num_threads(), _native_threads()
        other = 1 if before > 1 else 2
        assert WithThreads(torch.get_num_threads, other)() == other
        assert WithThreads(_native_threads, 1)() == {1}
        assert torch.get_num_threads() == before and _native_threads() == native
        assert WithThreads(torch.get_num_threads)() == before
        with pytest.raises(ZeroDivisionError):
            WithThreads(lambda: 1 / 0, other)()
        assert torch.get_num_threads() == before and _native_threads() == native


def _sleep_then(seconds, value):
    import time

    time.sleep(seconds)
    return value


def test_demo_lanes_pass_outputs_to_the_tasks_that_need_them_and_refuse_cycles():
    from skstim.cli._lanes import Lanes, Task

    order = []
    tasks = {"slow": Task(1, _sleep_then, (0.5, 2)),
             "needs slow": Task(1, divmod, (7,), needs=("slow",)),
             "free": Task(1, _sleep_then, (0.0, "free"))}
    with Lanes(2) as lanes:
        outputs = lanes.run(tasks, order.append)
    assert outputs == {"slow": 2, "needs slow": (3, 1), "free": "free"}
    assert len(order) == 3
    given = [1, 2]
    with Lanes(2) as lanes:  # a task here gets a copy of its inputs, as a worker does
        outputs = lanes.run({"here": Task(1, list.pop, (given,)),
                             "there": Task(1, list.pop, (given,))}, order.append)
    assert outputs == {"here": 2, "there": 2} and given == [1, 2]
    with Lanes(1) as lanes:
        with pytest.raises(ValueError, match="need each other"):
            lanes.run({"a": Task(1, abs, (1,), needs=("b",)),
                       "b": Task(1, abs, (1,), needs=("a",))}, order.append)
        with pytest.raises(ValueError, match="no task"):
            lanes.run({"a": Task(1, abs, (1,), needs=("c",))}, order.append)


def _files_holding_row(X, row, folder):
    """Run in a worker: the files under ``folder`` that hold row ``row`` of ``X`` now."""
    from pathlib import Path

    planted = np.asarray(X)[row].tobytes()[:64]
    return sorted(str(p) for p in Path(folder).rglob("*")
                  if p.is_file() and planted in p.read_bytes())


def test_demo_tasks_leave_no_file_with_a_private_row(tmp_path, monkeypatch):
    from skstim.cli._lanes import Lanes, Task

    monkeypatch.setenv("JOBLIB_TEMP_FOLDER", str(tmp_path))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    private = np.random.default_rng(0).normal(size=(2000, 300))  # 4.8 MB: joblib would map it
    private[7] = 123.456  # planted
    steps = []
    tasks = {name: Task(steps, _files_holding_row, (private, 7, tmp_path))
             for name, steps in zip("abcd", [4, 3, 2, 1])}
    with Lanes(2) as lanes:
        outputs = lanes.run(tasks, steps.append)
    assert outputs == {name: [] for name in "abcd"} and sorted(steps) == [1, 2, 3, 4]
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def _pid_and_torch_threads(_):
    import os

    import torch

    return os.getpid(), torch.get_num_threads()


def _fails():
    raise ArithmeticError("planted")


def test_demo_lanes_run_tasks_here_and_in_a_worker_and_raise_a_task_s_error():
    import os

    import torch

    from skstim.cli._lanes import Lanes, Task

    before = torch.get_num_threads()
    tasks = {i: Task(1, _pid_and_torch_threads, (i,)) for i in range(6)}
    with Lanes(2) as lanes:
        outputs = lanes.run(tasks, lambda steps: None)
        assert list(outputs) == list(range(6))  # in the order of the tasks
        pids = {pid for pid, _ in outputs.values()}
        assert os.getpid() in pids and len(pids) == 2  # this process is a lane of its own
        assert {threads for _, threads in outputs.values()} == {lanes.threads}
        assert torch.get_num_threads() == before
        with pytest.raises(ArithmeticError, match="planted"):
            lanes.run({"here": Task(1, _fails), "there": Task(1, _fails),
                       "never": Task(1, _pid_and_torch_threads, (0,))}, lambda steps: None)
    with Lanes(1) as lanes:  # one lane: every task here, torch threads untouched
        outputs = lanes.run(tasks, lambda steps: None)
    assert outputs[0] == (os.getpid(), before)


def test_demo_fits_the_teacher_architecture_once_for_its_row_and_the_loss_attack(monkeypatch):
    from skorch import NeuralNet

    import skstim.cli._demo
    from skstim.cli._demo import DemoConfig, run_demo
    from skstim.nets import ConvNet1d

    tiny = DemoConfig(n_subjects=8, n_windows=12, teacher_epochs=2, n_iter=2,
                      families=("teacher architecture", "random forest"))
    monkeypatch.setattr(skstim.cli._demo, "QUICK", tiny)
    fits = []
    fit = NeuralNet.fit

    def counted(net, X, y=None, **params):
        fits.append((net.module, len(X)))
        return fit(net, X, y, **params)

    monkeypatch.setattr(NeuralNet, "fit", counted)
    result = run_demo(quick=True, progress=False, n_jobs=1)  # tasks in this process
    # one student of the teacher's architecture per set of stimuli: plain and inhibited
    assert fits.count((ConvNet1d, result["n_stimuli"])) == 2
    assert [row["family"] for row in result["rows"]] == list(tiny.families)
    shared, = [row for row in result["rows"] if row["family"] == "teacher architecture"]
    privacy = result["privacy"]
    # the attacked student of each set is the row's student: the same predictions
    assert shared["stimuli_accuracy"] == privacy["stimuli"]["utility_accuracy"]
    assert shared["real_accuracy"] == privacy["real windows (upper bound)"]["utility_accuracy"]
    assert shared["real_accuracy_ci"][0] <= shared["real_accuracy"] <= shared["real_accuracy_ci"][1]


def test_demo_rows_of_its_tasks_equal_one_utility_evaluation(monkeypatch):
    # the demo fits each family on the real windows and on the stimuli in tasks of their
    # own: its rows must be those of evaluate_utility on the same stimuli
    import skstim.cli._demo
    from skstim.cli._demo import DemoConfig, _Study, _teacher_and_stimuli, demo_split, run_demo
    from skstim.evaluation import evaluate_utility, student_families

    tiny = DemoConfig(n_subjects=8, n_windows=12, teacher_epochs=2, n_iter=2,
                      families=("mlp", "random forest"))
    monkeypatch.setattr(skstim.cli._demo, "QUICK", tiny)
    given = {}
    run_tasks = skstim.cli._demo.Lanes.run

    def recorded(lanes, tasks, progress):
        given.update(tasks)
        return run_tasks(lanes, tasks, progress)

    monkeypatch.setattr(skstim.cli._demo.Lanes, "run", recorded)
    result = run_demo(quick=True, progress=False, n_jobs=1)
    assert list(given)[0] == "teacher"  # this process starts the teacher at once
    for family in tiny.families:
        assert given["real", family].needs == ()  # beside the teacher
        assert given["stimuli", family].needs == ("teacher",)

    data, train, test, second = demo_split(tiny, 0)
    study = _Study(data, train, test, second, tiny, "cpu", 0)
    synthesizer, X_stimuli, proba = _teacher_and_stimuli(study)
    students = student_families(data.input_shape, families=list(tiny.families),
                                max_epochs=tiny.teacher_epochs, random_state=0)
    expected = evaluate_utility(students, data.X[train], data.y[train], X_stimuli, proba,
                                synthesizer.classes_, data.X[test], data.y[test],
                                groups_test=data.groups[test], random_state=0)
    assert result["rows"] == expected
