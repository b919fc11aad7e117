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
# Every attack on every released set
# ----------------------------------
# :func:`~skstim.evaluation.evaluate_privacy` runs, on one released set, attacks that
# each give an AUC of telling the members from the non-members the attacker knows
# (0.5: no better than chance), with a 95 % interval over people:
#
# - **linkage** (``summary_rf_linkage``, ``hrv_linkage``): subject classifiers on window
#   summaries (:func:`~skstim.evaluation.make_subject_attacker`) and on
#   heart-rate-variability measures (:func:`~skstim.evaluation.make_hrv_attacker`),
#   trained on the attacker's recordings; a person's score is the mean posterior they
#   get over the released rows;
# - **membership by loss** (``mia``): a student (here the teacher's architecture) trained
#   on the released set; a person's score is its loss on their private windows;
# - **membership by density ratio** (``domias``,
#   :func:`~skstim.evaluation.density_ratio_membership`): is the released set denser
#   than the population at the attacker's windows of the person?
#
# and the **distance to closest record** (``dcr_ratio``; near 1: no nearer to the
# members than to strangers, 0: copies) and the **utility** of the student on the
# outside people. (:func:`~skstim.evaluation.shadow_membership`, which reruns the whole
# method many times, is left to the privacy benchmark.) The linkage attackers learn only
# the attacker's recordings, so :func:`~skstim.evaluation.fit_attackers` fits them once
# for every released set.
from skstim.evaluation import ATTACK_LABELS, attack_figures, fit_attackers, worst_case_attack

attackers = fit_attackers(X[attacker], groups[attacker], input_shape=data.input_shape,
                          sampling_rate=data.sampling_rate, random_state=0)
records = {}
for name, (X_released, proba) in released.items():
    records[name] = evaluate_privacy(
        X_released, proba, np.array([0, 1]),
        X_private=X[private], y_private=y[private], groups_private=groups[private],
        X_attacker=X[attacker], groups_attacker=groups[attacker],
        X_outside=X[outside], y_outside=y[outside], groups_outside=groups[outside],
        input_shape=data.input_shape, sampling_rate=data.sampling_rate, attackers=attackers,
        student=make_network(data.input_shape, max_epochs=epochs, random_state=0),
        random_state=0)

for name, r in records.items():
    print(f"{name}  (DCR ratio {r['dcr_ratio']:.2f}, accuracy {r['utility_accuracy']:.3f})")
    for attack, (auc, low, high) in attack_figures(r).items():
        print(f"    {ATTACK_LABELS[attack]:<36}{auc:.2f} [{low:.2f}, {high:.2f}]")

# %%
# The worst case, and the trade-off
# ---------------------------------
# A release is as private as its strongest attack says, among the attacks that show
# power on the real private windows (their interval there lies above 0.5):
# :func:`~skstim.evaluation.worst_case_attack`. Each point below is a released set: its
# worst-case AUC (with its interval) against the accuracy of a student trained on it.
# Better anonymization moves a point left, towards the noise floor; it costs something
# if it also moves down.
import matplotlib.pyplot as plt

worst = {name: worst_case_attack(r, records["real private windows"])
         for name, r in records.items()}
for name, w in worst.items():
    print(f"{name:<22} worst case {w['auc']:.2f} [{w['auc_low']:.2f}, {w['auc_high']:.2f}]"
          f"  ({w['label']})")

fig, ax = plt.subplots(figsize=(6, 4))
for i, (name, w) in enumerate(worst.items()):
    accuracy = records[name]["utility_accuracy"]
    ax.errorbar(w["auc"], accuracy, xerr=[[w["auc"] - w["auc_low"]], [w["auc_high"] - w["auc"]]],
                fmt="o", color=f"C{i}", capsize=3, label=name)
ax.axvline(0.5, color="grey", lw=0.8, ls="--")
ax.set_xlabel("worst-case AUC over attacks with power (0.5: chance)")
ax.set_ylabel("accuracy on outside people")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %%
# Read the stimuli against the two baselines, never alone. On the real private windows
# the linkage attackers tell the members from the other people they know (AUC near 1):
# those attacks have power here, so a low figure on stimuli means something. A figure near the noise floor is the best a released set can do; the
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
