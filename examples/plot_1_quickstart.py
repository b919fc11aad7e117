"""
Quick start: a student trained on stimuli, scored on unseen people
===================================================================

A data holder fits a **teacher** network on private recordings; skstim synthesizes
**stimuli** from it, inputs that start from noise and are optimized to excite the
teacher's class neurons; a **student** that never sees a real recording is trained on
the stimuli, and scored on the real recordings of people it never saw.

This example runs the whole chain as one scikit-learn estimator,
:class:`~skstim.StimulusStudent`, in a :class:`~sklearn.pipeline.Pipeline`, and
cross-validates it with subject-disjoint folds (:class:`~sklearn.model_selection.GroupKFold`
on the subject ids) beside the same student trained on the real windows.
"""

# %%
# The data
# --------
# :func:`~skstim.datasets.make_sleep_apnea` simulates one-minute windows of four
# channels (chest and abdominal effort, airflow, SpO2) from several people, labelled
# apnea (1) or normal (0). ``X`` is flat, ``(n_windows, 4 * n_times)``, so that every
# scikit-learn tool accepts it; ``input_shape`` says how a network should view one row,
# and ``groups`` holds the person of each window.
import os

import numpy as np

from skstim.datasets import make_sleep_apnea

FAST = os.environ.get("SKSTIM_DOCS_FAST") == "1"  # smaller sizes for CI

data = make_sleep_apnea(n_subjects=6 if FAST else 9, n_windows=24 if FAST else 40,
                        sampling_rate=1.0, random_state=0)
X, y, groups = data.X, data.y, data.groups
print(f"X {X.shape}, one row viewed as {data.input_shape} (channels, times)")
print(f"{len(np.unique(groups))} people, apnea share {y.mean():.2f}")

# %%
# Stimuli
# -------
# :class:`~skstim.StimulusSynthesizer` fits the teacher (here a small BatchNorm CNN from
# :func:`~skstim.make_teacher`, 5 epochs) and returns stimuli in place of the data, as an
# imbalanced-learn sampler does. The hard labels are the teacher's most probable class;
# its probabilities are kept in ``y_proba_`` for students that can use soft labels.
from skstim import StimulusSynthesizer, make_teacher

synthesizer = StimulusSynthesizer(make_teacher(max_epochs=5), input_shape=data.input_shape,
                                  n_iter=15 if FAST else 30, random_state=0)
X_stimuli, y_stimuli = synthesizer.fit_resample(X, y)
print(f"stimuli {X_stimuli.shape} {X_stimuli.dtype}, apnea share {(y_stimuli == 1).mean():.2f}")
print("teacher's probabilities of the first three stimuli:")
print(synthesizer.y_proba_[:3].round(3))

# %%
# One estimator: teacher, stimuli and student
# -------------------------------------------
# :class:`~skstim.StimulusStudent` wraps the synthesizer and any classifier. Its ``fit``
# fits the teacher on the real training windows, synthesizes stimuli and trains the
# student on the stimuli alone; ``predict`` and ``score`` apply the student to real
# data. A random forest takes ``sample_weight``, so it gets the teacher's confidence in
# each stimulus as its weight.
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skstim import StimulusStudent

forest = RandomForestClassifier(n_estimators=100, random_state=0)
on_stimuli = make_pipeline(StandardScaler(), StimulusStudent(synthesizer, forest))
on_real = make_pipeline(StandardScaler(), forest)

# %%
# Subject-disjoint cross-validation
# ---------------------------------
# Every split keeps each person on one side: windows of the same person in training and
# test would inflate every score. ``GroupKFold`` takes the subject ids as ``groups``.
from sklearn.model_selection import GroupKFold, cross_val_score

cv = GroupKFold(n_splits=3)
for train, test in cv.split(X, y, groups):
    assert not set(groups[train]) & set(groups[test])  # nobody on both sides

scores_stimuli = cross_val_score(on_stimuli, X, y, groups=groups, cv=cv)
scores_real = cross_val_score(on_real, X, y, groups=groups, cv=cv)
print("accuracy on held-out people, per fold")
print(f"  forest trained on real windows: {scores_real.round(3)}  "
      f"mean {scores_real.mean():.3f}")
print(f"  forest trained on stimuli:      {scores_stimuli.round(3)}  "
      f"mean {scores_stimuli.mean():.3f}")
print(f"  majority class:                 {max(y.mean(), 1 - y.mean()):.3f}")

# %%
# With so few people, epochs and steps the gap between the two rows says little; the
# :ref:`benchmarks` measure it on the real Apnea-ECG data for eight student families.
#
# Sharing the stimuli
# -------------------
# The data holder shares a file, not the teacher:
# :func:`~skstim.release.save_stimuli` writes the stimuli, their labels, the teacher's
# probabilities and a JSON record of how they were made into a pickle-free ``.npz``.
# Given the private rows as ``X_train``, its export guard refuses to write a stimulus
# that is a copy of one of them. :func:`~skstim.release.load_stimuli` reads it back.
import tempfile
from pathlib import Path

from skstim.release import load_stimuli, save_stimuli, stimuli_metadata

with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "stimuli.npz"
    report = save_stimuli(path, X_stimuli, y_stimuli, synthesizer.y_proba_,
                          metadata=stimuli_metadata(synthesizer), X_train=X)
    shared = load_stimuli(path)
print(f"saved {report['n_saved']} stimuli, dropped {report['n_dropped']} copies")
print(f"file: X {shared.X.shape}, input_shape {shared.input_shape}, "
      f"classes {shared.classes.tolist()}, teacher {shared.metadata['teacher']['module']}")

# %%
# The recipient trains any classifier on the file alone:
recipient = RandomForestClassifier(n_estimators=100, random_state=0)
recipient.fit(shared.X, shared.y, sample_weight=shared.proba.max(axis=1))
