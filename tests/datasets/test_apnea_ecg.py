"""Tests of fetch_apnea_ecg: the real Apnea-ECG copy beside the checkout, and a tiny
respiration record written here with wfdb."""

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest
import wfdb

from skstim.datasets import fetch_apnea_ecg
from skstim.datasets._apnea_ecg import LEARNING_RECORDS, _subjects_from_info

# ../shared/data/apnea-ecg relative to the repository root (CI has it beside its checkout).
# wfdb's own use of pandas' deprecated ``inplace=`` is none of this module's business.
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword:Warning")

DATA_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "apnea-ecg"
HAS_DATA = (DATA_DIR / "a01.qrs").is_file() and (DATA_DIR / "subjects.csv").is_file()
needs_data = pytest.mark.skipif(
    not HAS_DATA, reason=f"Apnea-ECG copy not found at {DATA_DIR} (expected beside the checkout)"
)


def _subjects_csv(folder=DATA_DIR):
    with open(folder / "subjects.csv", newline="") as f:
        return {row["record"]: row["subject"] for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def full():
    """All 35 records with default parameters, loaded once for the module."""
    if not HAS_DATA:
        pytest.skip(f"Apnea-ECG copy not found at {DATA_DIR}")
    return fetch_apnea_ecg(data_home=DATA_DIR, download_if_missing=False)


# --------------------------------------------------------------------------- real data
@needs_data
def test_full_shapes_and_dtypes(full):
    n = full.X.shape[0]
    assert full.X.ndim == 2 and full.X.dtype == np.float64
    assert full.input_shape == (1, 300)
    assert full.X.shape[1] == int(np.prod(full.input_shape))
    assert full.y.dtype.kind == "i" and set(np.unique(full.y)) == {0, 1}
    for key in ("y", "groups", "record", "minute", "coverage"):
        assert len(full[key]) == n, key
    assert full.minute.dtype.kind == "i"
    assert list(full.target_names) == ["normal", "apnea"]
    assert full.channel_names == ["rr"] and full.sampling_rate == 1.0
    assert np.isfinite(full.X).all()
    # Standardized per night: each record's windows sit around 0 with unit-order spread.
    for record in np.unique(full.record):
        rows = full.X[full.record == record]
        assert abs(np.median(rows)) < 0.5 and 0.3 < rows.std() < 3.0, record
    assert ((full.coverage >= 0) & (full.coverage <= 1 + 1e-9)).all()
    assert np.median(full.coverage) > 0.95
    assert "ODC-BY" in full.DESCR and "Penzel" in full.DESCR and "Goldberger" in full.DESCR


@needs_data
def test_normalize_record_is_an_affine_map_of_rr_seconds():
    raw = fetch_apnea_ecg(data_home=DATA_DIR, records=["a05"], normalize=None,
                          download_if_missing=False)
    norm = fetch_apnea_ecg(data_home=DATA_DIR, records=["a05"], download_if_missing=False)
    # Cleaned RR intervals lie in the physiological range, in seconds.
    assert raw.X.min() >= 0.3 and raw.X.max() <= 2.0
    slope, intercept = np.polyfit(raw.X.ravel(), norm.X.ravel(), 1)
    np.testing.assert_allclose(norm.X, slope * raw.X + intercept, atol=1e-8)
    assert slope > 0 and abs(np.median(norm.X)) < 0.5


@needs_data
def test_full_counts_match_readme(full):
    # README: about 17,000 labelled minutes (17,045), 38% apnea; a few edge minutes
    # per night have no full 5-minute window.
    assert 16_500 <= full.X.shape[0] <= 17_045
    assert 0.35 <= full.y.mean() <= 0.41
    assert list(dict.fromkeys(full.record)) == list(LEARNING_RECORDS)


@needs_data
def test_groups_match_subjects_csv(full):
    subjects = _subjects_csv()
    expected = np.array([subjects[r] for r in full.record])
    np.testing.assert_array_equal(full.groups, expected)
    assert len(np.unique(full.groups)) == 25
    assert len(np.unique(full.record)) == 35
    # The same inference from PhysioNet's info table (used when subjects.csv is absent).
    inferred = _subjects_from_info(DATA_DIR / "additional-information.txt")
    assert {r: inferred[r] for r in LEARNING_RECORDS} == {r: subjects[r] for r in LEARNING_RECORDS}
    assert len(set(inferred.values())) == 32  # over all 70 records, as the README says


@needs_data
def test_windows_per_record_are_labelled_minutes_minus_edges(full):
    for record in LEARNING_RECORDS:
        ann = wfdb.rdann(str(DATA_DIR / record), "apn")
        duration = wfdb.rdheader(str(DATA_DIR / record)).sig_len / 100.0
        k = np.asarray(ann.sample) // 6000
        fits = (60 * k - 120 >= 0) & (60 * k + 180 <= duration)
        rows = full.record == record
        assert rows.sum() == fits.sum(), record
        assert 2 <= len(k) - fits.sum() <= 5, record  # minutes 0, 1 and the last one or two
        np.testing.assert_array_equal(full.minute[rows], k[fits])
        labels = (np.asarray(ann.symbol) == "A").astype(int)[fits]
        np.testing.assert_array_equal(full.y[rows], labels)


@needs_data
def test_records_subset_matches_full(full):
    sub = fetch_apnea_ecg(data_home=DATA_DIR, records=["b01", "a03"], download_if_missing=False)
    assert list(dict.fromkeys(sub.record)) == ["b01", "a03"]
    for record in ("a03", "b01"):
        np.testing.assert_array_equal(sub.X[sub.record == record], full.X[full.record == record])
    one = fetch_apnea_ecg(data_home=DATA_DIR, records="c05", download_if_missing=False)
    assert set(one.record) == {"c05"} and set(one.groups) == {"P22"}


@needs_data
def test_window_and_rate_parameters():
    data = fetch_apnea_ecg(data_home=DATA_DIR, records=["a01"], window_minutes=1,
                           sampling_rate=2.0, download_if_missing=False)
    assert data.input_shape == (1, 120) and data.X.shape[1] == 120
    n_labelled = len(wfdb.rdann(str(DATA_DIR / "a01"), "apn").symbol)
    assert data.X.shape[0] == n_labelled  # a01's last labelled minute ends inside the record
    assert data.minute[0] == 0 and data.window_minutes == 1


@needs_data
def test_return_X_y_and_env_variable(monkeypatch):
    bunch = fetch_apnea_ecg(data_home=DATA_DIR, records=["c02"], download_if_missing=False)
    # SKSTIM_DATA pointing at the parent: records found in its apnea-ecg/ folder.
    monkeypatch.setenv("SKSTIM_DATA", str(DATA_DIR.parent))
    X, y = fetch_apnea_ecg(records=["c02"], download_if_missing=False, return_X_y=True)
    np.testing.assert_array_equal(X, bunch.X)
    np.testing.assert_array_equal(y, bunch.y)


def _copy_record(dst, record="a01", checksums=True):
    dst.mkdir(parents=True, exist_ok=True)
    names = [f"{record}.{ext}" for ext in ("hea", "qrs", "apn")] + ["subjects.csv"]
    if checksums:
        names.append("SHA256SUMS.txt")
    for name in names:
        shutil.copyfile(DATA_DIR / name, dst / name)
    return dst


@needs_data
def test_checksum_mismatch_names_the_file(tmp_path):
    folder = _copy_record(tmp_path / "copy")
    good = fetch_apnea_ecg(data_home=folder, records=["a01"], download_if_missing=False)
    qrs = folder / "a01.qrs"
    raw = bytearray(qrs.read_bytes())
    raw[1000] ^= 0x01  # one bit: the file still parses, the checksum does not match
    qrs.write_bytes(bytes(raw))
    with pytest.raises(OSError, match=r"a01\.qrs") as info:
        fetch_apnea_ecg(data_home=folder, records=["a01"], download_if_missing=False)
    assert "verify_checksums=False" in str(info.value)
    loaded = fetch_apnea_ecg(data_home=folder, records=["a01"], download_if_missing=False,
                             verify_checksums=False)
    assert loaded.X.shape == good.X.shape
    # No SHA256SUMS.txt in the folder: nothing to verify against, loading goes on.
    plain = _copy_record(tmp_path / "plain", checksums=False)
    (plain / "a01.qrs").write_bytes(bytes(raw))
    assert fetch_apnea_ecg(data_home=plain, records=["a01"],
                           download_if_missing=False).X.shape == good.X.shape


@needs_data
def test_download_fetches_headers_and_annotations_only(tmp_path, monkeypatch):
    calls = []

    def fake_dl_files(db, dl_dir, files, **kwargs):  # stands in for PhysioNet
        calls.append((db, list(files)))
        for name in files:
            shutil.copyfile(DATA_DIR / name, Path(dl_dir) / name)

    monkeypatch.setattr(wfdb, "dl_files", fake_dl_files)
    data = fetch_apnea_ecg(data_home=tmp_path, records=["a02"])
    target = tmp_path / "apnea-ecg"
    assert calls[0] == ("apnea-ecg", ["a02.apn", "a02.hea", "a02.qrs"])
    assert (target / "a02.qrs").is_file() and not (target / "a02.dat").exists()
    # No subjects.csv there: the ids are inferred from PhysioNet's info table.
    assert set(data.groups) == {_subjects_csv()["a02"]}


# --------------------------------------------------------------------- no data needed
def test_missing_files_error_names_every_place(tmp_path):
    home = tmp_path / "nothing"
    with pytest.raises(OSError) as info:
        fetch_apnea_ecg(data_home=home, records=["a01"], download_if_missing=False)
    message = str(info.value)
    assert str(home / "apnea-ecg") in message and f"{home}:" in message
    assert "a01.qrs" in message and "SKSTIM_DATA" in message and "data_home" in message


def test_network_failure_becomes_oserror(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise ConnectionError("no route to physionet.org")

    monkeypatch.setattr(wfdb, "dl_files", offline)
    monkeypatch.setattr(wfdb, "dl_database", offline)
    with pytest.raises(OSError, match="download") as info:
        fetch_apnea_ecg(data_home=tmp_path, records=["b02"])
    assert isinstance(info.value.__cause__, ConnectionError)
    assert str(tmp_path / "apnea-ecg") in str(info.value) and "SKSTIM_DATA" in str(info.value)


@pytest.mark.parametrize(
    "params, name",
    [
        ({"signals": "ecg"}, "signals"),
        ({"window_minutes": 0}, "window_minutes"),
        ({"window_minutes": 2.5}, "window_minutes"),
        ({"sampling_rate": -1.0}, "sampling_rate"),
        ({"sampling_rate": 1e-4}, "sampling_rate"),
        ({"records": ["a01", "z99"]}, "records"),
        ({"records": []}, "records"),
        ({"records": ["a05"], "signals": "respiration"}, "records"),
        ({"download_if_missing": "yes"}, "download_if_missing"),
    ],
)
def test_bad_parameters_name_the_parameter(tmp_path, params, name):
    kwargs = {"data_home": tmp_path, "download_if_missing": False, **params}
    with pytest.raises(ValueError, match=name):
        fetch_apnea_ecg(**kwargs)


# ------------------------------------------------------------ respiration, written here
FS = 100
N_MINUTES = 10
SYMBOLS = ["N", "A", "A", "N", "A", "N", "N", "A", "N", "A"]


def _write_respiration_record(folder, subjects=True):
    """A 4-channel, 10-minute, 100 Hz record 'a01r' with labels in 'a01.apn'."""
    folder.mkdir(parents=True, exist_ok=True)
    t = np.arange(N_MINUTES * 60 * FS) / FS
    signal = np.stack([
        np.sin(2 * np.pi * 0.25 * t),                  # chest effort, 15 breaths/min
        0.5 * np.cos(2 * np.pi * 0.25 * t),            # abdominal effort
        np.sin(2 * np.pi * 0.3 * t),                   # airflow
        95.0 + np.sin(2 * np.pi * t / 60.0),           # SpO2 (%)
    ], axis=1)
    signal[1000:1100, 2] = np.nan                      # 1 s of invalid airflow in minute 0
    wfdb.wrsamp("a01r", fs=FS, units=["V", "V", "V", "%"],
                sig_name=["Resp C", "Resp A", "Resp N", "SpO2"], p_signal=signal,
                fmt=["16"] * 4, write_dir=str(folder))
    wfdb.wrann("a01", "apn", np.arange(N_MINUTES) * 60 * FS, symbol=SYMBOLS, fs=FS,
               write_dir=str(folder))
    if subjects:
        (folder / "subjects.csv").write_text("record,subject\na01,S7\n")
    return folder


def test_respiration_record_written_with_wfdb(tmp_path):
    folder = _write_respiration_record(tmp_path / "resp")
    records = ["a01"]  # base name means the respiration record a01r
    data = fetch_apnea_ecg(data_home=folder, records=records, signals="respiration",
                           normalize=None, download_if_missing=False)
    assert records == ["a01"]  # the caller's list is left alone
    # Default 4 Hz, 5-minute windows; minutes 2..7 are the ones whose window fits.
    assert data.input_shape == (4, 1200) and data.X.shape == (6, 4800)
    assert data.X.dtype == np.float64 and data.sampling_rate == 4.0
    np.testing.assert_array_equal(data.minute, np.arange(2, 8))
    np.testing.assert_array_equal(data.y, [SYMBOLS[k] == "A" for k in range(2, 8)])
    assert set(data.record) == {"a01r"} and set(data.groups) == {"S7"}
    assert data.channel_names == ["Resp C", "Resp A", "Resp N", "SpO2"]
    assert np.isfinite(data.X).all()
    # Channel-major layout, values resampled faithfully (edges of the night aside).
    X = data.X.reshape(-1, *data.input_shape)
    t = 60.0 * data.minute[:, None] - 120.0 + np.arange(1200)[None, :] / 4.0
    np.testing.assert_allclose(X[1:-1, 0], np.sin(2 * np.pi * 0.25 * t[1:-1]), atol=5e-3)
    np.testing.assert_allclose(X[1:-1, 1], 0.5 * np.cos(2 * np.pi * 0.25 * t[1:-1]), atol=5e-3)
    np.testing.assert_allclose(X[:, 3], 95.0 + np.sin(2 * np.pi * t / 60.0), atol=1e-2)
    # The invalid second lies in the first window only.
    np.testing.assert_allclose(data.coverage, [1 - 1 / 300] + [1.0] * 5)
    assert "ODC-BY" in data.DESCR and "resample_poly" in data.DESCR


def test_respiration_parameters_and_group_fallback(tmp_path):
    folder = _write_respiration_record(tmp_path / "resp", subjects=False)
    with pytest.warns(UserWarning, match="subject id"):
        data = fetch_apnea_ecg(data_home=folder, records=["a01r"], signals="respiration",
                               window_minutes=3, sampling_rate=2.0, download_if_missing=False)
    assert data.input_shape == (4, 360) and data.X.shape == (8, 1440)  # minutes 1..8
    np.testing.assert_array_equal(data.minute, np.arange(1, 9))
    assert set(data.groups) == {"a01"}
    # The signal file is required for respiration: without it, a clear error.
    (folder / "a01r.dat").unlink()
    with pytest.raises(OSError, match=r"a01r\.dat"):
        fetch_apnea_ecg(data_home=folder, records=["a01r"], signals="respiration",
                        download_if_missing=False)
