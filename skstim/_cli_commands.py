"""``skstim synthesize`` and ``skstim evaluate``: the data holder's and the recipient's commands.

Both return an exit code; input the user has to fix raises
:class:`~skstim._cli_io.InputError` (exit code 2), a failure while fitting, synthesizing
or saving raises :class:`CommandFailed` (exit code 1). ``skstim.cli.main`` turns both into
a message on stderr.
"""

import os
import sys
import warnings

import numpy as np
from sklearn.model_selection import GroupKFold
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler
from skorch import NeuralNet
from tqdm.auto import tqdm

from ._cli_io import InputError, read_table, resolve_input_shape

__all__ = ["CommandFailed", "run_synthesize", "run_evaluate", "privacy_checks",
           "DEFAULT_FAMILIES"]

DEFAULT_FAMILIES = ("teacher architecture", "random forest", "logistic regression")


class CommandFailed(RuntimeError):
    """A failure while fitting, synthesizing or saving; exit code 1."""


# ------------------------------------------------------------------------ privacy
def _distance_check(X_stimuli, X_real):
    """Nearest-real-row distance of the stimuli against the real rows' own spacing."""
    scaler = StandardScaler().fit(X_real)  # a constant feature is divided by 1
    nn = NearestNeighbors(n_neighbors=1).fit(scaler.transform(X_real))
    real = nn.kneighbors()[0][:, 0]  # each real row to its nearest *other* real row
    stimuli = nn.kneighbors(scaler.transform(X_stimuli))[0][:, 0]
    median_real = float(np.median(real))
    median_stimuli = float(np.median(stimuli))
    return {
        "median_stimulus_to_nearest_real_row": median_stimuli,
        "median_real_row_to_nearest_other_real_row": median_real,
        "ratio": median_stimuli / median_real if median_real > 0 else None,
        "share_of_stimuli_nearer_than_median_real_spacing": float(np.mean(stimuli < median_real)),
        "min_stimulus_to_nearest_real_row": float(stimuli.min()),
        "units": "Euclidean distance after standardizing each feature with the real rows",
    }


def _reidentification_check(X_stimuli, X_real, groups, input_shape, random_state):
    """A summary-feature subject attacker trained on half of each subject's real rows."""
    from .evaluation import make_subject_attacker

    subjects, index, counts = np.unique(groups, return_inverse=True, return_counts=True)
    if len(subjects) < 2:
        return {"skipped": f"needs at least two subjects, the data has {len(subjects)}"}
    if input_shape[1] < 8:
        return {"skipped": f"the summary-feature attacker needs at least 8 time steps per "
                           f"channel, input shape is {tuple(input_shape)} (pass --input-shape)"}
    rng = np.random.default_rng(random_state)
    attacker_rows = np.zeros(len(groups), dtype=bool)
    for s in range(len(subjects)):
        rows = rng.permutation(np.flatnonzero(index == s))
        attacker_rows[rows[: max(1, (len(rows) + 1) // 2)]] = True
    held_back = ~attacker_rows
    attacker = make_subject_attacker(input_shape, random_state=random_state)
    attacker.fit(X_real[attacker_rows], groups[attacker_rows])
    classes = np.asarray(attacker.classes_)

    result = {
        "attacker": "random forest on per-channel summary features "
                    "(skstim.evaluation.make_subject_attacker), trained on a random half of "
                    "each subject's real rows",
        "n_subjects": int(len(subjects)),
        "chance": 1.0 / len(subjects),
        "largest_subject_share_of_real_rows": float(counts.max() / counts.sum()),
    }
    if held_back.any():
        proba = attacker.predict_proba(X_real[held_back])
        result["real_held_back_top1_accuracy"] = float(
            np.mean(classes[proba.argmax(axis=1)] == groups[held_back]))
        result["real_held_back_mean_top_posterior"] = float(proba.max(axis=1).mean())
        result["n_real_held_back"] = int(held_back.sum())
    proba = attacker.predict_proba(X_stimuli)
    linked = np.bincount(proba.argmax(axis=1), minlength=len(classes))
    result.update(
        stimuli_mean_top_posterior=float(proba.max(axis=1).mean()),
        stimuli_share_linked_to_most_common_subject=float(linked.max() / linked.sum()),
        stimuli_subjects_linked_at_least_once=int(np.count_nonzero(linked)),
    )
    return result


def privacy_checks(X_stimuli, X_real, groups, input_shape, random_state=0):
    """The distance and re-identification checks of the stimuli against real rows (JSON-ready).

    Parameters
    ----------
    X_stimuli : ndarray of shape (n_stimuli, n_features)
        Stimuli.
    X_real : ndarray of shape (n_real, n_features)
        Real rows (the private training rows in ``synthesize``, the real file in
        ``evaluate``).
    groups : ndarray of shape (n_real,) or None
        Subject of each real row; ``None`` skips re-identification.
    input_shape : tuple of int
        ``(C, T)`` of one row.
    random_state : int or None, default=0
        Seed of the attacker and of its half of the rows.

    Returns
    -------
    summary : dict
        ``"distance_to_closest_record"`` and ``"reidentification"`` (``{"skipped":
        reason}`` where it cannot run).
    """
    summary = {"n_stimuli_checked": int(len(X_stimuli)), "n_real_rows": int(len(X_real)),
               "distance_to_closest_record": _distance_check(X_stimuli, X_real)}
    if groups is None:
        summary["reidentification"] = {"skipped": "no subject ids (pass --group-column)"}
    else:
        summary["reidentification"] = _reidentification_check(X_stimuli, X_real, groups,
                                                               input_shape, random_state)
    return summary


def _format_privacy(summary, indent="  "):
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


# ------------------------------------------------------------------------- report
def _check_report(args, *others):
    """The --report directory, checked before any work (None without --report)."""
    path = getattr(args, "report", None)
    if path is None:
        return None
    path = os.fspath(path)
    if not path:
        raise InputError("--report needs a directory name.")
    if os.path.lexists(path) and not os.path.isdir(path):
        raise InputError(f"--report {path!r} exists and is not a directory: name a directory "
                         "(it is created if missing).")
    absolute = os.path.abspath(path)
    for other in others:
        if other is not None and absolute == os.path.abspath(other):
            raise InputError(f"--report {path!r} names a data file of this command: choose "
                             "another directory.")
    ancestor = os.path.dirname(absolute)
    while not os.path.lexists(ancestor):
        ancestor = os.path.dirname(ancestor)
    if not os.path.isdir(ancestor):
        raise InputError(f"--report {path!r} cannot be created: {ancestor!r} is not a "
                         "directory.")
    writable = path if os.path.isdir(path) else ancestor
    if not os.access(writable, os.W_OK | os.X_OK):
        raise InputError(f"--report {path!r}: no permission to write in {writable!r}.")
    return path


def _write_report(args, what, write):
    """Run ``write()`` (which writes the report); a failure is exit code 1, naming ``what``."""
    try:
        path = write()
    except Exception as exc:  # noqa: BLE001 - any failure of the report is reported, exit 1
        raise CommandFailed(f"{what}, but the report could not be written to "
                            f"{args.report!r}: {type(exc).__name__}: {exc}") from exc
    print(f"\nReport: {path}")


# --------------------------------------------------------------------- synthesize
def _check_output(path):
    path = os.fspath(path)
    if not path.endswith(".npz"):
        raise InputError(f"--output must end in '.npz' (a stimuli file), got {path!r}.")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise InputError(f"the directory of --output {path!r} does not exist ({directory!r}): "
                         "create it first.")
    return path


def _check_labels(y, groups, inhibit):
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) < 2:
        raise InputError(f"the labels hold one class only ({classes[0]!r}): the teacher needs "
                         "rows of at least two classes. Check --label-column.")
    if inhibit:
        if groups is None:
            raise InputError(
                "--inhibit-identity needs the subject of every row: pass --group-column NAME "
                "(a csv column, or an npz array, holding subject ids; a column or array named "
                "'groups' is used by default)."
            )
        if len(np.unique(groups)) < 2:
            raise InputError("--inhibit-identity needs rows of at least two subjects; the group "
                             f"column names one ({np.unique(groups)[0]!r}).")
    return classes, counts


def run_synthesize(args):
    """``skstim synthesize``: fit a teacher, synthesize stimuli, check and save them."""
    from ._inhibitor import IdentityInhibitor
    from ._synthesizer import StimulusSynthesizer
    from .release import save_stimuli, stimuli_metadata
    from .nets import make_teacher

    output = _check_output(args.output)
    if os.path.abspath(output) == os.path.abspath(args.input):
        raise InputError("--output names the input file: choose another path.")
    report_dir = _check_report(args, args.input, output)
    table = read_table(args.input, label_column=args.label_column,
                       group_column=args.group_column, input_shape=args.input_shape)
    X, y, groups = table.X, table.y, table.groups
    if len(X) < 2:
        raise InputError(f"{args.input!r} has {len(X)} row: the teacher needs more.")
    _check_labels(y, groups, args.inhibit_identity)
    if args.inhibition_weight is not None and not args.inhibit_identity:
        raise InputError("--inhibition-weight applies only with --inhibit-identity.")

    def teacher():
        return make_teacher(table.input_shape, arch=args.teacher_arch,
                            max_epochs=args.teacher_epochs, device=args.device,
                            random_state=args.random_state)

    common = dict(input_shape=table.input_shape, n_stimuli=args.n_stimuli, n_iter=args.n_iter,
                  device=args.device, random_state=args.random_state,
                  verbose=0 if args.no_progress else 1)
    if args.inhibit_identity:
        weight = 1.0 if args.inhibition_weight is None else args.inhibition_weight
        synthesizer = IdentityInhibitor(teacher(), identity_model=teacher(),
                                        inhibition_weight=weight, **common)
        fit_args = {"groups": groups}
    else:
        synthesizer = StimulusSynthesizer(teacher(), **common)
        fit_args = {}

    _progress(args, f"skstim synthesize: fitting the teacher on {len(X)} rows "
                    f"({len(np.unique(y))} classes"
                    + (f", {len(np.unique(groups))} subjects" if groups is not None else "")
                    + f"), input shape {table.input_shape}")
    try:
        X_s, y_s = synthesizer.fit_resample(X, y, **fit_args)
        proba = synthesizer.y_proba_
        classes = synthesizer.classes_
        teacher_labels = classes[synthesizer.teacher_.predict_proba(
            X.astype(np.float32)).argmax(axis=1)]
        _, counts = np.unique(y, return_counts=True)
        privacy = {
            "measured_on": "the input rows the teacher was fitted on (no held-out subjects: "
                           "run 'skstim evaluate' on held-out subjects for utility)",
            "teacher_accuracy_on_its_training_rows": float(np.mean(teacher_labels == y)),
            "majority_class_share": float(counts.max() / counts.sum()),
            "identity_inhibition": bool(args.inhibit_identity),
        }
        privacy.update(privacy_checks(X_s, X, groups, table.input_shape, args.random_state))
        metadata = {**stimuli_metadata(synthesizer), "privacy": privacy}
    except Exception as exc:  # noqa: BLE001 - any failure of the fit is reported, exit 1
        raise CommandFailed(f"synthesis failed: {type(exc).__name__}: {exc}") from exc

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # drops are reported below
            report = save_stimuli(output, X_s, y_s, proba, metadata=metadata, X_train=X,
                                  on_copy=args.on_copy)
    except ValueError as exc:
        message = str(exc)
        if "copies of rows of X_train" in message and "on_copy='drop'" in message:
            message += (" On the command line: rerun with --on-copy drop to save the stimuli "
                        "that are not copies.")
        raise CommandFailed(f"the stimuli were not saved: {message}") from exc
    except OSError as exc:
        raise CommandFailed(f"cannot write {output!r}: {exc}") from exc

    keep = np.ones(len(X_s), dtype=bool)
    keep[report["dropped_indices"]] = False
    summary = _format_synthesis(output, y_s[keep], classes, len(X_s), report, privacy,
                                teacher_labels, y)
    print(summary)
    if report_dir is not None:
        from ._report import synthesis_report
        from .release import load_stimuli

        _write_report(args, f"the stimuli were written to {output!r}", lambda: synthesis_report(
            report_dir, input_path=args.input, output_path=output, table=table,
            stimuli=load_stimuli(output), privacy=privacy, n_synthesized=len(X_s),
            options=vars(args), stdout=summary, random_state=args.random_state))
    return 0


def _progress(args, message):
    if not args.no_progress:
        tqdm.write(message, file=sys.stderr)


def _format_synthesis(output, y_saved, classes, n_made, report, privacy, teacher_labels, y):
    per_class = ", ".join(f"{c}: {int(np.sum(y_saved == c))}" for c in classes.tolist())
    dropped = report["n_dropped"]
    lines = [
        f"Wrote {output}: {report['n_saved']} stimuli (of {n_made} synthesized); per class: "
        f"{per_class}.",
        f"Export guard: a stimulus nearer to a real row than {report['threshold']:.4g} (the "
        f"smallest distance between two distinct real rows, standardized units) is a copy; "
        f"{dropped} dropped" + (f" (indices {report['dropped_indices'][:10]})" if dropped else "")
        + ".",
        "",
        "Checks on the input rows (the teacher's own training rows: no held-out subjects here, "
        "so no generalization figure):",
        "  teacher accuracy on its training rows "
        f"{privacy['teacher_accuracy_on_its_training_rows']:.3f} (always answering the "
        f"majority class: {privacy['majority_class_share']:.3f})",
    ]
    lines += _format_privacy(privacy)
    lines += [
        "",
        "These checks are stored in the file's metadata under 'privacy'. For utility on "
        "held-out subjects: skstim evaluate --stimuli " + output + " --real HELD_OUT_FILE",
    ]
    return "\n".join(lines)


# ----------------------------------------------------------------------- evaluate
def _match_labels(y_real, classes):
    """Real labels as the stimuli's class type; InputError if none match."""
    known = set(classes.tolist())
    if np.isin(y_real, classes).any():
        y = y_real
    else:
        by_text = {str(c): c for c in classes.tolist()}
        y = np.array([by_text.get(str(v), v) for v in y_real.tolist()], dtype=object)
        if not any(v in known for v in y.tolist()):
            raise InputError(
                f"none of the labels of the real file ({sorted(map(str, np.unique(y_real)))[:10]}) "
                f"is a class of the stimuli ({classes.tolist()}): check --label-column."
            )
        y = np.array(y.tolist())
    unknown = sorted(map(str, set(np.unique(y).tolist()) - known))
    return y, unknown


def _teacher_arch(metadata):
    from .nets import ARCHITECTURES

    module = (metadata.get("teacher") or {}).get("module")
    for name, cls in ARCHITECTURES.items():
        if cls.__name__ == module:
            return name
    return "cnn"


def _sized(student, n_classes):
    if isinstance(student, NeuralNet) and "module__n_classes" in student.get_params():
        student.set_params(module__n_classes=n_classes)
    return student


def _real_baseline(student, X, y, groups, n_splits):
    """Out-of-fold predictions of ``student`` trained on real rows of other subjects."""
    from sklearn.base import clone

    predicted = np.empty(len(y), dtype=object)
    for train, test in GroupKFold(n_splits=n_splits).split(X, y, groups):
        fitted = _sized(clone(student), len(np.unique(y[train]))).fit(X[train], y[train])
        predicted[test] = np.asarray(fitted.predict(X[test])).tolist()
    return np.array(predicted.tolist())


def run_evaluate(args):
    """``skstim evaluate``: utility and privacy of a stimuli file against real data."""
    from .release import load_stimuli
    from .evaluation import score_synthetic, student_families, utility_scores

    report_dir = _check_report(args, args.stimuli, args.real)
    try:
        stimuli = load_stimuli(args.stimuli)
    except (FileNotFoundError, ValueError, TypeError) as exc:
        raise InputError(f"--stimuli: {exc}") from None
    n_features = stimuli.X.shape[1]
    table = read_table(args.real, label_column=args.label_column,
                       group_column=args.group_column, input_shape=args.input_shape)
    if table.X.shape[1] != n_features:
        raise InputError(f"the real file has {table.X.shape[1]} feature columns but the stimuli "
                         f"have {n_features}: both must be rows of the same shape.")
    if args.input_shape is not None:
        input_shape = tuple(args.input_shape)
    elif stimuli.input_shape is not None:
        input_shape = resolve_input_shape(stimuli.input_shape, n_features,
                                          source="the stimuli file's input_shape")
    else:
        input_shape = table.input_shape
    classes = np.asarray(stimuli.classes)
    y_real, unknown = _match_labels(table.y, classes)
    X_s = stimuli.X
    if stimuli.proba is not None:
        proba = stimuli.proba
    else:
        index = {c: i for i, c in enumerate(classes.tolist())}
        proba = np.eye(len(classes), dtype=np.float32)[[index[v] for v in stimuli.y.tolist()]]
    try:
        students = student_families(input_shape, teacher_arch=_teacher_arch(stimuli.metadata),
                                    families=args.families, max_epochs=args.student_epochs,
                                    device=args.device, random_state=args.random_state)
    except ValueError as exc:
        raise InputError(f"--families: {exc}") from None
    groups = table.groups
    n_subjects = 0 if groups is None else len(np.unique(groups))
    n_splits = min(5, n_subjects) if n_subjects >= 2 else 0

    rows = []
    try:
        with tqdm(total=len(students) * (1 + bool(n_splits)) + 1, desc="skstim evaluate",
                  disable=args.no_progress) as bar:
            for name, student in students.items():
                student = _sized(student, len(classes))
                row = {"family": name,
                       "stimuli": score_synthetic(student, X_s, proba, classes, table.X, y_real)}
                bar.update()
                if n_splits:
                    try:
                        predicted = _real_baseline(student, table.X, y_real, groups, n_splits)
                        row["real"] = utility_scores(y_real, predicted)
                    except Exception as exc:  # noqa: BLE001 - a fold may lack a class
                        row["real"] = None
                        row["real_error"] = f"{type(exc).__name__}: {exc}"
                    bar.update()
                rows.append(row)
            bar.set_postfix_str("privacy")
            privacy = privacy_checks(X_s, table.X, groups, input_shape, args.random_state)
            bar.update()
    except Exception as exc:  # noqa: BLE001 - reported, exit 1
        raise CommandFailed(f"evaluation failed: {type(exc).__name__}: {exc}") from exc

    summary = _format_evaluation(args, stimuli, table, input_shape, classes, unknown, rows,
                                 n_subjects, n_splits, privacy)
    print(summary)
    if report_dir is not None:
        from ._report import evaluation_report

        _write_report(args, "the evaluation ran", lambda: evaluation_report(
            report_dir, stimuli_path=args.stimuli, real_path=args.real, stimuli=stimuli,
            table=table, y_real=y_real, input_shape=input_shape, rows=rows, n_splits=n_splits,
            privacy=privacy, unknown=unknown, options=vars(args), stdout=summary,
            random_state=args.random_state))
    return 0


def _cell(scores, key):
    return f"{'n/a':>8}" if scores is None else f"{scores[key]:>8.3f}"


def _format_evaluation(args, stimuli, table, input_shape, classes, unknown, rows, n_subjects,
                       n_splits, privacy):
    lines = [
        f"Stimuli: {args.stimuli}: {len(stimuli.X)} stimuli, classes {classes.tolist()}, "
        f"input shape {tuple(input_shape)}.",
        f"Real data: {args.real}: {len(table.X)} rows"
        + (f", {n_subjects} subjects" if table.groups is not None else ", no subject ids")
        + ".",
    ]
    if unknown:
        lines.append(f"Note: the real file holds labels the stimuli lack ({unknown}); no "
                     "student trained on the stimuli can predict them.")
    lines += [
        "",
        "Utility: accuracy, Cohen's kappa and macro F1 on the real rows.",
        "  stim: the student trained on the stimuli only, scored on every row of the real file.",
    ]
    if n_splits:
        lines.append(f"  real: the same family trained on real rows of other subjects "
                     f"({n_splits}-fold GroupKFold inside the real file, out-of-fold "
                     "predictions), scored on the same rows: a reference, trained on fewer "
                     "people than the file holds.")
    else:
        lines.append("  real: no reference (the real file has no subject ids: a row-level "
                     "split would put one person's windows on both sides; pass --group-column).")
    lines.append(f"{'student':<22}{'acc stim':>9}{'acc real':>9}{'kappa stim':>11}"
                 f"{'kappa real':>11}{'F1 stim':>9}{'F1 real':>9}")
    for row in rows:
        real = row.get("real")
        lines.append(f"{row['family']:<22}{_cell(row['stimuli'], 'accuracy'):>9}"
                     f"{_cell(real, 'accuracy'):>9}{_cell(row['stimuli'], 'kappa'):>11}"
                     f"{_cell(real, 'kappa'):>11}{_cell(row['stimuli'], 'macro_f1'):>9}"
                     f"{_cell(real, 'macro_f1'):>9}")
        if row.get("real_error"):
            lines.append(f"  ({row['family']}: no real reference: {row['real_error'][:120]})")
    lines += [
        "",
        "Privacy: the stimuli against the rows of the real file. If the real file holds other "
        "people than the",
        "private data the stimuli were made from, these figures say how much stimuli resemble "
        "real people of this",
        "population, not whether they give away the private people.",
    ]
    lines += _format_privacy(privacy)
    return "\n".join(lines)
