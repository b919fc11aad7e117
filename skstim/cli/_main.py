"""Run one command of ``skstim`` and turn its outcome into an exit code."""

import sys

from ._errors import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK
from ._errors import CommandFailed, InputError
from ._parser import build_parser

__all__ = ["main"]


def _run_demo(args, written):
    """``skstim demo``: run the demo and print its table; it writes no file."""
    from ._demo import format_table, run_demo
    from ._device import check_device

    check_device(args.device)
    result = run_demo(quick=args.quick, random_state=args.random_state, device=args.device,
                      progress=not args.no_progress, n_jobs=args.n_jobs)
    print(format_table(result))


def _command(name):
    """The function that runs the command ``name``, imported on demand."""
    if name == "demo":
        return _run_demo
    if name == "synthesize":
        from ._synthesize import run_synthesize

        return run_synthesize
    from ._evaluate import run_evaluate

    return run_evaluate


def _interrupted(written):
    """What an interrupted command leaves behind, for its last line on stderr."""
    if not written:
        return "nothing was written"
    return "written before the interruption: " + ", ".join(written)


def main(argv=None):
    """Run the ``skstim`` command line.

    Parameters
    ----------
    argv : list of str or None, default=None
        The arguments after the program name; ``None`` reads ``sys.argv``.

    Returns
    -------
    code : int
        0 when the command succeeded, 1 when it failed while fitting, synthesizing or
        saving, 2 for input the user has to fix, 130 when it was interrupted (Ctrl-C);
        the last three print one line on stderr. A usage error or ``--help`` exits
        through :class:`SystemExit` (code 2 or 0), as :mod:`argparse` does.
    """
    args = build_parser().parse_args(argv)
    written = []  # what the command has written, in order, for the interrupted message
    try:
        _command(args.command)(args, written)
    except InputError as exc:
        print(f"skstim {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except CommandFailed as exc:
        print(f"skstim {args.command}: failed: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print(f"skstim {args.command}: interrupted; {_interrupted(written)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK
