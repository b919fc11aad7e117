"""The sections the two reports share: example windows, privacy, trade-off, header, data
and caveats.
"""

from datetime import datetime, timezone

import numpy as np

from .._privacy_text import ATTACKER_NAMES, attacker_results, with_interval, worst_case_text
from ._figures import (
    MAX_CHANNELS,
    N_EXAMPLES,
    PRIVATE_MARK,
    _distance_figure,
    _examples_figure,
    _pick,
    _reidentification_figure,
    _tradeoff_figure,
    _tradeoff_points,
)
from ._markdown import (
    _code,
    _counts_text,
    _flatten,
    _inline,
    _label,
    _label_counts,
    _num,
    _options_table,
    _table,
    _text,
    _value,
)

__all__ = []


def _aggregate_reason(n_rows, n_people, min_people):
    """Why no aggregate of a class's real rows may be drawn; ``None`` where one may."""
    if n_rows == 0:
        return "no real row has this class"
    if n_people is None:
        return ("the people could not be counted (no subject ids; pass --group-column), so "
                "no aggregate of the real rows is drawn")
    if n_people < min_people:
        return (f"its real rows come from {n_people} people, fewer than --report-min-people "
                f"{min_people}, so no aggregate of them is drawn")
    return None


def _examples_intro(input_shape, real_what, drawing, no_groups):
    """The paragraph above the example figures: what they draw, and what they never draw."""
    n_channels, n_times = input_shape
    seed = drawing["random_state"]
    if drawing["private"]:
        text = (f"**{PRIVATE_MARK}.** Written with `--report-private-examples`: for each class, "
                f"up to {N_EXAMPLES} real rows of {real_what} (left, marked in the figure) "
                f"beside up to {N_EXAMPLES} stimuli of that class (right), drawn at random "
                f"(seed {seed}); the grey band is the mean ± one standard deviation of all "
                "real rows of the class per time step. The report's files are readable by "
                "their owner only (files 0600, folder 0700).")
    else:
        text = (f"For each class, up to {N_EXAMPLES} stimuli of that class, drawn at random "
                f"(seed {seed}), beside the mean (dashed) ± one standard deviation (grey band) "
                f"per time step of the class's real rows in {real_what}. **No real row is "
                "drawn.** The aggregate is drawn only where the class's real rows come from "
                f"at least {drawing['min_people']} people (`--report-min-people`), else the "
                "stimuli are drawn alone and the caption says why. A mean and a standard "
                "deviation depend on every row of the class; a quantile band (e.g. 10-90%) "
                "would draw single rows' values, so none is drawn.")
        if no_groups:
            text += (" The data has no subject ids, so the people could not be counted and "
                     "no aggregate is drawn.")
    text += (f" Channel by channel (input shape {n_channels} channels x {n_times} time steps); "
             "each row of panels shares one y-scale.")
    if n_channels > MAX_CHANNELS:
        text += f" Only the first {MAX_CHANNELS} of the {n_channels} channels are drawn."
    return text


def _examples_section(writer, real, stimuli, classes, input_shape, real_what, drawing):
    """The section of example stimuli beside aggregates (or rows) of the real data.

    Parameters
    ----------
    writer : _Writer
    real, stimuli : (X, y, groups) and (X, y)
        The real rows with their labels and subject ids (or None), and the stimuli.
    classes : list
    input_shape : tuple of int
    real_what : str
        The real data, as markdown (e.g. "the private input `x.npz`").
    drawing : dict
        ``random_state``, ``min_people`` and ``private`` (draw real rows, marked).
    """
    rng = np.random.default_rng(drawing["random_state"])
    n_channels, n_times = input_shape
    shown = min(n_channels, MAX_CHANNELS)

    def windows(X):
        return np.asarray(X, dtype=np.float64).reshape(len(X), n_channels, n_times)[:, :shown]

    X_real, y_real, groups = windows(real[0]), np.asarray(real[1]), real[2]
    X_stim, y_stim = windows(stimuli[0]), np.asarray(stimuli[1])
    private = drawing["private"]
    parts = ["## Example stimuli beside the real data", "",
             _examples_intro(input_shape, real_what, drawing, groups is None)]
    for k, cls in enumerate(classes, start=1):
        rows, stim_rows = np.flatnonzero(y_real == cls), np.flatnonzero(y_stim == cls)
        n_people = None if groups is None else len(np.unique(np.asarray(groups)[rows]))
        reason = _aggregate_reason(len(rows), n_people, drawing["min_people"])
        band = None
        if len(rows) and (reason is None or private):
            band = X_real[rows].mean(axis=0), X_real[rows].std(axis=0)
        drawn_real = X_real[_pick(rows, N_EXAMPLES, rng)] if private else None
        drawn_stim = X_stim[_pick(stim_rows, N_EXAMPLES, rng)]
        people = "people not counted" if n_people is None else f"{n_people} people"
        left = (f"PRIVATE rows ({len(drawn_real)} of {len(rows)})" if private else
                f"real rows: mean ± sd ({len(rows)} rows, {people})")
        figure = _examples_figure(drawn_stim, band, drawn_real, f"class {cls}",
                                  (left, f"stimuli ({len(drawn_stim)} of {len(stim_rows)})"),
                                  private=private)
        caption = f"class {_label(cls)}: {len(drawn_stim)} stimuli"
        if private:
            caption = (f"**{PRIVATE_MARK}**: {caption} beside {len(drawn_real)} private rows "
                       f"of the class ({people}).")
        elif reason is None:
            caption += (f" beside the mean ± sd of the class's {len(rows)} real rows "
                        f"({people}).")
        else:
            caption += f" alone: {reason}."
        parts += ["", writer.figure(f"examples_class_{k}.png", figure, caption)]
    return "\n".join(parts)


def _distance_rows(dcr, threshold=None):
    """The table of the distance check, each measure (and its 95 % interval) beside its
    baseline."""
    rows = [
        ("median distance of a stimulus to its nearest real row",
         with_interval(dcr, "median_stimulus_to_nearest_real_row"),
         f"{with_interval(dcr, 'median_real_row_to_nearest_other_real_row')}: median distance "
         "of a real row to its nearest other real row"),
        ("ratio of the two medians", with_interval(dcr, "ratio", 2),
         "near 0: near-copies; about 1 or more: stimuli no nearer to real rows than real rows "
         "are to each other"),
        ("share of stimuli nearer to a real row than the real rows' median spacing",
         with_interval(dcr, "share_of_stimuli_nearer_than_median_real_spacing"),
         "about 0.5 for the real rows themselves (the median's definition)"),
        ("smallest distance of a stimulus to a real row",
         _num(dcr["min_stimulus_to_nearest_real_row"]),
         "n/a (an extreme of the released set itself: no interval)"),
    ]
    table = _table(["measure", "stimuli", "baseline"], rows)
    if threshold is None:
        return table
    return (table + f"\n\nThe export guard (`skstim.release.export_guard`) compared the "
            f"stimuli with the private rows by shape (time shifts, reversal, sign and "
            f"amplitude ignored): a stimulus within shape distance {_num(threshold)} of a "
            f"private row is a copy (half the spacing that 95% of the private rows keep from "
            f"their nearest other row). Shape distances are on another scale than the "
            f"distances above.")


def _attacker_rows(name, reid):
    """The rows of one attacker in the re-identification table."""
    chance = _num(reid.get("chance"))
    n_subjects = _text(reid.get("n_subjects", "n/a"))
    held = "real_held_back_top1_accuracy" in reid
    power = {True: " (power above chance)", False: " (no power above chance)"}.get(
        reid.get("has_power"), "")
    rows = [
        ("top-1 accuracy (the attacker's power)", "n/a (a stimulus has no true subject)",
         with_interval(reid, "real_held_back_top1_accuracy") + power if held
         else "n/a (no rows held back)", f"chance {chance}"),
        ("mean top posterior (how sure it is of one person)",
         with_interval(reid, "stimuli_mean_top_posterior"),
         with_interval(reid, "real_held_back_mean_top_posterior") if held else "n/a",
         f"chance {chance}"),
    ]
    if "share_of_power" in reid:
        rows.append(("share of its power the stimuli carry",
                     with_interval(reid, "share_of_power"), "1 (by definition)",
                     "0: no surer of one person than chance; 1: as sure as on held-back real "
                     "rows"))
    rows += [
        ("share linked to the most common subject",
         with_interval(reid, "stimuli_share_linked_to_most_common_subject"), "n/a",
         f"{_num(reid.get('largest_subject_share_of_real_rows'))}: the largest subject's share "
         f"of the real rows; chance {chance}"),
        ("subjects linked at least once",
         f"{_text(reid.get('stimuli_subjects_linked_at_least_once', 'n/a'))} of {n_subjects}",
         "n/a", f"{n_subjects} subjects"),
    ]
    return [(_text(name), *row) for row in rows]


def _reidentification_rows(attackers):
    """The table of the re-identification check: a block of rows per attacker, on the
    stimuli and on held-back real rows, with 95 % intervals.

    Parameters
    ----------
    attackers : list of (str, dict)
        The name and the result of each attacker that ran.
    """
    rows = [row for name, reid in attackers for row in _attacker_rows(name, reid)]
    return _table(["attacker", "measure", "on the stimuli", "on held-back real rows",
                   "baseline"], rows)


def _worst_case_sentence(privacy):
    """The sentence that names the worst attack, or says why there is none."""
    text = worst_case_text(privacy)
    if text is None:
        return ("**Worst attack.** Not recorded: this summary was written before the "
                "attackers were compared.")
    return f"**Worst attack.** {_text(text[0].upper() + text[1:])}."


def _reidentification_text(attackers, ran):
    """The paragraph and the list of attackers above the re-identification table."""
    first = ran[0][1]
    text = (f"**Re-identification.** {_text(first.get('n_subjects', 'n/a'))} subjects, chance "
            f"{_num(first.get('chance'))}"
            + (f", {_text(first['n_real_held_back'])} real rows held back to measure the "
               "attackers' power" if "n_real_held_back" in first else "")
            + ". Each attacker is trained on the same random half of each subject's real "
              "rows. A stimulus has no true subject: the figures on the stimuli say how "
              "strongly stimuli resemble single people, not who they are.")
    items = [f"- {_text(name)}: " + (f"skipped: {_text(reid['skipped'])}." if "skipped" in reid
                                     else f"{_text(reid.get('attacker', 'a subject classifier'))}.")
             for _, name, reid in attackers]
    return [text, "", *items]


def _privacy_section(writer, privacy, *, against, threshold=None, figures=True):
    """The privacy checks against ``against``: tables, and figures unless ``figures=False``.

    Summaries of older versions (no intervals, one attacker, no worst case) render with
    what they hold.
    """
    dcr = privacy["distance_to_closest_record"]
    parts = [
        f"{_text(privacy.get('n_stimuli_checked', 'n/a'))} stimuli against {against} "
        f"({_text(privacy.get('n_real_rows', 'n/a'))} rows). "
        + ("Figures in brackets are 95% confidence intervals (Wilson for shares and "
           "accuracies, a bootstrap over rows otherwise)." if "ratio_ci" in dcr else
           "This summary was written before intervals were recorded: its figures carry none."),
        "",
        "**Distance to closest record.** "
        f"{_text(dcr.get('units', 'Euclidean distance after standardizing each feature'))}.",
        "",
        _distance_rows(dcr, threshold),
    ]
    if figures:
        parts += ["", writer.figure(
            "privacy_distance.png", _distance_figure(dcr),
            "distance to closest record: the stimuli (blue) against the real rows' own "
            "nearest-neighbour spacing (grey bar, dashed line)"
            + "; right, the share of stimuli nearer than that spacing against one half; "
              "black bars: 95% intervals.")]
    attackers = attacker_results(privacy)
    ran = [(name, reid) for _, name, reid in attackers if "skipped" not in reid]
    if not ran:
        reasons = list(dict.fromkeys(reid["skipped"] for _, _, reid in attackers))
        parts += ["", "**Re-identification.** Skipped: " + "; ".join(map(_text, reasons)) + "."]
    else:
        parts += ["", *_reidentification_text(attackers, ran), "", _reidentification_rows(ran)]
    if "worst_case" in privacy or ran:
        parts += ["", _worst_case_sentence(privacy)]
    if figures and ran:
        worst = ATTACKER_NAMES.get((privacy.get("worst_case") or {}).get("attacker"))
        parts += ["", writer.figure(
            "privacy_reidentification.png", _reidentification_figure(ran, worst),
            "re-identification, per attacker: its power on held-back real rows, how sure it "
            "is of one person on the stimuli and on real rows, how much the stimuli "
            "concentrate on one person, and the share of its power the stimuli carry; chance "
            "and the largest subject's share are marked; black bars: 95% intervals.")]
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


def _header(command, real_what, drawing):
    """The title, who wrote the report and when, and what of ``real_what`` it shows."""
    from ... import __version__

    if drawing["private"]:
        notice = (f"> **{PRIVATE_MARK}.** This report draws rows of {real_what} themselves "
                  "(`--report-private-examples`); its files are readable by their owner only. "
                  "It is meant for the data holder and the ethics board: do not pass it on, "
                  "with the stimuli or otherwise.")
    else:
        notice = (f"> This report holds no row of {real_what}: the real data appear only as "
                  "counts, scores and per-class aggregates over at least "
                  f"{drawing['min_people']} people. It is meant for the data holder and the "
                  "ethics board.")

    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join([
        f"# skstim report: `skstim {command}`",
        "",
        f"Written by `skstim {command} --report` (skstim {__version__}) on {when}. Every "
        "number below comes from this run, or from the stimuli file it "
        + ("wrote" if command == "synthesize" else "read") + "; the caveats at the end say "
        "what each one measures.",
        "",
        notice,
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
    "**Re-identification** uses two attackers, trained on the same random half of each "
    "subject's real rows: a random forest on per-channel summary features, and one on the "
    "heart-rate-variability measures of each channel (read as an RR series; where the data "
    "record no sampling rate, 1 Hz is assumed). An attacker's accuracy on the other half is "
    "its power. Its posterior on a stimulus says how much that stimulus resembles one person "
    "in this attacker's eyes: to compare with chance (one over the number of people) and "
    "with the posterior on real rows. The worst attack is the attacker, among those with "
    "power (the lower end of the interval of its accuracy above chance), whose posteriors "
    "on the stimuli stand furthest above chance as a share of its posteriors on real rows. "
    "No worst attack means no attacker had power here, not that the stimuli are safe.",
    "**Intervals** are 95% intervals: Wilson intervals for shares and accuracies, "
    "percentile bootstraps over rows for medians, mean posteriors and ratios. Rows of one "
    "person are not independent, so they are too narrow where people differ.",
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
