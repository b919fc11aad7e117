"""
Real data: PhysioNet Apnea-ECG
==============================

The case study of Nikolaidis et al.: detecting sleep apnea, minute by minute, from the
heart rhythm of an overnight ECG. :func:`~skstim.datasets.fetch_apnea_ecg` reads the
PhysioNet Apnea-ECG records (Penzel et al., Computers in Cardiology 2000; ODC-BY
licence) into one row per labelled minute: the RR-interval series of the five minutes
centred on it, at 1 Hz, standardized per night. ``groups`` is the person, and several
people were recorded on more than one night, so the splits are by person.

The records are read from a local folder: ``$SKSTIM_DATA`` when set, else
``../shared/data`` beside the repository. Where they are absent, this example says so
and stops without an error (it never downloads anything).
"""

# %%
# Find the data
# -------------
import os
from pathlib import Path

import numpy as np

from skstim.datasets import fetch_apnea_ecg

FAST = os.environ.get("SKSTIM_DOCS_FAST") == "1"  # smaller sizes for CI


def data_home():
    """``$SKSTIM_DATA``, else ``../shared/data`` relative to the repository."""
    if os.environ.get("SKSTIM_DATA"):
        return Path(os.environ["SKSTIM_DATA"])
    try:
        repository = Path(__file__).resolve().parents[1]
    except NameError:  # run interactively: assume the examples folder is the cwd
        repository = Path.cwd().parent
    return repository.parent / "shared" / "data"


# The 35 nights of the learning set (25 people); fewer in the fast mode.
records = None
if FAST:
    records = ["a01", "a02", "a03", "a04", "a05", "b01", "b02", "c01", "c02", "c03"]
try:
    data = fetch_apnea_ecg(data_home=data_home(), records=records, download_if_missing=False)
except OSError as exc:
    data = None
    print(f"Apnea-ECG records not found, skipping this example.\n{exc}")

# %%
# Every twelfth minute keeps the example fast (neighbouring windows share four of their
# five minutes anyway).
if data is not None:
    keep = np.flatnonzero(data.minute % 12 == 0)
    X, y, groups = data.X[keep], data.y[keep], data.groups[keep]
    print(f"{len(X)} windows of {data.input_shape} (channels, samples at "
          f"{data.sampling_rate:g} Hz) from {len(np.unique(data.record[keep]))} nights of "
          f"{len(np.unique(groups))} people; apnea share {y.mean():.2f}")

# %%
# Stimuli against real windows, on unseen people
# ----------------------------------------------
# For each subject-disjoint fold, the same random forest is trained on the real
# training windows and, through :class:`~skstim.StimulusStudent`, on stimuli of a
# teacher fitted on those windows; both are scored on the held-out people.
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import GroupKFold, cross_val_score

from skstim import StimulusStudent, StimulusSynthesizer, make_teacher

if data is not None:
    forest = RandomForestClassifier(n_estimators=100, min_samples_leaf=2, random_state=0)
    synthesizer = StimulusSynthesizer(make_teacher(max_epochs=5),
                                      input_shape=data.input_shape,
                                      n_iter=15 if FAST else 30, random_state=0)
    cv = GroupKFold(n_splits=3)
    real = cross_val_score(forest, X, y, groups=groups, cv=cv)
    stimuli = cross_val_score(StimulusStudent(synthesizer, forest), X, y, groups=groups,
                              cv=cv)
    print(f"forest on real windows: {real.round(3)}, mean {real.mean():.3f}")
    print(f"forest on stimuli:      {stimuli.round(3)}, mean {stimuli.mean():.3f}")
    print(f"always 'normal':        {1 - y.mean():.3f}")

# %%
# A twelfth of the minutes, a five-epoch teacher and 30 steps make this a smoke test,
# not a result.
# The utility benchmark runs the same comparison with three times the windows, longer
# training and eight student families (see the :ref:`benchmarks`); in its quick mode,
# over 3 subject-disjoint folds, the random forest trained on the default stimuli was
# 0.3 accuracy points below the one trained on real windows.
#
# What the stimuli look like
# --------------------------
# One real RR window and one stimulus of each class, in the standardized units of the
# data.
import matplotlib.pyplot as plt

if data is not None:
    synthesizer.fit(X, y)
    X_stimuli, y_stimuli = synthesizer.sample(40)
    t = np.arange(data.input_shape[1]) / data.sampling_rate / 60 - data.window_minutes / 2
    fig, axes = plt.subplots(1, 2, figsize=(10, 3), sharey=True)
    for ax, label, name in zip(axes, (0, 1), data.target_names):
        ax.plot(t, X[np.flatnonzero(y == label)[0]], color="0.4", label="real window")
        ax.plot(t, X_stimuli[np.flatnonzero(y_stimuli == label)[0]], color=f"C{label}",
                label="stimulus")
        ax.axvspan(-0.5, 0.5, color="0.9", zorder=0)  # the labelled minute
        ax.set_title(name)
        ax.set_xlabel("minutes from the labelled minute")
    axes[0].set_ylabel("RR interval (standardized)")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    plt.show()
