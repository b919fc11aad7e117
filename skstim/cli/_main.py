"""Run one command of ``skstim`` and turn its outcome into an exit code."""

import sys

from ._errors import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, CommandFailed, InputError
from ._parser import build_parser

__all__ = ["main"]


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
        saving, 2 for input the user has to fix; both failures print one line on stderr.
        A usage error or ``--help`` exits through :class:`SystemExit` (code 2 or 0), as
        :mod:`argparse` does.
    """
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        from ._demo import format_table, run_demo

        result = run_demo(quick=args.quick, random_state=args.random_state, device=args.device,
                          progress=not args.no_progress)
        print(format_table(result))
        return EXIT_OK
    if args.command == "synthesize":
        from ._synthesize import run_synthesize as run
    else:
        from ._evaluate import run_evaluate as run
    try:
        run(args)
    except InputError as exc:
        print(f"skstim {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except CommandFailed as exc:
        print(f"skstim {args.command}: failed: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK
