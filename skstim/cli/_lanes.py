"""Tasks that need each other's outputs, run in this process and in spawned workers.

``skstim demo`` runs its fits and attacks here: this process is a lane of its own beside
``n_lanes - 1`` worker processes, and a free lane takes the first task, in the order
given, whose inputs are ready. Arrays go to the workers pickled, never through a file.
"""

import contextlib
import multiprocessing
import os
import pickle
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import torch
from threadpoolctl import threadpool_limits

__all__ = ["Lanes", "Task", "WithThreads"]


@dataclass(frozen=True)
class Task:
    """``function(*args, *outputs)``, ``outputs`` those of the tasks named in ``needs``;
    worth ``steps`` of the progress bar."""

    steps: int
    function: object
    args: tuple = ()
    needs: tuple = ()


@dataclass(frozen=True)
class WithThreads:
    """Runs a task with ``threads`` threads in torch and in the native thread pools
    (BLAS, OpenMP) that scikit-learn and numpy use (``None``: as they are)."""

    function: object
    threads: int = None

    def __call__(self, *args):
        if self.threads is None:
            return self.function(*args)
        before = torch.get_num_threads()
        torch.set_num_threads(self.threads)
        try:
            with threadpool_limits(limits=self.threads):
                return self.function(*args)
        finally:
            torch.set_num_threads(before)


class Lanes:
    """This process and ``n_lanes - 1`` worker processes, each running one task at a time.

    A context manager: a worker starts with the first task given to it and stops at the
    end of the ``with`` block. Every task runs with ``cpu_count // n_lanes`` threads
    (:class:`WithThreads`), wherever it runs, so that it gives the same output in any
    lane; with one lane every task runs here with the threads as they are.

    Examples
    --------
    >>> with Lanes(1) as lanes:
    ...     lanes.run({"a": Task(1, abs, (-2,)), "b": Task(1, divmod, (7,), needs=("a",))},
    ...               progress=lambda steps: None)
    {'a': 2, 'b': (3, 1)}
    """

    def __init__(self, n_lanes):
        self.n_lanes = n_lanes
        self.threads = max(1, (os.cpu_count() or 1) // n_lanes) if n_lanes > 1 else None
        self._executor = None

    def __enter__(self):
        if self.n_lanes > 1:
            # spawned workers start with no torch or OpenMP state from this process
            self._executor = ProcessPoolExecutor(self.n_lanes - 1,
                                                 mp_context=multiprocessing.get_context("spawn"))
        return self

    def __exit__(self, *exc_info):
        if self._executor is not None:
            self._executor.shutdown(wait=exc_info[0] is None, cancel_futures=True)

    def run(self, tasks, progress):
        """``{name: output}`` of ``tasks`` (``{name: Task}``), in the order of ``tasks``.

        A free lane takes the first task whose ``needs`` are done; this process takes
        the very first. ``progress(steps)`` after each task. The first error stops the
        lanes from taking more tasks and is raised.
        """
        _check_needs(tasks)
        pending, outputs, errors = dict(tasks), {}, []
        changed = threading.Condition()

        def take():
            """The next ready task as ``(name, task, arguments)``, or None when none is
            left; waits while every pending task needs one that is running."""
            with changed:
                while pending and not errors:
                    for name, task in pending.items():
                        if all(n in outputs for n in task.needs):
                            del pending[name]
                            return name, task, (*task.args, *(outputs[n] for n in task.needs))
                    changed.wait()
                return None

        def lane(call, item):
            while item is not None:
                name, task, args = item
                try:
                    output = call(WithThreads(task.function, self.threads), args)
                except BaseException as error:
                    with changed:
                        errors.append(error)
                        changed.notify_all()
                    raise
                with changed:
                    outputs[name] = output
                    progress(task.steps)
                    changed.notify_all()
                item = take()

        def worker_lane():
            with contextlib.suppress(BaseException):  # kept in errors
                lane(lambda function, args: self._executor.submit(function, *args).result(),
                     take())

        first = take()
        workers = [threading.Thread(target=worker_lane, daemon=True)
                   for _ in range(self.n_lanes - 1)]
        for worker in workers:
            worker.start()
        # with workers beside it, a task here gets a copy of its inputs, as a worker does:
        # it may change them (a synthesizer hooks its teacher) while a worker's are pickled
        copy = _pickled_copy if self.n_lanes > 1 else tuple
        lane(lambda function, args: function(*copy(args)), first)
        for worker in workers:
            worker.join()
        if errors:
            raise errors[0]
        return {name: outputs[name] for name in tasks}


def _check_needs(tasks):
    """Raise ValueError where a task needs an unknown task or, through others, itself."""
    unknown = {n for task in tasks.values() for n in task.needs} - set(tasks)
    if unknown:
        raise ValueError(f"tasks need outputs of no task: {sorted(map(str, unknown))}.")
    done, left = set(), dict(tasks)
    while left:
        ready = [name for name, task in left.items() if done.issuperset(task.needs)]
        if not ready:
            raise ValueError(f"tasks that need each other: {sorted(map(str, left))}.")
        done.update(ready)
        for name in ready:
            del left[name]


def _pickled_copy(args):
    return pickle.loads(pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL))
