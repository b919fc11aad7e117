"""The privacy checks of ``skstim synthesize`` and ``skstim evaluate``: stimuli against real rows.

Two checks, both JSON-ready: the distance of each stimulus to its closest real row against
the real rows' own spacing, and a subject attacker's posterior on the stimuli against its
power on real rows held back from it.
"""

import numpy as np

from ..utils import nearest_distances, standardize

__all__ = ["privacy_checks", "format_privacy"]


def _distance_check(X_stimuli, X_real):
    """Nearest-real-row distance of the stimuli against the real rows' own spacing."""
    real, stimuli = standardize(X_real, X_stimuli)  # a constant feature is divided by 1
    stimuli = nearest_distances(real, stimuli)
    real = nearest_distances(real)  # each real row to its nearest *other* real row
    median_real = float(np.median(real))
    median_stimuli = float(np.median(stimuli))
    return {
        "median_stimulus_to_nearest_real_row": median_stimuli,
        "median_real_row_to_nearest_other_real_row": median_real,
        "ratio": median_stimuli / median_real if median_real > 0 else None,
        "share_of_stimuli_nearer_than_median_real_spacing": float(np.mean(stimuli < median_real)),
        "min_stimulus_to_nearest_real_row": float(stimuli.min()),
        "units": "Euclidean distance after standardizing each feature with the real rows",
    }


def _reidentification_check(X_stimuli, X_real, groups, input_shape, random_state):
    """A summary-feature subject attacker trained on half of each subject's real rows."""
    from ..evaluation import make_subject_attacker

    subjects, index, counts = np.unique(groups, return_inverse=True, return_counts=True)
    if len(subjects) < 2:
        return {"skipped": f"needs at least two subjects, the data has {len(subjects)}"}
    if input_shape[1] < 8:
        return {"skipped": f"the summary-feature attacker needs at least 8 time steps per "
                           f"channel, input shape is {tuple(input_shape)} (pass --input-shape)"}
    rng = np.random.default_rng(random_state)
    attacker_rows = np.zeros(len(groups), dtype=bool)
    for s in range(len(subjects)):
        rows = rng.permutation(np.flatnonzero(index == s))
        attacker_rows[rows[: max(1, (len(rows) + 1) // 2)]] = True
    held_back = ~attacker_rows
    attacker = make_subject_attacker(input_shape, random_state=random_state)
    attacker.fit(X_real[attacker_rows], groups[attacker_rows])
    classes = np.asarray(attacker.classes_)

    result = {
        "attacker": "random forest on per-channel summary features "
                    "(skstim.evaluation.make_subject_attacker), trained on a random half of "
                    "each subject's real rows",
        "n_subjects": int(len(subjects)),
        "chance": 1.0 / len(subjects),
        "largest_subject_share_of_real_rows": float(counts.max() / counts.sum()),
    }
    if held_back.any():
        proba = attacker.predict_proba(X_real[held_back])
        result["real_held_back_top1_accuracy"] = float(
            np.mean(classes[proba.argmax(axis=1)] == groups[held_back]))
        result["real_held_back_mean_top_posterior"] = float(proba.max(axis=1).mean())
        result["n_real_held_back"] = int(held_back.sum())
    proba = attacker.predict_proba(X_stimuli)
    linked = np.bincount(proba.argmax(axis=1), minlength=len(classes))
    result.update(
        stimuli_mean_top_posterior=float(proba.max(axis=1).mean()),
        stimuli_share_linked_to_most_common_subject=float(linked.max() / linked.sum()),
        stimuli_subjects_linked_at_least_once=int(np.count_nonzero(linked)),
    )
    return result


def privacy_checks(X_stimuli, X_real, groups, input_shape, random_state=0):
    """The distance and re-identification checks of the stimuli against real rows (JSON-ready).

    Parameters
    ----------
    X_stimuli : ndarray of shape (n_stimuli, n_features)
        Stimuli.
    X_real : ndarray of shape (n_real, n_features)
        Real rows (the private training rows in ``synthesize``, the real file in
        ``evaluate``).
    groups : ndarray of shape (n_real,) or None
        Subject of each real row; ``None`` skips re-identification.
    input_shape : tuple of int
        ``(C, T)`` of one row.
    random_state : int or None, default=0
        Seed of the attacker and of its half of the rows.

    Returns
    -------
    summary : dict
        ``"distance_to_closest_record"`` and ``"reidentification"`` (``{"skipped":
        reason}`` where it cannot run).
    """
    summary = {"n_stimuli_checked": int(len(X_stimuli)), "n_real_rows": int(len(X_real)),
               "distance_to_closest_record": _distance_check(X_stimuli, X_real)}
    if groups is None:
        summary["reidentification"] = {"skipped": "no subject ids (pass --group-column)"}
    else:
        summary["reidentification"] = _reidentification_check(X_stimuli, X_real, groups,
                                                               input_shape, random_state)
    return summary


def format_privacy(summary, indent="  "):
    """The lines the commands print for a summary of :func:`privacy_checks`.

    Parameters
    ----------
    summary : dict
        As :func:`privacy_checks` returns it (extra keys are ignored).
    indent : str, default="  "
        Put before every line.

    Returns
    -------
    lines : list of str
    """
    dcr = summary["distance_to_closest_record"]
    ratio = "n/a" if dcr["ratio"] is None else f"{dcr['ratio']:.2f}"
    lines = [
        f"{indent}distance to closest record (standardized units):",
        f"{indent}  median distance of a stimulus to the nearest real row      "
        f"{dcr['median_stimulus_to_nearest_real_row']:8.3f}",
        f"{indent}  median distance of a real row to the nearest other real row "
        f"{dcr['median_real_row_to_nearest_other_real_row']:7.3f}",
        f"{indent}  ratio (near 0: near-copies; about 1 or more: no nearer than real "
        f"rows are to each other) {ratio}",
        f"{indent}  share of stimuli nearer to a real row than that median spacing "
        f"{dcr['share_of_stimuli_nearer_than_median_real_spacing']:.3f}",
    ]
    reid = summary["reidentification"]
    if "skipped" in reid:
        lines.append(f"{indent}re-identification: skipped ({reid['skipped']})")
        return lines
    lines += [
        f"{indent}re-identification: a subject classifier (random forest on window summaries) "
        f"trained on half of each subject's real rows;",
        f"{indent}  {reid['n_subjects']} subjects, chance {reid['chance']:.3f}",
    ]
    if "real_held_back_top1_accuracy" in reid:
        lines.append(
            f"{indent}  its power, on the other half of the real rows: top-1 accuracy "
            f"{reid['real_held_back_top1_accuracy']:.3f}, mean top posterior "
            f"{reid['real_held_back_mean_top_posterior']:.3f}")
    lines += [
        f"{indent}  on the stimuli: mean top posterior "
        f"{reid['stimuli_mean_top_posterior']:.3f} (chance {reid['chance']:.3f});",
        f"{indent}  share linked to the most common subject "
        f"{reid['stimuli_share_linked_to_most_common_subject']:.3f} (largest subject's share "
        f"of the real rows {reid['largest_subject_share_of_real_rows']:.3f}); subjects linked "
        f"at least once {reid['stimuli_subjects_linked_at_least_once']} of {reid['n_subjects']}",
        f"{indent}  (a stimulus has no true subject: these say how strongly stimuli resemble "
        "single people, not who they are)",
    ]
    return lines
