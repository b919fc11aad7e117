"""
Anonymization: identity inhibition against utility
==================================================

:class:`~skstim.IdentityInhibitor` fits, besides the teacher, a subject model that names
the person of a window, and adds to the synthesis objective a term that keeps that model
from naming anyone (Nikolaidis et al., arXiv 2009.10007). ``inhibition_weight`` sets how
hard it pushes against the class excitation.

This example measures, for a few weights, what an attacker learns from the stimuli and
what a student trained on them is worth, beside two baselines measured the same way:
the real private windows (the upper bound of risk, which also shows that the attack has
power at all) and pure noise (the floor).
"""

# %%
# The study design
# ----------------
# Every simulated person is recorded twice (two halves of their windows, "two
# nights"). Two thirds of the people are the data holder's **members**: their first
# night is the private set. The others are **outside** people: their first night is
# the test set of utility and the non-members of membership inference. The
# **attacker** holds everyone's second night: other recordings of the same people, as
# someone who knows the participants would.
import os

import numpy as np

from skstim.datasets import make_sleep_apnea

FAST = os.environ.get("SKSTIM_DOCS_FAST") == "1"  # smaller sizes for CI

n_people, n_windows = (12, 60) if FAST else (20, 80)
epochs, n_iter = (5, 15) if FAST else (10, 30)
data = make_sleep_apnea(n_subjects=n_people, n_windows=n_windows, sampling_rate=1.0,
                        random_state=0)
X, y, groups = data.X, data.y, data.groups

first_night = np.tile(np.arange(n_windows) < n_windows // 2, n_people)
rng = np.random.default_rng(0)
members = rng.permutation(np.unique(groups))[: 2 * n_people // 3]
is_member = np.isin(groups, members)
private = first_night & is_member
outside = first_night & ~is_member
attacker = ~first_night
print(f"private: {private.sum()} windows of {len(members)} members; outside: "
      f"{outside.sum()} windows of {n_people - len(members)} people; attacker: "
      f"{attacker.sum()} windows of all {n_people}")

# %%
# Stimuli at several inhibition weights
# -------------------------------------
# ``groups`` (the person of each private window) goes to ``fit_resample``. With
# ``memory=``, the teacher and the subject model are fitted once and reused for every
# weight: only the synthesis runs again.
import shutil
import tempfile

from joblib import Memory

from skstim import IdentityInhibitor, make_network, make_teacher

cache_dir = tempfile.mkdtemp(prefix="skstim-cache-")
inhibitor = IdentityInhibitor(
    make_teacher(max_epochs=epochs), identity_model=make_network(max_epochs=epochs),
    input_shape=data.input_shape, n_iter=n_iter, memory=Memory(cache_dir, verbose=0),
    random_state=0)

weights = [0.0, 4.0, 64.0] if FAST else [0.0, 1.0, 4.0, 16.0, 64.0]
released = {}
for weight in weights:
    inhibitor.set_params(inhibition_weight=weight)
    X_stimuli, _ = inhibitor.fit_resample(X[private], y[private], groups=groups[private])
    released[f"stimuli, weight {weight:g}"] = (X_stimuli, inhibitor.y_proba_)

# %%
# The two baselines: the private windows themselves, and
# :func:`~skstim.evaluation.noise_set` (Gaussian rows with each feature's mean and
# spread, labels drawn at the class frequencies), both with one-hot labels.
from skstim.evaluation import evaluate_privacy, noise_set

one_hot = np.eye(2, dtype=np.float32)
X_noise, y_noise = noise_set(X[private], y[private], random_state=0)
released = {"real private windows": (X[private], one_hot[y[private]]),
            "noise": (X_noise, one_hot[y_noise]), **released}

# %%
# Every figure of every released set
# ----------------------------------
# :func:`~skstim.evaluation.evaluate_privacy` runs, on one released set:
#
# - **re-identification**: a subject classifier on window summaries
#   (:func:`~skstim.evaluation.make_subject_attacker`), trained on the attacker's
#   recordings, names the person of each released row; ``summary_rf_linkage_auc`` is
#   the AUC of telling members from known non-members by the mean posterior each person
#   gets over the released rows (0.5: no better than chance);
# - **membership inference** against a student (here the teacher's architecture)
#   trained on the released set: can the loss of each person's private windows tell
#   members from outside people? (``mia_auc``);
# - **distance to closest record**: median distance of released rows to the private
#   rows over that to as many outside rows (``dcr_ratio``; near 1: no nearer to the
#   members than to strangers, 0: copies);
# - **utility**: the accuracy of the same student on the outside people.
records = {}
for name, (X_released, proba) in released.items():
    records[name] = evaluate_privacy(
        X_released, proba, np.array([0, 1]),
        X_private=X[private], y_private=y[private], groups_private=groups[private],
        X_attacker=X[attacker], groups_attacker=groups[attacker],
        X_outside=X[outside], y_outside=y[outside], groups_outside=groups[outside],
        input_shape=data.input_shape,
        student=make_network(data.input_shape, max_epochs=epochs, random_state=0),
        random_state=0)

print(f"{'released set':<22}{'linkage AUC':>12}{'MIA AUC':>9}{'DCR ratio':>11}{'accuracy':>10}")
for name, r in records.items():
    print(f"{name:<22}{r['summary_rf_linkage_auc']:>12.2f}{r['mia_auc']:>9.2f}"
          f"{r['dcr_ratio']:>11.2f}{r['utility_accuracy']:>10.3f}")

# %%
# The trade-off
# -------------
# Each point is a released set: how well the attacker links it to the members (left:
# re-identification; right: membership inference against the student), against the
# accuracy of a student trained on it. Better anonymization moves a point left, towards
# the noise floor; it costs something if it also moves down.
import matplotlib.pyplot as plt

fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
for ax, key, label in ((axes[0], "summary_rf_linkage_auc", "re-identification: linkage AUC"),
                       (axes[1], "mia_auc", "membership inference AUC")):
    for name, marker in (("real private windows", "s"), ("noise", "x")):
        ax.plot(records[name][key], records[name]["utility_accuracy"], marker, ms=9,
                color="k" if name == "noise" else "C3", label=name)
    curve = [(w, records[f"stimuli, weight {w:g}"]) for w in weights]
    ax.plot([r[key] for _, r in curve], [r["utility_accuracy"] for _, r in curve], "o-",
            color="C0", label="stimuli")
    for w, r in curve:
        ax.annotate(f"{w:g}", (r[key], r["utility_accuracy"]), textcoords="offset points",
                    xytext=(5, 4), fontsize=8)
    ax.axvline(0.5, color="grey", lw=0.8, ls="--")
    ax.set_xlabel(label)
axes[0].set_ylabel("accuracy on outside people")
axes[1].legend(fontsize=8, loc="lower right")
fig.suptitle("Utility against privacy; labels are inhibition weights")
fig.tight_layout()
plt.show()

# %%
# Read the stimuli against the two baselines, never alone. On the real private windows
# the re-identification attacker tells the members from the other people it knows
# (linkage AUC near 1): the attack has power here, so a low figure on stimuli means
# something. A figure near the noise floor is the best a released set can do; the
# weight is worth raising as long as it moves the stimuli left without moving them
# down. Membership inference needs the same check: where it is weak on the real
# windows, it proves nothing about the stimuli. With so few people (a handful of
# non-members) one split's AUCs are coarse and noisy: the privacy benchmark averages
# many random member splits and reports their spread (see the :ref:`benchmarks`).
#
# Inside cross-validation: metadata routing
# -----------------------------------------
# In a :class:`~sklearn.pipeline.Pipeline`,
# :func:`~sklearn.model_selection.cross_val_score` or
# :class:`~sklearn.model_selection.GridSearchCV`, ``groups`` reaches the inhibitor
# through scikit-learn's metadata routing. ``IdentityInhibitor`` requests it;
# :class:`~skstim.StimulusStudent` routes it on; the same ``params={"groups": ...}``
# also reaches the :class:`~sklearn.model_selection.GroupKFold` splitter.
# ``config_context`` turns routing on for this block only
# (``sklearn.set_config(enable_metadata_routing=True)`` would for the session).
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skstim import StimulusStudent

inhibitor.set_params(inhibition_weight=4.0)
model = StimulusStudent(inhibitor, make_pipeline(StandardScaler(),
                                                 LogisticRegression(max_iter=1000)))
with sklearn.config_context(enable_metadata_routing=True):
    scores = cross_val_score(model, X[first_night], y[first_night], cv=GroupKFold(3),
                             params={"groups": groups[first_night]})
print(f"accuracy on held-out people, per fold: {scores.round(3)}")

shutil.rmtree(cache_dir, ignore_errors=True)
