"""Utility benchmark: students trained on stimuli vs on real data, Apnea-ECG, subject-disjoint.

For each fold of ``GroupKFold`` by subject over the 35 learning records, a teacher is
fitted on the training subjects; each synthesis variant makes its stimuli from the
training windows and their subject ids (so that each person weighs the same in the class
aggregates and the people floor applies); every student family is trained on the real training windows, on each variant's
stimuli and on each reference synthetic set (SMOTE interpolation, class-conditional
Gaussian, conditional VAE), and scored on the held-out subjects.

Results are appended to a JSON-lines file as they come (one line per fold, source and
family), so a long run can be watched, stopped and resumed; ``--summarize`` turns the
file into the markdown tables of ``docs/benchmarks/utility.md``.

Usage::

    python benchmarks/utility.py --mode quick          # 1/4 of the windows, 3 folds: minutes
    python benchmarks/utility.py --mode full &         # all windows, 5 folds: hours on 2 cores
    python benchmarks/utility.py --summarize benchmarks/results/utility_full.jsonl
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GroupKFold
from sklearn.utils import resample

from _common import DEFAULT_DATA, ROOT, append_record, done_keys, machine_description, \
    write_docs_section
from skstim import StimulusSynthesizer, make_teacher
from skstim.datasets import fetch_apnea_ecg
from skstim.evaluation import (
    class_gaussian_set,
    interpolated_set,
    score_real,
    score_synthetic,
    student_families,
    utility_scores,
    vae_set,
)

MODES = {
    "quick": dict(every=4, n_splits=3, teacher_epochs=15, student_epochs=8, n_iter=50),
    "full": dict(every=1, n_splits=5, teacher_epochs=20, student_epochs=20, n_iter=200),
}

# Window representations of fetch_apnea_ecg: the package default (5 minutes of RR at 1 Hz,
# two minutes of context either side) and 4 minutes at 2 Hz centred on the labelled minute.
REPRESENTATIONS = {
    "5min-1hz": dict(window_minutes=5, sampling_rate=1.0),
    "4min-2hz": dict(window_minutes=4, sampling_rate=2.0),
}
DEFAULT_REPRESENTATION = "5min-1hz"
RECORD_KEY = ("fold", "source", "family")  # one record each; a run resumes by it

# Each variant: StimulusSynthesizer parameters, plus how the students take the labels.
VARIANTS = {
    "ce-noise": ("CE from noise, no prior",
                 dict(init="noise", bn_weight=0.0)),
    "bn-running": ("BN prior (running stats), noise start",
                   dict(init="noise", bn_statistics="running")),
    "bn-class": ("BN prior (class stats), noise start", dict(init="noise")),
    "gauss-bn": ("default: class-Gaussian start + class BN", dict()),
    "gauss-bn-long": ("default, 4x the steps", dict(n_iter_factor=4)),
    "gauss-conf": ("class-Gaussian + class BN + confidence 0.5-1 (freeze)",
                   dict(confidence=(0.5, 1.0))),
    "gauss-conf-hard": ("class-Gaussian + class BN + confidence 0.5-1, hard labels",
                        dict(confidence=(0.5, 1.0), soft_labels="hard")),
    "generator": ("generator (paper's method), class BN", dict(method="generator")),
    "mix-half": ("default, half of the stimuli teacher-labelled interpolations", dict(mix=0.5)),
    "mix-double": ("default, 2x stimuli of which half interpolations",
                   dict(mix=0.5, stimuli_per_sample=2.0)),
    "double": ("default, 2x stimuli", dict(stimuli_per_sample=2.0)),
    "x4": ("default, 20 steps, 4x stimuli", dict(stimuli_per_sample=4.0, n_iter=20)),
    "x4-rank-1": ("default with one principal direction per class start, 20 steps, 4x stimuli",
                  dict(init_rank=1, stimuli_per_sample=4.0, n_iter=20)),
    "gsm-64-x4": ("class scale-mixture start of rank 64, 20 steps, 4x stimuli",
                  dict(init="class_scale_mixture", init_rank=64, n_iter=20, stimuli_per_sample=4.0)),
    "gsm-32-x4": ("class scale-mixture start of rank 32, 20 steps, 4x stimuli",
                  dict(init="class_scale_mixture", init_rank=32, n_iter=20, stimuli_per_sample=4.0)),
    "compete-x4": ("default, 20 steps, 4x stimuli, half of them competing with a student",
                   dict(stimuli_per_sample=4.0, n_iter=20, competition_weight=1.0)),
    "gsm-64-compete-x4": ("class scale-mixture start of rank 64, 20 steps, 4x stimuli, half "
                          "of them competing with a student",
                          dict(init="class_scale_mixture", init_rank=64, n_iter=20,
                               stimuli_per_sample=4.0, competition_weight=1.0)),
    "floors-gsm-64-x4": ("class scale-mixture start of rank 64 with support floors (10 people, "
                         "20 rows; each person weighs the same), 20 steps, 4x stimuli",
                         dict(init="class_scale_mixture", init_rank=64, n_iter=20,
                              stimuli_per_sample=4.0, min_class_people=10)),
    "floors-gsm-64-x4-steps-5": ("class scale-mixture start of rank 64 with support floors (10 "
                                 "people, 20 rows; each person weighs the same), 5 steps, 4x "
                                 "stimuli",
                                 dict(init="class_scale_mixture", init_rank=64, n_iter=5,
                                      stimuli_per_sample=4.0, min_class_people=10)),
    "floors-share-2-x4": ("class scale-mixture start of rank 64 with support floors (10 people, "
                          "20 rows; no person above twice the equal share), 20 steps, 4x stimuli",
                          dict(init="class_scale_mixture", init_rank=64, n_iter=20,
                               stimuli_per_sample=4.0, min_class_people=10,
                               max_person_share=2.0)),
    "cap4-spectrum-x4": ("default with no person above 4 times the equal share and the start's "
                         "rest shaped by the class spectrum, 20 steps, 4x stimuli",
                         dict(max_person_share=4.0, init_rest="spectrum", n_iter=20,
                              stimuli_per_sample=4.0)),
    "x4-expand": ("default, 20 steps, 4x stimuli; scikit-learn students see each stimulus once "
                  "per class, weighted by the teacher's probability",
                  dict(stimuli_per_sample=4.0, n_iter=20, soft_labels="expand")),
    "x4-hard": ("default, 20 steps, 4x stimuli; hard labels, unweighted",
                dict(stimuli_per_sample=4.0, n_iter=20, soft_labels="hard")),
    "cap4-rest0.5-x4": ("default with no person above 4 times the equal share and the start's "
                        "rest half way between white and the class spectrum, 20 steps, 4x "
                        "stimuli",
                        dict(max_person_share=4.0, init_rest=0.5, n_iter=20,
                             stimuli_per_sample=4.0)),
    "x4-mix-0.75": ("4x stimuli of which three quarters are teacher-labelled interpolations, "
                    "keeping the spread, between the optimized quarter (one optimized stimulus "
                    "per window)",
                    dict(stimuli_per_sample=4.0, n_iter=20, mix=0.75)),
    "x1": ("default, 20 steps, one stimulus per window", dict(stimuli_per_sample=1.0, n_iter=20)),
    "x4-steps-5-lr-0.4": ("default's path in a quarter of the steps: 5 steps of 4 times the step "
                          "size, 4x stimuli",
                          dict(stimuli_per_sample=4.0, n_iter=5, lr=0.4)),
    "x4-steps-10-lr-0.2": ("default's path in half the steps: 10 steps of twice the step size, "
                           "4x stimuli",
                           dict(stimuli_per_sample=4.0, n_iter=10, lr=0.2)),
    "steps-x4": ("default with the optimizer's steps shaped by the class spectra, 20 steps, "
                 "4x stimuli", dict(step_shape="spectrum", n_iter=20, stimuli_per_sample=4.0)),
    "spectra-x4": ("the start's rest and the optimizer's steps shaped by the class spectra, "
                   "20 steps, 4x stimuli",
                   dict(init_rest="spectrum", step_shape="spectrum", n_iter=20,
                        stimuli_per_sample=4.0)),
    "spectra-x4-rank-1": ("the start's rest and the optimizer's steps shaped by the class "
                          "spectra, one principal direction per class start, 20 steps, "
                          "4x stimuli",
                          dict(init_rest="spectrum", step_shape="spectrum", init_rank=1,
                               n_iter=20, stimuli_per_sample=4.0)),
    "spectrum-x4": ("class spectrum start with support floors (5 people, 20 rows; each person "
                    "weighs the same), 20 steps, 4x stimuli",
                    dict(init="class_spectrum", n_iter=20, stimuli_per_sample=4.0)),
    "rank-64": ("default, class-Gaussian start of rank 64", dict(init_rank=64)),
    "rank-128": ("default, class-Gaussian start of rank 128", dict(init_rank=128)),
    "bn-strong": ("default, BN prior weight 10", dict(bn_weight=10.0)),
    "lr-0.03": ("default, step size 0.03", dict(lr=0.03)),
    "lr-0.01": ("default, step size 0.01", dict(lr=0.01)),
    "steps-20": ("default, 20 steps", dict(n_iter=20)),
    "steps-10": ("default, 10 steps", dict(n_iter=10)),
    "seg-4": ("default, class BN statistics per quarter of the window", dict(bn_segments=4)),
    "seg-8": ("default, class BN statistics per eighth of the window", dict(bn_segments=8)),
    "seg-16": ("default, class BN statistics per sixteenth of the window", dict(bn_segments=16)),
    "rank-64-20": ("default, 20 steps, class-Gaussian start of rank 64",
                   dict(init_rank=64, n_iter=20)),
    "gsm-20": ("class scale-mixture start, 20 steps",
               dict(init="class_scale_mixture", n_iter=20)),
    "gsm-32-20": ("class scale-mixture start of rank 32, 20 steps",
                  dict(init="class_scale_mixture", init_rank=32, n_iter=20)),
    "gsm-64-20": ("class scale-mixture start of rank 64, 20 steps",
                  dict(init="class_scale_mixture", init_rank=64, n_iter=20)),
    "gsm-128-20": ("class scale-mixture start of rank 128, 20 steps",
                   dict(init="class_scale_mixture", init_rank=128, n_iter=20)),
}

REFERENCE_SETS = {
    "SMOTE interpolation (reference)": interpolated_set,
    "class-Gaussian, no teacher (reference)": class_gaussian_set,
    "conditional VAE (reference)": vae_set,
}


def load(mode, data_home, representation=DEFAULT_REPRESENTATION):
    data = fetch_apnea_ecg(data_home=data_home, **REPRESENTATIONS[representation])
    keep = data.minute % MODES[mode]["every"] == 0
    return (data.X[keep], data.y[keep], data.groups[keep], data.record[keep],
            tuple(data.input_shape))


def run(mode, data_home, output, variants, families, references=tuple(REFERENCE_SETS),
        student_seeds=1, seeded_families=None, representation=DEFAULT_REPRESENTATION,
        subsample=None, cache=None, only_folds=None, precise_bn=True, teacher_as_trained=False):
    """Append one record per (fold, source, family) to ``output``, skipping those there.

    ``only_folds`` (None: all) runs these folds alone, so that separate processes can
    share the folds of one run. Processes may share ``output`` even on one fold: each
    checks it before every student and writes a record only if none with its key is
    there (under a file lock).

    ``subsample`` is ``(n_rows, families)``: those families are trained on a stratified
    random subsample of ``n_rows`` rows of every training set, real and synthetic alike.
    ``cache`` is a folder for the teachers (joblib memory) and the stimuli of each fold
    and variant, so that a stopped run resumes without refitting them; clear it when the
    synthesis code changes. ``precise_bn`` ends every network student's fit (on real
    windows and on stimuli alike) with :class:`~skstim.nets.PreciseBatchNorm`, as
    :func:`~skstim.evaluation.student_families` does by default; ``False`` gives the
    networks as trained, as in the tables recorded before that default. Each record
    names which (``"networks"``). The teacher is :func:`~skstim.make_teacher`'s, whose fit
    ends the same way; ``teacher_as_trained`` leaves its BatchNorm statistics as trained,
    as in the records made before 2026-12-07 (records say which, ``"teacher_batchnorm"``;
    older records, without it, are as trained). The stimuli files of a ``cache`` are named
    by fold and variant and record their teacher's statistics; a run refuses those of the
    other teacher.
    """
    config = MODES[mode]
    X, y, groups, nights, input_shape = load(mode, data_home, representation)
    print(f"{mode}: {len(X)} windows, {len(np.unique(groups))} subjects, input_shape={input_shape}",
          flush=True)

    def finished():
        """The records' keys in ``output`` now (other processes may share it)."""
        return done_keys(output, RECORD_KEY)

    def write(record):
        append_record(output, record, unique=RECORD_KEY)

    folds = GroupKFold(n_splits=config["n_splits"]).split(X, y, groups)
    for fold, (train, test) in enumerate(folds):
        if only_folds is not None and fold not in only_folds:
            continue
        X_train, y_train, X_test, y_test = X[train], y[train], X[test], y[test]
        g_train = groups[train]
        # each kept row stands for `every` minutes of its night (per-recording diagnosis)
        diagnosis = dict(recording=nights[test], minutes_per_row=config["every"])
        # Seed s of a family is fold + 100 s, so one seed reproduces the single-seed runs.
        seeded = [student_families(input_shape, families=families,
                                   max_epochs=config["student_epochs"],
                                   precise_batchnorm=precise_bn, random_state=fold + 100 * s)
                  for s in range(student_seeds)]
        students = seeded[0]

        def seeds_of(family):
            """The student of every seed for the seeded families, of the first otherwise."""
            if seeded_families is None or family in seeded_families:
                return [one[family] for one in seeded]
            return [students[family]]
        start = time.perf_counter()
        base = StimulusSynthesizer(make_teacher(max_epochs=config["teacher_epochs"],
                                                precise_batchnorm=not teacher_as_trained),
                                   input_shape=input_shape, random_state=fold,
                                   memory=None if cache is None else str(cache / "teachers"))
        base.fit(X_train, y_train)
        teacher_seconds = time.perf_counter() - start
        teacher_scores = utility_scores(y_test, base.teacher_.predict(X_test), **diagnosis)
        common = dict(fold=fold, mode=mode, representation=representation,
                      n_train=len(train), n_test=len(test), machine=machine_description(),
                      networks="precise BatchNorm" if precise_bn else "as trained",
                      teacher_batchnorm="as trained" if teacher_as_trained else "precise")
        write(dict(common, source="teacher", family="teacher", seconds=teacher_seconds,
                   **teacher_scores))
        print(f"fold {fold}: teacher {teacher_scores['accuracy']:.3f} ({teacher_seconds:.0f} s)",
              flush=True)

        for name in students:
            if (fold, "real", name) in finished():
                continue
            t = time.perf_counter()
            X_fit, y_fit = _subsample_for(name, subsample, fold, X_train, y_train)
            runs = [score_real(student, X_fit, y_fit, X_test, y_test, **diagnosis)
                    for student in seeds_of(name)]
            scores = _over_seeds(runs)
            write(dict(common, source="real", family=name, seconds=time.perf_counter() - t,
                       student_seeds=len(runs), n_fit=len(X_fit), **scores))
            print(f"  real {name}: {scores['accuracy']:.3f}", flush=True)

        sets = {}
        for key in variants:
            name, params = VARIANTS[key][0], dict(VARIANTS[key][1])
            soft_labels = params.pop("soft_labels", "auto")
            # variants that differ in the students' labels alone share their stimuli
            stimuli_key = next(k for k in VARIANTS if _synthesis_params(k) == params)
            sets[name] = (lambda params=params, soft_labels=soft_labels, key=stimuli_key: (
                *_cached(cache, f"{mode}_{representation}_fold{fold}_{key}",
                         common["teacher_batchnorm"], lambda: _stimuli(
                             base, params, config, input_shape, fold, X_train, y_train,
                             g_train)),
                soft_labels))
        for name in references:
            make = REFERENCE_SETS[name]
            sets[name] = (lambda make=make: (*make(X_train, y_train, random_state=fold), "auto"))

        for source, make in sets.items():
            done = finished()
            if all((fold, source, f) in done for f in students):
                continue
            t = time.perf_counter()
            X_syn, proba, classes, soft_labels = make()
            make_seconds = time.perf_counter() - t
            for family in students:
                if (fold, source, family) in finished():
                    continue
                t = time.perf_counter()
                X_fit, proba_fit = _subsample_for(family, subsample, fold, X_syn, proba)
                runs = [score_synthetic(student, X_fit, proba_fit, classes, X_test, y_test,
                                        soft_labels, **diagnosis)
                        for student in seeds_of(family)]
                scores = _over_seeds(runs)
                write(dict(common, source=source, family=family, make_seconds=make_seconds,
                           seconds=time.perf_counter() - t, student_seeds=len(runs),
                           n_fit=len(X_fit), **scores))
                print(f"  {source} / {family}: {scores['accuracy']:.3f}", flush=True)


def _subsample_for(family, subsample, fold, X, y):
    """A stratified subsample of ``(X, y)`` (labels or soft labels) for the subsampled
    families, the whole set for the others."""
    if subsample is None or family not in subsample[1] or len(X) <= subsample[0]:
        return X, y
    strata = y if np.ndim(y) == 1 else np.argmax(y, axis=1)
    return resample(X, y, n_samples=subsample[0], replace=False, stratify=strata,
                    random_state=fold)


def _synthesis_params(key):
    """The synthesizer parameters of a variant, without how the students take the labels."""
    return {k: v for k, v in VARIANTS[key][1].items() if k != "soft_labels"}


def _cached(cache, name, teacher, make):
    """``make()`` (stimuli, soft labels, classes), from ``cache`` if there.

    ``teacher`` names the teacher's BatchNorm statistics (``"precise"`` or ``"as
    trained"``); the file records it, and stimuli of the other teacher are refused.
    """
    if cache is None:
        return make()
    path = cache / f"{name}.npz"
    if path.exists():
        with np.load(path, allow_pickle=False) as f:
            cached_teacher = str(f["teacher"]) if "teacher" in f.files else None
            if cached_teacher != teacher:
                raise ValueError(
                    f"{path} holds stimuli of the teacher with BatchNorm statistics "
                    f"{cached_teacher or 'not recorded (made before 2026-12-08)'}, this run's "
                    f"teacher is {teacher!r}: give the run a --cache of its own (or delete "
                    f"the file).")
            return f["X"], f["proba"], f["classes"]
    X, proba, classes = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".partial.npz")
    np.savez(tmp, X=X, proba=proba, classes=classes, teacher=np.array(teacher))
    tmp.replace(path)
    return X, proba, classes


def _over_seeds(runs):
    """Mean of each metric over the student seeds, with the per-seed values beside it."""
    scores = {metric: float(np.mean([r[metric] for r in runs])) for metric in runs[0]}
    if len(runs) > 1:
        scores.update({f"{metric}_per_seed": [r[metric] for r in runs] for metric in runs[0]})
    return scores


def _stimuli(base, params, config, input_shape, fold, X_train, y_train, g_train):
    if "n_iter" not in params:
        params["n_iter"] = config["n_iter"] * params.pop("n_iter_factor", 1)
    params.setdefault("mix", 0.0)  # the variants that name none were measured without it
    synthesizer = StimulusSynthesizer(FrozenEstimator(base.teacher_), input_shape=input_shape,
                                      random_state=fold, **params).fit(X_train, y_train,
                                                                       groups=g_train)
    X_s, _, proba = synthesizer.sample(synthesizer.n_stimuli_, return_proba=True)
    return X_s, proba, synthesizer.classes_


def summarize(path, docs_path, docs_key=None):
    """Mean and sd over folds of every (source, family), as markdown tables."""
    records = [json.loads(line) for line in path.open()]
    mode = records[0]["mode"]
    families = list(dict.fromkeys(r["family"] for r in records if r["source"] == "real"))
    sources = list(dict.fromkeys(r["source"] for r in records if r["source"] not in ("teacher",)))
    teacher = [r["accuracy"] for r in records if r["source"] == "teacher"]

    def values(source, family, metric):
        return {r["fold"]: r[metric] for r in records
                if r["source"] == source and r["family"] == family and metric in r}

    def cell(source, family, metric):
        by_fold = values(source, family, metric)
        return np.mean(list(by_fold.values())), np.std(list(by_fold.values())), len(by_fold)

    def gap(source, family, metric):
        """Mean over this source's folds of (source - real) in the same fold."""
        own, real = values(source, family, metric), values("real", family, metric)
        return np.mean([own[f] - real[f] for f in own if f in real])

    lines = [f"Mode `{mode}`; teacher accuracy on held-out subjects: "
             f"{np.mean(teacher):.3f} ± {np.std(teacher):.3f} over {len(teacher)} folds.", ""]
    metrics = [("accuracy", "Accuracy"), ("kappa", "Cohen's kappa"), ("macro_f1", "Macro F1"),
               ("index_mae", "Apnea-index error per night (mean absolute error of apnea "
                "minutes per hour over the test nights; lower is better)"),
               ("diagnosis_accuracy", "Per-night diagnosis (share of test nights given "
                "their class: apnea, borderline, normal)")]
    for metric, label in [(m, label) for m, label in metrics
                          if any(m in r for r in records)]:
        lines += [f"#### {label} (mean ± sd over folds; in brackets the gap to the same family trained on real data, averaged over the same folds)", "",
                  "| trained on | " + " | ".join(families) + " |",
                  "|---|" + "---|" * len(families)]
        for source in sources:
            cells = []
            for family in families:
                mean, sd, n = cell(source, family, metric)
                if n == 0:
                    cells.append("")
                    continue
                text = f"{mean:.3f} ± {sd:.3f}"
                if source != "real":
                    text += f" ({gap(source, family, metric):+.3f})"
                cells.append(text)
            n_folds = len({r["fold"] for r in records if r["source"] == source})
            lines.append(f"| {source} ({n_folds} folds) | " + " | ".join(cells) + " |")
        lines.append("")
    table = "\n".join(lines)
    if docs_path is not None:
        _write_docs_section(docs_path, mode, table, records, docs_key)
    return table


def _write_docs_section(docs_path, mode, table, records, docs_key=None):
    machine = records[0].get("machine", {})
    seeds = {}
    for r in records:
        if r["source"] == "real":
            seeds[r["family"]] = r.get("student_seeds", 1)
    representation = records[0].get("representation", DEFAULT_REPRESENTATION)
    title, key = f"`{mode}` mode", f"utility:{mode}"
    if representation != DEFAULT_REPRESENTATION:
        title += f", windows of {representation}"
        key += f"-{representation}"
    subsampled = sorted({(r["family"], r["n_fit"]) for r in records
                         if r.get("n_fit") is not None and r["n_fit"] < r["n_train"]
                         and r["source"] == "real"})
    if subsampled:
        title += ", " + ", ".join(f"{f} on {n} rows of each training set" for f, n in subsampled)
    if max(seeds.values(), default=1) > 1:
        top = max(seeds.values())
        title += (f", each of {', '.join(f for f, n in seeds.items() if n == top)} "
                  f"the mean of {top} seeds")
        key += f"-seeds{top}"
    header = (f"### Apnea-ECG, {title}\n\n"
              f"GroupKFold by subject; {records[0]['n_train'] + records[0]['n_test']} windows. "
              f"Machine and versions: {json.dumps(machine)}.\n\n")
    write_docs_section(docs_path, docs_key or key, header + table)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=sorted(MODES), default="quick")
    parser.add_argument("--data-home", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--output", type=Path, default=None,
                        help="JSON-lines results (default benchmarks/results/utility_MODE.jsonl)")
    parser.add_argument("--variants", default=",".join(VARIANTS),
                        help=f"comma-separated variant keys (default: all of {', '.join(VARIANTS)})")
    parser.add_argument("--families", default=None, help="comma-separated student families")
    parser.add_argument("--student-seeds", type=int, default=1,
                        help="fit each student with this many seeds and score their mean "
                             "(the networks' scores move by several points with the seed alone)")
    parser.add_argument("--seeded-families", default=None,
                        help="comma-separated families that get --student-seeds (default: all); "
                             "the others are fitted with the first seed only")
    parser.add_argument("--no-references", action="store_true",
                        help="skip the reference synthetic sets (SMOTE, class-Gaussian, VAE)")
    parser.add_argument("--representation", choices=sorted(REPRESENTATIONS),
                        default=DEFAULT_REPRESENTATION,
                        help="window of fetch_apnea_ecg: 5 minutes at 1 Hz (the package "
                             "default) or 4 minutes at 2 Hz")
    parser.add_argument("--subsample", type=int, default=None, metavar="N",
                        help="train the --subsample-families on a stratified random N rows of "
                             "every training set, real and synthetic alike")
    parser.add_argument("--subsample-families", default="rbf svm",
                        help="comma-separated families --subsample applies to (default: "
                             "rbf svm, whose fit grows with the square of the rows)")
    parser.add_argument("--cache", type=Path, default=None, metavar="DIR",
                        help="keep each fold's teacher and stimuli here, so that a stopped run "
                             "resumes without refitting them (e.g. benchmarks/.cache; clear it "
                             "when the synthesis code changes)")
    parser.add_argument("--folds", default=None, metavar="I,J",
                        help="run these folds only (0-based, comma-separated), e.g. one "
                             "process per core each with its own folds and the same --output")
    parser.add_argument("--summarize", type=Path, default=None,
                        help="only summarize this results file into the docs")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs" / "benchmarks" / "utility.md")
    parser.add_argument("--docs-key", default=None,
                        help="name of the docs block to write (default: from the mode, the "
                             "representation and the seeds; a run with its own --output writes "
                             "a block only when this names it)")
    networks = parser.add_mutually_exclusive_group()
    networks.add_argument("--precise-bn", action="store_true",
                          help="end every network student's fit with the BatchNorm statistics "
                               "of its whole training set (skstim.nets.PreciseBatchNorm), on "
                               "real windows and stimuli alike: the default")
    networks.add_argument("--as-trained", action="store_true",
                          help="leave the network students as trained, without "
                               "PreciseBatchNorm, as the tables recorded before 2026-12-07 "
                               "were made")
    parser.add_argument("--teacher-as-trained", action="store_true",
                        help="leave the teacher's BatchNorm statistics as trained "
                             "(make_teacher(precise_batchnorm=False)), as in the records made "
                             "before 2026-12-07; give it a --cache of its own (a cache's "
                             "stimuli of the other teacher are refused)")
    args = parser.parse_args(argv)
    if args.summarize is not None:
        print(summarize(args.summarize, args.docs, args.docs_key))
        return 0
    seeds = "" if args.student_seeds == 1 else f"_seeds{args.student_seeds}"
    representation = ("" if args.representation == DEFAULT_REPRESENTATION
                      else f"_{args.representation}")
    output = args.output or ROOT / "benchmarks" / "results" / (
        f"utility_{args.mode}{representation}{seeds}.jsonl")
    variants = [v for v in args.variants.split(",") if v]
    unknown = set(variants) - set(VARIANTS)
    if unknown:
        parser.error(f"unknown variants {sorted(unknown)}; known: {sorted(VARIANTS)}")
    families = None if args.families is None else args.families.split(",")
    references = () if args.no_references else tuple(REFERENCE_SETS)
    if args.student_seeds < 1:
        parser.error(f"--student-seeds must be at least 1, got {args.student_seeds}")
    seeded_families = None if args.seeded_families is None else args.seeded_families.split(",")
    if args.subsample is not None and args.subsample < 2:
        parser.error(f"--subsample must be at least 2 rows, got {args.subsample}")
    subsample = (None if args.subsample is None else
                 (args.subsample, set(args.subsample_families.split(","))))
    try:
        only_folds = None if args.folds is None else {int(f) for f in args.folds.split(",")}
    except ValueError:
        only_folds = {-1}
    if only_folds is not None and not only_folds <= set(range(MODES[args.mode]["n_splits"])):
        parser.error(f"--folds must lie in 0..{MODES[args.mode]['n_splits'] - 1} for "
                     f"--mode {args.mode}, got {args.folds}")
    run(args.mode, args.data_home, output, variants, families, references, args.student_seeds,
        seeded_families, args.representation, subsample, args.cache, only_folds,
        not args.as_trained, args.teacher_as_trained)
    # a run into its own --output writes no docs block unless named: the default block of
    # the mode may belong to another results file
    named = args.output is None or args.docs_key is not None
    print(summarize(output, args.docs if named else None, args.docs_key))
    return 0


if __name__ == "__main__":
    sys.exit(main())
