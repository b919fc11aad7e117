"""The shared internals: input-shape checks, files, seeds, distances, JSON, docstrings."""

import os

import numpy as np
import pytest
import torch

from skstim.utils import (
    NotJSON,
    Substitution,
    allocate,
    check_input_shape,
    check_output_path,
    nearest_distances,
    read_npz,
    seed_sequence,
    seeded_torch,
    sklearn_seed,
    standardize,
    to_json,
    torch_seed,
    write_atomic,
)


# ------------------------------------------------------------------- validation
@pytest.mark.parametrize("shape", [(4.0, 60), (True, 240), (0, 240), "4,60", (), 240])
def test_input_shape_entries_must_be_positive_ints(shape):
    with pytest.raises(ValueError, match=r"input_shape must hold two positive integers"):
        check_input_shape(shape, 240)


def test_input_shape_mismatch_names_the_parameter_the_data_and_the_fix():
    with pytest.raises(KeyError, match=r"--input-shape=\(3, 7\) does not match the table with "
                                       r"240 features: use C,T"):
        check_input_shape((3, 7), 240, name="--input-shape", data="the table",
                          fix="use C,T", error=KeyError)


def test_input_shape_of_any_length_when_asked():
    assert check_input_shape([2, 3, 4], 24, ndim=None) == (2, 3, 4)
    assert check_input_shape(np.array([4, 60]), 240) == (4, 60)
    with pytest.raises(ValueError, match="input_shape is None"):
        check_input_shape(None)


@pytest.mark.parametrize("n", [0, 1, 7, 100])
def test_allocate_sums_to_n_and_follows_the_prior(n):
    prior = np.array([0.6, 0.3, 0.1])
    counts = allocate(n, prior)
    assert counts.sum() == n and np.all(np.abs(counts - n * prior) < 1)


# ------------------------------------------------------------------------ files
def test_check_output_path(tmp_path):
    assert check_output_path(tmp_path / "a.npz") == str(tmp_path / "a.npz")
    with pytest.raises(ValueError, match=r"path must end in '\.npz'"):
        check_output_path(tmp_path / "a.csv")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        check_output_path(tmp_path / "missing" / "a.npz")
    with pytest.raises(TypeError, match="--output must be a str"):
        check_output_path(3, name="--output")


def test_write_atomic_failure_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")

    def fail(handle):
        handle.write(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_atomic(target, fail)
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.bin"]


def test_read_npz_never_unpickles(tmp_path):
    path = tmp_path / "a.npz"
    np.savez(path, X=np.zeros((2, 3)), obj=np.array([{"a": 1}], dtype=object))
    assert list(read_npz(path, names=("X",))) == ["X"]
    with pytest.raises(ValueError, match="'obj' holds Python objects") as info:
        read_npz(path)
    assert "allow_pickle" not in str(info.value)
    np.save(tmp_path / "single.npy", np.zeros(3))
    with pytest.raises(ValueError, match="single array"):
        read_npz(tmp_path / "single.npy")
    (tmp_path / "text.npz").write_text("not an archive")
    with pytest.raises(ValueError, match="not an .npz archive of plain arrays"):
        read_npz(tmp_path / "text.npz")
    with pytest.raises(ValueError, match="'X' is larger than 10 bytes"):
        read_npz(path, max_bytes={"X": 10})


# ------------------------------------------------------------------------ seeds
def test_seeds_are_reproducible_and_leave_the_global_states_alone():
    numpy_state = np.random.get_state()[1].copy()
    torch_state = torch.get_rng_state().clone()
    assert torch_seed(3) == torch_seed(3) != torch_seed(4)
    assert sklearn_seed(None) is None and sklearn_seed(5) == 5
    assert sklearn_seed(np.random.default_rng(0)) == sklearn_seed(np.random.default_rng(0))
    with seeded_torch(0):
        first = torch.rand(3)
    with seeded_torch(0):
        assert torch.equal(torch.rand(3), first)
    assert np.array_equal(np.random.get_state()[1], numpy_state)
    assert torch.equal(torch.get_rng_state(), torch_state)
    with pytest.raises(ValueError, match="random_state must be"):
        seed_sequence("seven")


# -------------------------------------------------------------------- distances
def test_standardized_nearest_distances():
    reference = np.array([[0.0, 5.0], [2.0, 5.0], [4.0, 5.0]])  # the second feature is constant
    Z, query = standardize(reference, [[2.0, 6.0]])
    np.testing.assert_allclose(Z[:, 1], 0.0)
    np.testing.assert_allclose(query, [[0.0, 1.0]])  # a constant feature is divided by 1
    step = Z[1, 0] - Z[0, 0]
    np.testing.assert_allclose(nearest_distances(Z), [step, step, step])  # never itself
    np.testing.assert_allclose(nearest_distances(Z, query), [1.0])


# ------------------------------------------------------------- JSON, docstrings
def test_to_json_converts_numpy_and_refuses_what_json_cannot_hold():
    assert to_json({"a": np.int64(2), "b": (np.float32(0.5), np.array(["x"]))}) == \
        {"a": 2, "b": [0.5, ["x"]]}
    with pytest.raises(NotJSON):
        to_json({"score": float("nan")})
    with pytest.raises(NotJSON):
        to_json(object())


def test_substitution_fills_only_the_named_fields():
    @Substitution(name="filled")
    def f():
        """{name} and {other} and {"a": 1}"""

    assert f.__doc__ == 'filled and {other} and {"a": 1}'
