"""The figures of the report, drawn with matplotlib's Agg canvas, without pyplot.

No display is needed and the caller's matplotlib backend is left alone.
"""

import numpy as np

from ._markdown import _num

__all__ = ["N_EXAMPLES", "MAX_CHANNELS", "PRIVATE_MARK"]

N_EXAMPLES = 3  # stimuli (and, where asked for, private rows) drawn per class
MAX_CHANNELS = 8  # channels drawn per example figure
_DPI = 100

# colours: stimuli, real rows, baselines
_STIM, _REAL, _BASE, _BASE2 = "#1f77b4", "#7f7f7f", "#d62728", "#2ca02c"
PRIVATE_MARK = "PRIVATE DATA - do not share"  # on every figure that draws real rows


def _new_figure(width, height):
    """A matplotlib figure of ``width`` x ``height`` inches on an Agg canvas."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=_DPI)
    FigureCanvasAgg(figure)
    return figure


def _pick(rows, n, rng):
    """Up to ``n`` of ``rows``, drawn without replacement, in order."""
    return np.sort(rng.choice(rows, size=min(n, len(rows)), replace=False)) if len(rows) else rows


def _plain(text):
    """User text for a matplotlib title or legend: ``$`` escaped, so that no mathtext runs."""
    return str(text).replace("$", r"\$")


def _mark_private(axes):
    """Mark each of ``axes`` with :data:`PRIVATE_MARK` across it, in red."""
    for ax in axes:
        ax.text(0.5, 0.5, PRIVATE_MARK, transform=ax.transAxes, ha="center", va="center",
                rotation=18, fontsize=14, fontweight="bold", color=_BASE, alpha=0.3, zorder=5)


def _examples_figure(stimuli, band, real, title, column_titles, private=False):
    """The stimuli of one class beside its real rows, one row of panels per channel.

    Parameters
    ----------
    stimuli : ndarray of shape (n_drawn, n_channels, n_times)
        The stimuli drawn.
    band : (ndarray, ndarray) or None
        Mean and standard deviation of the class's real rows per channel and time step,
        each ``(n_channels, n_times)``; drawn behind both columns. ``None``: none is drawn.
    real : ndarray of shape (n_real_drawn, n_channels, n_times) or None
        Real rows drawn (private data); ``None`` draws none.
    title : str
        Title of the figure.
    column_titles : (str, str)
        Titles of the real column and of the stimuli column.
    private : bool, default=False
        Mark the figure and its panels of real rows with :data:`PRIVATE_MARK`.

    Returns
    -------
    figure : matplotlib.figure.Figure
        Two columns (the real rows, the stimuli) where ``band`` or ``real`` is given,
        else the stimuli alone; panels of one channel share a y-scale.
    """
    n_channels, n_times = stimuli.shape[1:]
    columns = [("stimuli", stimuli, column_titles[1])]
    if band is not None or real is not None:
        columns.insert(0, ("real", real, column_titles[0]))
    t = np.arange(n_times)
    figure = _new_figure(5 * len(columns), 0.6 + 1.7 * n_channels)
    axes = figure.subplots(n_channels, len(columns), sharex=True, sharey="row", squeeze=False)
    for c in range(n_channels):
        for col, (kind, data, column_title) in enumerate(columns):
            ax = axes[c, col]
            if band is not None:
                mean, sd = band[0][c], band[1][c]
                ax.fill_between(t, mean - sd, mean + sd, color="0.85", lw=0,
                                label="real rows: mean ± sd")
                ax.plot(t, mean, color=_REAL, lw=1.4, ls="--", label="real rows: mean")
            for k, row in enumerate(() if data is None else data):
                what = "private row" if kind == "real" else "stimulus"
                ax.plot(t, row[c], lw=0.9, color=f"C{k}", label=f"{what} {k + 1}")
            if kind == "stimuli" and not len(data):
                ax.text(0.5, 0.5, "no stimulus of this class", transform=ax.transAxes,
                        ha="center", va="center", color=_BASE)
            if col == 0:
                ax.set_ylabel(f"channel {c + 1}")
            if c == 0:
                ax.set_title(_plain(column_title), fontsize=9)
                if ax.get_legend_handles_labels()[0]:
                    ax.legend(fontsize=7, loc="upper right")
    for ax in axes[-1]:
        ax.set_xlabel("time step")
    if private:
        figure.suptitle(f"{PRIVATE_MARK}\n{_plain(title)}", fontsize=10, color=_BASE,
                        fontweight="bold")
        _mark_private(axes[:, 0] if real is not None else [])
    else:
        figure.suptitle(_plain(title), fontsize=10)
    return figure


def _error_bars(ax, positions, values, errors):
    """95 % intervals of ``values`` as error bars; a bound that is None is drawn at the value.

    Returns the top of each bar's interval (its value where it has none).
    """
    tops = []
    for x, value, interval in zip(positions, values, errors):
        if value is None:
            tops.append(0)
            continue
        low, high = interval or (None, None)
        low, high = (value if low is None else low), (value if high is None else high)
        if interval is not None:
            ax.errorbar([x], [value], yerr=[[max(value - low, 0)], [max(high - value, 0)]],
                        fmt="none", ecolor="black", elinewidth=1, capsize=3)
        tops.append(high)
    return tops


def _bars_with_baselines(ax, labels, values, colors, baselines, ylabel, ylim=(0, 1.05),
                         errors=None):
    """Labelled bars (None drawn as 0, labelled n/a), their 95 % intervals (``errors``, one
    ``[low, high]`` or None per bar) and horizontal baseline lines on ``ax``."""
    positions = np.arange(len(labels))
    heights = [0 if v is None else v for v in values]
    bars = ax.bar(positions, heights, color=colors, width=0.6)
    tops = _error_bars(ax, positions, values, errors or [None] * len(values))
    for bar, value, top in zip(bars, values, tops):
        ax.annotate(_num(value), (bar.get_x() + bar.get_width() / 2, max(top, bar.get_height())),
                    textcoords="offset points", xytext=(0, 2), ha="center", fontsize=8)
    for k, (value, text) in enumerate(baselines):
        ax.axhline(value, color=(_BASE, _BASE2, "0.3")[k % 3], ls=("--", ":", "-.")[k % 3],
                   lw=1.2, label=f"{text} ({_num(value)})")
    ax.set_xticks(positions)
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_xlim(-0.9, len(labels) - 0.1)
    ax.set_ylabel(ylabel, fontsize=9)
    if ylim is not None:
        headroom = 1.3 if baselines else 1.15  # the legend sits above the bars
        top = max([ylim[1]] + [h * headroom for h in heights + tops]
                  + [b * 1.1 for b, _ in baselines])
        ax.set_ylim(ylim[0], top)
    if baselines:
        ax.legend(fontsize=7, loc="upper right")


def _baseline_band(ax, interval):
    """The 95 % interval of a baseline line, shaded; nothing without one."""
    if interval is not None and None not in interval and np.all(np.isfinite(interval)):
        ax.axhspan(*interval, color=_BASE, alpha=0.12, lw=0, zorder=0)


def _synthesis_utility_figure(accuracy, majority, accuracy_ci=None, majority_ci=None):
    """The teacher's accuracy on its training rows against the majority-class share, with
    their 95 % intervals where given (error bar, shaded band)."""
    figure = _new_figure(5.5, 3.8)
    ax = figure.subplots()
    _bars_with_baselines(ax, ["teacher, on the rows\nit was fitted on"], [accuracy], [_STIM],
                         [(majority, "always the majority class")], "accuracy",
                         errors=[accuracy_ci])
    _baseline_band(ax, majority_ci)
    ax.set_title("Teacher accuracy on its own training rows\n(not held-out people: no utility "
                 "claim)", fontsize=9)
    return figure


def _evaluation_utility_figure(rows, baseline, baseline_ci=None):
    """Accuracy, kappa and macro F1 per family: trained on stimuli, on real rows, baseline;
    the 95 % intervals that ``rows`` (``stimuli_ci``, ``real_ci``) and ``baseline_ci`` hold."""
    metrics = (("accuracy", "accuracy"), ("kappa", "Cohen's kappa"), ("macro_f1", "macro F1"))
    families = [row["family"] for row in rows]
    figure = _new_figure(max(9, 1.3 * len(families) * 3), 4.2)
    axes = figure.subplots(1, 3, squeeze=False)[0]
    x = np.arange(len(families))
    for ax, (key, title) in zip(axes, metrics):
        bars = {}
        for kind, shift in (("stimuli", -0.2), ("real", 0.2)):
            values = [None if row.get(kind) is None else row[kind][key] for row in rows]
            errors = [(row.get(f"{kind}_ci") or {}).get(key) for row in rows]
            bars[kind] = (x + shift, values, _error_bars(ax, x + shift, values, errors))
        ax.bar(x - 0.2, [0 if v is None else v for v in bars["stimuli"][1]], width=0.4,
               color=_STIM, label="trained on the stimuli")
        ax.bar(x + 0.2, [0 if v is None else v for v in bars["real"][1]], width=0.4,
               color=_REAL, hatch="//", label="trained on real rows (GroupKFold)")
        for positions, values, tops in bars.values():
            for xi, v, top in zip(positions, values, tops):
                ax.annotate(_num(v), (xi, max(top, 0)), textcoords="offset points",
                            xytext=(0, 2), ha="center", fontsize=7)
        if baseline.get(key) is not None:
            ax.axhline(baseline[key], color=_BASE, ls="--", lw=1.2,
                       label=f"always the majority class ({_num(baseline[key])})")
            _baseline_band(ax, (baseline_ci or {}).get(key))
        ax.axhline(0, color="black", lw=0.6)
        ax.set_xticks(x)
        ax.set_xticklabels(families, rotation=20, ha="right", fontsize=8)
        ax.set_title(title, fontsize=10)
        ends = [v for _, values, tops in bars.values() for v in values + tops
                if v is not None and np.isfinite(v)]
        low, high = min(min([0.0] + ends) * 1.2, 0), max([1.0] + ends)
        ax.set_ylim(low, high + 0.4)  # room for the legend above the bars
        ax.set_yticks([t for t in ax.get_yticks() if low - 1e-9 <= t <= high + 1e-9])
        ax.legend(fontsize=7, loc="upper left")
    figure.suptitle("Students scored on the rows of the real file", fontsize=10)
    return figure


def _distance_figure(dcr):
    """Distance to closest record against the real rows' spacing, and the share of near
    stimuli; medians and the share with their 95 % intervals where the summary has them."""
    figure = _new_figure(10, 3.6)
    left, right = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1.6, 1]})
    labels = ["stimulus to nearest\nreal row (median)", "stimulus to nearest\nreal row (minimum)",
              "real row to nearest\nother real row (median)"]
    keys = ["median_stimulus_to_nearest_real_row", "min_stimulus_to_nearest_real_row",
            "median_real_row_to_nearest_other_real_row"]
    baselines = [(dcr["median_real_row_to_nearest_other_real_row"],
                  "real rows' median nearest-neighbour spacing")]
    _bars_with_baselines(left, labels, [dcr[k] for k in keys], [_STIM, _STIM, _REAL], baselines,
                         "distance (standardized units)", ylim=(0, 0),
                         errors=[dcr.get(f"{k}_ci") for k in keys])
    left.set_title("Distance to closest record (bars: 95% intervals)", fontsize=10)
    key = "share_of_stimuli_nearer_than_median_real_spacing"
    _bars_with_baselines(right, ["stimuli nearer to a real row\nthan the real rows'\nmedian "
                                 "spacing"], [dcr[key]], [_STIM],
                         [(0.5, "real rows: half, by the median's definition")], "share",
                         errors=[dcr.get(f"{key}_ci")])
    right.set_title("Share of near stimuli", fontsize=10)
    return figure


def _attacker_bars(ax, attackers, keys, colors, baselines, ylabel):
    """One bar per attacker and key of ``keys``, ``(key, label)``, with its interval."""
    labels, values, errors, bar_colors = [], [], [], []
    for name, reid in attackers:
        for (key, what), color in zip(keys, colors):
            labels.append(f"{name}:\n{what}" if what else name)
            values.append(reid.get(key))
            errors.append(reid.get(f"{key}_ci"))
            bar_colors.append(color)
    _bars_with_baselines(ax, labels, values, bar_colors, baselines, ylabel, errors=errors)


def _reidentification_figure(attackers, worst=None):
    """Each attacker's power, its confidence, its concentration on one person and the share
    of its power the stimuli carry, with 95 % intervals.

    Parameters
    ----------
    attackers : list of (str, dict)
        The name and the result of each attacker that ran (same subjects, same split).
    worst : str or None, default=None
        The name of the worst attack, shown in the last panel's title.
    """
    first = attackers[0][1]
    chance = first["chance"]
    names = [name.replace(" attacker", "\nattacker") for name, _ in attackers]
    attackers = list(zip(names, (reid for _, reid in attackers)))
    shares = any(reid.get("share_of_power") is not None for _, reid in attackers)
    widths = [1, 1.6, 1] + [1] * shares  # the posteriors: two bars per attacker
    figure = _new_figure(4 * sum(widths) + 1, 4.2)
    axes = figure.subplots(1, len(widths), gridspec_kw={"width_ratios": widths})
    held = any("real_held_back_top1_accuracy" in reid for _, reid in attackers)
    _attacker_bars(axes[0], attackers, [("real_held_back_top1_accuracy", "")], [_REAL],
                   [(chance, "chance")], "top-1 accuracy on held-back real rows")
    axes[0].set_title("Attackers' power on real people" if held
                      else "Attackers' power: no held-back rows", fontsize=9)
    _attacker_bars(axes[1], attackers, [("stimuli_mean_top_posterior", "stimuli"),
                                        ("real_held_back_mean_top_posterior", "real")],
                   [_STIM, _REAL], [(chance, "chance")], "mean top posterior")
    axes[1].set_title("How sure each attacker is of one person", fontsize=9)
    _attacker_bars(axes[2], attackers, [("stimuli_share_linked_to_most_common_subject", "")],
                   [_STIM], [(first["largest_subject_share_of_real_rows"],
                              "largest subject's share of real rows"), (chance, "chance")],
                   "share of stimuli")
    linked = ", ".join(f"{reid['stimuli_subjects_linked_at_least_once']}" for _, reid in attackers)
    axes[2].set_title(f"Concentration on one person\n(subjects linked at least once: {linked} "
                      f"of {first['n_subjects']})", fontsize=9)
    if shares:
        _attacker_bars(axes[3], attackers, [("share_of_power", "")], [_STIM],
                       [(1.0, "as sure as on real rows")], "share of the attacker's power")
        axes[3].set_title("Share of its power the stimuli carry"
                          + (f"\n(worst attack: {_plain(worst)})" if worst else ""), fontsize=9)
    for ax in axes:
        for label in ax.get_xticklabels():
            label.set_fontsize(7)
    return figure


def _tradeoff_points(points):
    """Trade-off points as ``(weight, utility, privacy)`` floats, sorted by weight."""
    out = []
    for point in points:
        if isinstance(point, dict):
            weight, utility, privacy = point["weight"], point["utility"], point["privacy"]
        else:
            weight, utility, privacy = point
        out.append((float(weight), float(utility), float(privacy)))
    return sorted(out)


def _tradeoff_figure(points, labels, own_weight):
    """Utility against privacy across inhibition weights; this run's weight marked."""
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
