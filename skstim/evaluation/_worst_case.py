"""The worst case over attacks: a release is as private as its strongest attack says."""

import numpy as np

from ..utils import split_interval

__all__ = ["ATTACK_LABELS", "attack_figures", "worst_case_attack", "summarize_splits"]

ATTACK_LABELS = {
    "summary_rf_linkage": "linkage, summary-feature forest",
    "hrv_linkage": "linkage, HRV forest",
    "cnn_linkage": "linkage, CNN",
    "mia": "membership, loss of a student",
    "domias": "membership, density ratio (DOMIAS)",
    "shadow": "membership, shadow models (LiRA)",
}


def attack_figures(record):
    """``attack -> (auc, low, high)`` for every ``{attack}_auc`` of a record with its interval.

    Parameters
    ----------
    record : dict
        As :func:`evaluate_privacy` returns it, or as :func:`summarize_splits` does.

    Returns
    -------
    figures : dict of str to tuple of float

    Examples
    --------
    >>> attack_figures({"mia_auc": 0.6, "mia_auc_low": 0.4, "mia_auc_high": 0.8, "dcr_ratio": 1})
    {'mia': (0.6, 0.4, 0.8)}
    """
    return {key[:-4]: (float(record[key]), float(record[key + "_low"]),
                       float(record[key + "_high"]))
            for key in record if key.endswith("_auc") and key + "_low" in record
            and key + "_high" in record}


def worst_case_attack(record, real_record):
    """The strongest attack on a released set, among the attacks with power on the real rows.

    An attack counts where its interval on the real private rows (the upper bound of
    risk) lies above 0.5: only there can its figure on the released set say anything.
    Among those, the worst case is the attack with the highest AUC on the released set.
    Every figure is an AUC of telling members from non-members (0.5 is chance), so the
    attacks compare on one scale.

    Parameters
    ----------
    record : dict
        The released set's figures (:func:`evaluate_privacy` or
        :func:`summarize_splits`).
    real_record : dict
        The same attacks' figures on the real private rows.

    Returns
    -------
    worst : dict
        ``attack`` (``None`` if no attack has power), ``label``, ``auc``, ``auc_low``,
        ``auc_high`` (NaN without an attack), ``attacks_with_power`` and
        ``attacks_without_power`` (lists of names).

    Examples
    --------
    >>> real = {"mia_auc": 0.9, "mia_auc_low": 0.8, "mia_auc_high": 1.0,
    ...         "domias_auc": 0.6, "domias_auc_low": 0.4, "domias_auc_high": 0.8}
    >>> stimuli = {"mia_auc": 0.55, "mia_auc_low": 0.4, "mia_auc_high": 0.7,
    ...            "domias_auc": 0.7, "domias_auc_low": 0.5, "domias_auc_high": 0.9}
    >>> w = worst_case_attack(stimuli, real)
    >>> w["attack"], w["auc"], w["attacks_without_power"]
    ('mia', 0.55, ['domias'])
    """
    real = attack_figures(real_record)
    released = attack_figures(record)
    with_power = [a for a, (_, low, _) in real.items() if low > 0.5 and a in released]
    without = [a for a in real if a not in with_power]
    worst = {"attack": None, "label": "no attack has power on the real rows",
             "auc": float("nan"), "auc_low": float("nan"), "auc_high": float("nan"),
             "attacks_with_power": with_power, "attacks_without_power": without}
    if with_power:
        attack = max(with_power, key=lambda a: released[a][0])
        auc, low, high = released[attack]
        worst.update(attack=attack, label=ATTACK_LABELS.get(attack, attack), auc=auc,
                     auc_low=low, auc_high=high)
    return worst


def summarize_splits(records):
    """Mean of every figure over splits, and for each AUC a Student-t 95 % interval over splits.

    Parameters
    ----------
    records : list of dict
        One :func:`evaluate_privacy` record per random member split.

    Returns
    -------
    summary : dict
        ``{key}`` (mean over splits) for every numeric key, and for every attack
        ``{attack}_auc_low`` and ``{attack}_auc_high`` from the spread of its AUC over
        the splits (replacing the per-split intervals, clipped to [0, 1] where an AUC
        lies; one split keeps its own interval), and ``n_splits``.

    Examples
    --------
    >>> s = summarize_splits([{"mia_auc": 0.5, "mia_auc_low": 0.3, "mia_auc_high": 0.7},
    ...                       {"mia_auc": 0.7, "mia_auc_low": 0.5, "mia_auc_high": 0.9}])
    >>> round(s["mia_auc"], 2), s["n_splits"], s["mia_auc_low"] < 0.5 < s["mia_auc_high"]
    (0.6, 2, True)
    """
    keys = [k for k in records[0] if isinstance(records[0][k], (int, float))
            and not isinstance(records[0][k], bool)]
    summary = {}
    for key in keys:
        values = np.array([r.get(key, np.nan) for r in records], dtype=float)
        summary[key] = float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")
    for attack in attack_figures(records[0]) if len(records) > 1 else ():
        mean, (low, high) = split_interval([r[f"{attack}_auc"] for r in records])
        summary.update({f"{attack}_auc": mean, f"{attack}_auc_low": max(low, 0.0),
                        f"{attack}_auc_high": min(high, 1.0)})
    summary["n_splits"] = len(records)
    return summary
