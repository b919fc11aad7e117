"""The lines the commands print for the quick privacy checks, and the texts the report shares."""

import math

__all__ = ["ATTACKER_NAMES", "GUARANTEE_SCOPE", "attacker_results", "format_guarantee",
           "format_privacy", "number",
           "with_interval", "worst_case_text"]

# the attackers of quick_privacy_checks, by summary key, as the summary and the report name them
ATTACKER_NAMES = {"reidentification": "summary-feature attacker",
                  "reidentification_hrv": "HRV attacker"}
NO_SUBJECT = ("a stimulus has no true subject: these say how strongly stimuli resemble single "
              "people, not who they are")


def number(value, digits=3):
    """``value`` with ``digits`` decimals; None and NaN as n/a."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    return f"{value:.{digits}f}"


def with_interval(record, key, digits=3):
    """``record[key]`` and its 95 % interval ``record[key + "_ci"]``: ``0.412 [0.380, 0.445]``.

    A summary written before the intervals has no ``_ci`` key: the figure alone. An
    interval that could not be computed shows its bounds as n/a.

    Examples
    --------
    >>> with_interval({"a": 0.4123, "a_ci": [0.38, 0.445]}, "a")
    '0.412 [0.380, 0.445]'
    >>> with_interval({"a": 0.4123}, "a"), with_interval({"a": None, "a_ci": None}, "a")
    ('0.412', 'n/a')
    """
    value = record.get(key)
    text = number(value, digits)
    if f"{key}_ci" not in record or value is None:
        return text
    low, high = record[f"{key}_ci"] or (None, None)
    return f"{text} [{number(low, digits)}, {number(high, digits)}]"


def attacker_results(summary):
    """``(key, name, result)`` of every attacker the summary holds, in the order they ran."""
    return [(key, name, summary[key]) for key, name in ATTACKER_NAMES.items() if key in summary]


def worst_case_text(summary):
    """The worst attack and the share of its power the stimuli carry, or why there is none.

    ``None`` for a summary written before the attackers were compared.
    """
    worst = summary.get("worst_case")
    if worst is None:
        return None
    if worst.get("attacker") is None:
        return f"none ({worst.get('reason', 'no reason recorded')})"
    others = [ATTACKER_NAMES.get(key, key) for key in worst.get("attackers_with_power", ())]
    return (f"the {ATTACKER_NAMES.get(worst['attacker'], worst['attacker'])}, whose posteriors "
            f"on the stimuli carry {with_interval(worst, 'share_of_power')} of its power (mean "
            f"top posterior above chance, on the stimuli against held-back real rows; 1: as "
            f"sure of one person as on real rows): the largest share among the attackers with "
            f"power ({', '.join(others)})")


def _distance_lines(dcr, indent):
    figures = [
        ("median distance of a stimulus to the nearest real row",
         with_interval(dcr, "median_stimulus_to_nearest_real_row")),
        ("median distance of a real row to the nearest other real row",
         with_interval(dcr, "median_real_row_to_nearest_other_real_row")),
        ("ratio (near 0: near-copies; about 1 or more: no nearer than real rows are to each "
         "other)", with_interval(dcr, "ratio", 2)),
        ("share of stimuli nearer to a real row than that median spacing",
         with_interval(dcr, "share_of_stimuli_nearer_than_median_real_spacing")),
    ]
    width = max(len(label) for label, _ in figures[:2])
    return ([f"{indent}distance to closest record (standardized units; 95% intervals in "
             "brackets):"]
            + [f"{indent}  {label:<{width}} {value}" for label, value in figures])


def _attacker_lines(name, reid, indent):
    """The lines of one attacker: its power on held-back real rows, then on the stimuli."""
    if "skipped" in reid:
        return [f"{indent}re-identification ({name}): skipped ({reid['skipped']})"]
    lines = [f"{indent}re-identification ({name}): {reid.get('attacker', 'a subject classifier')};",
             f"{indent}  {reid.get('n_subjects', 'n/a')} subjects, chance "
             f"{number(reid.get('chance'))}"]
    if reid.get("sampling_rate_assumed"):
        lines[-1] += " (the data record no sampling rate: 1 Hz assumed)"
    if "real_held_back_top1_accuracy" in reid:
        power = {True: "power above chance", False: "no power above chance"}.get(
            reid.get("has_power"), "power not tested")
        lines.append(
            f"{indent}  its power, on the other half of the real rows: top-1 accuracy "
            f"{with_interval(reid, 'real_held_back_top1_accuracy')}, mean top posterior "
            f"{with_interval(reid, 'real_held_back_mean_top_posterior')} ({power})")
    lines += [f"{indent}  on the stimuli: mean top posterior "
              f"{with_interval(reid, 'stimuli_mean_top_posterior')} (chance "
              f"{number(reid.get('chance'))})"
              + (f"; share of its power {with_interval(reid, 'share_of_power')}"
                 if reid.get("share_of_power") is not None else "") + ";",
              f"{indent}  share linked to the most common subject "
              f"{with_interval(reid, 'stimuli_share_linked_to_most_common_subject')} (largest "
              f"subject's share of the real rows "
              f"{number(reid.get('largest_subject_share_of_real_rows'))}); subjects linked at "
              f"least once {reid.get('stimuli_subjects_linked_at_least_once', 'n/a')} of "
              f"{reid.get('n_subjects', 'n/a')}"]
    return lines


def format_privacy(summary, indent="  "):
    """The lines the commands print for a summary of :func:`skstim.evaluation.quick_privacy_checks`.

    Every figure is followed by its 95 % interval in brackets; each attacker gets its
    lines, and the last line names the worst attack (or says why there is none).
    Summaries written by older versions (no intervals, one attacker, no worst case) are
    printed with what they hold.

    Parameters
    ----------
    summary : dict
        As :func:`skstim.evaluation.quick_privacy_checks` returns it (extra keys are ignored).
    indent : str, default="  "
        Put before every line.

    Returns
    -------
    lines : list of str
    """
    lines = _distance_lines(summary["distance_to_closest_record"], indent)
    attackers = attacker_results(summary)
    for _, name, reid in attackers:
        lines += _attacker_lines(name, reid, indent)
    if any("skipped" not in reid for _, _, reid in attackers):
        lines.append(f"{indent}({NO_SUBJECT})")
    worst = worst_case_text(summary)
    lines.append(f"{indent}worst attack: "
                 + ("not recorded (a summary written before the attackers were compared)"
                    if worst is None else worst))
    return lines


#: What a differential-privacy guarantee of skstim covers, and what it does not.
GUARANTEE_SCOPE = [
    "Covers: the stimuli, their labels and the file's record are a post-processing of "
    "DP-SGD on the teacher and of noised aggregates, so whatever is learned from them about "
    "whether any one unit (a row, or all rows of a subject) was in the private data is "
    "bounded by (epsilon, delta), against any attacker with any other data.",
    "Does not cover: what the private data say about a group (a population's patterns are "
    "what the stimuli teach); anything released outside this file (reports of the private "
    "rows, the fitted synthesizer or its cache); repeated releases from the same data, "
    "whose budgets add up; and, at the row level, a subject with many rows.",
]


def format_guarantee(record):
    """Lines stating a differential-privacy record: epsilon, delta, unit, each mechanism.

    Examples
    --------
    >>> record = {"epsilon": 3.0, "delta": 1e-5, "unit": "person", "accountant": "RDP",
    ...           "mechanisms": [{"name": "teacher DP-SGD", "noise_multiplier": 1.1,
    ...                           "sample_rate": 0.01, "steps": 100, "epsilon_alone": 2.5}]}
    >>> format_guarantee(record)[0]
    'Differential privacy: (epsilon 3, delta 1e-05) per person, composed by RDP.'
    """
    lines = [f"Differential privacy: (epsilon {record['epsilon']:.3g}, delta "
             f"{record['delta']:.3g}) per {record['unit']}, composed by {record['accountant']}."]
    for m in record["mechanisms"]:
        lines.append(f"  {m['name']}: noise multiplier {m['noise_multiplier']:.3g}, sample rate "
                     f"{m['sample_rate']:.3g}, {m['steps']} step(s); epsilon alone "
                     f"{m['epsilon_alone']:.3g}")
    return lines + [f"  {text}" for text in GUARANTEE_SCOPE]
