"""The report of ``skstim synthesize --report DIR``."""

from .._privacy_text import GUARANTEE_SCOPE, with_interval
from ._figures import _synthesis_utility_figure
from ._markdown import _code, _counts_text, _table, _Writer
from ._sections import _data_table, _examples_section, _finish, _header, _privacy_section
from ._sections import _stimuli_record, _tradeoff_section, _what_was_done

__all__ = ["synthesis_report"]


def synthesis_report(directory, *, input_path, output_path, table, stimuli, privacy,
                     n_synthesized, options=None, stdout=None, random_state=0, tradeoff=None,
                     tradeoff_labels=None, min_people=5, private=False, overwrite=False):
    """Write the report of ``skstim synthesize`` to ``directory`` (created if missing).

    Parameters
    ----------
    directory : str or os.PathLike
        Where ``report.md`` and its PNG figures go; created with its parents if missing.
    input_path, output_path : str
        The private input file and the stimuli file written.
    table : Bunch
        The private rows, as :func:`skstim.cli._tables.read_table` returns them (``X``, ``y``,
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
        Seed of the example stimuli (and private rows) drawn.
    tradeoff : list of (weight, utility, privacy) or of dicts with those keys, or None
        Points of a utility/privacy trade-off to plot; ``None``: the report states this
        run's inhibition weight and points to the privacy benchmark instead.
    tradeoff_labels : (str, str) or None
        What the utility and the privacy values measure (axis labels).
    min_people : int, default=5
        Fewest people (distinct subject ids) a class's real rows must come from for their
        mean and standard deviation to be drawn; without subject ids none is drawn.
    private : bool, default=False
        Also draw real rows (private data), each figure marked ``PRIVATE DATA - do not
        share``; the folder is made 0700 and every file of the report 0600.
    overwrite : bool, default=False
        Replace a report already in ``directory`` (its ``report.md`` and the figures it
        links are removed first); without it an existing ``report.md`` is a
        FileExistsError.

    Returns
    -------
    path : str
        The path of ``report.md``.
    """
    writer = _Writer(directory, private=private, overwrite=overwrite)
    drawing = dict(random_state=random_state, min_people=min_people, private=private)
    metadata, classes, parameters = _stimuli_record(stimuli)
    input_shape = tuple(table.input_shape)
    guard = metadata.get("export_guard") or {}
    inhibition = bool(privacy.get("identity_inhibition", "inhibition_weight" in parameters))
    weight = parameters.get("inhibition_weight", 1.0) if inhibition else None
    teacher = metadata.get("teacher") or {}
    real_what = f"the private input {_code(input_path)}"

    sections = [_header("synthesize", real_what, drawing)]
    sections.append(_what_was_done(
        f"A teacher network ({_code(teacher.get('module', 'n/a'))}) was fitted on the "
        f"{len(table.X)} labelled rows of {_code(input_path)}; "
        f"{n_synthesized} stimuli were synthesized from it"
        + (f", with identity inhibition (weight {weight:g}) against a subject model fitted on "
           "the same rows" if inhibition else ", without identity inhibition")
        + (" under a differential-privacy budget (below); without the export guard, "
           if "differential_privacy" in privacy else
           f". The export guard compared every stimulus with the private rows and dropped "
           f"{guard.get('n_dropped', 'n/a')}; ")
        + f"{len(stimuli.X)} stimuli were written to "
          f"{_code(output_path)} with the teacher's soft labels and the record below. The "
          "private rows are not in that file.",
        ("Private data", _data_table(input_path, table, input_shape, classes)),
        ("Stimuli written", _table(["", ""], [
            ("file", _code(output_path)),
            ("synthesized", str(n_synthesized)),
            ("dropped by the export guard (copies of private rows)",
             str(guard.get("n_dropped", "n/a"))),
            ("written", str(len(stimuli.X))),
            ("per class", _counts_text(stimuli.y, classes)),
        ])),
        metadata, options))
    sections.append(_examples_section(writer, (table.X, table.y, table.groups),
                                      (stimuli.X, stimuli.y), classes, input_shape, real_what,
                                      drawing))

    record = privacy.get("differential_privacy")  # the guarantee, where there is one
    if record is not None:
        sections.append(_guarantee_section(record, privacy.get("left_out", "")))
        return _finish(writer, sections, [
            "**The guarantee covers the stimuli file, not this report.** The sections on the "
            "private data and any private rows drawn above are read from the private rows "
            "outside the budget: keep this report with the data."], stdout)

    accuracy = privacy.get("teacher_accuracy_on_its_training_rows")
    majority = privacy.get("majority_class_share")
    utility = [
        "## Utility",
        "",
        "`skstim synthesize` has no held-out people, so it makes no utility claim. What it "
        "measures is the teacher's accuracy on the rows it was fitted on (training accuracy: "
        "optimistic, a check that the teacher learned the classes at all), beside always "
        "answering the majority class. For utility on new people run "
        f"{_code(f'skstim evaluate --stimuli {output_path} --real HELD_OUT_FILE')} on people "
        "absent from "
        f"{_code(input_path)}. The intervals are Wilson intervals over the rows (95%): the "
        "rows of one person are not independent, so they are likely too narrow.",
        "",
        _table(["measure", "value [95% interval]"], [
            ("teacher accuracy on its training rows",
             with_interval(privacy, "teacher_accuracy_on_its_training_rows")),
            ("always answering the majority class (its share of the rows)",
             with_interval(privacy, "majority_class_share")),
        ]),
    ]
    if accuracy is not None and majority is not None:
        utility += ["", writer.figure(
            "utility.png", _synthesis_utility_figure(
                accuracy, majority, privacy.get("teacher_accuracy_on_its_training_rows_ci"),
                privacy.get("majority_class_share_ci")),
            "the teacher's accuracy on its own training rows (not held-out people) against "
            "always answering the majority class (dashed), with their 95% intervals.")]
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
    caveats = [
        "**Measured on the training rows.** Every number of this report is measured on the "
        "private rows the teacher was fitted on; none is a generalization figure.",
        "**Export guard.** A stimulus nearer to a private row than the smallest distance "
        "between two distinct private rows counts as a copy and is dropped or refused; it "
        "catches copies of single rows, not resemblance to a person.",
    ]
    return _finish(writer, sections, caveats, stdout)


def _guarantee_section(record, left_out):
    """The section "Differential privacy": the budget spent, each mechanism, what it covers."""
    rows = [(m["name"], f"{m['noise_multiplier']:.3g}", f"{m['sample_rate']:.3g}",
             str(m["steps"]), f"{m['epsilon_alone']:.3g}") for m in record["mechanisms"]]
    return "\n".join([
        "## Differential privacy",
        "",
        f"The stimuli are (epsilon {record['epsilon']:.3g}, delta {record['delta']:.3g})-"
        f"differentially private per {record['unit']}: every use of the private rows was "
        f"one of the mechanisms below, composed by {record['accountant']} (the composed "
        "epsilon is below the sum of the epsilons alone).",
        "",
        _table(["mechanism", "noise multiplier", "sample rate", "steps", "epsilon alone"], rows),
        "",
        *[f"- {text}" for text in GUARANTEE_SCOPE],
        "",
        left_out,
    ])
