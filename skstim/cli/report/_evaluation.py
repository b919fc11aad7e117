"""The report of ``skstim evaluate --report DIR``."""

import warnings

import numpy as np

from .._evaluate import METRICS, score_text, utility_intervals, utility_intervals_text
from ._figures import _evaluation_utility_figure
from ._markdown import _code, _counts_text, _inline, _label, _table, _text, _Writer
from ._sections import _data_table, _examples_section, _finish, _header, _privacy_section
from ._sections import _stimuli_record, _tradeoff_section, _what_was_done

__all__ = ["evaluation_report"]


def _majority_baseline(y_real, groups, random_state):
    """Scores of always answering the most common real class, their 95 % intervals (as
    :func:`~skstim.cli._evaluate.utility_intervals` gives them) and that class."""
    from ...evaluation import utility_scores

    y_real = np.asarray(y_real)
    values, counts = np.unique(y_real, return_counts=True)
    majority = values[np.argmax(counts)]
    predicted = np.full(len(y_real), majority, dtype=y_real.dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # undefined precision of never-predicted classes
        scores = utility_scores(y_real, predicted)
    scores = {k: (v if np.isfinite(v) else None) for k, v in scores.items()}
    intervals = utility_intervals(y_real, {"majority": predicted}, groups, random_state)
    return scores, intervals["majority"], majority


def evaluation_report(directory, *, stimuli_path, real_path, stimuli, table, y_real,
                      input_shape, rows, n_splits, privacy, unknown=(), options=None,
                      stdout=None, random_state=0, tradeoff=None, tradeoff_labels=None,
                      min_people=5, private=False, overwrite=False):
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
        The real rows, as :func:`skstim.cli._tables.read_table` returns them.
    y_real : ndarray
        The real labels matched to the stimuli's classes.
    input_shape : tuple of int
        ``(C, T)`` of one row.
    rows : list of dict
        Per student family: ``family``, ``stimuli`` (scores), ``real`` (scores or None),
        optionally ``real_error``, and the 95 % intervals ``stimuli_ci`` and ``real_ci``
        (``{metric: [low, high]}``; without them the figures are shown alone).
    n_splits : int
        Folds of the real reference (0: none).
    privacy : dict
        The command's privacy summary.
    unknown : sequence of str
        Real labels the stimuli lack.
    options, stdout, random_state, tradeoff, tradeoff_labels, min_people, private, overwrite
        As in :func:`synthesis_report`.

    Returns
    -------
    path : str
        Where ``report.md`` was written, in ``directory``.
    """
    writer = _Writer(directory, private=private, overwrite=overwrite)
    drawing = dict(random_state=random_state, min_people=min_people, private=private)
    metadata, classes, parameters = _stimuli_record(stimuli)
    input_shape = tuple(input_shape)
    groups = table.groups
    stored = metadata.get("privacy") if isinstance(metadata.get("privacy"), dict) else None
    if stored is not None and "identity_inhibition" in stored:
        inhibition = bool(stored["identity_inhibition"])
    elif parameters:
        inhibition = "inhibition_weight" in parameters
    else:
        inhibition = None
    weight = parameters.get("inhibition_weight", 1.0) if inhibition else None
    real_what = f"the real file {_code(real_path)}"

    sections = [_header("evaluate", real_what, drawing)]
    families = ", ".join(_code(row["family"]) for row in rows)
    sections.append(_what_was_done(
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
        ("Real data", _data_table(real_path, table, input_shape, classes)),
        ("Stimuli", _table(["", ""], [
            ("file", _code(stimuli_path)),
            ("stimuli", str(len(stimuli.X))),
            ("classes", _counts_text(stimuli.y, classes)),
            ("soft labels (proba)", "yes" if stimuli.proba is not None else "no (one-hot)"),
            ("written by", f"skstim {_text(metadata.get('skstim_version', 'n/a'))}"),
        ])),
        metadata, options))
    if len(unknown):
        sections[-1] += ("\n\nNote: the real file holds labels the stimuli lack ("
                         + ", ".join(_code(u) for u in unknown) + "); no student trained on "
                         "the stimuli can predict them.")
    sections.append(_examples_section(writer, (table.X, y_real, groups),
                                      (stimuli.X, stimuli.y), classes, input_shape, real_what,
                                      drawing))

    baseline, baseline_ci, majority = _majority_baseline(y_real, groups, random_state)

    def cells(scores, intervals):
        return [score_text(scores, intervals, metric) for metric in METRICS]

    table_rows = []
    for row in rows:
        stim = cells(row["stimuli"], row.get("stimuli_ci"))
        real = cells(row.get("real"), row.get("real_ci"))
        table_rows.append([_inline(row["family"])] + [v for pair in zip(stim, real) for v in pair])
    table_rows.append([f"always the majority class ({_label(majority.item())})"]
                      + [v for value in cells(baseline, baseline_ci) for v in (value, value)])
    utility = [
        "## Utility",
        "",
        "Accuracy, Cohen's kappa and macro F1 on the rows of the real file. *stimuli*: the "
        "student trained on the stimuli only, scored on every row of the real file. "
        + (f"*real*: the same family trained on real rows of other people ({n_splits}-fold "
           "GroupKFold inside the real file, out-of-fold predictions), scored on the same "
           "rows: a reference trained on fewer people than the file holds. "
           if n_splits else "*real*: none (no subject ids in the real file). ")
        + "The last row answers the most common class of the real file for every row. "
        + utility_intervals_text(groups),
        "",
        _table(["student family", "accuracy (stimuli)", "accuracy (real)", "kappa (stimuli)",
                "kappa (real)", "macro F1 (stimuli)", "macro F1 (real)"], table_rows),
    ]
    errors = [row for row in rows if row.get("real_error")]
    for row in errors:
        utility.append(f"\n{_inline(row['family'])}: no real reference "
                       f"({_inline(row['real_error'][:200])}).")
    utility += ["", writer.figure(
        "utility.png", _evaluation_utility_figure(rows, baseline, baseline_ci),
        "per student family, trained on the stimuli (solid) and on real rows of other people "
        "(hatched, where available), scored on the real file, with their 95% intervals; "
        "dashed: always answering the majority class (its interval shaded).")]
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
    caveats = [
        "**This command cannot check that the people of the real file are absent from the "
        "private data** (the stimuli file holds no subject ids). The stimuli scores are a "
        "utility claim about new people only if they are. The real reference is "
        "subject-disjoint by construction (GroupKFold on the real file's subject ids).",
        "**The two utility columns are not trained on the same people**: the stimuli come "
        "from the private data, the real reference from the other folds of the real file.",
    ]
    return _finish(writer, sections, caveats, stdout)
