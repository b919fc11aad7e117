"""The lines the commands print for the quick privacy checks."""

__all__ = ["format_privacy"]


def format_privacy(summary, indent="  "):
    """The lines the commands print for a summary of :func:`skstim.evaluation.quick_privacy_checks`.

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
