"""PhysioNet Apnea-ECG: per-minute apnea labels with RR-interval or respiration windows."""

import csv
import hashlib
import os
import re
import warnings
from fractions import Fraction
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import wfdb
from scipy.ndimage import median_filter
from scipy.signal import resample_poly
from sklearn.utils import Bunch
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

PHYSIONET_DB = "apnea-ecg"
ENV_DATA_HOME = "SKSTIM_DATA"

#: The 35 records of the challenge learning set (beat and apnea annotations).
LEARNING_RECORDS = tuple(
    [f"a{i:02d}" for i in range(1, 21)]
    + [f"b{i:02d}" for i in range(1, 6)]
    + [f"c{i:02d}" for i in range(1, 11)]
)
#: The 8 records with respiration and SpO2 signals (same labels as the base record).
RESPIRATION_RECORDS = ("a01r", "a02r", "a03r", "a04r", "b01r", "c01r", "c02r", "c03r")

TARGET_NAMES = ("normal", "apnea")
_SYMBOL_TO_LABEL = {"N": 0, "A": 1}
_DEFAULT_RATE = {"rr": 1.0, "respiration": 4.0}

# RR cleaning: physiological range (seconds) and the largest relative deviation of an
# interval from the running median of the surrounding in-range intervals.
RR_RANGE = (0.3, 2.0)
RR_MAX_JUMP = 0.2
_RR_MEDIAN_BEATS = 11

CHECKSUM_FILE = "SHA256SUMS.txt"
SUBJECTS_FILE = "subjects.csv"
INFO_FILE = "additional-information.txt"

_DESCR_TEMPLATE = """\
Apnea-ECG Database (PhysioNet), {what}
{underline}
PhysioNet/CinC Challenge 2000 learning set: overnight recordings (7-10 h) of 35
nights from 25 people (9 of them recorded on 2-3 nights), a01-a20 with sleep apnea,
b01-b05 borderline, c01-c10 controls. Experts labelled every minute of each night
from respiration and SpO2 as apnea/hypopnea ('A', y=1) or normal ('N', y=0): about
17,000 labelled minutes, 38% apnea.

One row per labelled minute: a window of {window_minutes} min centred on that minute,
sampled at {sampling_rate:g} Hz ({n_times} samples per channel). {normalize_text}
{signal_text}
Windows that do not fit inside the recording (the first and last minutes of each
night) are dropped; every other labelled minute gives one row.

X is flat, (n_windows, n_channels * n_times), channel-major; input_shape is
(n_channels, n_times). groups holds the subject id of each row (several records can
come from one person: split by groups, never by row), record and minute say where
the row comes from, coverage the share of the window backed by clean data.

Licence: Open Data Commons Attribution License v1.0 (ODC-BY).

Citation:
- T. Penzel, G.B. Moody, R.G. Mark, A.L. Goldberger, J.H. Peter. The Apnea-ECG
  Database. Computers in Cardiology 2000; 27:255-258.
- A.L. Goldberger et al. PhysioBank, PhysioToolkit, and PhysioNet: Components of a
  New Research Resource for Complex Physiologic Signals. Circulation 2000;
  101(23):e215-e220.
"""

_RR_TEXT = """\
Signal: the RR-interval series (seconds) of the single-lead ECG, from the beat
annotations (.qrs, sqrs125 at 100 Hz). Beats are cleaned before interpolation: an
interval outside {lo:.1f}-{hi:.1f} s is dropped, then an interval that differs by more
than {jump:.0%} from the running median of the {nmed} surrounding in-range intervals
(ectopic beats, missed or extra detections) is dropped. The remaining intervals,
each placed at the time of the beat that ends it, are linearly interpolated on the
regular grid (held constant before the first and after the last kept beat)."""

_RESP_TEXT = """\
Signals: every channel of the respiration records (chest and abdominal effort,
oronasal airflow, SpO2, recorded at 100 Hz), resampled with a polyphase
anti-aliasing filter (scipy.signal.resample_poly); invalid samples are linearly
interpolated before resampling."""


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_checksums(folder):
    """Map file name -> expected SHA-256 from ``SHA256SUMS.txt``; None when absent."""
    path = Path(folder) / CHECKSUM_FILE
    if not path.is_file():
        return None
    sums = {}
    for line in path.read_text().splitlines():
        parts = line.strip().split(None, 1)
        if len(parts) == 2:
            sums[parts[1].lstrip("*").strip()] = parts[0].lower()
    return sums


def _verify(folder, names, checksums):
    """Raise OSError naming the first file whose SHA-256 differs from the list."""
    for name in names:
        expected = checksums.get(name)
        if expected is None:
            continue  # not listed: nothing to compare against
        path = Path(folder) / name
        actual = _sha256(path)
        if actual != expected:
            raise OSError(
                f"Checksum mismatch for {path}: SHA-256 {actual} differs from {expected} "
                f"listed in {Path(folder) / CHECKSUM_FILE}. The file may be corrupted or "
                "modified: delete it and fetch it again (download_if_missing=True), or "
                "pass verify_checksums=False to skip the check."
            )


def _base_record(record):
    """'a01r' -> 'a01' (the subject and labels of a respiration record)."""
    return record[:3]


def _required_files(folder, records, signals):
    """The files each record needs in ``folder`` and which of them are missing."""
    needed, missing = {}, []
    for record in records:
        if signals == "rr":
            names = [f"{record}.hea", f"{record}.qrs", f"{record}.apn"]
        else:
            # Labels of an 'r' record are those of its base record: either file will do.
            label = f"{record}.apn"
            if not (Path(folder) / label).is_file():
                label = f"{_base_record(record)}.apn"
            names = [f"{record}.hea", f"{record}.dat", label]
        needed[record] = names
        missing += [name for name in names if not (Path(folder) / name).is_file()]
    return needed, missing


def _download(folder, records, signals, missing):
    """Download the missing files of ``records`` from PhysioNet into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    if signals == "rr":
        # dl_database always fetches the ECG signal files (~200 MB): get the headers
        # and annotations alone.
        wfdb.dl_files(PHYSIONET_DB, str(folder), sorted(set(missing)))
    else:
        todo = sorted({name.split(".")[0] for name in missing} & set(records))
        if todo:
            wfdb.dl_database(PHYSIONET_DB, str(folder), records=todo, annotators=["apn"])
        _, still = _required_files(folder, records, signals)
        labels = sorted({n for n in still if n.endswith(".apn")})
        if labels:
            wfdb.dl_files(PHYSIONET_DB, str(folder), labels)
    for extra in (CHECKSUM_FILE, INFO_FILE):  # best effort: checksums and subject table
        if not (folder / extra).is_file():
            try:
                wfdb.dl_files(PHYSIONET_DB, str(folder), [extra])
            except Exception:  # noqa: BLE001 - optional files
                pass


def _resolve_folder(data_home, records, signals, download_if_missing):
    """Find (or download into) a folder holding every file ``records`` need."""
    if data_home is None:
        data_home = os.environ.get(ENV_DATA_HOME) or os.path.join("~", "skstim_data")
    home = Path(data_home).expanduser()
    candidates = [home / PHYSIONET_DB, home]
    report = []
    for folder in candidates:
        _, missing = _required_files(folder, records, signals)
        if not missing:
            return folder
        report.append((folder, missing))

    def describe():
        lines = []
        for folder, missing in report:
            shown = ", ".join(missing[:6]) + (f", ... ({len(missing)} files)" if len(missing) > 6
                                              else "")
            lines.append(f"  {folder}: missing {shown}")
        return "\n".join(lines)

    hint = (f"Pass data_home= pointing at a folder that holds the records (or its parent "
            f"with an '{PHYSIONET_DB}' subfolder), or set the environment variable "
            f"{ENV_DATA_HOME}.")
    if not download_if_missing:
        raise OSError(
            "Apnea-ECG files not found (download_if_missing=False). Looked in:\n"
            f"{describe()}\n{hint}"
        )
    target = candidates[0]
    try:
        _download(target, records, signals, report[0][1])
    except Exception as exc:  # network errors come in many types (requests, urllib, ...)
        raise OSError(
            f"Apnea-ECG files not found and the download from PhysioNet into {target} "
            f"failed ({type(exc).__name__}: {exc}). Looked in:\n{describe()}\n{hint}"
        ) from exc
    _, missing = _required_files(target, records, signals)
    if missing:
        raise OSError(
            f"Apnea-ECG files still missing in {target} after downloading: "
            f"{', '.join(missing)}. Looked in:\n{describe()}\n{hint}"
        )
    return target


def _subjects_from_info(path):
    """Infer subject ids from additional-information.txt (same age, sex, height, weight)."""
    row = re.compile(r"^([a-z]\d\d)\s+(?:\S+\s+){7}(\d+)\s+([MF])\s+(\d+)\s+(\d+)")
    ids, mapping = {}, {}
    for line in Path(path).read_text().splitlines():
        match = row.match(line.strip())
        if match:
            key = match.groups()[1:]
            ids.setdefault(key, f"P{len(ids) + 1:02d}")
            mapping[match.group(1)] = ids[key]
    return mapping


def _subject_map(folder):
    """record -> subject id from subjects.csv, else inferred from the info table."""
    path = Path(folder) / SUBJECTS_FILE
    if path.is_file():
        with open(path, newline="") as f:
            return {row["record"].strip(): row["subject"].strip() for row in csv.DictReader(f)}
    if (Path(folder) / INFO_FILE).is_file():
        return _subjects_from_info(Path(folder) / INFO_FILE)
    return {}


def _read_labels(path, fs):
    """Minute index and label (1 = 'A', 0 = 'N') of every labelled minute."""
    ann = wfdb.rdann(str(path), "apn")
    ann_fs = float(ann.fs) if ann.fs else fs
    symbols = np.asarray(ann.symbol)
    keep = np.isin(symbols, list(_SYMBOL_TO_LABEL))
    minutes = np.rint(np.asarray(ann.sample)[keep] / (60.0 * ann_fs)).astype(np.int64)
    labels = np.array([_SYMBOL_TO_LABEL[s] for s in symbols[keep]], dtype=np.int64)
    return minutes, labels


def _window_starts(minutes, window_minutes, duration):
    """Start (s) of the window centred on each minute, and which ones fit the recording."""
    starts = 60.0 * minutes + 30.0 - 30.0 * window_minutes
    fits = (starts >= 0) & (starts + 60.0 * window_minutes <= duration + 1e-9)
    return starts, fits


def _clean_rr(beat_times):
    """RR intervals (s), their end times and the mask of intervals kept."""
    rr = np.diff(beat_times)
    keep = (rr >= RR_RANGE[0]) & (rr <= RR_RANGE[1])
    idx = np.flatnonzero(keep)
    if idx.size:
        local = median_filter(rr[idx], size=_RR_MEDIAN_BEATS, mode="nearest")
        keep[idx[np.abs(rr[idx] - local) > RR_MAX_JUMP * local]] = False
    return rr, beat_times[1:], keep


def _standardize_record(values, reference):
    """``values`` scaled by the median and standard deviation of the whole night's ``reference``."""
    spread = np.std(reference)
    return (values - np.median(reference)) / (spread if spread > 0 else 1.0)


def _rr_windows(path, starts, n_times, rate, fs, normalize):
    """RR windows on the grid, and the share of each window covered by kept intervals."""
    beats = np.asarray(wfdb.rdann(str(path), "qrs").sample, dtype=np.float64) / fs
    rr, t_end, keep = _clean_rr(beats)
    if keep.sum() < 2:
        raise ValueError(f"Record {path.name} has fewer than 2 valid RR intervals.")
    grid = starts[:, None] + np.arange(n_times)[None, :] / rate
    X = np.interp(grid.ravel(), t_end[keep], rr[keep]).reshape(grid.shape)
    if normalize == "record":
        X = _standardize_record(X, rr[keep])
    # Time covered by kept intervals up to each beat: piecewise linear in time.
    covered = np.concatenate([[0.0], np.cumsum(rr * keep)])
    length = n_times / rate
    coverage = (np.interp(starts + length, beats, covered)
                - np.interp(starts, beats, covered)) / length
    return X, coverage


def _resp_windows(path, starts, n_times, rate, normalize):
    """Resampled multichannel windows, channel names, effective rate and coverage."""
    record = wfdb.rdrecord(str(path))
    fs = float(record.fs)
    signal = np.asarray(record.p_signal, dtype=np.float64)
    finite = np.isfinite(signal)
    ratio = Fraction(rate / fs).limit_denominator(1000)
    up, down = ratio.numerator, ratio.denominator
    eff_rate = fs * up / down
    samples = np.arange(signal.shape[0])
    channels = []
    for c in range(signal.shape[1]):
        x = signal[:, c]
        ok = finite[:, c]
        if not ok.all():
            x = np.interp(samples, samples[ok], x[ok]) if ok.any() else np.zeros_like(x)
        channels.append(x if up == down else resample_poly(x, up, down, padtype="line"))
    resampled = np.stack(channels)  # (C, n)
    if normalize == "record":
        resampled = np.stack([_standardize_record(x, x) for x in resampled])
    first = np.rint(starts * eff_rate).astype(np.int64)
    inside = first + n_times <= resampled.shape[1]
    index = first[inside, None] + np.arange(n_times)[None, :]
    X = resampled[:, index].transpose(1, 0, 2).reshape(index.shape[0], -1)
    all_ok = np.concatenate([[0], np.cumsum(finite.all(axis=1))])
    lo = np.clip(np.rint(starts[inside] * fs).astype(np.int64), 0, signal.shape[0])
    hi = np.clip(lo + int(round(n_times / eff_rate * fs)), 0, signal.shape[0])
    coverage = (all_ok[hi] - all_ok[lo]) / np.maximum(hi - lo, 1)
    names = list(record.sig_name) if record.sig_name else [f"ch{c}" for c in range(len(channels))]
    return X, coverage, inside, names, eff_rate


def _check_records(records, signals):
    """Validate and normalise the record names; raise naming ``records``."""
    if records is None:
        return list(LEARNING_RECORDS if signals == "rr" else RESPIRATION_RECORDS)
    if isinstance(records, str):
        records = [records]
    names = [str(r) for r in np.asarray(records, dtype=object).ravel().tolist()]
    if not names:
        raise ValueError("The 'records' parameter of fetch_apnea_ecg is empty: pass None "
                         "(all records) or a list of record names.")
    valid = LEARNING_RECORDS if signals == "rr" else RESPIRATION_RECORDS
    if signals == "respiration":  # 'a01' means its respiration record 'a01r'
        names = [n + "r" if n + "r" in RESPIRATION_RECORDS else n for n in names]
    unknown = [n for n in names if n not in valid]
    if unknown:
        raise ValueError(
            f"The 'records' parameter of fetch_apnea_ecg has unknown record(s) {unknown} "
            f"for signals={signals!r}; valid records are {', '.join(valid)}."
        )
    return list(dict.fromkeys(names))  # unique, order kept


@validate_params(
    {
        "data_home": [str, os.PathLike, None],
        "records": ["array-like", str, None],
        "signals": [StrOptions({"rr", "respiration"})],
        "window_minutes": [Interval(Integral, 1, None, closed="left")],
        "normalize": [StrOptions({"record"}), None],
        "sampling_rate": [Interval(Real, 0, None, closed="neither"), None],
        "download_if_missing": ["boolean"],
        "verify_checksums": ["boolean"],
        "return_X_y": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def fetch_apnea_ecg(*, data_home=None, records=None, signals="rr", window_minutes=5,
                    sampling_rate=None, normalize="record", download_if_missing=True,
                    verify_checksums=True, return_X_y=False):
    """Load the PhysioNet Apnea-ECG records as one window per labelled minute.

    Every minute of the Apnea-ECG nights is labelled apnea/hypopnea (``'A'``) or normal
    (``'N'``) in the ``.apn`` annotations. Each labelled minute becomes one row: the
    RR-interval series of a window centred on that minute (from the ``.qrs`` beat
    annotations), or, with ``signals="respiration"``, the respiration and SpO2 channels
    of the eight records that have them. Read more in the ``DESCR`` of the result.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Where the data lives: the records are looked for in ``data_home/apnea-ecg/``,
        then in ``data_home`` itself (so it may point directly at a folder holding the
        records). ``None`` uses the environment variable ``SKSTIM_DATA``, else
        ``~/skstim_data``.
    records : list of str, str or None, default=None
        Records to load. ``None`` loads the 35 learning records ``a01``-``a20``,
        ``b01``-``b05``, ``c01``-``c10`` (``signals="rr"``) or the eight respiration
        records ``a01r``-``a04r``, ``b01r``, ``c01r``-``c03r``
        (``signals="respiration"``, where ``"a01"`` also means ``"a01r"``).
    signals : {"rr", "respiration"}, default="rr"
        ``"rr"``: the RR-interval series, one channel, in seconds. Artefacts are
        removed before interpolation: intervals outside 0.3-2.0 s are dropped, then
        intervals that differ by more than 20% from the running median of the 11
        surrounding in-range intervals (ectopic beats, missed or spurious detections);
        the kept intervals, placed at the time of the beat that ends them, are
        linearly interpolated on the grid (held constant beyond the first and last
        kept beat, bridged linearly over gaps; see ``coverage``).
        ``"respiration"``: every channel of the records with respiration signals
        (chest and abdominal effort, oronasal airflow, SpO2 at 100 Hz, read with
        ``wfdb.rdrecord``; these need the ``.dat`` signal files), resampled with an
        anti-aliasing polyphase filter (:func:`scipy.signal.resample_poly`); invalid
        (NaN) samples are linearly interpolated first. Labels come from the record's
        own ``.apn`` file, else from that of its base record (``a01r`` -> ``a01``).
    window_minutes : int, default=5
        Length of the window centred on each labelled minute: the default is the
        minute itself plus two minutes on either side, the usual context in the
        literature on this database, which holds several of the 30-90 s cycles of
        heart-rate variation that accompany apneas. An even length is centred on the
        middle of the minute as well. Windows that do not fit inside the recording
        (the first and last minutes of a night) are dropped.
    sampling_rate : float, default=None
        Samples per second of the regular grid. ``None`` means 1.0 Hz for ``"rr"``
        (an RR series carries little above 0.5 Hz, since it is sampled by heartbeats,
        and a coarse grid keeps the teacher network small: 300 samples per 5-minute
        window) and 4.0 Hz for ``"respiration"`` (breathing lies below 1 Hz; 4 Hz keeps
        its shape). For respiration the rate is realised as a ratio of integers to
        100 Hz; the rate actually used is returned as ``sampling_rate``.
    normalize : {"record"} or None, default="record"
        ``"record"``: every channel of a night is shifted by its median and divided by
        its standard deviation over the whole night (for RR: over the night's kept
        intervals), so that a row shows how the signal moves around that person's
        own level. People differ in resting heart rate far more than apnea moves it,
        so learners trained on some people's raw RR seconds transfer badly to others
        (measured in ``docs/benchmarks/utility.md``, "Normalization per night").
        ``None`` keeps physical units (RR in seconds).
    download_if_missing : bool, default=True
        Download missing files from PhysioNet with :mod:`wfdb` into
        ``data_home/apnea-ecg/`` (``wfdb.dl_files`` for headers and annotations alone
        with ``"rr"``; ``wfdb.dl_database`` with the signal files for
        ``"respiration"``). If ``False``, or if the download fails (no network),
        an :class:`OSError` names every folder searched and the missing files.
    verify_checksums : bool, default=True
        Check the SHA-256 of every file read against the folder's ``SHA256SUMS.txt``;
        a mismatch raises an :class:`OSError` naming the file. Where the folder has no
        ``SHA256SUMS.txt``, or a file is not listed in it, there is nothing to compare
        against and that check is skipped.
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with:

        X : ndarray of shape (n_windows, n_channels * n_times), float64
            The windows, flattened channel-major (standardized per night with
            ``normalize="record"``; else RR in seconds for ``"rr"``, physical
            units of each channel for ``"respiration"``).
        y : ndarray of shape (n_windows,), int64
            1 = apnea or hypopnea (``'A'``), 0 = normal (``'N'``).
        groups : ndarray of shape (n_windows,), str
            Subject id of each row, from ``subjects.csv`` in the data folder (records
            of one person share an id; ``a01r`` has that of ``a01``). Without that
            file the ids are inferred from ``additional-information.txt`` (records
            with identical age, sex, height and weight are one person); without
            either, a warning is issued and the record name is used.
        record : ndarray of shape (n_windows,), str
            Record name of each row.
        minute : ndarray of shape (n_windows,), int64
            Index k of the labelled minute [60k, 60k + 60) s of each row.
        coverage : ndarray of shape (n_windows,), float64
            Share of the window backed by kept RR intervals (``"rr"``) or by valid
            samples (``"respiration"``); filter on it to drop poor windows.
        input_shape : tuple of int
            ``(n_channels, n_times)``: ``(1, n_times)`` for ``"rr"``.
        channel_names : list of str
            ``["rr"]``, or the signal names of the respiration records.
        sampling_rate : float
            Samples per second of the grid.
        window_minutes : int
            Window length in minutes.
        target_names : ndarray of str
            ``["normal", "apnea"]``, indexed by ``y``.
        DESCR : str
            Description of the data set, its processing, licence (ODC-BY) and
            citation.

    (X, y) : tuple
        When ``return_X_y=True``.

    Raises
    ------
    OSError
        Files missing and not downloadable, or a checksum mismatch.

    Notes
    -----
    The learning set holds 17,045 labelled minutes (38.2% apnea) of 35 nights from
    25 people; with the default 5-minute window about 4 edge minutes per night
    (the first two and the last one or two) have no full window and are dropped.
    Loading all 35 records takes a few seconds; nothing is cached.

    Licence ODC-BY; cite Penzel et al., Computers in Cardiology 2000; 27:255-258 and
    Goldberger et al., Circulation 2000; 101(23):e215-e220.

    Examples
    --------
    >>> from skstim.datasets import fetch_apnea_ecg
    >>> data = fetch_apnea_ecg(records=["a01", "c01"])  # doctest: +SKIP
    >>> data.X.shape, data.input_shape  # doctest: +SKIP
    ((965, 300), (1, 300))
    >>> sorted(set(data.groups))  # doctest: +SKIP
    ['P01', 'P18']
    >>> X, y = fetch_apnea_ecg(return_X_y=True)  # doctest: +SKIP

    Without the files and with downloading off, the error says where it looked:

    >>> try:
    ...     fetch_apnea_ecg(data_home="/nonexistent", download_if_missing=False)
    ... except OSError as exc:
    ...     print(str(exc).splitlines()[0])
    Apnea-ECG files not found (download_if_missing=False). Looked in:
    """
    record_names = _check_records(records, signals)
    rate = float(_DEFAULT_RATE[signals] if sampling_rate is None else sampling_rate)
    n_times = int(round(60 * window_minutes * rate))
    if n_times < 1:
        raise ValueError(
            f"The 'sampling_rate' parameter of fetch_apnea_ecg ({sampling_rate}) gives no "
            f"sample in a {window_minutes}-minute window; use at least "
            f"{1 / (60 * window_minutes):.3g} Hz."
        )

    folder = _resolve_folder(data_home, record_names, signals, download_if_missing)
    needed, _ = _required_files(folder, record_names, signals)
    checksums = _read_checksums(folder) if verify_checksums else None
    subjects = _subject_map(folder)

    parts = {k: [] for k in ("X", "y", "record", "minute", "groups", "coverage")}
    channel_names = ["rr"]
    for name in record_names:
        if checksums is not None:
            _verify(folder, needed[name], checksums)
        path = folder / name
        header = wfdb.rdheader(str(path))
        fs = float(header.fs)
        label_path = folder / needed[name][2][: -len(".apn")]
        minutes, labels = _read_labels(label_path, fs)
        starts, fits = _window_starts(minutes, window_minutes, header.sig_len / fs)
        minutes, labels, starts = minutes[fits], labels[fits], starts[fits]
        if signals == "rr":
            X, coverage = _rr_windows(path, starts, n_times, rate, fs, normalize)
        else:
            X, coverage, inside, names, rate_used = _resp_windows(path, starts, n_times, rate,
                                                                  normalize)
            if parts["X"] and len(names) != len(channel_names):
                raise ValueError(
                    f"Record {name} has {len(names)} channels ({names}) where the records "
                    f"before it have {len(channel_names)} ({channel_names}); load them "
                    "separately (records=[...]).")
            channel_names = names
            minutes, labels = minutes[inside], labels[inside]
        base = _base_record(name)
        subject = subjects.get(base)
        if subject is None:
            warnings.warn(
                f"No subject id for record {base} (no {SUBJECTS_FILE} or {INFO_FILE} entry "
                f"in {folder}); using the record name as its group.", UserWarning,
                stacklevel=3)
            subject = base
        parts["X"].append(X)
        parts["y"].append(labels)
        parts["minute"].append(minutes)
        parts["coverage"].append(coverage)
        parts["record"].append(np.full(len(labels), name))
        parts["groups"].append(np.full(len(labels), subject))

    if signals == "respiration":
        rate = rate_used
    n_channels = len(channel_names)
    X = np.concatenate(parts["X"]).astype(np.float64, copy=False).reshape(-1, n_channels * n_times)
    y = np.concatenate(parts["y"]).astype(np.int64, copy=False)
    if return_X_y:
        return X, y
    what = "RR-interval windows" if signals == "rr" else "respiration windows"
    signal_text = (_RR_TEXT.format(lo=RR_RANGE[0], hi=RR_RANGE[1], jump=RR_MAX_JUMP,
                                   nmed=_RR_MEDIAN_BEATS)
                   if signals == "rr" else _RESP_TEXT)
    descr = _DESCR_TEMPLATE.format(
        what=what, underline="-" * (len("Apnea-ECG Database (PhysioNet), ") + len(what)),
        window_minutes=window_minutes, sampling_rate=rate, n_times=n_times,
        signal_text=signal_text,
        normalize_text=("Each channel is standardized by the median and standard deviation "
                        "of its whole night." if normalize == "record" else
                        "Values are in physical units."))
    return Bunch(
        X=X,
        y=y,
        groups=np.concatenate(parts["groups"]).astype(str),
        record=np.concatenate(parts["record"]).astype(str),
        minute=np.concatenate(parts["minute"]).astype(np.int64, copy=False),
        coverage=np.concatenate(parts["coverage"]).astype(np.float64, copy=False),
        input_shape=(n_channels, n_times),
        channel_names=list(channel_names),
        sampling_rate=float(rate),
        window_minutes=int(window_minutes),
        target_names=np.array(TARGET_NAMES),
        DESCR=descr,
    )
