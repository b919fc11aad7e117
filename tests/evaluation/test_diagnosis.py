"""Per-recording diagnosis: apnea index, apnea minutes and the challenge's classes."""

from pathlib import Path

import numpy as np
import pytest
import wfdb

from skstim.datasets._apnea_ecg import LEARNING_RECORDS
from skstim.evaluation import DIAGNOSIS_CLASSES, diagnosis_agreement, recording_diagnosis

pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword:Warning")

DATA_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "apnea-ecg"
LETTER = {"a": "apnea", "b": "borderline", "c": "normal"}


@pytest.mark.skipif(not (DATA_DIR / "a01.apn").is_file(),
                    reason=f"Apnea-ECG copy not found at {DATA_DIR} (expected beside the checkout)")
def test_thresholds_give_every_learning_record_its_letter():
    labels, nights = [], []
    for record in LEARNING_RECORDS:
        symbols = wfdb.rdann(str(DATA_DIR / record), "apn").symbol
        labels += symbols
        nights += [record] * len(symbols)
    diagnosis = recording_diagnosis(np.array(labels), np.array(nights), positive="A")
    expected = [LETTER[r[0]] for r in diagnosis["recordings"]]
    assert diagnosis["classes"].tolist() == expected
    # a10 has exactly 100 apnea minutes (the class A threshold), c07 four (below B's 5)
    minutes = dict(zip(diagnosis["recordings"], diagnosis["apnea_minutes"]))
    assert minutes["a10"] == 100 and minutes["c07"] == 4


def test_index_is_apnea_minutes_per_hour_and_classes_follow_the_minutes():
    # nights of 480 minutes with 0, 4, 5, 99, 100 and 240 apnea minutes
    counts = [0, 4, 5, 99, 100, 240]
    y = np.concatenate([np.r_[np.ones(c), np.zeros(480 - c)] for c in counts])
    nights = np.repeat([f"n{i}" for i in range(len(counts))], 480)
    d = recording_diagnosis(y, nights)
    np.testing.assert_allclose(d["apnea_index"], np.array(counts) / 8)
    assert d["classes"].tolist() == ["normal", "normal", "borderline", "borderline", "apnea",
                                     "apnea"]


def test_minutes_per_row_scales_a_subsampled_night_to_the_whole():
    rng = np.random.default_rng(0)
    y = (rng.random(4 * 480) < 0.3).astype(int)
    nights = np.repeat(["n0", "n1", "n2", "n3"], 480)
    full = recording_diagnosis(y, nights)
    every_4th = recording_diagnosis(y[::4], nights[::4], minutes_per_row=4)
    np.testing.assert_allclose(every_4th["apnea_minutes"], full["apnea_minutes"], rtol=0.15)
    np.testing.assert_allclose(every_4th["apnea_index"], full["apnea_index"], rtol=0.15)
    unscaled = recording_diagnosis(y[::4], nights[::4])
    np.testing.assert_allclose(unscaled["apnea_minutes"], every_4th["apnea_minutes"] / 4)


def test_agreement_is_perfect_for_the_truth_and_counts_each_wrong_class():
    y_true = np.r_[np.ones(120), np.zeros(360), np.zeros(480), np.ones(50), np.zeros(430)]
    nights = np.repeat(["a", "c", "b"], 480)
    y_copy = y_true.copy()
    perfect = diagnosis_agreement(y_true, y_true, nights)
    assert perfect["index_mae"] == 0 and perfect["class_accuracy"] == 1
    np.testing.assert_array_equal(perfect["confusion"], np.diag([1, 1, 1]))
    everything = diagnosis_agreement(y_true, np.ones_like(y_true), nights)
    assert everything["class_accuracy"] == pytest.approx(1 / 3)
    np.testing.assert_array_equal(everything["confusion"][:, 0], [1, 1, 1])  # all "apnea"
    assert everything["index_mae"] == pytest.approx(np.mean([60 - 15, 60 - 0, 60 - 6.25]))
    assert list(DIAGNOSIS_CLASSES) == ["apnea", "borderline", "normal"]
    np.testing.assert_array_equal(y_true, y_copy)


@pytest.mark.parametrize("bad", [0, -1, np.nan])
def test_minutes_per_row_must_be_positive(bad):
    with pytest.raises(ValueError, match="minutes_per_row must be a positive number"):
        recording_diagnosis([1, 0], ["a", "a"], minutes_per_row=bad)


def test_lengths_must_agree():
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        recording_diagnosis([1, 0, 1], ["a", "a"])
