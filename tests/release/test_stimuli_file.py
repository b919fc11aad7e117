"""The stimuli file: pickle-free round trip, atomic writes, the export guard, clear errors."""

import copy
import json
import os
import warnings

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

import skstim
from skstim.release import load_stimuli, save_stimuli, stimuli_metadata

from ..helpers import tiny_synthesizer


def _stimuli(apnea, n=20, seed=0):
    """Noise stimuli with the training data's per-feature mean and spread: far from any row."""
    rng = np.random.default_rng(seed)
    X = apnea.X.mean(axis=0) + apnea.X.std(axis=0) * rng.normal(size=(n, apnea.X.shape[1]))
    y = np.arange(n) % 2
    proba = rng.dirichlet([1.0, 1.0], size=n)
    return X, y, proba


def test_round_trip(apnea, tmp_path):
    X, y, proba = _stimuli(apnea)
    path = tmp_path / "stimuli.npz"
    report = save_stimuli(path, X, y, proba,
                          metadata={"note": "night 3", "input_shape": apnea.input_shape,
                                    "weight": np.float64(0.5), "skstim_version": "custom"})
    assert report == {"path": str(path), "n_saved": 20, "n_dropped": 0,
                      "dropped_indices": [], "threshold": None}

    data = load_stimuli(path)
    assert data.X.dtype == np.float32 and data.proba.dtype == np.float32
    np.testing.assert_array_equal(data.X, X.astype(np.float32))
    np.testing.assert_array_equal(data.y, y)
    np.testing.assert_array_equal(data.proba, proba.astype(np.float32))
    assert data.input_shape == tuple(apnea.input_shape)
    np.testing.assert_array_equal(data.classes, [0, 1])
    meta = data.metadata
    assert meta["format"] == "skstim-stimuli" and meta["format_version"] == 1
    assert meta["note"] == "night 3" and meta["weight"] == 0.5
    assert meta["skstim_version"] == "custom"  # caller keys win
    assert meta["n_stimuli"] == 20 and meta["n_features"] == X.shape[1]
    assert meta["classes"] == [0, 1] and meta["export_guard"] is None

    X_only, y_only = load_stimuli(str(path), return_X_y=True)
    np.testing.assert_array_equal(X_only, data.X)
    np.testing.assert_array_equal(y_only, y)


def test_default_record_and_reserved_keys(apnea, tmp_path):
    X, y, _ = _stimuli(apnea, n=6)
    path = tmp_path / "s.npz"
    save_stimuli(path, X, y, metadata={"format": "other", "format_version": 7, "n_stimuli": 99})
    data = load_stimuli(path)
    assert data.proba is None and data.input_shape is None
    meta = data.metadata
    assert (meta["format"], meta["format_version"], meta["n_stimuli"]) == ("skstim-stimuli", 1, 6)
    assert meta["skstim_version"] == skstim.__version__


def test_string_labels_round_trip(apnea, tmp_path):
    X, _, _ = _stimuli(apnea, n=6)
    labels = ["normal", "apnea", "normal", "apnea", "apnea", "normal"]
    for i, y in enumerate([labels, np.array(labels, dtype=object)]):
        path = tmp_path / f"s{i}.npz"
        save_stimuli(path, X, y)
        data = load_stimuli(path)
        assert data.y.dtype.kind == "U"
        assert data.y.tolist() == labels
        assert data.classes.tolist() == ["apnea", "normal"]

    mixed = np.array(["normal", 1, "apnea", 0, "apnea", "normal"], dtype=object)
    with pytest.raises(ValueError, match=r"y is an object array holding \['int'\]"):
        save_stimuli(tmp_path / "bad.npz", X, mixed)
    assert not (tmp_path / "bad.npz").exists()


def test_plain_numpy_reads_the_file_without_pickle(apnea, tmp_path):
    X, y, proba = _stimuli(apnea, n=5)
    path = tmp_path / "s.npz"
    save_stimuli(path, X, np.array(list("abcab")), proba=None,
                 metadata={"input_shape": list(apnea.input_shape)})
    with np.load(path, allow_pickle=False) as f:
        assert set(f.files) == {"X", "y", "metadata"}
        assert f["metadata"].ndim == 0 and f["metadata"].dtype.kind == "U"
        record = json.loads(str(f["metadata"]))
        assert f["y"].dtype.kind == "U"
    assert record["format"] == "skstim-stimuli"
    assert record["classes"] == ["a", "b", "c"]
    assert record["input_shape"] == list(apnea.input_shape)


def test_planted_copy_is_refused_and_nothing_written(apnea, tmp_path):
    X, y, proba = _stimuli(apnea)
    X[5] = apnea.X[3]
    with pytest.raises(ValueError, match=r"1 of 20 stimuli are copies.*\[5\].*on_copy='drop'"):
        save_stimuli(tmp_path / "stimuli.npz", X, y, proba, X_train=apnea.X)
    assert os.listdir(tmp_path) == []  # no file, no temporary file


def test_drop_removes_exact_and_near_copies(apnea, tmp_path):
    X, y, proba = _stimuli(apnea)
    X_train = apnea.X
    X[2] = X_train[0]
    X[7] = X_train[10] + 1e-3 * X_train.std(axis=0)  # barely perturbed
    path = tmp_path / "stimuli.npz"
    with pytest.warns(UserWarning, match=r"dropped 2 of 20 stimuli.*\[2, 7\]"):
        report = save_stimuli(path, X, y, proba, X_train=X_train, on_copy="drop")
    assert report["n_saved"] == 18 and report["n_dropped"] == 2
    assert report["dropped_indices"] == [2, 7] and report["threshold"] > 0

    data = load_stimuli(path)
    kept = np.delete(np.arange(20), [2, 7])
    np.testing.assert_array_equal(data.X, X[kept].astype(np.float32))
    np.testing.assert_array_equal(data.y, y[kept])
    np.testing.assert_array_equal(data.proba, proba[kept].astype(np.float32))
    guard = data.metadata["export_guard"]
    assert guard["n_checked"] == 20 and guard["n_dropped"] == 2
    assert guard["dropped_indices"] == [2, 7]
    assert guard["threshold"] == pytest.approx(report["threshold"])
    assert guard["min_distance"] >= guard["threshold"]  # what was saved is no copy
    assert data.metadata["n_stimuli"] == 18


def test_guard_threshold_ignores_duplicate_training_rows(apnea, tmp_path):
    X, y, _ = _stimuli(apnea)
    plain = save_stimuli(tmp_path / "a.npz", X, y, X_train=apnea.X)
    duplicated = np.vstack([apnea.X, apnea.X[:5]])
    dup = save_stimuli(tmp_path / "b.npz", X, y, X_train=duplicated)
    assert plain["n_dropped"] == 0
    assert dup["threshold"] > 0  # exact duplicates (distance 0) do not make the threshold 0
    # Same distinct rows, slightly different standardization: a threshold of the same size.
    assert dup["threshold"] == pytest.approx(plain["threshold"], rel=0.1)
    guard = load_stimuli(tmp_path / "a.npz").metadata["export_guard"]
    assert guard["n_dropped"] == 0 and guard["n_checked"] == 20


def test_all_copies_raise_even_with_drop(apnea, tmp_path):
    with pytest.raises(ValueError, match="All 4 stimuli are copies"):
        save_stimuli(tmp_path / "s.npz", apnea.X[:4], apnea.y[:4], X_train=apnea.X,
                     on_copy="drop")
    assert os.listdir(tmp_path) == []


def test_failed_save_leaves_existing_file_untouched(apnea, tmp_path, monkeypatch):
    X, y, proba = _stimuli(apnea)
    path = tmp_path / "stimuli.npz"
    save_stimuli(path, X, y, proba)
    before = path.read_bytes()

    def half_write(file, *args, **kwargs):
        file.write(b"PK\x03\x04 half an archive")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez_compressed", half_write)
    with pytest.raises(OSError, match="disk full"):
        save_stimuli(path, X[:5], y[:5])
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["stimuli.npz"]  # the temporary file is gone
    monkeypatch.undo()
    assert len(load_stimuli(path).X) == 20


def test_caller_arrays_and_metadata_unchanged(apnea, tmp_path):
    X, y, proba = _stimuli(apnea)
    X_train = apnea.X.copy()
    X[1] = X_train[4]
    X32 = X.astype(np.float32)
    metadata = {"input_shape": (4, 60), "nested": {"a": [1, 2]}}
    copies = [a.copy() for a in (X, y, proba, X_train, X32)]
    meta_copy = copy.deepcopy(metadata)
    with pytest.warns(UserWarning):
        save_stimuli(tmp_path / "s.npz", X, y, proba, metadata=metadata, X_train=X_train,
                     on_copy="drop")
    save_stimuli(tmp_path / "t.npz", X32, y)
    for before, after in zip(copies, (X, y, proba, X_train, X32)):
        np.testing.assert_array_equal(before, after)
    assert metadata == meta_copy and isinstance(metadata["input_shape"], tuple)


@pytest.mark.parametrize("case, error, match", [
    ("suffix", ValueError, r"path must end in '\.npz'"),
    ("directory", FileNotFoundError, "directory .* does not exist"),
    ("on_copy", ValueError, "on_copy must be 'refuse'.*'keep'"),
    ("length", ValueError, "X has 20 rows but y has 19"),
    ("nan", ValueError, "X holds 1 NaN or infinite"),
    ("inf_after_cast", ValueError, "X holds 1 NaN or infinite"),
    ("one_d", ValueError, "X must be 2-D"),
    ("proba_rows", ValueError, "proba has 19 rows"),
    ("proba_columns", ValueError, r"proba has 3 columns but there are 2 classes.*metadata="),
    ("metadata", ValueError, r"metadata\['bad'\] is not JSON-serializable"),
    ("metadata_nested", ValueError, r"metadata\['deep'\].*\['inner'\]"),
    ("metadata_nan", ValueError, r"metadata\['score'\]"),
    ("input_shape", ValueError, r"metadata\['input_shape'\]=\(4, 50\) does not match"),
    ("classes", ValueError, r"y holds labels \['1'\] that are not in metadata\['classes'\]"),
    ("x_train_features", ValueError, "X_train has 10 features but X has 240"),
    ("x_train_identical", ValueError, "X_train must hold at least two distinct rows"),
])
def test_save_errors(apnea, tmp_path, case, error, match):
    X, y, proba = _stimuli(apnea)
    kwargs = dict(path=tmp_path / "s.npz", X=X, y=y, proba=proba)
    if case == "suffix":
        kwargs["path"] = tmp_path / "s.txt"
    elif case == "directory":
        kwargs["path"] = tmp_path / "missing" / "s.npz"
    elif case == "on_copy":
        kwargs["on_copy"] = "keep"
    elif case == "length":
        kwargs["y"] = y[:-1]
    elif case == "nan":
        X[3, 7] = np.nan
    elif case == "inf_after_cast":
        X[0, 0] = 1e300  # finite in float64, infinite in float32
    elif case == "one_d":
        kwargs["X"] = X[0]
    elif case == "proba_rows":
        kwargs["proba"] = proba[:-1]
    elif case == "proba_columns":
        kwargs["proba"] = np.full((20, 3), 1 / 3)
    elif case == "metadata":
        kwargs["metadata"] = {"fine": 1, "bad": object()}
    elif case == "metadata_nested":
        kwargs["metadata"] = {"deep": {"inner": {1, 2}}}
    elif case == "metadata_nan":
        kwargs["metadata"] = {"score": float("nan")}
    elif case == "input_shape":
        kwargs["metadata"] = {"input_shape": [4, 50]}
    elif case == "classes":
        kwargs["metadata"] = {"classes": [0, 2]}
    elif case == "x_train_features":
        kwargs["X_train"] = apnea.X[:, :10]
    elif case == "x_train_identical":
        kwargs["X_train"] = np.repeat(apnea.X[:1], 5, axis=0)
    with pytest.raises(error, match=match):
        save_stimuli(**kwargs)
    assert not any(name.endswith((".npz", ".tmp")) for name in os.listdir(tmp_path))


def test_explicit_classes_describe_proba_columns(apnea, tmp_path):
    X, y, _ = _stimuli(apnea)
    proba = np.full((20, 3), 1 / 3)
    save_stimuli(tmp_path / "s.npz", X, y, proba, metadata={"classes": np.array([0, 1, 2])})
    data = load_stimuli(tmp_path / "s.npz")
    assert data.classes.tolist() == [0, 1, 2] and data.proba.shape == (20, 3)


def test_load_missing_file(tmp_path):
    path = tmp_path / "nowhere.npz"
    with pytest.raises(FileNotFoundError, match="nowhere.npz"):
        load_stimuli(path)


def test_load_refuses_plain_npz_and_other_files(tmp_path):
    plain = tmp_path / "plain.npz"
    np.savez(plain, X=np.zeros((3, 4)), y=np.zeros(3))
    with pytest.raises(ValueError, match="not a skstim stimuli file.*no 'metadata'"):
        load_stimuli(plain)

    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, X=np.zeros((3, 4)), y=np.zeros(3),
             metadata=np.array(json.dumps({"format": "something-else"})))
    with pytest.raises(ValueError, match="lacks the format marker"):
        load_stimuli(foreign)

    text = tmp_path / "text.npz"
    text.write_text("hello")
    with pytest.raises(ValueError, match="not a skstim stimuli file"):
        load_stimuli(text)

    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, X=np.zeros((3, 4)), y=np.zeros(3),
             metadata=np.array({"format": "skstim-stimuli"}, dtype=object))
    with pytest.raises(ValueError, match="holds Python objects") as info:
        load_stimuli(pickled)
    assert "allow_pickle" not in str(info.value)


def _rewrite(path, **changes):
    """Rewrite a stimuli file with some arrays or metadata keys changed (a tampered copy)."""
    with np.load(path, allow_pickle=False) as f:
        arrays = {name: f[name] for name in f.files}
    record = json.loads(str(arrays["metadata"]))
    record.update(changes.pop("record", {}))
    arrays.update(changes, metadata=np.array(json.dumps(record)))
    np.savez(path, **arrays)


@pytest.mark.parametrize("change, match", [
    (dict(y=np.zeros(19, dtype=int)), "X has 20 rows but y has 19"),
    (dict(proba=np.zeros((20, 3), dtype=np.float32)), "proba has 3 columns"),
    (dict(proba=np.zeros((4, 2), dtype=np.float32)), r"proba has shape \(4, 2\)"),
    (dict(record={"input_shape": [3, 60]}), r"metadata\['input_shape'\]"),
    (dict(record={"n_stimuli": 21}), r"metadata\['n_stimuli'\] is 21"),
    (dict(record={"format_version": 2}), "newer skstim"),
    (dict(X=np.full((20, 240), np.nan, dtype=np.float32)), "X holds 4800 NaN or infinite"),
    (dict(X=np.full((20, 240), np.inf, dtype=np.float32)), "X holds 4800 NaN or infinite"),
    (dict(proba=np.full((20, 2), -0.5, dtype=np.float32)), r"proba rows \[0, 1, .*\] are not "
                                                             "probabilities"),
    (dict(proba=np.full((20, 2), 0.9, dtype=np.float32)), "are not probabilities"),
    (dict(proba=np.full((20, 2), np.nan, dtype=np.float32)), "are not probabilities"),
    (dict(y=np.full(20, 7)), r"y holds labels \['7'\] that metadata\['classes'\]"),
    (dict(record={"classes": [0, 0]}), r"metadata\['classes'\] holds duplicates"),
    (dict(record={"classes": []}), r"metadata\['classes'\] must be a non-empty list"),
    (dict(record={"padding": "x" * 1_100_000}), "larger than|more than 1,000,000 characters"),
])
def test_load_refuses_tampered_files(apnea, tmp_path, change, match):
    X, y, proba = _stimuli(apnea)
    path = tmp_path / "s.npz"
    save_stimuli(path, X, y, proba, metadata={"input_shape": apnea.input_shape})
    load_stimuli(path)  # intact
    _rewrite(path, **change)
    with pytest.raises(ValueError, match=match) as info:
        load_stimuli(path)
    assert "allow_pickle" not in str(info.value)


def test_save_refuses_what_load_would_refuse(apnea, tmp_path):
    X, y, proba = _stimuli(apnea)
    with pytest.raises(ValueError, match=r"proba rows \[3\] are not probabilities"):
        bad = proba.copy()
        bad[3] = [0.7, 0.7]
        save_stimuli(tmp_path / "s.npz", X, y, bad)
    with pytest.raises(ValueError, match="more than 1,000,000"):
        save_stimuli(tmp_path / "s.npz", X, y, metadata={"notes": "x" * 1_000_001})
    assert os.listdir(tmp_path) == []


@pytest.fixture(scope="module")
def fitted_synthesizer(apnea):
    return tiny_synthesizer(input_shape=apnea.input_shape, n_iter=5).fit(apnea.X, apnea.y)


def test_stimuli_metadata_of_fitted_synthesizer(apnea, tmp_path, fitted_synthesizer):
    syn = fitted_synthesizer
    meta = stimuli_metadata(syn)
    assert json.loads(json.dumps(meta, allow_nan=False)) == meta  # plain JSON types
    params = meta["synthesis_parameters"]
    assert set(params) == set(syn.get_params(deep=False))
    assert params["teacher"] == "NetClassifier(module=MLP)"
    assert params["input_shape"] == list(apnea.input_shape) and params["memory"] is None
    assert params["n_iter"] == 5 and params["random_state"] == 0
    assert meta["input_shape"] == list(apnea.input_shape)
    assert meta["classes"] == [0, 1]
    assert meta["class_prior"] == pytest.approx(syn.class_prior_.tolist())
    assert meta["teacher"]["class"] == "NetClassifier"
    assert meta["teacher"]["module"] == "MLP"
    assert meta["teacher"]["module_params"]["module__hidden_sizes"] == [16]
    assert meta["teacher"]["module_params"]["module__input_shape"] == list(apnea.input_shape)

    X_s, y_s, proba = syn.sample(8, return_proba=True)
    path = tmp_path / "stimuli.npz"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # should a stimulus be a copy
        report = save_stimuli(path, X_s, y_s, proba, metadata=meta, X_train=apnea.X,
                              on_copy="drop")
    data = load_stimuli(path)
    assert data.input_shape == tuple(apnea.input_shape)
    assert isinstance(data.input_shape, tuple)
    np.testing.assert_array_equal(data.classes, syn.classes_)
    assert data.metadata["synthesis_parameters"] == params
    assert len(data.X) == report["n_saved"]
    assert data.metadata["export_guard"]["n_checked"] == 8


def test_stimuli_metadata_describes_non_json_parameters(apnea, fitted_synthesizer):
    syn = copy.deepcopy(fitted_synthesizer)
    syn.set_params(random_state=np.random.RandomState(0), class_prior={np.int64(1): 2.0, 0: 1.0},
                   confidence=(np.float32(0.5), 0.9))
    params = stimuli_metadata(syn)["synthesis_parameters"]
    assert params["random_state"] == "RandomState"
    assert params["class_prior"] == {"1": 2.0, "0": 1.0}
    assert params["confidence"] == [0.5, 0.9]
    json.dumps(params)


def test_stimuli_metadata_needs_a_fitted_synthesizer():
    with pytest.raises(NotFittedError):
        stimuli_metadata(tiny_synthesizer())
    with pytest.raises(TypeError, match="StimulusSynthesizer"):
        stimuli_metadata(object())


@pytest.mark.parametrize("name", ["save_stimuli", "load_stimuli", "stimuli_metadata"])
def test_old_datasets_names_still_work_with_a_warning(name):
    import skstim.datasets
    import skstim.release

    with pytest.warns(FutureWarning, match=f"skstim.release.{name}"):
        moved = getattr(skstim.datasets, name)
    assert moved is getattr(skstim.release, name)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        skstim.datasets.nothing  # noqa: B018


def test_the_cache_location_never_enters_the_metadata(apnea, tmp_path):
    from joblib import Memory

    secret = tmp_path / "st-mary-hospital" / "dr-smith-cache"
    syn = tiny_synthesizer(input_shape=apnea.input_shape, n_iter=2,
                           memory=Memory(str(secret), verbose=0)).fit(apnea.X, apnea.y)
    text = json.dumps(stimuli_metadata(syn))
    assert "st-mary-hospital" not in text and "dr-smith" not in text
    assert stimuli_metadata(syn)["synthesis_parameters"]["memory"].startswith("a joblib cache")
    syn.set_params(memory=str(secret))
    assert "st-mary-hospital" not in json.dumps(stimuli_metadata(syn))
