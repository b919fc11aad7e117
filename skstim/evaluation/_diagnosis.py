"""Per-recording diagnosis: the figure clinicians read, from per-minute labels or predictions.

The Apnea-ECG challenge scores a night by its apnea minutes: class A (apnea) with 100
or more, class C (control) with fewer than 5, class B (borderline) in between; these
thresholds reproduce the letter of every record of the learning set from its
annotations. The apnea index here is apnea minutes per hour of labelled minutes, an
apnea-hypopnea-style index that per-minute scoring can give (the true AHI counts events,
not minutes).
"""

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, mean_absolute_error
from sklearn.utils import check_consistent_length, column_or_1d

__all__ = ["recording_diagnosis", "diagnosis_agreement", "DIAGNOSIS_CLASSES"]

DIAGNOSIS_CLASSES = ("apnea", "borderline", "normal")
"""Per-recording classes of the Apnea-ECG challenge: A, B and C."""

_APNEA_MINUTES, _BORDERLINE_MINUTES = 100, 5


def _check_minutes_per_row(minutes_per_row):
    if not np.isfinite(minutes_per_row) or minutes_per_row <= 0:
        raise ValueError(f"minutes_per_row must be a positive number (e.g. 4 when every "
                         f"4th minute is kept), got {minutes_per_row!r}.")
    return float(minutes_per_row)


def recording_diagnosis(y, recording, *, positive=1, minutes_per_row=1.0):
    """Apnea index, apnea minutes and class of each recording from per-minute labels.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Label of each labelled minute (true or predicted); ``positive`` marks apnea.
    recording : array-like of shape (n_samples,)
        The recording (night) each row belongs to.
    positive : scalar, default=1
        The apnea label.
    minutes_per_row : float, default=1.0
        Minutes each row stands for: 4 when every 4th minute of a night is kept, so that
        the apnea minutes (and the class) are those of the whole night.

    Returns
    -------
    diagnosis : dict
        ``recordings`` (sorted ids), ``apnea_index`` (apnea minutes per hour),
        ``apnea_minutes`` (estimated over the night) and ``classes`` (one of
        :data:`DIAGNOSIS_CLASSES` each), arrays aligned with ``recordings``.

    Examples
    --------
    >>> import numpy as np
    >>> from skstim.evaluation import recording_diagnosis
    >>> y = np.r_[np.ones(120), np.zeros(360), np.zeros(470), np.ones(10)]
    >>> nights = np.r_[np.full(480, "a01"), np.full(480, "b01")]
    >>> d = recording_diagnosis(y, nights)
    >>> d["apnea_index"].tolist(), d["classes"].tolist()
    ([15.0, 1.25], ['apnea', 'borderline'])
    """
    y = column_or_1d(y, warn=True)
    recording = column_or_1d(recording, warn=True)
    check_consistent_length(y, recording)
    minutes_per_row = _check_minutes_per_row(minutes_per_row)
    recordings, index = np.unique(recording, return_inverse=True)
    is_apnea = (y == positive).astype(float)
    rows = np.bincount(index, minlength=len(recordings))
    apnea_rows = np.bincount(index, weights=is_apnea, minlength=len(recordings))
    apnea_minutes = apnea_rows * minutes_per_row
    classes = np.where(apnea_minutes >= _APNEA_MINUTES, DIAGNOSIS_CLASSES[0],
                       np.where(apnea_minutes >= _BORDERLINE_MINUTES, DIAGNOSIS_CLASSES[1],
                                DIAGNOSIS_CLASSES[2]))
    return {"recordings": recordings, "apnea_index": 60.0 * apnea_rows / rows,
            "apnea_minutes": apnea_minutes, "classes": classes}


def diagnosis_agreement(y_true, y_pred, recording, *, positive=1, minutes_per_row=1.0):
    """How far per-minute predictions put each night from its true diagnosis.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted label of each labelled minute.
    recording : array-like of shape (n_samples,)
        The recording each row belongs to.
    positive : scalar, default=1
        The apnea label.
    minutes_per_row : float, default=1.0
        Minutes each row stands for (see :func:`recording_diagnosis`).

    Returns
    -------
    agreement : dict
        ``index_mae`` (mean absolute error of the apnea index over recordings, apnea
        minutes per hour), ``class_accuracy`` (share of recordings given their true
        class), ``confusion`` (rows: true class, columns: predicted, in the order of
        :data:`DIAGNOSIS_CLASSES`) and ``n_recordings``.

    Examples
    --------
    >>> import numpy as np
    >>> from skstim.evaluation import diagnosis_agreement
    >>> y_true = np.r_[np.ones(120), np.zeros(360), np.zeros(480)]
    >>> y_pred = np.r_[np.ones(60), np.zeros(420), np.zeros(470), np.ones(10)]
    >>> a = diagnosis_agreement(y_true, y_pred, np.repeat(["a01", "c01"], 480))
    >>> round(a["index_mae"], 3), a["class_accuracy"]
    (4.375, 0.0)
    """
    check_consistent_length(y_true, y_pred, recording)
    true = recording_diagnosis(y_true, recording, positive=positive,
                               minutes_per_row=minutes_per_row)
    pred = recording_diagnosis(y_pred, recording, positive=positive,
                               minutes_per_row=minutes_per_row)
    return {
        "index_mae": float(mean_absolute_error(true["apnea_index"], pred["apnea_index"])),
        "class_accuracy": float(accuracy_score(true["classes"], pred["classes"])),
        "confusion": confusion_matrix(true["classes"], pred["classes"],
                                      labels=list(DIAGNOSIS_CLASSES)),
        "n_recordings": len(true["recordings"]),
    }
