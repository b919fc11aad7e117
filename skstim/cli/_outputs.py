"""What the commands write besides their summary: the stimuli file and the report.

Both paths are checked before any work, so that bad input costs no fitting.
"""

import os

from ..utils import check_output_path
from ._errors import CommandFailed, InputError

__all__ = ["check_output", "check_report", "report_options", "write_report"]


def _existing(path):
    """What the existing file at ``path`` is, for a message."""
    from ..release import load_stimuli

    try:
        n_stimuli = len(load_stimuli(path).X)
    except Exception:  # noqa: BLE001 - anything unreadable is simply not a stimuli file
        return "and is not a skstim stimuli file"
    return f"and holds {n_stimuli} stimuli of an earlier run"


def check_output(path, force=False, data=None):
    """The ``--output`` path as a str, checked before any work.

    It ends in ``.npz``, its folder exists and is writable, it is not ``data`` (the
    input file) and, unless ``force``, nothing exists there yet.

    Raises
    ------
    InputError
        Naming ``--output`` and what is wrong with it.
    """
    try:
        path = check_output_path(path, name="--output")
    except FileNotFoundError:  # its message suggests Python code: say it for a shell user
        directory = os.path.dirname(os.path.abspath(path))
        raise InputError(f"the directory of --output {path!r} does not exist ({directory!r}): "
                         "create it first.") from None
    except (TypeError, ValueError) as exc:
        raise InputError(str(exc)) from None
    if data is not None and os.path.abspath(path) == os.path.abspath(data):
        raise InputError("--output names the input file: choose another path.")
    if os.path.isdir(path):
        raise InputError(f"--output {path!r} is a directory: name a file ending in .npz.")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.access(directory, os.W_OK | os.X_OK):
        raise InputError(f"--output {path!r}: no permission to write in {directory!r}; choose "
                         "a writable folder (checked before any fitting).")
    if os.path.lexists(path) and not force:
        raise InputError(f"--output {path!r} exists {_existing(path)}: pass --force to "
                         "replace it, or choose another path.")
    return path


def check_report(args, *others):
    """The ``--report`` directory of ``args``; ``None`` without ``--report``.

    Parameters
    ----------
    args : argparse.Namespace
        The command's arguments.
    *others : str or None
        The data files of the command, which the directory must not name.

    Returns
    -------
    path : str or None

    Raises
    ------
    InputError
        The path is empty, is an existing file, names one of ``others``, cannot be created
        (a file stands where a parent folder would go), is not writable, or holds a
        report already (``report.md``) and ``args.overwrite_report`` is false.
    """
    from .report import REPORT_NAME

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
    if os.path.lexists(os.path.join(path, REPORT_NAME)) and not args.overwrite_report:
        raise InputError(f"--report {path!r} already holds a report ({REPORT_NAME}): pass "
                         "--overwrite-report to replace it (with the figures it links), or "
                         "choose another directory.")
    return path


def report_options(args):
    """The keyword arguments of the report functions that the command's options set."""
    return dict(min_people=args.report_min_people, private=args.report_private_examples,
                overwrite=args.overwrite_report, options=vars(args),
                random_state=args.random_state)


def write_report(args, what, write, written):
    """Run ``write()``, which writes the report and returns its path, and print that path.

    ``args.report`` is added to ``written`` (what the command has written) first.

    Raises
    ------
    CommandFailed
        ``write()`` failed; the message says that ``what`` happened all the same.
    """
    written.append(f"the report folder {args.report!r} (perhaps incomplete)")
    try:
        path = write()
    except Exception as exc:  # noqa: BLE001 - any failure of the report is reported, exit 1
        raise CommandFailed(f"{what}, but the report could not be written to "
                            f"{args.report!r}: {type(exc).__name__}: {exc}") from exc
    written[-1] = f"the report {path!r}"
    print(f"\nReport: {path}")
