"""``skstim synthesize``: the data holder's command.

A teacher is fitted on private labelled rows, stimuli are synthesized from it, checked
against the private rows (export guard, privacy checks) and written to a stimuli file.
"""

import os
import sys
import tempfile
import warnings

import numpy as np
from tqdm.auto import tqdm

from ..utils import proportion_interval
from ._device import check_device
from ._errors import CommandFailed, InputError
from ._outputs import check_output, check_report, report_options, write_report
from ._privacy_text import format_guarantee, format_privacy, with_interval
from ._tables import read_table

__all__ = ["run_synthesize"]


def _check_classes_and_subjects(y, groups, inhibit):
    """InputError unless ``y`` holds two classes, and with ``inhibit`` ``groups`` two subjects."""
    classes = np.unique(y)
    if len(classes) < 2:
        raise InputError(f"the labels hold one class only ({classes[0].item()!r}): the teacher "
                         "needs rows of at least two classes. Check --label-column.")
    if inhibit:
        if groups is None:
            raise InputError(
                "--inhibit-identity needs the subject of every row: pass --group-column NAME "
                "(a csv column, or an npz array, holding subject ids; a column or array named "
                "'groups' is used by default)."
            )
        if len(np.unique(groups)) < 2:
            raise InputError("--inhibit-identity needs rows of at least two subjects; the group "
                             f"column names one ({np.unique(groups)[0].item()!r}).")


def _check_stimuli_classes(y_saved, classes, args, dropped=0):
    """InputError (nothing is written) where the stimuli to save are all of one class."""
    present = np.unique(y_saved).tolist()
    if len(present) > 1:
        return
    after = (f"after the export guard dropped {dropped} copies, the {len(y_saved)} stimuli "
             "left are" if dropped else f"the teacher labelled all {len(y_saved)} stimuli")
    raise InputError(
        f"{after} of class {present[0]!r} only (the input has classes {classes.tolist()}): "
        "a stimuli file of one class teaches a student nothing, so nothing was written. The "
        "teacher is likely no better than answering the majority class. Train it longer "
        f"(--teacher-epochs, now {args.teacher_epochs}) or try another --teacher-arch, "
        "check --label-column, ask for more stimuli (--n-stimuli or --stimuli-per-row) or "
        "for equal class shares (--class-prior uniform).")


def _warn_weak_teacher(privacy):
    """A warning on stderr where the teacher is no better than the majority answer."""
    accuracy = privacy["teacher_accuracy_on_its_training_rows"]
    majority = privacy["majority_class_share"]
    if accuracy <= majority + 1e-12:
        print(f"skstim synthesize: warning: the teacher's accuracy on its own training rows "
              f"({accuracy:.3f}) is no better than always answering the majority class "
              f"({majority:.3f}): its stimuli carry little about the classes. Train it longer "
              "(--teacher-epochs) or check --label-column.", file=sys.stderr)


def _training_shares(teacher_labels, y):
    """The teacher's accuracy on its training rows and the majority class's share of them,
    each beside its Wilson 95 % interval (``<key>_ci``)."""
    _, counts = np.unique(y, return_counts=True)
    shares = {}
    for key, successes in (("teacher_accuracy_on_its_training_rows", np.sum(teacher_labels == y)),
                           ("majority_class_share", counts.max())):
        shares[key] = float(int(successes) / len(y))
        shares[f"{key}_ci"] = list(proportion_interval(int(successes), len(y)))
    return shares


def _save(output, X_s, y_s, proba, classes, metadata, X, args, written):
    """Save the stimuli through the export guard to a file beside ``output``, check that
    more than one class is left, then rename it onto ``output`` (and say so in
    ``written``); return the guard's report.
    """
    from ..release import save_stimuli

    directory, name = os.path.split(os.path.abspath(output))
    handle, pending = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".pending.npz")
    os.close(handle)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # drops are reported by the summary
            report = save_stimuli(pending, X_s, y_s, proba, metadata=metadata, X_train=X,
                                  on_copy=args.on_copy)
        keep = np.ones(len(X_s), dtype=bool)
        keep[report["dropped_indices"]] = False
        _check_stimuli_classes(y_s[keep], classes, args, report["n_dropped"])
        os.replace(pending, output)
        written.append(f"the stimuli file {output!r}")
    except InputError:
        raise
    except ValueError as exc:
        message = str(exc)
        if "copies of rows of X_train" in message and "on_copy='drop'" in message:
            message += (" On the command line: rerun with --on-copy drop to save the stimuli "
                        "that are not copies.")
        raise CommandFailed(f"the stimuli were not saved: {message}") from exc
    except OSError as exc:
        raise CommandFailed(f"cannot write {output!r}: {exc}") from exc
    finally:
        if os.path.lexists(pending):
            os.unlink(pending)
    return {**report, "path": output}


def run_synthesize(args, written=None):
    """``skstim synthesize``: fit a teacher, synthesize stimuli, check and save them.

    ``args`` are the parsed options. The teacher (with ``--inhibit-identity`` also the
    subject model) is fitted on the rows of ``--input``; the stimuli are checked against
    those rows and written to ``--output`` through the export guard; the summary is
    printed, the report written with ``--report``. What is written is added to
    ``written`` (a list of str). Returns 0.

    Raises
    ------
    InputError
        Bad input, found before any fitting, or stimuli all of one class; nothing is
        written.
    CommandFailed
        A failure while fitting, synthesizing or saving (the export guard refusing
        included), or while writing the report.
    """
    from .. import IdentityInhibitor, StimulusSynthesizer
    from ..nets import make_network, make_teacher
    from ..evaluation import quick_privacy_checks
    from ..release import stimuli_metadata

    written = [] if written is None else written
    check_device(args.device)
    output = check_output(args.output, args.force, data=args.input)
    report_dir = check_report(args, args.input, output)
    table = read_table(args.input, label_column=args.label_column,
                       group_column=args.group_column, input_shape=args.input_shape)
    X, y, groups = table.X, table.y, table.groups
    if len(X) < 2:
        raise InputError(f"{args.input!r} has {len(X)} row: the teacher needs more.")
    _check_classes_and_subjects(y, groups, args.inhibit_identity)
    if args.inhibition_weight is not None and not args.inhibit_identity:
        raise InputError("--inhibition-weight applies only with --inhibit-identity.")
    private = args.dp_epsilon is not None
    if private:
        _check_private(args, groups)

    def network(factory=make_network):  # the teacher, and the subject model of --inhibit-identity
        return factory(table.input_shape, arch=args.teacher_arch,
                       max_epochs=args.teacher_epochs, device=args.device,
                       random_state=args.random_state, norm="group" if private else "batch")

    common = dict(input_shape=table.input_shape, n_stimuli=args.n_stimuli,
                  stimuli_per_sample=args.stimuli_per_row, n_iter=args.n_iter,
                  class_prior=args.class_prior, device=args.device,
                  random_state=args.random_state, verbose=0 if args.no_progress else 1)
    if args.mix is not None:
        common["mix"] = args.mix
    if private:
        common.update(dp_epsilon=args.dp_epsilon, dp_delta=args.dp_delta,
                      dp_unit=args.dp_unit, init="class_spectrum")
    if args.inhibit_identity:
        weight = 1.0 if args.inhibition_weight is None else args.inhibition_weight
        synthesizer = IdentityInhibitor(network(make_teacher), identity_model=network(),
                                        inhibition_weight=weight, **common)
        fit_args = {"groups": groups}
    else:
        synthesizer = StimulusSynthesizer(network(make_teacher), **common)
        fit_args = {} if groups is None else {"groups": groups}

    _progress(args, f"skstim synthesize: fitting the teacher on {len(X)} rows "
                    f"({len(np.unique(y))} classes"
                    + (f", {len(np.unique(groups))} subjects" if groups is not None else "")
                    + f"), input shape {table.input_shape}")
    try:
        X_s, y_s = synthesizer.fit_resample(X, y, **fit_args)
        proba = synthesizer.y_proba_
        classes = synthesizer.classes_
        if private:  # every figure below reads the private rows outside the budget
            privacy = {"differential_privacy": synthesizer.privacy_,
                       "left_out": PRIVATE_LEFT_OUT, "identity_inhibition": False}
        else:
            teacher_labels = classes[synthesizer.teacher_.predict_proba(
                X.astype(np.float32)).argmax(axis=1)]
            privacy = {
                "measured_on": "the input rows the teacher was fitted on (no held-out "
                               "subjects: run 'skstim evaluate' on held-out subjects for "
                               "utility)",
                **_training_shares(teacher_labels, y),
                "identity_inhibition": bool(args.inhibit_identity),
            }
            privacy.update(quick_privacy_checks(X_s, X, groups, table.input_shape,
                                                args.random_state))
        metadata = {**stimuli_metadata(synthesizer), "privacy": privacy}
    except Exception as exc:  # noqa: BLE001 - any failure of the fit is reported, exit 1
        raise CommandFailed(f"synthesis failed: {type(exc).__name__}: {exc}") from exc

    if not private:
        _warn_weak_teacher(privacy)
    _check_stimuli_classes(y_s, classes, args)
    report = _save(output, X_s, y_s, proba, classes, metadata, None if private else X, args,
                   written)

    keep = np.ones(len(X_s), dtype=bool)
    keep[report["dropped_indices"]] = False
    summary = (_format_private_synthesis(output, y_s, classes, privacy) if private else
               _format_synthesis(output, y_s[keep], classes, len(X_s), report, privacy))
    print(summary)
    if report_dir is not None:
        from ..release import load_stimuli
        from .report import synthesis_report

        write_report(args, f"the stimuli were written to {output!r}", lambda: synthesis_report(
            report_dir, input_path=args.input, output_path=output, table=table,
            stimuli=load_stimuli(output), privacy=privacy, n_synthesized=len(X_s),
            stdout=summary, **report_options(args)), written)
    return 0


PRIVATE_LEFT_OUT = (
    "Under --dp-epsilon the export guard, the teacher's accuracy on its training rows and "
    "the distance and re-identification checks are left out: each reads the private rows "
    "outside the budget, so releasing them would break the guarantee.")


def _check_private(args, groups):
    """InputError where --dp-epsilon cannot be met as asked."""
    if args.inhibit_identity:
        raise InputError("--inhibit-identity cannot be combined with --dp-epsilon: the subject "
                         "model is not trained under a privacy budget. For a guarantee per "
                         "person use --dp-unit person.")
    if args.dp_unit == "person" and groups is None:
        raise InputError("--dp-unit person needs the subject of every row: pass "
                         "--group-column NAME.")
    if args.dp_unit == "person" and args.n_stimuli is None:
        raise InputError("--dp-unit person needs --n-stimuli N: how many rows the subjects "
                         "have is private, so the number of stimuli cannot follow it.")
    if args.teacher_arch == "gru":
        raise InputError("--teacher-arch gru cannot be trained by DP-SGD here (Opacus has no "
                         "per-sample gradients of torch's GRU); use cnn or mlp.")


def _format_private_synthesis(output, y_saved, classes, privacy):
    """The summary ``skstim synthesize --dp-epsilon`` prints: what was written, the guarantee."""
    record = privacy["differential_privacy"]
    per_class = ", ".join(f"{c}: {int(np.sum(y_saved == c))}" for c in classes.tolist())
    lines = [f"Wrote {output}: {len(y_saved)} stimuli; per class: {per_class}.", ""]
    lines += format_guarantee(record)
    lines += ["", PRIVATE_LEFT_OUT,
              "The guarantee is stored in the file's metadata under 'differential_privacy'. "
              "For utility on held-out subjects: skstim evaluate --stimuli " + output
              + " --real HELD_OUT_FILE"]
    return "\n".join(lines)


def _progress(args, message):
    """``message`` on stderr, above any progress bar, unless ``--no-progress``."""
    if not args.no_progress:
        tqdm.write(message, file=sys.stderr)


def _format_synthesis(output, y_saved, classes, n_made, report, privacy):
    """The summary ``skstim synthesize`` prints: what was written, the guard, the checks."""
    per_class = ", ".join(f"{c}: {int(np.sum(y_saved == c))}" for c in classes.tolist())
    dropped = report["n_dropped"]
    lines = [
        f"Wrote {output}: {report['n_saved']} stimuli (of {n_made} synthesized); per class: "
        f"{per_class}.",
        f"Export guard: a stimulus within shape distance {report['threshold']:.4g} of a real "
        f"row (half the spacing that 95% of the real rows keep from their nearest other row; "
        f"time shifts, reversal, sign and amplitude ignored) is a copy; {dropped} dropped" + (f" (indices {report['dropped_indices'][:10]})" if dropped else "")
        + ".",
        "",
        "Checks on the input rows (the teacher's own training rows: no held-out subjects here, "
        "so no generalization figure):",
        "  teacher accuracy on its training rows "
        f"{with_interval(privacy, 'teacher_accuracy_on_its_training_rows')} (always answering "
        f"the majority class: {with_interval(privacy, 'majority_class_share')}; 95% Wilson "
        "intervals over the rows in brackets)",
    ]
    lines += format_privacy(privacy)
    lines += [
        "",
        "These checks are stored in the file's metadata under 'privacy'. For utility on "
        "held-out subjects: skstim evaluate --stimuli " + output + " --real HELD_OUT_FILE",
    ]
    return "\n".join(lines)
