"""``skstim evaluate``: the recipient's command.

Students trained on the stimuli of a stimuli file are scored on real labelled rows, beside
the same families trained on real rows of other subjects (GroupKFold inside the real file);
then the stimuli are compared with the real rows by the privacy checks.
"""

import numpy as np
from sklearn.model_selection import GroupKFold
from skorch import NeuralNet
from tqdm.auto import tqdm

from ..utils import fit_on_stimuli, people_bootstrap, predict_labels, proportion_interval
from ._device import check_device
from ._errors import CommandFailed, InputError
from ._outputs import check_report, report_options, write_report
from ._privacy_text import format_privacy, with_interval
from ._tables import read_table, resolve_input_shape

__all__ = ["run_evaluate", "score_text", "utility_intervals", "utility_intervals_text"]

# the utility figures, by score key, as the summary's blocks name them
METRICS = {"accuracy": "Accuracy", "kappa": "Cohen's kappa", "macro_f1": "Macro F1"}
N_RESAMPLES = 1000  # of the bootstrap of the utility intervals


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
    """The architecture of the teacher a stimuli file records; ``"cnn"`` if none is known."""
    from ..nets import ARCHITECTURES, architecture_name

    name = architecture_name((metadata.get("teacher") or {}).get("module"))
    return name if name in ARCHITECTURES else "cnn"


def _sized(student, n_classes):
    """``student`` with ``n_classes`` outputs where it is a network that takes the number."""
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


def _resamples_people(groups):
    """Whether the utility intervals resample people: the real file names two or more."""
    return groups is not None and len(np.unique(groups)) >= 2


def utility_intervals(y_true, predictions, groups, random_state):
    """95 % intervals of the accuracy, kappa and macro F1 of predictions of the real rows.

    Where ``groups`` names at least two people, the people are resampled (a cluster
    bootstrap, :func:`skstim.utils.people_bootstrap`), the same resamples for every
    prediction (and, given the same ``random_state``, every call). Otherwise the rows
    are: a Wilson interval for accuracy, a bootstrap over rows for kappa and macro F1.

    Parameters
    ----------
    y_true : ndarray of shape (n,)
        True labels of the real rows.
    predictions : dict of str to ndarray of shape (n,)
        Predicted labels, by name.
    groups : ndarray of shape (n,) or None
        Subject of each row.
    random_state : int, Generator or None
        Seed of the bootstrap.

    Returns
    -------
    intervals : dict of str to dict
        Per prediction, ``{metric: [low, high]}`` for ``accuracy``, ``kappa`` and
        ``macro_f1``.

    Examples
    --------
    >>> y = np.array([0, 1] * 10)
    >>> utility_intervals(y, {"stimuli": y}, None, 0)["stimuli"]["kappa"]
    [1.0, 1.0]
    """
    by_people = _resamples_people(groups)
    ci = people_bootstrap(y_true, predictions, groups if by_people else None,
                          metrics=tuple(METRICS), n_resamples=N_RESAMPLES,
                          random_state=random_state)
    intervals = {name: {metric: list(ci[f"{name}_{metric}_ci"]) for metric in METRICS}
                 for name in predictions}
    if not by_people:
        for name, predicted in predictions.items():
            hits = np.sum(np.asarray(predicted) == np.asarray(y_true))
            intervals[name]["accuracy"] = list(proportion_interval(hits, len(y_true)))
    return intervals


def utility_intervals_text(groups):
    """How :func:`utility_intervals` resamples the real rows, in one sentence."""
    if _resamples_people(groups):
        return (f"95% intervals in brackets: the {len(np.unique(groups))} subjects of the real "
                f"file are resampled (a cluster bootstrap over people, {N_RESAMPLES} resamples).")
    why = ("no subject ids were given" if groups is None
           else "the real file names one subject only")
    return (f"95% intervals in brackets: rows are resampled because {why} (Wilson interval "
            "for accuracy, a bootstrap over rows for kappa and macro F1); windows of one "
            "person are not independent, so these intervals are likely too narrow.")


def score_text(scores, intervals, metric):
    """One utility figure and its interval, ``0.912 [0.870, 0.950]``.

    The figure alone where ``intervals`` is None (rows written before the intervals),
    ``n/a`` where ``scores`` is None.

    Examples
    --------
    >>> score_text({"kappa": 0.5}, {"kappa": [0.25, 0.75]}, "kappa")
    '0.500 [0.250, 0.750]'
    >>> score_text({"kappa": 0.5}, None, "kappa"), score_text(None, None, "kappa")
    ('0.500', 'n/a')
    """
    if scores is None:
        return "n/a"
    record = {metric: scores[metric]}
    if intervals is not None and metric in intervals:
        record[f"{metric}_ci"] = intervals[metric]
    return with_interval(record, metric)


def _score_family(name, student, stimuli, table, y_real, n_splits, random_state, bar):
    """One utility row: ``student`` trained on the stimuli and (given ``n_splits``) on real
    rows of other subjects, both scored on the real rows, with their 95 % intervals."""
    from sklearn.base import clone

    from ..evaluation import utility_scores

    X_s, proba, classes = stimuli
    fitted = fit_on_stimuli(clone(student), X_s, proba, classes)
    predictions = {"stimuli": predict_labels(fitted, table.X, classes)}
    row = {"family": name, "stimuli": utility_scores(y_real, predictions["stimuli"])}
    bar.update()
    if n_splits:
        try:
            predictions["real"] = _real_baseline(student, table.X, y_real, table.groups,
                                                 n_splits)
            row["real"] = utility_scores(y_real, predictions["real"])
        except Exception as exc:  # noqa: BLE001 - a fold may lack a class
            predictions.pop("real", None)
            row["real"] = None
            row["real_error"] = f"{type(exc).__name__}: {exc}"
        bar.update()
    intervals = utility_intervals(y_real, predictions, table.groups, random_state)
    row.update({f"{kind}_ci": intervals[kind] for kind in predictions})
    return row


def run_evaluate(args, written=None):
    """``skstim evaluate``: utility and privacy of a stimuli file against real data.

    ``args`` are the parsed options. Each family of ``--families`` is trained on the
    stimuli of ``--stimuli`` and scored on the rows of ``--real``, beside the same family
    trained on real rows of other subjects where the real file has subject ids; every
    score gets a 95 % interval (:func:`utility_intervals`, seeded by ``--random-state``).
    Then the privacy checks compare the stimuli with the real rows. The summary is printed, the
    report written with ``--report``; what is written is added to ``written`` (a list of
    str). Returns 0.

    Raises
    ------
    InputError
        Bad input, found before any student is trained.
    CommandFailed
        A failure while training or scoring, or while writing the report.
    """
    from ..evaluation import quick_privacy_checks, student_families
    from ..release import load_stimuli

    written = [] if written is None else written
    check_device(args.device)
    report_dir = check_report(args, args.stimuli, args.real)
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
                                          source="input_shape",
                                          data=f"the stimuli file {args.stimuli!r}")
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
                rows.append(_score_family(name, _sized(student, len(classes)),
                                          (X_s, proba, classes), table, y_real, n_splits,
                                          args.random_state, bar))
            bar.set_postfix_str("privacy")
            privacy = quick_privacy_checks(X_s, table.X, groups, input_shape, args.random_state)
            bar.update()
    except Exception as exc:  # noqa: BLE001 - reported, exit 1
        raise CommandFailed(f"evaluation failed: {type(exc).__name__}: {exc}") from exc

    summary = _format_evaluation(args, stimuli, table, input_shape, classes, unknown, rows,
                                 n_subjects, n_splits, privacy)
    print(summary)
    if report_dir is not None:
        from .report import evaluation_report

        write_report(args, "the evaluation ran", lambda: evaluation_report(
            report_dir, stimuli_path=args.stimuli, real_path=args.real, stimuli=stimuli,
            table=table, y_real=y_real, input_shape=input_shape, rows=rows, n_splits=n_splits,
            privacy=privacy, unknown=unknown, stdout=summary, **report_options(args)),
            written)
    return 0


def _utility_blocks(rows):
    """One block per utility metric: a line per family, stimuli and real reference."""
    lines = []
    for metric, title in METRICS.items():
        lines += ["", f"{title}:", f"{'student':<22}{'stim':>24}{'real':>24}"]
        lines += [f"{row['family']:<22}"
                  f"{score_text(row['stimuli'], row.get('stimuli_ci'), metric):>24}"
                  f"{score_text(row.get('real'), row.get('real_ci'), metric):>24}"
                  for row in rows]
    lines += [f"  ({row['family']}: no real reference: {row['real_error'][:120]})"
              for row in rows if row.get("real_error")]
    return lines


def _format_evaluation(args, stimuli, table, input_shape, classes, unknown, rows, n_subjects,
                       n_splits, privacy):
    """The summary ``skstim evaluate`` prints: the files, one utility row per family and
    metric with its 95 % interval, privacy."""
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
    lines.append(f"  {utility_intervals_text(table.groups)}")
    lines += _utility_blocks(rows)
    lines += [
        "",
        "Privacy: the stimuli against the rows of the real file. If the real file holds other "
        "people than the",
        "private data the stimuli were made from, these figures say how much stimuli resemble "
        "real people of this",
        "population, not whether they give away the private people.",
    ]
    lines += format_privacy(privacy)
    return "\n".join(lines)
