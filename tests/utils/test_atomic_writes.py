"""Writes that a killed process or a second writer cannot corrupt."""

import multiprocessing
import os
import signal
import time

import numpy as np
import pytest

from skstim.release import load_stimuli, save_stimuli
from skstim.utils import write_atomic

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (POSIX)")


def _write_slowly(path, started):
    def write(handle):
        handle.write(b"new and half written")
        handle.flush()
        started.set()
        time.sleep(60)

    write_atomic(path, write)


def test_a_writer_killed_mid_write_leaves_the_old_file_and_no_temporary_after_the_next_run(
        tmp_path):
    context = multiprocessing.get_context("fork")
    target = tmp_path / "stimuli.npz"
    target.write_bytes(b"old")
    started = context.Event()
    writer = context.Process(target=_write_slowly, args=(str(target), started))
    writer.start()
    assert started.wait(30)
    os.kill(writer.pid, signal.SIGKILL)
    writer.join()
    assert target.read_bytes() == b"old"
    assert len(os.listdir(tmp_path)) == 2  # the old file and the dead writer's temporary

    write_atomic(target, lambda handle: handle.write(b"next"))
    assert target.read_bytes() == b"next"
    assert os.listdir(tmp_path) == ["stimuli.npz"]


def _save(path, value, barrier):
    X = np.full((2000, 240), value, dtype=np.float32)
    barrier.wait()
    save_stimuli(path, X, np.zeros(len(X), dtype=int))


def test_two_processes_writing_the_same_file_leave_one_whole_file(tmp_path):
    context = multiprocessing.get_context("fork")
    target = str(tmp_path / "stimuli.npz")
    barrier = context.Barrier(2)
    writers = [context.Process(target=_save, args=(target, value, barrier))
               for value in (1.0, 2.0)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(60)
        assert writer.exitcode == 0
    data = load_stimuli(target)
    assert data.X.shape == (2000, 240)
    assert np.unique(data.X).tolist() in ([1.0], [2.0])  # one writer's file, whole
    assert os.listdir(tmp_path) == ["stimuli.npz"]


def test_a_file_for_the_owner_alone(tmp_path):
    target = tmp_path / "private.md"
    write_atomic(target, lambda handle: handle.write(b"private"), mode=0o600)
    assert (os.stat(target).st_mode & 0o777) == 0o600
