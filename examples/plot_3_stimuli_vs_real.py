"""
What stimuli look like beside real recordings
=============================================

Stimuli are made to move the teacher the way each class of real windows does, not to
look like any recording. This example fits a synthesizer on simulated sleep-apnea
windows and draws, for each channel and each class, a few real windows beside a few
stimuli, in the same units.
"""

# %%
# Fit the teacher and synthesize
# ------------------------------
import os

import matplotlib.pyplot as plt
import numpy as np

from skstim import StimulusSynthesizer, make_teacher
from skstim.datasets import make_sleep_apnea

FAST = os.environ.get("SKSTIM_DOCS_FAST") == "1"  # smaller sizes for CI

data = make_sleep_apnea(n_subjects=6 if FAST else 8, n_windows=24 if FAST else 30,
                        random_state=0)
n_channels, n_times = data.input_shape
print(f"{len(data.X)} windows of {n_channels} channels x {n_times} samples "
      f"({data.sampling_rate:g} Hz): {data.channel_names}")

synthesizer = StimulusSynthesizer(make_teacher(max_epochs=5), input_shape=data.input_shape,
                                  n_iter=15 if FAST else 30, random_state=0)
synthesizer.fit(data.X, data.y)

# %%
# :meth:`~skstim.StimulusSynthesizer.sample` draws stimuli from the fitted teacher: here
# 20, in the training prior of the classes, with the teacher's probabilities.
X_stimuli, y_stimuli, proba = synthesizer.sample(20, return_proba=True)
counts = {int(c): int(n) for c, n in zip(*np.unique(y_stimuli, return_counts=True))}
print(f"stimuli per class: {counts}")
print(f"teacher's mean confidence in its label: {proba.max(axis=1).mean():.3f}")

# %%
# Real windows and stimuli, per channel and class
# -----------------------------------------------
# Grey: two real windows of the class; colour: two stimuli the teacher labels with that
# class. Both are in the units of the data (the synthesizer optimizes in a
# per-channel standardized space and maps the stimuli back).
class_names = {0: "normal", 1: "apnea"}
t = np.arange(n_times) / data.sampling_rate
real = data.X.reshape(-1, n_channels, n_times)
stimuli = X_stimuli.reshape(-1, n_channels, n_times)
rng = np.random.default_rng(0)

fig, axes = plt.subplots(n_channels, 2, figsize=(9, 7), sharex=True, sharey="row")
for column, label in enumerate([0, 1]):
    shown_real = rng.choice(np.flatnonzero(data.y == label), 2, replace=False)
    shown_stimuli = np.flatnonzero(y_stimuli == label)[:2]
    for channel in range(n_channels):
        ax = axes[channel, column]
        for i, k in enumerate(shown_real):
            ax.plot(t, real[k, channel], color="0.4", lw=1.0, zorder=3,
                    label="real windows" if i == 0 else None)
        for i, k in enumerate(shown_stimuli):
            ax.plot(t, stimuli[k, channel], color=f"C{column}", lw=1.0, alpha=0.8,
                    label="stimuli" if i == 0 else None)
        if column == 0:
            ax.set_ylabel(data.channel_names[channel])
    axes[0, column].set_title(class_names[label])
    axes[0, column].legend(loc="upper right", fontsize=7)
    axes[-1, column].set_xlabel("time (s)")
fig.suptitle("Real windows (grey) and stimuli (colour)")
fig.tight_layout()
plt.show()

# %%
# The stimuli carry the class's level and spread in each channel (SpO2 sits near its
# real range, effort and airflow oscillate), but no stimulus follows a recording: they
# start from a Gaussian fitted to each class, not from any window, and are then shaped
# by the teacher. How closely they approach the private windows is what
# :func:`~skstim.evaluation.distance_to_closest_record` measures.
#
# The class averages
# ------------------
# Averaged over many stimuli, each class's stimuli should move like that class's real
# windows. The mean of each channel over the windows of a class, real against stimuli:
X_more, y_more = synthesizer.sample(100 if FAST else 200, random_state=1)
more = X_more.reshape(-1, n_channels, n_times)

fig, axes = plt.subplots(1, n_channels, figsize=(11, 2.8), sharex=True)
for channel, ax in enumerate(axes):
    for label in (0, 1):
        ax.plot(t, real[data.y == label, channel].mean(axis=0), color=f"C{label}", lw=1.5,
                label=f"real {class_names[label]}")
        ax.plot(t, more[y_more == label, channel].mean(axis=0), color=f"C{label}", lw=1.0,
                ls="--", label=f"stimuli {class_names[label]}")
    ax.set_title(data.channel_names[channel])
    ax.set_xlabel("time (s)")
axes[0].legend(fontsize=7)
fig.tight_layout()
plt.show()
