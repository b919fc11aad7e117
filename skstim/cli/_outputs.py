"""What the commands write besides their summary: the stimuli file and the report.

Both paths are checked before any work, so that bad input costs no fitting.
"""

import os

from ..utils import check_output_path
from ._errors import CommandFailed, InputError

__all__ = ["check_output", "check_report", "write_report"]


def check_output(path):
    """The ``--output`` path as a str: it ends in ``.npz`` and its folder exists.

    Raises
    ------
    InputError
        Naming ``--output`` and what is wrong with it.
    """
    try:
        return check_output_path(path, name="--output")
    except FileNotFoundError:  # its message suggests Python code: say it for a shell user
        directory = os.path.dirname(os.path.abspath(path))
        raise InputError(f"the directory of --output {path!r} does not exist ({directory!r}): "
                         "create it first.") from None
    except (TypeError, ValueError) as exc:
        raise InputError(str(exc)) from None


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
        (a file stands where a parent folder would go) or is not writable.
    """
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


def write_report(args, what, write):
    """Run ``write()``, which writes the report and returns its path, and print that path.

    Raises
    ------
    CommandFailed
        ``write()`` failed; the message says that ``what`` happened all the same.
    """
    try:
        path = write()
    except Exception as exc:  # noqa: BLE001 - any failure of the report is reported, exit 1
        raise CommandFailed(f"{what}, but the report could not be written to "
                            f"{args.report!r}: {type(exc).__name__}: {exc}") from exc
    print(f"\nReport: {path}")
