"""The benchmarks' records and caches: one record per key, stimuli of the right teacher."""

import json
import threading
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def benchmarks(monkeypatch):
    """The benchmark scripts' modules (they import each other by bare name)."""
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import _common
    import utility
    return _common, utility


def test_append_record_writes_each_key_once(benchmarks, tmp_path):
    common, _ = benchmarks
    path = tmp_path / "results.jsonl"
    key = ("fold", "source")
    assert common.append_record(path, {"fold": 0, "source": "real", "score": 1}, unique=key)
    assert not common.append_record(path, {"fold": 0, "source": "real", "score": 2}, unique=key)
    assert common.append_record(path, {"fold": 1, "source": "real", "score": 3}, unique=key)
    assert common.append_record(path, {"fold": 0, "source": "real", "score": 4})
    scores = [json.loads(line)["score"] for line in path.read_text().splitlines()]
    assert scores == [1, 3, 4]


def test_append_record_concurrent_writers_leave_one_record(benchmarks, tmp_path):
    # the lock is taken per open file, so threads contend as processes would
    common, _ = benchmarks
    path = tmp_path / "results.jsonl"
    start = threading.Barrier(8)
    written = []

    def writer(i):
        start.wait()
        written.append(common.append_record(path, {"fold": 2, "writer": i}, unique=("fold",)))

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(written) == 1
    assert len(path.read_text().splitlines()) == 1


def test_stimuli_cache_refuses_the_other_teacher(benchmarks, tmp_path):
    _, utility = benchmarks
    X, proba, classes = np.ones((3, 1, 4)), np.full((3, 2), 0.5), np.array([0, 1])
    made = utility._cached(tmp_path, "fold0_x4", "precise", lambda: (X, proba, classes))
    np.testing.assert_array_equal(made[0], X)

    def must_not_run():
        raise AssertionError("the cached stimuli should have been read")

    X_read, proba_read, classes_read = utility._cached(tmp_path, "fold0_x4", "precise",
                                                       must_not_run)
    np.testing.assert_array_equal(X_read, X)
    np.testing.assert_array_equal(proba_read, proba)
    with pytest.raises(ValueError, match="as trained.*--cache of its own"):
        utility._cached(tmp_path, "fold0_x4", "as trained", must_not_run)
    assert not list(tmp_path.glob("*.partial.npz"))
