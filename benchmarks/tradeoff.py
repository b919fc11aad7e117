"""Privacy against utility, one point per synthesis configuration.

Reads the records the privacy and utility benchmarks wrote (``benchmarks/results``) and
puts side by side, for each configuration: the worst-case attack on plain and on
inhibited stimuli in the two small studies (``simulated-small``, ``apnea-small``; the
same member splits for every configuration, real windows and noise beside them), the
student accuracy there, and the gap of every student family to real data on the quick
Apnea-ECG benchmark (3 subject-disjoint folds). Nothing is rerun::

    python benchmarks/tradeoff.py            # writes the table and the figure into the docs

Two configurations may share records where they give the same stimuli: on the quick
Apnea-ECG folds every class has 11 or more people, so a people floor of 5 or of 10 gives
the same stimuli there; in the two small studies no class has 10 people, so with a floor
of 10 no class aggregate is taken and the share cap changes nothing.
"""

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from _common import ROOT, write_docs_section
from skstim.evaluation import summarize_splits, worst_case_attack

RESULTS = ROOT / "benchmarks" / "results"
DOCS = ROOT / "docs" / "benchmarks" / "privacy.md"
FIGURE = ROOT / "docs" / "benchmarks" / "privacy_configurations.png"
SETTINGS = ("simulated-small", "apnea-small", "simulated")
SMALL = SETTINGS[:2]
REAL, FLOOR = "real (upper bound)", "noise (floor)"
PLAIN, INHIBITED = "stimuli", "stimuli, inhibition 1"
UTILITY_FILE = "utility_quick_seeds5.jsonl"
FLOORS_10_EQUAL = ("class scale-mixture start of rank 64 with support floors (10 people, 20 "
                   "rows; each person weighs the same), 20 steps, 4x stimuli")

# name, privacy results per small setting, utility source on the quick benchmark (and its
# results file where it is not UTILITY_FILE)
CONFIGS = [
    ("last turn: rank-64 class start, no floors",
     {"simulated-small": "privacy_simulated-small_before-floors.jsonl",
      "apnea-small": "privacy_apnea-small_before-floors.jsonl",
      "simulated": "privacy_simulated_before-floors.jsonl"},
     "class scale-mixture start of rank 64, 20 steps, 4x stimuli"),
    ("floors of 5 people, each person the same weight (the previous default)",
     {"simulated-small": "privacy_simulated-small_min_class_people-5.jsonl",
      "apnea-small": "privacy_apnea-small_min_class_people-5.jsonl",
      "simulated": "privacy_simulated.jsonl"},
     FLOORS_10_EQUAL),
    ("floors of 10 people, each person the same weight (the default)",
     {"simulated-small": "privacy_simulated-small_min_class_people-10.jsonl",
      "apnea-small": "privacy_apnea-small_min_class_people-10.jsonl",
      "simulated": "privacy_simulated.jsonl"},  # every class has 100 people
     FLOORS_10_EQUAL),
    ("floors of 10 people, no person above twice the equal share",
     {"simulated-small": "privacy_simulated-small_min_class_people-10.jsonl",
      "apnea-small": "privacy_apnea-small_min_class_people-10.jsonl",
      "simulated": "privacy_simulated_max_person_share-2_min_class_people-10.jsonl"},
     "class scale-mixture start of rank 64 with support floors (10 people, 20 rows; no person "
     "above twice the equal share), 20 steps, 4x stimuli"),
    ("floors of 10, one optimized stimulus in four, three plain averages (not kept)",
     {"simulated-small": "privacy_simulated-small_mix-0.75-plain.jsonl",
      "apnea-small": "privacy_apnea-small_mix-0.75-plain.jsonl"},
     "default, 4x stimuli of which three quarters are teacher-labelled interpolations between "
     "the optimized quarter (one optimized stimulus per window) [plain average, before the "
     "spread was kept]", "utility_quick_mix.jsonl"),
    ("floors of 10, one optimized stimulus in four, three spread-keeping interpolations "
     "(mix=0.75)",
     {"simulated-small": "privacy_simulated-small_mix-0.75.jsonl",
      "apnea-small": "privacy_apnea-small_mix-0.75.jsonl"},
     "4x stimuli of which three quarters are teacher-labelled interpolations, keeping the "
     "spread, between the optimized quarter (one optimized stimulus per window)",
     "utility_quick_mix.jsonl"),
]


def _records(name):
    path = RESULTS / name
    return [json.loads(line) for line in path.open()] if path.exists() else []


def privacy_point(records):
    """Worst case (and its attack) on plain and inhibited stimuli, noise and real beside."""
    measured = {r["split"] for r in records if r["source"] == PLAIN}
    by_source = defaultdict(list)
    for r in records:
        if r["split"] in measured:
            by_source[r["source"]].append(r)
    if not measured or REAL not in by_source:
        return None
    summaries = {s: summarize_splits(rs) for s, rs in by_source.items()}
    real = summaries[REAL]
    point = {"splits": sorted(measured)}
    for source in (FLOOR, PLAIN, INHIBITED):
        if source in summaries:
            worst = worst_case_attack(summaries[source], real)
            point[source] = (worst["auc"], worst["label"],
                             summaries[source]["utility_accuracy"])
    return point


def utility_gaps(records, source):
    """Mean over folds of (stimuli - real) accuracy, in points, per student family."""
    real, synth = defaultdict(dict), defaultdict(dict)
    for r in records:
        if r["source"] == "real":
            real[r["family"]][r["fold"]] = r["accuracy"]
        elif r["source"] == source:
            synth[r["family"]][r["fold"]] = r["accuracy"]
    gaps = {}
    for family, folds in synth.items():
        common = sorted(set(folds) & set(real[family]))
        if common:
            gaps[family] = 100 * np.mean([folds[f] - real[family][f] for f in common])
    return gaps


def table(points):
    families = ["teacher architecture", "mlp", "gru", "random forest", "gradient boosting",
                "rbf svm", "k-nn", "logistic regression"]
    head = ("| configuration | " + " | ".join(
        f"`{s}` worst case: stimuli / inhibited (student accuracy)" for s in SETTINGS)
        + " | " + " | ".join(families) + " |")
    lines = [head, "|---|" + "---|" * (len(SETTINGS) + len(families))]
    for name, privacy, gaps in points:
        cells = []
        for setting in SETTINGS:
            p = privacy.get(setting)
            if p is None or PLAIN not in p:
                cells.append("not measured")
                continue
            inhibited = f"{p[INHIBITED][0]:.2f}" if INHIBITED in p else "n/a"
            cells.append(f"{p[PLAIN][0]:.2f} ({p[PLAIN][1]}) / {inhibited} "
                         f"({p[PLAIN][2]:.3f}); noise {p[FLOOR][0]:.2f}; splits "
                         f"{p['splits'][0]}-{p['splits'][-1]}")
        cells += [f"{gaps[f]:+.1f}" if f in gaps else "n/a" for f in families]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(points, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(SMALL), figsize=(10, 4.6), sharey=True)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, setting in zip(axes, SMALL):
        floors = []
        for (name, privacy, gaps), color in zip(points, colors):
            p = privacy.get(setting)
            if p is None or PLAIN not in p or not gaps:
                continue
            ax.plot(p[PLAIN][0], min(gaps.values()), "o", color=color, markersize=8,
                    label=name)
            floors.append(p[FLOOR][0])
        if floors:
            ax.axvspan(np.mean(floors), np.mean(floors) + 0.05, color="grey", alpha=0.15)
            ax.axvline(np.mean(floors), color="grey", ls="--", lw=0.8)
        ax.set_title(f"{setting} (grey: noise floor to floor + 0.05)", fontsize=9)
        ax.set_xlabel("worst-case attack AUC on plain stimuli")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=8, frameon=False)
    axes[0].set_ylabel("worst student family, points from real data\n(quick Apnea-ECG)")
    fig.tight_layout(rect=(0, 0.14, 1, 1))
    tmp = path.with_name(path.stem + ".tmp.png")
    fig.savefig(tmp, dpi=120)
    plt.close(fig)
    tmp.replace(path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, default=DOCS)
    parser.add_argument("--figure", type=Path, default=FIGURE)
    args = parser.parse_args(argv)
    points = []
    for name, files, source, *utility_file in CONFIGS:
        privacy = {s: privacy_point(_records(f)) for s, f in files.items()}
        utility = _records(utility_file[0] if utility_file else UTILITY_FILE)
        points.append((name, {s: p for s, p in privacy.items() if p}, utility_gaps(utility,
                                                                                   source)))
    text = table(points)
    print(text)
    write_docs_section(args.docs, "privacy:tradeoff", text)
    plot(points, args.figure)


if __name__ == "__main__":
    main()
