"""The report of ``skstim synthesize --report DIR`` and ``skstim evaluate --report DIR``.

A markdown file (``DIR/report.md``) and PNG figures that a data holder can hand to an
ethics board: what was done (input, rows, people, classes, every synthesis parameter the
stimuli file records), example stimuli beside real windows, utility, the privacy checks
with their baselines, the utility/privacy trade-off (or where to find it) and the
caveats. Every number comes from the run (or from the stimuli file it read or wrote);
nothing is taken from elsewhere.

Each file is written atomically (a temporary file in ``DIR``, then renamed), the figures
first and ``report.md`` last, so that the report never links to a missing figure. The
figures are drawn with matplotlib's Agg canvas, without pyplot: no display is needed and
the caller's matplotlib backend is left alone.
"""

import json
import os
import warnings
from datetime import datetime, timezone

import numpy as np

from .utils import write_atomic

__all__ = ["REPORT_NAME", "synthesis_report", "evaluation_report"]

REPORT_NAME = "report.md"
N_EXAMPLES = 3  # real windows and stimuli drawn per class
MAX_CHANNELS = 8  # channels drawn per example figure
_SHOWN_ITEMS = 20  # entries of a long list shown in a table cell
_DPI = 100

# colours: stimuli, real rows, baselines
_STIM, _REAL, _BASE, _BASE2 = "#1f77b4", "#7f7f7f", "#d62728", "#2ca02c"


# ------------------------------------------------------------------------- writing
def _write_atomic(directory, name, write):
    """Write ``directory/name`` through ``write(handle)``, whole or not at all."""
    return write_atomic(os.path.join(directory, name), write)


def _new_figure(width, height):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=_DPI)
    FigureCanvasAgg(figure)
    return figure


class _Writer:
    """Collects the figures (written at once) and the markdown of one report."""

    def __init__(self, directory):
        self.directory = os.fspath(directory)
        os.makedirs(self.directory, exist_ok=True)
        self.files = []
        self.n_figures = 0

    def figure(self, name, figure, caption):
        """Write ``figure`` as ``name`` and return its numbered markdown embedding."""
        figure.tight_layout()
        _write_atomic(self.directory, name,
                      lambda handle: figure.savefig(handle, format="png", dpi=_DPI))
        self.files.append(name)
        self.n_figures += 1
        return f"![Figure {self.n_figures}: {_inline(caption)}]({name})\n\n" \
               f"*Figure {self.n_figures}: {caption}*"

    def markdown(self, text):
        _write_atomic(self.directory, REPORT_NAME,
                      lambda handle: handle.write(text.encode("utf-8")))
        self.files.append(REPORT_NAME)
        return os.path.join(self.directory, REPORT_NAME)


# ----------------------------------------------------------------------- formatting
def _inline(text):
    """Text safe inside a markdown image's alt text or a table cell."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("[", "\\[") \
        .replace("]", "\\]").replace("\n", " ")


def _code(text):
    text = str(text).replace("\n", " ")
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}" if fence == "`" else f"{fence} {text} {fence}"


def _num(value, digits=3):
    """A number as the command prints it (``digits`` decimals); None and NaN as n/a."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "n/a"
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value)).lower()
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return f"{float(value):.{digits}f}"


def _value(value):
    """A metadata value for a table cell: plain numbers, JSON for lists, None as null."""
    if isinstance(value, bool) or value is None:
        return _code(json.dumps(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, str):
        return _inline(value) if value else '""'
    if isinstance(value, (list, tuple)):
        shown = [json.loads(json.dumps(v)) if not isinstance(v, float) else float(f"{v:.6g}")
                 for v in value[:_SHOWN_ITEMS]]
        text = json.dumps(shown)
        if len(value) > _SHOWN_ITEMS:
            text = text[:-1] + f", ... ({len(value)} in all)]"
        return _code(text)
    return _code(json.dumps(value, default=str))


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _flatten(record, prefix=""):
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            yield from _flatten(value, name + ".")
        else:
            yield name, value


def _class_counts(y, classes=None):
    values, counts = np.unique(np.asarray(y), return_counts=True)
    found = dict(zip(values.tolist(), counts.tolist()))
    order = list(classes) if classes is not None else values.tolist()
    order += [v for v in values.tolist() if v not in order]
    return [(c, int(found.get(c, 0))) for c in order]


def _label(value):
    return _code(value if isinstance(value, str) else json.dumps(value))


def _options_table(options):
    rows = []
    for name, value in (options or {}).items():
        if name == "command":
            continue
        option = "--" + name.replace("_", "-")
        if isinstance(value, (list, tuple)):
            shown = _code(",".join(str(v) for v in value))
        elif value is None:
            shown = "not given"
        elif isinstance(value, bool):
            shown = "yes" if value else "no"
        else:
            shown = _code(value)
        rows.append((_code(option), shown))
    return _table(["option", "value"], rows)


# -------------------------------------------------------------------------- figures
def _pick(rows, n, rng):
    return np.sort(rng.choice(rows, size=min(n, len(rows)), replace=False)) if len(rows) else rows


def _examples_figure(X_real, y_real, X_stimuli, y_stimuli, cls, input_shape, rng):
    n_channels, n_times = input_shape
    channels = list(range(min(n_channels, MAX_CHANNELS)))
    real_rows = np.flatnonzero(np.asarray(y_real) == cls)
    stim_rows = np.flatnonzero(np.asarray(y_stimuli) == cls)
    real_pick, stim_pick = _pick(real_rows, N_EXAMPLES, rng), _pick(stim_rows, N_EXAMPLES, rng)
    real = np.asarray(X_real, dtype=np.float64).reshape(len(X_real), n_channels, n_times)
    stim = np.asarray(X_stimuli, dtype=np.float64).reshape(len(X_stimuli), n_channels, n_times)
    t = np.arange(n_times)

    figure = _new_figure(10, 0.4 + 1.7 * len(channels))
    axes = figure.subplots(len(channels), 2, sharex=True, sharey="row", squeeze=False)
    for r, c in enumerate(channels):
        band = None
        if len(real_rows):
            mean, sd = real[real_rows, c].mean(axis=0), real[real_rows, c].std(axis=0)
            band = (mean - sd, mean + sd)
        for col, (data, picked, what) in enumerate(((real, real_pick, "real window"),
                                                   (stim, stim_pick, "stimulus"))):
            ax = axes[r, col]
            if band is not None:
                ax.fill_between(t, *band, color="0.88", lw=0,
                                label=f"real rows of class {cls}: mean ± sd")
            for k, i in enumerate(picked):
                ax.plot(t, data[i, c], lw=0.9, color=f"C{k}", label=f"{what} {k + 1}")
            if not len(picked):
                ax.text(0.5, 0.5, f"no {what} of this class", transform=ax.transAxes,
                        ha="center", va="center", color=_BASE)
            if col == 0:
                ax.set_ylabel(f"channel {c + 1}")
            if r == 0:
                ax.set_title(f"{'real windows' if col == 0 else 'stimuli'} "
                             f"({len(picked)} of {len(real_rows) if col == 0 else len(stim_rows)})")
                ax.legend(fontsize=7, loc="upper right")
    for ax in axes[-1]:
        ax.set_xlabel("time step")
    figure.suptitle(f"class {cls}: real windows (left) and stimuli (right), same y-scale per "
                    "channel", fontsize=10)
    return figure, len(real_pick), len(stim_pick)


def _bars_with_baselines(ax, labels, values, colors, baselines, ylabel, ylim=(0, 1.05)):
    positions = np.arange(len(labels))
    heights = [0 if v is None else v for v in values]
    bars = ax.bar(positions, heights, color=colors, width=0.6)
    for bar, value in zip(bars, values):
        ax.annotate(_num(value), (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    textcoords="offset points", xytext=(0, 2), ha="center", fontsize=8)
    for k, (value, text) in enumerate(baselines):
        ax.axhline(value, color=(_BASE, _BASE2, "0.3")[k % 3], ls=("--", ":", "-.")[k % 3],
                   lw=1.2, label=f"{text} ({_num(value)})")
    ax.set_xticks(positions)
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_xlim(-0.9, len(labels) - 0.1)
    ax.set_ylabel(ylabel, fontsize=9)
    if ylim is not None:
        top = max([ylim[1]] + [h * 1.15 for h in heights] + [b * 1.1 for b, _ in baselines])
        ax.set_ylim(ylim[0], top)
    if baselines:
        ax.legend(fontsize=7, loc="upper right")


def _synthesis_utility_figure(accuracy, majority):
    figure = _new_figure(5.5, 3.8)
    ax = figure.subplots()
    _bars_with_baselines(ax, ["teacher, on the rows\nit was fitted on"], [accuracy], [_STIM],
                         [(majority, "always the majority class")], "accuracy")
    ax.set_title("Teacher accuracy on its own training rows\n(not held-out people: no utility "
                 "claim)", fontsize=9)
    return figure


def _evaluation_utility_figure(rows, baseline):
    metrics = (("accuracy", "accuracy"), ("kappa", "Cohen's kappa"), ("macro_f1", "macro F1"))
    families = [row["family"] for row in rows]
    figure = _new_figure(max(9, 1.3 * len(families) * 3), 4.2)
    axes = figure.subplots(1, 3, squeeze=False)[0]
    x = np.arange(len(families))
    for ax, (key, title) in zip(axes, metrics):
        stim = [row["stimuli"][key] for row in rows]
        real = [None if row.get("real") is None else row["real"][key] for row in rows]
        ax.bar(x - 0.2, stim, width=0.4, color=_STIM, label="trained on the stimuli")
        ax.bar(x + 0.2, [0 if v is None else v for v in real], width=0.4, color=_REAL,
               hatch="//", label="trained on real rows (GroupKFold)")
        for xi, v in zip(x, stim):
            ax.annotate(_num(v), (xi - 0.2, max(v, 0)), textcoords="offset points",
                        xytext=(0, 2), ha="center", fontsize=7)
        for xi, v in zip(x, real):
            ax.annotate(_num(v), (xi + 0.2, 0 if v is None else max(v, 0)),
                        textcoords="offset points", xytext=(0, 2), ha="center", fontsize=7)
        if baseline.get(key) is not None:
            ax.axhline(baseline[key], color=_BASE, ls="--", lw=1.2,
                       label=f"always the majority class ({_num(baseline[key])})")
        ax.axhline(0, color="black", lw=0.6)
        ax.set_xticks(x)
        ax.set_xticklabels(families, rotation=20, ha="right", fontsize=8)
        ax.set_title(title, fontsize=10)
        low = min([0.0] + stim + [v for v in real if v is not None])
        ax.set_ylim(min(low * 1.2, 0), 1.12)
        ax.legend(fontsize=7, loc="upper left")
    figure.suptitle("Students scored on the rows of the real file", fontsize=10)
    return figure


def _distance_figure(dcr, threshold=None):
    figure = _new_figure(10, 3.6)
    left, right = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1.6, 1]})
    labels = ["stimulus to nearest\nreal row (median)", "stimulus to nearest\nreal row (minimum)",
              "real row to nearest\nother real row (median)"]
    values = [dcr["median_stimulus_to_nearest_real_row"], dcr["min_stimulus_to_nearest_real_row"],
              dcr["median_real_row_to_nearest_other_real_row"]]
    baselines = [(dcr["median_real_row_to_nearest_other_real_row"],
                  "real rows' median nearest-neighbour spacing")]
    if threshold is not None:
        baselines.append((threshold, "export guard threshold"))
    _bars_with_baselines(left, labels, values, [_STIM, _STIM, _REAL], baselines,
                         "distance (standardized units)", ylim=(0, 0))
    left.set_title("Distance to closest record", fontsize=10)
    share = dcr["share_of_stimuli_nearer_than_median_real_spacing"]
    _bars_with_baselines(right, ["stimuli nearer to a real row\nthan the real rows'\nmedian "
                                 "spacing"], [share], [_STIM],
                         [(0.5, "real rows: half, by the median's definition")], "share")
    right.set_title("Share of near stimuli", fontsize=10)
    return figure


def _reidentification_figure(reid):
    chance = reid["chance"]
    figure = _new_figure(11, 3.8)
    axes = figure.subplots(1, 3)
    held = "real_held_back_top1_accuracy" in reid
    _bars_with_baselines(
        axes[0], ["held-back\nreal rows"], [reid.get("real_held_back_top1_accuracy")], [_REAL],
        [(chance, "chance")], "top-1 accuracy")
    axes[0].set_title("Attacker's power on real people" if held
                      else "Attacker's power: no held-back rows", fontsize=9)
    _bars_with_baselines(
        axes[1], ["stimuli", "held-back\nreal rows"],
        [reid["stimuli_mean_top_posterior"], reid.get("real_held_back_mean_top_posterior")],
        [_STIM, _REAL], [(chance, "chance")], "mean top posterior")
    axes[1].set_title("How sure the attacker is of one person", fontsize=9)
    _bars_with_baselines(
        axes[2], ["stimuli linked to the\nmost common subject"],
        [reid["stimuli_share_linked_to_most_common_subject"]], [_STIM],
        [(reid["largest_subject_share_of_real_rows"], "largest subject's share of real rows"),
         (chance, "chance")], "share of stimuli")
    axes[2].set_title(f"Concentration on one person\n(subjects linked at least once: "
                      f"{reid['stimuli_subjects_linked_at_least_once']} of {reid['n_subjects']})",
                      fontsize=9)
    return figure


def _tradeoff_points(points):
    out = []
    for point in points:
        if isinstance(point, dict):
            weight, utility, privacy = point["weight"], point["utility"], point["privacy"]
        else:
            weight, utility, privacy = point
        out.append((float(weight), float(utility), float(privacy)))
    return sorted(out)


def _tradeoff_figure(points, labels, own_weight):
    weights, utility, privacy = map(np.array, zip(*points))
    figure = _new_figure(6, 4.2)
    ax = figure.subplots()
    ax.plot(privacy, utility, "o-", color=_STIM)
    for w, p, u in zip(weights, privacy, utility):
        ax.annotate(f"{w:g}", (p, u), textcoords="offset points", xytext=(4, 4), fontsize=8)
    if own_weight is not None and np.any(np.isclose(weights, own_weight)):
        k = int(np.argmin(np.abs(weights - own_weight)))
        ax.plot([privacy[k]], [utility[k]], "s", ms=10, mfc="none", color=_BASE,
                label=f"this run's weight ({own_weight:g})")
        ax.legend(fontsize=8)
    ax.set_xlabel(labels[1])
    ax.set_ylabel(labels[0])
    ax.set_title("Utility against privacy; labels are inhibition weights", fontsize=10)
    return figure


# ------------------------------------------------------------------------- sections
def _examples_section(writer, X_real, y_real, X_stimuli, y_stimuli, classes, input_shape,
                      random_state, real_what):
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
    from . import __version__

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


def _data_table(path, X, y, groups, group_column, label_column, input_shape, classes=None):
    counts = _class_counts(y, classes)
    rows = [
        ("file", _code(path)),
        ("rows", str(len(X))),
        ("people (subject ids)",
         f"{len(np.unique(groups))} (column {_code(group_column)})" if groups is not None
         else "unknown: no subject ids"),
        ("classes", f"{len(counts)} (column {_code(label_column)}): "
         + ", ".join(f"{_label(c)} {n} rows" for c, n in counts)),
        ("input shape", f"{input_shape[0]} channels x {input_shape[1]} time steps "
         f"({X.shape[1]} features)"),
    ]
    return _table(["", ""], rows)


def _metadata_tables(metadata):
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


def _appendix(stdout):
    if not stdout:
        return None
    return "\n".join(["## Appendix: what the command printed", "", "```text",
                      stdout.replace("```", "'''").rstrip("\n"), "```"])


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


# --------------------------------------------------------------------------- public
def synthesis_report(directory, *, input_path, output_path, table, stimuli, privacy,
                     n_synthesized, options=None, stdout=None, random_state=0, tradeoff=None,
                     tradeoff_labels=None):
    """Write the report of ``skstim synthesize`` to ``directory`` (created if missing).

    Parameters
    ----------
    directory : str or os.PathLike
        Where ``report.md`` and its PNG figures go; created with its parents if missing.
    input_path, output_path : str
        The private input file and the stimuli file written.
    table : Bunch
        The private rows, as :func:`skstim._cli_io.read_table` returns them (``X``, ``y``,
        ``groups``, ``input_shape``, ``label_column``, ``group_column``).
    stimuli : Bunch
        The stimuli file as :func:`skstim.release.load_stimuli` reads it back (``X``,
        ``y``, ``classes``, ``metadata``).
    privacy : dict
        The command's privacy summary (``metadata["privacy"]``).
    n_synthesized : int
        Stimuli made before the export guard.
    options : dict or None
        The command's options (``vars(args)``), listed as given.
    stdout : str or None
        What the command printed, appended verbatim.
    random_state : int or None
        Seed of the example windows drawn.
    tradeoff : list of (weight, utility, privacy) or of dicts with those keys, or None
        Points of a utility/privacy trade-off to plot; ``None``: the report states this
        run's inhibition weight and points to the privacy benchmark instead.
    tradeoff_labels : (str, str) or None
        What the utility and the privacy values measure (axis labels).

    Returns
    -------
    path : str
        The path of ``report.md``.
    """
    writer = _Writer(directory)
    metadata = stimuli.metadata
    classes = list(np.asarray(stimuli.classes).tolist())
    input_shape = tuple(table.input_shape)
    groups = table.groups
    guard = metadata.get("export_guard") or {}
    parameters = metadata.get("synthesis_parameters") or {}
    inhibition = bool(privacy.get("identity_inhibition", "inhibition_weight" in parameters))
    weight = parameters.get("inhibition_weight", 1.0) if inhibition else None
    teacher = metadata.get("teacher") or {}
    real_what = f"{N_EXAMPLES} or fewer private windows per class of {_code(input_path)}"

    sections = [_header("synthesize", real_what)]
    sections.append("\n".join([
        "## What was done",
        "",
        f"A teacher network ({_code(teacher.get('module', 'n/a'))}) was fitted on the "
        f"{len(table.X)} labelled rows of {_code(input_path)}; "
        f"{n_synthesized} stimuli were synthesized from it"
        + (f", with identity inhibition (weight {weight:g}) against a subject model fitted on "
           "the same rows" if inhibition else ", without identity inhibition")
        + f". The export guard compared every stimulus with the private rows and dropped "
          f"{guard.get('n_dropped', 'n/a')}; {len(stimuli.X)} stimuli were written to "
          f"{_code(output_path)} with the teacher's soft labels and the record below. The "
          "private rows are not in that file.",
        "",
        "### Private data",
        "",
        _data_table(input_path, table.X, table.y, groups, table.group_column,
                    table.label_column, input_shape, classes),
        "",
        "### Stimuli written",
        "",
        _table(["", ""], [
            ("file", _code(output_path)),
            ("synthesized", str(n_synthesized)),
            ("dropped by the export guard (copies of private rows)",
             str(guard.get("n_dropped", "n/a"))),
            ("written", str(len(stimuli.X))),
            ("per class", ", ".join(f"{_label(c)} {n}"
                                    for c, n in _class_counts(stimuli.y, classes))),
        ]),
        "",
        _metadata_tables(metadata),
        "",
        "### Options of this run",
        "",
        _options_table(options),
    ]))
    sections.append(_examples_section(writer, table.X, table.y, stimuli.X, stimuli.y, classes,
                                      input_shape, random_state, "private windows"))

    accuracy = privacy.get("teacher_accuracy_on_its_training_rows")
    majority = privacy.get("majority_class_share")
    utility = [
        "## Utility",
        "",
        "`skstim synthesize` has no held-out people, so it makes no utility claim. What it "
        "measures is the teacher's accuracy on the rows it was fitted on (training accuracy: "
        "optimistic, a check that the teacher learned the classes at all), beside always "
        "answering the majority class. For utility on new people run `skstim evaluate "
        f"--stimuli {output_path} --real HELD_OUT_FILE` on people absent from "
        f"{_code(input_path)}.",
        "",
        _table(["measure", "value"], [
            ("teacher accuracy on its training rows", _num(accuracy)),
            ("always answering the majority class (its share of the rows)", _num(majority)),
        ]),
    ]
    if accuracy is not None and majority is not None:
        utility += ["", writer.figure(
            "utility.png", _synthesis_utility_figure(accuracy, majority),
            "the teacher's accuracy on its own training rows (not held-out people) against "
            "always answering the majority class (dashed).")]
    sections.append("\n".join(utility))

    sections.append("\n".join([
        "## Privacy",
        "",
        "Measured against the private rows the teacher was fitted on (stored in the stimuli "
        "file's metadata under `privacy`).",
        "",
        _privacy_section(writer, privacy, against=f"the private rows of {_code(input_path)}",
                         threshold=guard.get("threshold")),
    ]))
    sections.append(_tradeoff_section(writer, weight, inhibition, tradeoff, tradeoff_labels))
    caveats = _CAVEATS_COMMON + [
        "**Measured on the training rows.** Every number of this report is measured on the "
        "private rows the teacher was fitted on; none is a generalization figure.",
        "**Export guard.** A stimulus nearer to a private row than the smallest distance "
        "between two distinct private rows counts as a copy and is dropped or refused; it "
        "catches copies of single rows, not resemblance to a person.",
    ]
    sections.append("## Caveats\n\n" + "\n".join(f"- {c}" for c in caveats))
    appendix = _appendix(stdout)
    if appendix:
        sections.append(appendix)
    return writer.markdown("\n\n".join(sections) + "\n")


def evaluation_report(directory, *, stimuli_path, real_path, stimuli, table, y_real,
                      input_shape, rows, n_splits, privacy, unknown=(), options=None,
                      stdout=None, random_state=0, tradeoff=None, tradeoff_labels=None):
    """Write the report of ``skstim evaluate`` to ``directory`` (created if missing).

    Parameters
    ----------
    directory : str or os.PathLike
        Where ``report.md`` and its PNG figures go; created with its parents if missing.
    stimuli_path, real_path : str
        The stimuli file and the real file.
    stimuli : Bunch
        The stimuli file as :func:`skstim.release.load_stimuli` reads it.
    table : Bunch
        The real rows, as :func:`skstim._cli_io.read_table` returns them.
    y_real : ndarray
        The real labels matched to the stimuli's classes.
    input_shape : tuple of int
        ``(C, T)`` of one row.
    rows : list of dict
        Per student family: ``family``, ``stimuli`` (scores), ``real`` (scores or None),
        optionally ``real_error``.
    n_splits : int
        Folds of the real reference (0: none).
    privacy : dict
        The command's privacy summary.
    unknown : sequence of str
        Real labels the stimuli lack.
    options, stdout, random_state, tradeoff, tradeoff_labels
        As in :func:`synthesis_report`.

    Returns
    -------
    path : str
        The path of ``report.md``.
    """
    from .evaluation import utility_scores

    writer = _Writer(directory)
    metadata = stimuli.metadata
    classes = list(np.asarray(stimuli.classes).tolist())
    input_shape = tuple(input_shape)
    groups = table.groups
    parameters = metadata.get("synthesis_parameters") or {}
    stored = metadata.get("privacy") if isinstance(metadata.get("privacy"), dict) else None
    if stored is not None and "identity_inhibition" in stored:
        inhibition = bool(stored["identity_inhibition"])
    elif parameters:
        inhibition = "inhibition_weight" in parameters
    else:
        inhibition = None
    weight = parameters.get("inhibition_weight", 1.0) if inhibition else None
    real_what = f"{N_EXAMPLES} or fewer windows per class of the real file {_code(real_path)}"

    sections = [_header("evaluate", real_what)]
    families = ", ".join(_code(row["family"]) for row in rows)
    sections.append("\n".join([
        "## What was done",
        "",
        f"Each student family ({families}) was trained on the {len(stimuli.X)} stimuli of "
        f"{_code(stimuli_path)} (with their soft labels where the file has them) and scored "
        f"on every row of the real file {_code(real_path)}."
        + (f" For reference, the same family was trained on real rows of other people "
           f"({n_splits}-fold GroupKFold inside the real file) and scored on the same rows."
           if n_splits else " The real file has no subject ids, so there is no real-data "
           "reference (a row-level split would put one person's windows on both sides).")
        + " Then the stimuli were compared with the real rows (distance to closest record"
        + (", re-identification)." if groups is not None else "; no re-identification "
           "without subject ids)."),
        "",
        "### Real data",
        "",
        _data_table(real_path, table.X, table.y, groups, table.group_column,
                    table.label_column, input_shape, classes),
        "",
        "### Stimuli",
        "",
        _table(["", ""], [
            ("file", _code(stimuli_path)),
            ("stimuli", str(len(stimuli.X))),
            ("classes", ", ".join(f"{_label(c)} {n}"
                                  for c, n in _class_counts(stimuli.y, classes))),
            ("soft labels (proba)", "yes" if stimuli.proba is not None else "no (one-hot)"),
            ("written by", f"skstim {metadata.get('skstim_version', 'n/a')}"),
        ]),
        "",
        _metadata_tables(metadata),
        "",
        "### Options of this run",
        "",
        _options_table(options),
    ]))
    if len(unknown):
        sections[-1] += ("\n\nNote: the real file holds labels the stimuli lack ("
                         + ", ".join(_code(u) for u in unknown) + "); no student trained on "
                         "the stimuli can predict them.")
    sections.append(_examples_section(writer, table.X, y_real, stimuli.X, stimuli.y, classes,
                                      input_shape, random_state, "real windows"))

    y_real = np.asarray(y_real)
    values, counts = np.unique(y_real, return_counts=True)
    majority = values[np.argmax(counts)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # undefined precision of never-predicted classes
        baseline = utility_scores(y_real, np.full(len(y_real), majority, dtype=y_real.dtype))
    baseline = {k: (v if np.isfinite(v) else None) for k, v in baseline.items()}

    def cells(scores):
        keys = ("accuracy", "kappa", "macro_f1")
        return [_num(None if scores is None else scores[k]) for k in keys]

    table_rows = []
    for row in rows:
        stim, real = cells(row["stimuli"]), cells(row.get("real"))
        table_rows.append([_inline(row["family"])] + [v for pair in zip(stim, real) for v in pair])
    table_rows.append([f"always the majority class ({_label(majority.item())})"]
                      + [v for value in cells(baseline) for v in (value, value)])
    utility = [
        "## Utility",
        "",
        "Accuracy, Cohen's kappa and macro F1 on the rows of the real file. *stimuli*: the "
        "student trained on the stimuli only, scored on every row of the real file. "
        + (f"*real*: the same family trained on real rows of other people ({n_splits}-fold "
           "GroupKFold inside the real file, out-of-fold predictions), scored on the same "
           "rows: a reference trained on fewer people than the file holds. "
           if n_splits else "*real*: none (no subject ids in the real file). ")
        + "The last row answers the most common class of the real file for every row.",
        "",
        _table(["student family", "accuracy (stimuli)", "accuracy (real)", "kappa (stimuli)",
                "kappa (real)", "macro F1 (stimuli)", "macro F1 (real)"], table_rows),
    ]
    errors = [row for row in rows if row.get("real_error")]
    for row in errors:
        utility.append(f"\n{_inline(row['family'])}: no real reference "
                       f"({_inline(row['real_error'][:200])}).")
    utility += ["", writer.figure(
        "utility.png", _evaluation_utility_figure(rows, baseline),
        "per student family, trained on the stimuli (solid) and on real rows of other people "
        "(hatched, where available), scored on the real file; dashed: always answering the "
        "majority class.")]
    sections.append("\n".join(utility))

    privacy_parts = [
        "## Privacy",
        "",
        "Measured by this run against the rows of the real file. If the real file holds other "
        "people than the private data the stimuli were made from, these figures say how much "
        "the stimuli resemble real people of this population, not whether they give away the "
        "private people.",
        "",
        _privacy_section(writer, privacy, against=f"the rows of the real file {_code(real_path)}"),
    ]
    if stored is not None and "distance_to_closest_record" in stored:
        guard = metadata.get("export_guard") or {}
        privacy_parts += [
            "",
            "### As recorded in the stimuli file at synthesis",
            "",
            "The same checks, run by `skstim synthesize` against the private rows the teacher "
            "was fitted on, as the file's metadata records them (not measured by this run).",
            "",
            _privacy_section(writer, stored, against="the private rows",
                             threshold=guard.get("threshold"), figures=False),
        ]
    sections.append("\n".join(privacy_parts))
    sections.append(_tradeoff_section(writer, weight, inhibition, tradeoff, tradeoff_labels))
    caveats = _CAVEATS_COMMON + [
        "**This command cannot check that the people of the real file are absent from the "
        "private data** (the stimuli file holds no subject ids). The stimuli scores are a "
        "utility claim about new people only if they are. The real reference is "
        "subject-disjoint by construction (GroupKFold on the real file's subject ids).",
        "**The two utility columns are not trained on the same people**: the stimuli come "
        "from the private data, the real reference from the other folds of the real file.",
    ]
    sections.append("## Caveats\n\n" + "\n".join(f"- {c}" for c in caveats))
    appendix = _appendix(stdout)
    if appendix:
        sections.append(appendix)
    return writer.markdown("\n\n".join(sections) + "\n")
