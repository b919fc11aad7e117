"""Utility of differentially private stimuli at several budgets, Apnea-ECG, subject-disjoint.

The quick protocol of ``benchmarks/utility.py`` (every 4th minute, 3 folds of
``GroupKFold`` by person, 5-minute RR windows at 1 Hz). For each fold and each budget
(``--epsilons``; ``inf`` is the same configuration without DP) and each unit
(``--units``), a :class:`~skstim.StimulusSynthesizer` with ``dp_epsilon`` (GroupNorm CNN
teacher trained by DP-SGD, class spectrum start, noised aggregates) makes four stimuli
per training window; the students (the teacher's architecture over ``--student-seeds``
seeds, random forest, logistic regression) are trained on them and scored on the
held-out people, beside the same students on the real windows. The DP teacher's own
score is the first peer: a DP-SGD network trained directly on the private data and
released as a model; the second is a small DP generative model, the conditional VAE
trained with Opacus (:func:`skstim.evaluation.dp_vae_set`, as many rows as the training
windows), under the same budget and unit.

Results are appended to a JSON-lines file as they come (one line per fold, source and
family), so a run resumes where it stopped; ``--summarize`` writes the table and the
figure of ``docs/benchmarks/differential_privacy.md``.

Usage::

    python benchmarks/dp_utility.py --folds 0 &
    python benchmarks/dp_utility.py --summarize benchmarks/results/dp_utility_quick.jsonl
"""

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

from _common import DEFAULT_DATA, ROOT, append_record, done_keys, machine_description, \
    write_docs_section
from skstim import StimulusSynthesizer, make_teacher
from skstim.datasets import fetch_apnea_ecg
from skstim.evaluation import dp_vae_set, score_real, score_synthetic, student_families
from skstim.evaluation import utility_scores

EVERY, N_SPLITS, TEACHER_EPOCHS, STUDENT_EPOCHS = 4, 3, 15, 8
FAMILIES = ("teacher architecture", "random forest", "logistic regression")
UNITS = ("window", "person")


def load(data_home):
    data = fetch_apnea_ecg(data_home=data_home)
    keep = data.minute % EVERY == 0
    return data.X[keep], data.y[keep], data.groups[keep], data.record[keep], \
        tuple(data.input_shape)


def synthesizer(epsilon, unit, input_shape, fold, n_train):
    """The DP configuration (``epsilon=inf``: the same without DP). Four stimuli per
    training window: per person the count is fixed by the benchmark (``n_stimuli``), per
    window it multiplies the noisy count of windows."""
    return StimulusSynthesizer(
        make_teacher(norm="group", max_epochs=TEACHER_EPOCHS), input_shape=input_shape,
        init="class_spectrum", n_iter=20, stimuli_per_sample=4.0,
        n_stimuli=4 * n_train if unit == "person" else None,
        dp_epsilon=None if math.isinf(epsilon) else epsilon, dp_unit=unit, random_state=fold)


def run(data_home, output, epsilons, units, student_seeds, folds, vae_units=UNITS):
    X, y, groups, nights, input_shape = load(data_home)
    done = done_keys(output, ("fold", "source", "family"))
    print(f"quick: {len(X)} windows, {len(np.unique(groups))} people", flush=True)
    for fold, (train, test) in enumerate(GroupKFold(n_splits=N_SPLITS).split(X, y, groups)):
        if folds is not None and fold not in folds:
            continue
        diagnosis = dict(recording=nights[test], minutes_per_row=EVERY)
        seeded = [student_families(input_shape, families=list(FAMILIES),
                                   max_epochs=STUDENT_EPOCHS, random_state=fold + 100 * s)
                  for s in range(student_seeds)]
        common = dict(fold=fold, n_train=len(train), n_test=len(test),
                      machine=machine_description())

        def students(family):
            return [one[family] for one in seeded] if family == FAMILIES[0] else \
                [seeded[0][family]]

        def on_synthetic(X_syn, proba, classes, family):
            """Each seed's scores on a synthetic set; a set the teacher labelled all one
            class teaches that class alone, scored as the constant answer."""
            if len(np.unique(proba.argmax(axis=1))) < 2:
                only = classes[proba.argmax(axis=1)[0]]
                return [utility_scores(y[test], np.full(len(test), only), **diagnosis)]
            return [score_synthetic(s, X_syn, proba, classes, X[test], y[test], **diagnosis)
                    for s in students(family)]

        def record(source, family, runs, **extra):
            scores = {m: float(np.mean([r[m] for r in runs])) for m in runs[0]}
            if len(runs) > 1:
                scores["accuracy_per_seed"] = [r["accuracy"] for r in runs]
            append_record(output, dict(common, source=source, family=family,
                                       student_seeds=len(runs), **extra, **scores))
            print(f"fold {fold} {source} / {family}: {scores['accuracy']:.3f}", flush=True)

        def stimuli(epsilon, unit, source):
            """The synthesizer's stimuli at this budget and unit, its teacher and students."""
            t = time.perf_counter()
            syn = synthesizer(epsilon, unit, input_shape, fold, len(train))
            X_s, _ = syn.fit_resample(X[train], y[train], groups=groups[train])
            extra = dict(epsilon=epsilon if not math.isinf(epsilon) else None, unit=unit,
                         spent=syn.privacy_, synthesis_seconds=time.perf_counter() - t)
            if (fold, f"{source}: its teacher", "itself") not in done:
                teacher = utility_scores(y[test], syn.teacher_.predict(X[test]), **diagnosis)
                record(f"{source}: its teacher", "itself", [teacher], **extra)
            for family in FAMILIES:
                if (fold, source, family) not in done:
                    record(source, family, on_synthetic(X_s, syn.y_proba_, syn.classes_,
                                                        family), **extra)

        def vae_peer(epsilon, unit, peer):
            """The DP conditional VAE under the same budget and unit, and its students."""
            t = time.perf_counter()
            X_v, proba_v, classes_v, spent_v = dp_vae_set(
                X[train], y[train], len(train) if unit == "person" else None,
                epsilon=epsilon, unit=unit, groups=groups[train], input_shape=input_shape,
                random_state=fold)
            extra = dict(epsilon=epsilon, unit=unit, spent=spent_v,
                         synthesis_seconds=time.perf_counter() - t)
            for family in FAMILIES:
                if (fold, peer, family) not in done:
                    record(peer, family, on_synthetic(X_v, proba_v, classes_v, family), **extra)

        for family in FAMILIES:
            if (fold, "real", family) not in done:
                record("real", family, [score_real(s, X[train], y[train], X[test], y[test],
                                                   **diagnosis) for s in students(family)])
        for epsilon in epsilons:
            for unit in (units if not math.isinf(epsilon) else ["window"]):
                source = f"epsilon {epsilon:g}, per {unit}" if not math.isinf(epsilon) \
                    else "epsilon inf (no DP)"
                if not all((fold, s, f) in done for s in (source, f"{source}: its teacher")
                           for f in (FAMILIES if s == source else ["itself"])):
                    stimuli(epsilon, unit, source)
                peer = f"DP conditional VAE, epsilon {epsilon:g}, per {unit}"
                if not (math.isinf(epsilon) or unit not in vae_units
                        or all((fold, peer, f) in done for f in FAMILIES)):
                    vae_peer(epsilon, unit, peer)


def summarize(path, docs_path):
    """Mean over folds of every (source, family), as a markdown table, and the figure."""
    records = [json.loads(line) for line in path.open()]
    sources = list(dict.fromkeys(r["source"] for r in records))
    families = list(dict.fromkeys(r["family"] for r in records))
    cell = {}
    for r in records:
        cell.setdefault((r["source"], r["family"]), {})[r["fold"]] = r["accuracy"]
    lines = ["| source | " + " | ".join(families) + " | folds |",
             "|---|" + "---|" * (len(families) + 1)]
    for source in sources:
        values = [cell.get((source, f)) for f in families]
        folds = sorted({k for v in values if v for k in v})
        lines.append(f"| {source} | " + " | ".join(
            "" if v is None else f"{np.mean(list(v.values())):.3f}" for v in values)
            + f" | {','.join(map(str, folds))} |")
    table = "\n".join(lines)
    machine = records[0]["machine"]["machine"]
    block = (f"Accuracy on the held-out people (mean over the folds listed), quick Apnea-ECG "
             f"protocol, `GroupKFold` by person; machine: {machine}.\n\n{table}\n\n"
             "![Accuracy against epsilon](differential_privacy.png)")
    if docs_path is not None:
        _figure(records, docs_path.with_suffix(".png"))
        write_docs_section(docs_path, "dp-utility-quick", block)
    return block


def _figure(records, path):
    """Accuracy against epsilon per family and unit, stimuli and peers, real data dashed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def mean(source, family):
        values = [r["accuracy"] for r in records if r["source"] == source
                  and r["family"] == family]
        return np.mean(values) if values else np.nan

    epsilons = sorted({r["epsilon"] for r in records if r.get("epsilon") is not None})
    fig, axes = plt.subplots(1, len(FAMILIES), figsize=(4 * len(FAMILIES), 3.4), sharey=True)
    for ax, family in zip(axes, FAMILIES):
        for unit, style in (("window", "-o"), ("person", "--s")):
            ax.plot(epsilons, [mean(f"epsilon {e:g}, per {unit}", family) for e in epsilons],
                    style, label=f"DP stimuli, per {unit}")
            ax.plot(epsilons, [mean(f"DP conditional VAE, epsilon {e:g}, per {unit}", family)
                               for e in epsilons], style, alpha=0.5,
                    label=f"DP VAE, per {unit}")
        ax.axhline(mean("real", family), color="k", ls=":", label="real windows")
        ax.axhline(mean("epsilon inf (no DP)", family), color="grey", ls="-.",
                   label="stimuli without DP")
        ax.set(xscale="log", xlabel="epsilon", title=family)
        ax.set_xticks(epsilons, [f"{e:g}" for e in epsilons])
        ax.minorticks_off()
    axes[0].set_ylabel("accuracy, held-out people")
    axes[-1].legend(fontsize=7)
    fig.tight_layout()
    tmp = path.with_name(path.stem + ".tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    tmp.replace(path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-home", default=str(DEFAULT_DATA))
    parser.add_argument("--output", type=Path,
                        default=ROOT / "benchmarks" / "results" / "dp_utility_quick.jsonl")
    parser.add_argument("--epsilons", default="1,3,8,inf")
    parser.add_argument("--units", default=",".join(UNITS))
    parser.add_argument("--vae-units", default=",".join(UNITS),
                        help="units at which the DP conditional VAE peer is trained too")
    parser.add_argument("--student-seeds", type=int, default=5)
    parser.add_argument("--folds", default=None, metavar="I,J")
    parser.add_argument("--summarize", type=Path, default=None)
    parser.add_argument("--docs", type=Path,
                        default=ROOT / "docs" / "benchmarks" / "differential_privacy.md")
    args = parser.parse_args(argv)
    if args.summarize is not None:
        print(summarize(args.summarize, args.docs))
        return 0
    epsilons = [float(e) for e in args.epsilons.split(",")]
    if any(e <= 0 for e in epsilons):
        parser.error(f"--epsilons must be positive (or inf), got {args.epsilons}")
    folds = None if args.folds is None else {int(f) for f in args.folds.split(",")}
    run(args.data_home, args.output, epsilons, args.units.split(","), args.student_seeds, folds,
        args.vae_units.split(","))
    print(summarize(args.output, None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
