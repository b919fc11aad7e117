"""Privacy benchmark: can stimuli, or a student trained on them, name the people of the study?

Each setting draws many random member splits. For each split a data holder has a private
set (the members' recordings); an attacker knows some people from *other* recordings of
them (another night on Apnea-ECG, other windows in the simulation). Every released set
is measured in the same run: the real private windows (upper bound of risk), a pure-noise
set (floor), stimuli at each ``inhibition_weight`` (0 = plain stimuli, from one fitted
:class:`~skstim.IdentityInhibitor`), SMOTE interpolation and a conditional VAE.

Per released set, every attack's AUC of telling members from the non-members the attacker
knows (0.5 is chance), with its interval over splits, and the worst case over the attacks
that show power on the real private windows (:func:`~skstim.evaluation.worst_case_attack`):

- linkage by three subject classifiers trained on the attacker's recordings: a random
  forest on summary features (:func:`~skstim.evaluation.make_subject_attacker`), a random
  forest on HRV features (:func:`~skstim.evaluation.make_hrv_attacker`) and a network of
  the teacher's architecture on the raw series;
- subject-level membership inference (loss attack) against a student of the teacher's
  architecture trained on the released set: members' private rows against non-members';
- density-ratio membership (DOMIAS, :func:`~skstim.evaluation.density_ratio_membership`)
  at the attacker's windows of each person;
- shadow-model membership (LiRA over people, :func:`~skstim.evaluation.shadow_membership`):
  the attacker reruns each method on its own recordings, with and without each person.
  Shadow stimuli are cheaper than the release under attack (the setting's
  ``shadow_iter`` steps, ``shadow_stimuli_per_sample`` stimuli per row);
- distance to closest record: released rows to the private rows and to as many rows of
  non-members;
- utility: that student's accuracy on held-out people.

With ``--dp-epsilons``, differentially private stimuli at each budget are released and
attacked too (``--dp-unit``, per person by default).

Usage::

    python benchmarks/privacy.py --setting simulated      # 200 simulated people
    python benchmarks/privacy.py --setting apnea          # Apnea-ECG, 9 people with 2+ nights
    python benchmarks/privacy.py --summarize              # tables and figure into the docs
"""

import argparse
import json
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from _common import DEFAULT_DATA, ROOT, append_record, done_keys, machine_description, \
    parse_parameter, write_docs_section
from skstim import IdentityInhibitor, StimulusSynthesizer, make_network, make_teacher
from skstim.datasets import fetch_apnea_ecg, make_sleep_apnea
from skstim.evaluation import (
    ATTACK_LABELS,
    evaluate_privacy,
    fit_attackers,
    interpolated_set,
    make_hrv_attacker,
    make_subject_attacker,
    noise_set,
    summarize_splits,
    vae_set,
    worst_case_attack,
)


@dataclass(frozen=True)
class Setting:
    """One study design."""

    data: str                 # "apnea" or "simulated"
    n_splits: int             # random member splits
    n_members: int            # members among the people the attacker knows
    n_people: int = 0         # simulated population size
    n_windows: int = 0        # simulated windows per person (half private, half attacker's)
    every: int = 4            # Apnea-ECG: keep every k-th minute
    filler: bool = True       # Apnea-ECG: single-night people join the private set and test
    stimuli_per_sample: float = 1.0
    n_iter: int = 50
    epochs: int = 15
    weights: tuple = (0.0, 1.0)
    n_shadows: int = 8        # shadow releases per released set (LiRA)
    shadow_iter: int = 20     # synthesis steps of a shadow release
    shadow_stimuli_per_sample: float = 1.0


SETTINGS = {
    "smoke": Setting("simulated", n_splits=1, n_members=6, n_people=12, n_windows=16, n_iter=5,
                     epochs=2, n_shadows=2, shadow_iter=2),
    "simulated": Setting("simulated", n_splits=3, n_members=100, n_people=200, n_windows=24),
    "simulated-small": Setting("simulated", n_splits=3, n_members=8, n_people=16, n_windows=60,
                               stimuli_per_sample=4.0, n_iter=150),
    # just above the default support floors (10 people a class): the smallest study whose
    # classes get aggregates of their own
    "simulated-12": Setting("simulated", n_splits=3, n_members=12, n_people=24, n_windows=60,
                            stimuli_per_sample=4.0, n_iter=150),
    "apnea": Setting("apnea", n_splits=3, n_members=5),
    "apnea-small": Setting("apnea", n_splits=3, n_members=6, filler=False,
                           stimuli_per_sample=2.0, n_iter=100),
}


@dataclass
class Split:
    """One member split: who is private, what the attacker holds, what utility is scored on."""

    X_private: np.ndarray
    y_private: np.ndarray
    g_private: np.ndarray
    X_attacker: np.ndarray
    y_attacker: np.ndarray
    g_attacker: np.ndarray
    X_outside: np.ndarray      # non-members' rows: utility test set and membership negatives
    y_outside: np.ndarray
    g_outside: np.ndarray
    members: np.ndarray        # members the attacker knows
    input_shape: tuple
    sampling_rate: float


def simulated_split(setting, seed):
    data = make_sleep_apnea(setting.n_people, setting.n_windows, random_state=seed)
    rng = np.random.default_rng(seed)
    people = np.unique(data.groups)
    members = rng.choice(people, setting.n_members, replace=False)
    position = np.concatenate([np.arange(np.sum(data.groups == p)) for p in people])
    first_half = position < setting.n_windows // 2
    private = first_half & np.isin(data.groups, members)
    outside = first_half & ~np.isin(data.groups, members)
    attacker = ~first_half
    return Split(data.X[private], data.y[private], data.groups[private],
                 data.X[attacker], data.y[attacker], data.groups[attacker],
                 data.X[outside], data.y[outside], data.groups[outside],
                 members, tuple(data.input_shape), float(data.sampling_rate))


def apnea_split(setting, seed, data):
    rng = np.random.default_rng(seed)
    nights = {p: np.unique(data.record[data.groups == p]) for p in np.unique(data.groups)}
    known = np.array(sorted(p for p, r in nights.items() if len(r) > 1))
    single = np.array(sorted(p for p, r in nights.items() if len(r) == 1))
    members = rng.choice(known, setting.n_members, replace=False)
    private_records, attacker_records = [], []
    for person in known:
        first, second = rng.permutation(nights[person])[:2]
        attacker_records.append(second)
        if person in members:
            private_records.append(first)
    outside_people = [p for p in known if p not in members]
    if setting.filler:
        shuffled = rng.permutation(single)
        n_filler = int(round(0.6 * len(single)))
        private_records += [nights[p][0] for p in shuffled[:n_filler]]
        outside_people += list(shuffled[n_filler:])
    private = np.isin(data.record, private_records)
    attacker = np.isin(data.record, attacker_records)
    outside = np.isin(data.groups, outside_people) & ~attacker
    return Split(data.X[private], data.y[private], data.groups[private],
                 data.X[attacker], data.y[attacker], data.groups[attacker],
                 data.X[outside], data.y[outside], data.groups[outside],
                 members, tuple(data.input_shape), float(data.sampling_rate))


def _one_hot(y, classes):
    return (np.asarray(y)[:, None] == classes[None, :]).astype(np.float32)


IDENTITY_MODELS = {
    "cnn": lambda epochs: make_network(max_epochs=epochs),
    # two families on two inputs: the raw series, and the summaries a forest links by
    "cnn+summary": lambda epochs: [make_network(max_epochs=epochs),
                                   make_network(arch="summary", max_epochs=epochs)],
}


def _inhibitor(setting, split, seed, **parameters):
    identity = IDENTITY_MODELS[parameters.pop("identity_model", "cnn")](setting.epochs)
    nested = {k: parameters.pop(k) for k in list(parameters) if "__" in k}  # e.g. teacher__lr
    return IdentityInhibitor(
        make_teacher(max_epochs=setting.epochs), identity_model=identity,
        input_shape=split.input_shape, random_state=seed, **parameters).set_params(**nested)


def _private_synthesizer(setting, split, seed, epsilon, unit, **parameters):
    """The differentially private stimuli of ``StimulusSynthesizer(dp_epsilon=epsilon)``."""
    return StimulusSynthesizer(make_teacher(norm="group", max_epochs=setting.epochs),
                               input_shape=split.input_shape, init="class_spectrum",
                               dp_epsilon=epsilon, dp_unit=unit, random_state=seed, **parameters)


def released_sets(split, setting, seed, synthesis=None, peers=True, dp=((), "person")):
    """Name -> (make, shadow) of every set the data holder could release.

    ``make()`` gives ``(X, proba, classes)``; ``shadow(X, y, groups, random_state)`` is the
    same method as the shadow-model attacker reruns it on its own recordings (for stimuli:
    ``setting.shadow_iter`` steps, or the release's own where fewer, and
    ``setting.shadow_stimuli_per_sample`` per row).
    ``synthesis`` holds parameters of the inhibitor that override the setting's (e.g.
    another ``init`` or ``n_iter``); ``peers=False`` leaves out SMOTE and the VAE.
    ``dp=(epsilons, unit)`` adds the differentially private stimuli at each budget.
    """
    X, y = split.X_private, split.y_private
    classes = np.unique(y)
    X_noise, y_noise = noise_set(X, y, random_state=seed)
    sets = {
        "real (upper bound)": (lambda: (X, _one_hot(y, classes), classes),
                               lambda X, y, groups, random_state: X),
        "noise (floor)": (lambda: (X_noise, _one_hot(y_noise, classes), classes),
                          lambda X, y, groups, random_state: noise_set(
                              X, y, random_state=random_state)[0]),
    }
    parameters = {"stimuli_per_sample": setting.stimuli_per_sample, "n_iter": setting.n_iter,
                  **(synthesis or {})}
    shadow_parameters = dict(parameters, stimuli_per_sample=setting.shadow_stimuli_per_sample,
                             n_iter=min(setting.shadow_iter, parameters["n_iter"]))
    inhibitor = _inhibitor(setting, split, seed, **parameters)
    fitted, shadows = [], {}  # one fit serves every weight; shadows by seed

    def released(weight):
        """Sampling parameters of a set: without inhibition the stimuli of
        StimulusSynthesizer's defaults, with it IdentityInhibitor's (they differ in mix)."""
        mix = (StimulusSynthesizer if weight == 0 else IdentityInhibitor)().mix
        return {"inhibition_weight": weight, "mix": parameters.get("mix", mix)}

    def stimuli(weight):
        if not fitted:
            fitted.append(inhibitor.fit(X, y, groups=split.g_private))
        inhibitor.set_params(**released(weight))
        X_s, _, proba = inhibitor.sample(inhibitor.n_stimuli_, return_proba=True)
        return X_s, proba, inhibitor.classes_

    def shadow_stimuli(weight):
        def release(X, y, groups, random_state):
            if random_state not in shadows:
                shadows[random_state] = _inhibitor(
                    setting, split, random_state, **shadow_parameters).fit(X, y, groups=groups)
            shadow = shadows[random_state].set_params(**released(weight))
            return shadow.sample(shadow.n_stimuli_)
        return release

    for weight in setting.weights:
        name = "stimuli" if weight == 0 else f"stimuli, inhibition {weight:g}"
        sets[name] = (lambda weight=weight: stimuli(weight), shadow_stimuli(weight))
    epsilons, unit = dp
    for epsilon in epsilons:
        def private(epsilon=epsilon):
            fitted = _private_synthesizer(
                setting, split, seed, epsilon, unit, n_iter=setting.n_iter,
                n_stimuli=int(round(setting.stimuli_per_sample * len(X)))).fit(
                X, y, groups=split.g_private)
            X_s, _, proba = fitted.sample(fitted.n_stimuli_, return_proba=True)
            return X_s, proba, fitted.classes_

        def private_shadow(X, y, groups, random_state, epsilon=epsilon):
            return _private_synthesizer(
                setting, split, random_state, epsilon, unit, n_iter=setting.shadow_iter,
                n_stimuli=int(round(setting.shadow_stimuli_per_sample * len(X)))).fit_resample(
                X, y, groups=groups)[0]
        sets[f"DP stimuli, epsilon {epsilon:g} per {unit}"] = (private, private_shadow)
    if peers:
        sets["SMOTE interpolation"] = (
            lambda: interpolated_set(X, y, random_state=seed),
            lambda X, y, groups, random_state: interpolated_set(X, y, random_state=random_state)[0])
        sets["conditional VAE"] = (
            lambda: vae_set(X, y, random_state=seed),
            lambda X, y, groups, random_state: vae_set(X, y, random_state=random_state)[0])
    return sets


def evaluate(split, X_rel, proba, classes, setting, seed, attackers, shadow):
    """Every attack's figures and the utility of one released set."""
    # the attacks' networks stay as they were when make_teacher was make_network, so that
    # every recorded block is read against the same attacks
    student = make_network(split.input_shape, max_epochs=setting.epochs, random_state=seed)
    return evaluate_privacy(
        X_rel, proba, classes, X_private=split.X_private, y_private=split.y_private,
        groups_private=split.g_private, X_attacker=split.X_attacker,
        groups_attacker=split.g_attacker, X_outside=split.X_outside, y_outside=split.y_outside,
        groups_outside=split.g_outside, input_shape=split.input_shape,
        sampling_rate=split.sampling_rate, attackers=attackers, student=student,
        y_attacker=split.y_attacker, shadow_release=shadow, n_shadows=setting.n_shadows,
        random_state=seed)


def attackers_for(split, setting, seed):
    return {
        "summary_rf": make_subject_attacker(split.input_shape, random_state=seed),
        "hrv": make_hrv_attacker(split.input_shape, split.sampling_rate, random_state=seed),
        "cnn": make_network(split.input_shape, n_classes=len(np.unique(split.g_attacker)),
                            max_epochs=setting.epochs, random_state=seed),
    }


def run(setting_name, data_home, output, synthesis=None, peers=True, dp=((), "person")):
    setting = SETTINGS[setting_name]
    done = done_keys(output, ("split", "source"))
    data = fetch_apnea_ecg(data_home=data_home) if setting.data == "apnea" else None
    if data is not None:
        keep = data.minute % setting.every == 0
        data = type(data)(**{k: (v[keep] if isinstance(v, np.ndarray) and len(v) == len(keep)
                                 else v) for k, v in data.items()})
    for seed in range(setting.n_splits):
        split = simulated_split(setting, seed) if data is None else apnea_split(setting, seed, data)
        common = dict(setting=setting_name, split=seed, n_private=len(split.X_private),
                      n_private_people=len(np.unique(split.g_private)),
                      n_known_people=len(np.unique(split.g_attacker)),
                      n_members_known=len(split.members), n_outside=len(split.X_outside),
                      synthesis=synthesis or {}, n_shadows=setting.n_shadows,
                      shadow_iter=setting.shadow_iter,
                      shadow_stimuli_per_sample=setting.shadow_stimuli_per_sample,
                      machine=machine_description())
        print(f"split {seed}: {common['n_private']} private rows of "
              f"{common['n_private_people']} people; attacker knows "
              f"{common['n_known_people']} people, {len(split.members)} of them members",
              flush=True)
        attackers = None  # fitted once per split, on the first set not yet measured
        for source, (make, shadow) in released_sets(split, setting, seed, synthesis,
                                                    peers, dp).items():
            if (seed, source) in done:
                continue
            if attackers is None:
                attackers = fit_attackers(split.X_attacker, split.g_attacker,
                                          attackers_for(split, setting, seed), random_state=seed)
            start = time.perf_counter()
            X_rel, proba, classes = make()
            make_seconds = time.perf_counter() - start
            record = evaluate(split, X_rel, proba, classes, setting, seed, attackers, shadow)
            append_record(output, dict(common, source=source, make_seconds=make_seconds,
                                       seconds=time.perf_counter() - start, **record))
            aucs = ", ".join(f"{attack} {record[attack + '_auc']:.2f}"
                             for attack in ATTACK_LABELS if attack + "_auc" in record)
            print(f"  {source}: AUC {aucs}; DCR ratio {record['dcr_ratio']:.2f}, utility "
                  f"{record['utility_accuracy']:.3f}", flush=True)


REAL, FLOOR = "real (upper bound)", "noise (floor)"
MEMBERSHIP_ATTACKS = ("mia", "domias", "shadow")


def _interval(summary, attack):
    auc, low, high = (summary.get(f"{attack}_auc{end}", np.nan) for end in ("", "_low", "_high"))
    return "n/a" if not np.isfinite(auc) else f"{auc:.2f} [{low:.2f}, {high:.2f}]"


def _setting_tables(name, records):
    """The worst-case table and the low-FPR table of one setting, in markdown."""
    sources = list(dict.fromkeys(r["source"] for r in records))
    summaries = {source: summarize_splits([r for r in records if r["source"] == source])
                 for source in sources}
    attacks = [a for a in ATTACK_LABELS if f"{a}_auc" in summaries[sources[0]]]
    first = records[0]
    lines = [f"### Setting `{name}`", "",
             f"{len({r['split'] for r in records})} random member splits; per split "
             f"{first['n_private']} private rows of {first['n_private_people']} people, the "
             f"attacker knows {first['n_known_people']} people of whom "
             f"{first['n_members_known']} are members. Shadow-model attack: "
             f"{first['n_shadows']} shadow releases per released set, shadow stimuli with "
             f"{first['shadow_iter']} steps and {first['shadow_stimuli_per_sample']:g} "
             f"per row. AUC of members against non-members, "
             + ("mean over splits [95 % Student-t interval over splits]"
                if len({r['split'] for r in records}) > 1 else
                "one split [95 % bootstrap interval over its people]")
             + f". Machine and versions: "
             f"{json.dumps(first['machine'])}.", "",
             "| released set | " + " | ".join(ATTACK_LABELS[a] for a in attacks)
             + " | worst case (attack with power on the real rows) | DCR private / outside "
               "| student accuracy |",
             "|---|" + "---|" * (len(attacks) + 3)]
    real = summaries.get(REAL)
    for source in sources:
        summary = summaries[source]
        cells = [_interval(summary, a) for a in attacks]
        if real is None:
            worst_cell = "n/a (no real-data run)"
        else:
            worst = worst_case_attack(summary, real)
            worst_cell = ("none has power" if worst["attack"] is None else
                          f"{_interval(summary, worst['attack'])}, {worst['label']}")
        lines.append(f"| {source} ({summary['n_splits']}) | " + " | ".join(cells)
                     + f" | {worst_cell} | {summary['dcr_ratio']:.2f} | "
                       f"{summary['utility_accuracy']:.3f} |")
    membership = [a for a in MEMBERSHIP_ATTACKS if a in attacks]
    lines += ["", "True-positive rate of the membership attacks at 1 % and 0.1 % false "
              "positives (mean over splits; with fewer than 100 non-members both are the "
              "rate at no false positive):", "",
              "| released set | " + " | ".join(f"{ATTACK_LABELS[a]}: 1 % / 0.1 %"
                                             for a in membership) + " |",
              "|---|" + "---|" * len(membership)]
    for source in sources:
        summary = summaries[source]
        lines.append(f"| {source} | " + " | ".join(
            f"{summary[a + '_tpr_at_1pct_fpr']:.2f} / {summary[a + '_tpr_at_01pct_fpr']:.2f}"
            for a in membership) + " |")
    return "\n".join(lines), summaries


def summarize(paths, docs_path, figure_path):
    """Per setting: every attack with its interval over splits, the worst case, and the figure."""
    blocks, curves, sources = [], {}, {}
    for path in paths:
        records = [json.loads(line) for line in path.open()]
        if not records or "domias_auc" not in records[0]:
            continue
        name = records[0]["setting"]
        # real and noise records may be shared between runs: the stimuli's record names
        # the synthesis parameters and, for a past default, a label
        stimuli = next((r for r in records if r["source"].startswith("stimuli")), records[0])
        synthesis = stimuli.get("synthesis") or {}
        if synthesis:
            name += ", " + ", ".join(f"{k}={v}" for k, v in sorted(synthesis.items()))
        if stimuli.get("label"):
            name += f" ({stimuli['label']})"
        private = sorted({r["source"].split(", ", 1)[1] for r in records
                          if r["source"].startswith("DP stimuli")})
        if private:
            name += ", DP stimuli " + " and ".join(private)
        if name in sources:
            raise ValueError(f"{path} and {sources[name]} would both write the docs block "
                             f"'privacy:{name}': give the stimuli records of one of them a "
                             "'label' (a past default) or other synthesis parameters.")
        sources[name] = path
        # every released set on the same splits: those the stimuli were measured on
        measured = {r["split"] for r in records if r["source"].startswith("stimuli")}
        records = [r for r in records if not measured or r["split"] in measured]
        text, summaries = _setting_tables(name, records)
        real = summaries.get(REAL)
        for source, summary in summaries.items():
            if source.startswith("stimuli") and real is not None:
                weight = 0.0 if source == "stimuli" else float(source.rsplit(" ", 1)[1])
                worst = worst_case_attack(summary, real)
                curves.setdefault((records[0]["setting"], name), []).append(
                    (weight, summary["utility_accuracy"], worst["auc"]))
        blocks.append((name, text))
    # every block's name is checked before the first is written
    for name, text in blocks:
        write_docs_section(docs_path, f"privacy:{name}", text)
    if curves and figure_path is not None:
        _plot(curves, figure_path)
    return "\n\n".join(text for _, text in blocks)


def _plot(curves, figure_path):
    """One panel per setting; in it a line per released variant through its inhibition
    weights, utility against the worst-case attack (aggregates over splits only)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    settings = list(dict.fromkeys(setting for setting, _ in curves))
    fig, axes = plt.subplots(len(settings), 1, figsize=(7, 3.6 * len(settings)),
                             squeeze=False)
    colors, markers = plt.get_cmap("tab20").colors, "osD^v<>ph*X"
    for ax, setting in zip(axes[:, 0], settings):
        variants = [(name, points) for (of, name), points in curves.items() if of == setting]
        for i, (name, points) in enumerate(variants):
            weights, utility, worst = map(np.array, zip(*sorted(points)))
            ax.plot(worst, utility, "-", marker=markers[i % len(markers)],
                    color=colors[i % len(colors)],
                    label=name[len(setting):].lstrip(", ") or "default")
            for w, xi, ui in zip(weights, worst, utility):
                ax.annotate(f"{w:g}", (xi, ui), textcoords="offset points", xytext=(4, 4),
                            fontsize=7)
        ax.axvline(0.5, color="grey", lw=0.8, ls="--")
        ax.set_title(setting, fontsize=10)
        ax.set_xlabel("worst-case AUC over attacks with power (0.5: chance)", fontsize=8)
        ax.set_ylabel("student accuracy on stimuli", fontsize=8)
        ax.legend(fontsize=6, loc="center left", bbox_to_anchor=(1.02, 0.5))
    fig.suptitle("Utility against the worst attack, per setting; point labels are "
                 "inhibition weights", fontsize=11, y=1.0)
    fig.tight_layout()
    tmp = figure_path.with_name(figure_path.stem + ".tmp.png")
    fig.savefig(tmp, dpi=100, bbox_inches="tight")
    plt.close(fig)
    tmp.replace(figure_path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setting", choices=sorted(SETTINGS), default="simulated")
    parser.add_argument("--splits", type=int, default=None, help="override the number of splits")
    parser.add_argument("--data-home", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--summarize", action="store_true",
                        help="only summarize benchmarks/results/privacy_*.jsonl into the docs")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs" / "benchmarks" / "privacy.md")
    parser.add_argument("--synthesis", action="append", default=[], metavar="NAME=VALUE",
                        help="an IdentityInhibitor parameter for the stimuli, e.g. "
                             "init=class_scale_mixture or teacher__max_epochs=8 (repeatable; "
                             "numbers are parsed); "
                             f"identity_model takes one of {sorted(IDENTITY_MODELS)}")
    parser.add_argument("--weights", default=None,
                        help="comma-separated inhibition weights (default: the setting's)")
    parser.add_argument("--no-peers", action="store_true", help="leave out SMOTE and the VAE")
    parser.add_argument("--dp-epsilons", default=None, metavar="E1,E2",
                        help="also release differentially private stimuli at these budgets "
                             "(StimulusSynthesizer(dp_epsilon=...), GroupNorm teacher, class "
                             "spectrum start)")
    parser.add_argument("--dp-unit", choices=("person", "window"), default="person")
    parser.add_argument("--shadows", type=int, default=None,
                        help="override the number of shadow releases (even)")
    args = parser.parse_args(argv)
    results = ROOT / "benchmarks" / "results"
    figure = args.docs.with_name("privacy_tradeoff.png")
    if args.summarize:
        print(summarize(sorted(results.glob("privacy_*.jsonl")), args.docs, figure))
        return 0
    if args.splits is not None:
        SETTINGS[args.setting] = replace(SETTINGS[args.setting], n_splits=args.splits)
    if args.shadows is not None:
        SETTINGS[args.setting] = replace(SETTINGS[args.setting], n_shadows=args.shadows)
    if args.weights is not None:
        SETTINGS[args.setting] = replace(SETTINGS[args.setting], weights=tuple(
            float(w) for w in args.weights.split(",")))
    synthesis = dict(parse_parameter(text, parser) for text in args.synthesis)
    tag = "".join(f"_{k}-{v}" for k, v in sorted(synthesis.items()))
    epsilons = () if args.dp_epsilons is None else tuple(
        float(e) for e in args.dp_epsilons.split(","))
    if epsilons:
        tag += f"_dp-{args.dp_epsilons.replace(',', '-')}-per-{args.dp_unit}"
    output = args.output or results / f"privacy_{args.setting}{tag}.jsonl"
    run(args.setting, args.data_home, output, synthesis, peers=not args.no_peers,
        dp=(epsilons, args.dp_unit))
    # the figure holds every results file: only --summarize redraws it
    print(summarize([output], args.docs, None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
