"""The ``skstim`` command."""

import argparse
import sys

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


def _build_parser():
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="skstim",
        description="Share what private data teaches without sharing the data: fit a teacher, "
                    "synthesize stimuli, train students on them.",
    )
    parser.add_argument("--version", action="version", version=f"skstim {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo",
        help="run the whole method on the embedded simulated data set and print a table",
        description="Fit a teacher on simulated sleep-apnea recordings, synthesize stimuli, "
                    "train student families on real data and on stimuli, and score both on "
                    "held-out subjects.",
    )
    demo.add_argument("--quick", action="store_true",
                      help="small data set and four student families (under a minute on 2 cores)")
    demo.add_argument("--random-state", type=int, default=0, help="seed of the whole run (default 0)")
    demo.add_argument("--device", default="cpu", help="torch device, e.g. cuda (default cpu)")
    demo.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    return parser


def main(argv=None):
    """Run the ``skstim`` command line; returns the exit code."""
    args = _build_parser().parse_args(argv)
    if args.command == "demo":
        from ._demo import format_table, run_demo

        result = run_demo(quick=args.quick, random_state=args.random_state, device=args.device,
                          progress=not args.no_progress)
        print(format_table(result))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
