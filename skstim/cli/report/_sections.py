"""The sections the two reports share: example windows, privacy, trade-off, header, data
and caveats.
"""

from datetime import datetime, timezone

import numpy as np

from ._figures import (
    MAX_CHANNELS,
    N_EXAMPLES,
    _distance_figure,
    _examples_figure,
    _reidentification_figure,
    _tradeoff_figure,
    _tradeoff_points,
)
from ._markdown import (
    _code,
    _counts_text,
    _flatten,
    _inline,
    _label_counts,
    _num,
    _options_table,
    _table,
    _value,
)

__all__ = []


def _examples_section(writer, X_real, y_real, X_stimuli, y_stimuli, classes, input_shape,
                      random_state, real_what):
    """The section of example stimuli beside real windows, one figure per class."""
    rng = np.random.default_rng(random_state)
    n_channels, n_times = input_shape
    parts = [
        "## Example stimuli beside real windows",
        "",
        f"For each class, up to {N_EXAMPLES} {real_what} (left) and up to {N_EXAMPLES} stimuli "
        f"of that class (right), drawn at random (seed {random_state}), channel by channel "
        f"(input shape {n_channels} channels x {n_times} time steps). The grey band is the "
        "mean ± one standard deviation of all real rows of the class, per time step; each row "
        "of panels shares one y-scale.",
    ]
    if n_channels > MAX_CHANNELS:
        parts[-1] += f" Only the first {MAX_CHANNELS} of the {n_channels} channels are drawn."
    for k, cls in enumerate(classes, start=1):
        figure, n_real, n_stim = _examples_figure(X_real, y_real, X_stimuli, y_stimuli, cls,
                                                  input_shape, rng)
        parts += ["", writer.figure(
            f"examples_class_{k}.png", figure,
            f"class {cls}: {n_real} real windows and {n_stim} stimuli.")]
    return "\n".join(parts)


def _distance_rows(dcr, threshold=None):
    """The table of the distance check, each measure beside its baseline."""
    ratio = dcr["ratio"]
    rows = [
        ("median distance of a stimulus to its nearest real row",
         _num(dcr["median_stimulus_to_nearest_real_row"]),
         f"{_num(dcr['median_real_row_to_nearest_other_real_row'])}: median distance of a real "
         "row to its nearest other real row"),
        ("ratio of the two medians", _num(ratio, 2),
         "near 0: near-copies; about 1 or more: stimuli no nearer to real rows than real rows "
         "are to each other"),
        ("share of stimuli nearer to a real row than the real rows' median spacing",
         _num(dcr["share_of_stimuli_nearer_than_median_real_spacing"]),
         "about 0.5 for the real rows themselves (the median's definition)"),
        ("smallest distance of a stimulus to a real row",
         _num(dcr["min_stimulus_to_nearest_real_row"]),
         "n/a" if threshold is None else
         f"{_num(threshold)}: export guard threshold (smallest distance between two distinct "
         "real rows; a stimulus nearer than this is a copy)"),
    ]
    return _table(["measure", "stimuli", "baseline"], rows)


def _reidentification_rows(reid):
    """The table of the re-identification check, on stimuli and held-back real rows."""
    chance = _num(reid["chance"])
    held = "real_held_back_top1_accuracy" in reid
    rows = [
        ("top-1 accuracy (the attacker's power)", "n/a (a stimulus has no true subject)",
         _num(reid.get("real_held_back_top1_accuracy")) if held else "n/a (no rows held back)",
         f"chance {chance}"),
        ("mean top posterior (how sure it is of one person)",
         _num(reid["stimuli_mean_top_posterior"]),
         _num(reid.get("real_held_back_mean_top_posterior")) if held else "n/a",
         f"chance {chance}"),
        ("share linked to the most common subject",
         _num(reid["stimuli_share_linked_to_most_common_subject"]), "n/a",
         f"{_num(reid['largest_subject_share_of_real_rows'])}: the largest subject's share of "
         f"the real rows; chance {chance}"),
        ("subjects linked at least once",
         f"{reid['stimuli_subjects_linked_at_least_once']} of {reid['n_subjects']}", "n/a",
         f"{reid['n_subjects']} subjects"),
    ]
    return _table(["measure", "on the stimuli", "on held-back real rows", "baseline"], rows)


def _privacy_section(writer, privacy, *, against, threshold=None, figures=True):
    """The privacy checks against ``against``: tables, and figures unless ``figures=False``."""
    dcr = privacy["distance_to_closest_record"]
    reid = privacy["reidentification"]
    parts = [
        f"{privacy.get('n_stimuli_checked', 'n/a')} stimuli against {against} "
        f"({privacy.get('n_real_rows', 'n/a')} rows).",
        "",
        "**Distance to closest record.** "
        f"{dcr.get('units', 'Euclidean distance after standardizing each feature')}.",
        "",
        _distance_rows(dcr, threshold),
    ]
    if figures:
        parts += ["", writer.figure(
            "privacy_distance.png", _distance_figure(dcr, threshold),
            "distance to closest record: the stimuli (blue) against the real rows' own "
            "nearest-neighbour spacing (grey bar, dashed line)"
            + ("" if threshold is None else " and the export guard's copy threshold (dotted)")
            + "; right, the share of stimuli nearer than that spacing against one half.")]
    parts += ["", "**Re-identification.** "]
    if "skipped" in reid:
        parts[-1] += f"Skipped: {reid['skipped']}."
        return "\n".join(parts)
    parts[-1] += (
        f"Attacker: {reid.get('attacker', 'a subject classifier')}; {reid['n_subjects']} "
        f"subjects, chance {_num(reid['chance'])}"
        + (f", {reid['n_real_held_back']} real rows held back to measure its power"
           if "n_real_held_back" in reid else "")
        + ". A stimulus has no true subject: the figures on the stimuli say how strongly "
          "stimuli resemble single people, not who they are.")
    parts += ["", _reidentification_rows(reid)]
    if figures:
        parts += ["", writer.figure(
            "privacy_reidentification.png", _reidentification_figure(reid),
            "re-identification: the attacker's power on held-back real rows, how sure it is "
            "of one person on the stimuli and on real rows, and how much the stimuli "
            "concentrate on one person; chance and the largest subject's share are marked.")]
    return "\n".join(parts)


def _tradeoff_section(writer, own_weight, inhibition, tradeoff, tradeoff_labels):
    """This run's inhibition weight and, given points, the utility/privacy trade-off."""
    parts = ["## Trade-off between utility and privacy", ""]
    if inhibition is None:
        parts.append("The stimuli file does not record whether identity inhibition was used.")
    elif inhibition:
        parts.append(f"This run's stimuli were synthesized with identity inhibition "
                     f"(`IdentityInhibitor`), inhibition weight {own_weight:g}.")
    else:
        parts.append("This run's stimuli were synthesized without identity inhibition "
                     "(plain `StimulusSynthesizer`; weight 0 in the benchmark's terms).")
    if tradeoff:
        points = _tradeoff_points(tradeoff)
        labels = tuple(tradeoff_labels or ("utility", "privacy"))
        parts += ["", f"Trade-off points passed to the report ({len(points)}): utility "
                      f"({labels[0]}) and privacy ({labels[1]}) at each inhibition weight.",
                  "", _table(["inhibition weight", _inline(labels[0]), _inline(labels[1])],
                             [(f"{w:g}", _num(u), _num(p)) for w, u, p in points]),
                  "", writer.figure("tradeoff.png",
                                    _tradeoff_figure(points, labels,
                                                     own_weight if inhibition else
                                                     (0.0 if inhibition is False else None)),
                                    "utility against privacy across inhibition weights.")]
    else:
        parts += ["", "This run measures one point only; it draws no curve, since a curve needs "
                      "several weights measured on the same data. The curve across inhibition "
                      "weights is measured by the privacy benchmark, `benchmarks/privacy.py`, "
                      "whose results are in `docs/benchmarks/privacy.md` (measured on the "
                      "benchmark's data sets, not on this data). To place this data on such a curve, "
                      "synthesize at several `--inhibition-weight` values and evaluate each on "
                      "the same held-out people."]
    return "\n".join(parts)


def _header(command, real_what):
    """The title, who wrote the report and when, and the warning not to pass it on."""
    from ... import __version__

    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join([
        f"# skstim report: `skstim {command}`",
        "",
        f"Written by `skstim {command} --report` (skstim {__version__}) on {when}. Every "
        "number below comes from this run, or from the stimuli file it "
        + ("wrote" if command == "synthesize" else "read") + "; the caveats at the end say "
        "what each one measures.",
        "",
        f"> This report shows {real_what} (the figures of example windows). It is meant for "
        "the data holder and the ethics board: do not pass it on with the stimuli.",
    ])


def _data_table(path, table, input_shape, classes):
    """The facts of a data file: rows, people, classes and the shape of one row."""
    groups = table.groups
    rows = [
        ("file", _code(path)),
        ("rows", str(len(table.X))),
        ("people (subject ids)",
         f"{len(np.unique(groups))} (column {_code(table.group_column)})" if groups is not None
         else "unknown: no subject ids"),
        ("classes", f"{len(_label_counts(table.y, classes))} (column "
         f"{_code(table.label_column)}): " + _counts_text(table.y, classes, unit=" rows")),
        ("input shape", f"{input_shape[0]} channels x {input_shape[1]} time steps "
         f"({table.X.shape[1]} features)"),
    ]
    return _table(["", ""], rows)


def _what_was_done(summary, data, stimuli, metadata, options):
    """The section "What was done": ``summary``, then tables of data, stimuli and options.

    ``data`` and ``stimuli`` are ``(title, markdown)`` of the data file's and the stimuli's
    subsections.
    """
    parts = ["## What was done", "", summary]
    for title, text in (data, stimuli):
        parts += ["", f"### {title}", "", text]
    parts += ["", _metadata_tables(metadata), "", "### Options of this run", "",
              _options_table(options)]
    return "\n".join(parts)


def _metadata_tables(metadata):
    """Every synthesis parameter and other fact the stimuli file records, in two tables."""
    parameters = metadata.get("synthesis_parameters")
    parts = ["### Synthesis parameters (from the stimuli file's metadata)", ""]
    if isinstance(parameters, dict) and parameters:
        parts.append(_table(["parameter", "value"],
                            [(_code(k), _value(v)) for k, v in _flatten(parameters)]))
    else:
        parts.append("The stimuli file records no synthesis parameters.")
    other = {k: v for k, v in metadata.items() if k not in ("synthesis_parameters", "privacy")}
    parts += ["", "### Other facts the stimuli file records", "",
              _table(["field", "value"], [(_code(k), _value(v)) for k, v in _flatten(other)])]
    return "\n".join(parts)


def _finish(writer, sections, caveats, stdout):
    """Add the caveats and what the command printed to ``sections``; write ``report.md``.

    Returns
    -------
    path : str
        The path of ``report.md``.
    """
    sections.append("## Caveats\n\n" + "\n".join(f"- {c}" for c in _CAVEATS_COMMON + caveats))
    if stdout:
        sections.append("\n".join(["## Appendix: what the command printed", "", "```text",
                                   stdout.replace("```", "'''").rstrip("\n"), "```"]))
    return writer.markdown("\n\n".join(sections) + "\n")


_CAVEATS_COMMON = [
    "**No proof of privacy.** The distance and re-identification checks test for two "
    "specific failures (near-copies of rows, resemblance to one person as seen by one "
    "attacker). They are not a differential-privacy guarantee; a stronger attacker, or one "
    "with other data about the people, may do better.",
    "**Distance to closest record** is the Euclidean distance between rows after "
    "standardizing each feature with the real rows. It compares the stimuli with the real "
    "rows' own spacing; a ratio near 1 or more means the stimuli are no nearer to real rows "
    "than real rows are to each other.",
    "**Re-identification** uses a random forest on per-channel summary features, trained on "
    "a random half of each subject's real rows; its accuracy on the other half is its "
    "power. Its posterior on a stimulus says how much that stimulus resembles one person "
    "in this attacker's eyes: to compare with chance (one over the number of people) and "
    "with the posterior on real rows.",
    "**Utility claims need subject-disjoint splits.** Windows of one person resemble each "
    "other; a score on rows of people the teacher (or a student) was trained on is "
    "optimistic. Only a score on people absent from the private data says how well the "
    "stimuli carry over to new people.",
    "**Small numbers.** With few rows or people, every figure here varies from run to run "
    "(seed, split); read them as an order of magnitude, not a certification.",
]


def _stimuli_record(stimuli):
    """The stimuli file's record, its classes as a list, and its synthesis parameters."""
    metadata = stimuli.metadata
    classes = list(np.asarray(stimuli.classes).tolist())
    return metadata, classes, metadata.get("synthesis_parameters") or {}
