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
                      help="small data set and four student families (about 1.5 min on 2 cores)")
    demo.add_argument("--random-state", type=int, default=0, help="seed of the whole run (default 0)")
    demo.add_argument("--device", default="cpu", help="torch device, e.g. cuda (default cpu)")
    demo.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    _add_synthesize(commands)
    _add_evaluate(commands)
    return parser


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _non_negative_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, got {text!r}")
    return value


def _argparse_type(parse):
    """An argparse ``type`` from a parser of ``_cli_io`` (its InputError becomes a usage error)."""
    def convert(text):
        from ._cli_io import InputError

        try:
            return parse(text)
        except InputError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    convert.__name__ = parse.__name__
    return convert


def _add_table_options(command, what, groups_for, shape_default):
    from ._cli_io import parse_input_shape

    command.add_argument(
        "--label-column", metavar="NAME", default=None,
        help=f"column of {what} holding the class labels (default: 'label' in a csv, "
             "the array 'y' in an npz)")
    command.add_argument(
        "--group-column", metavar="NAME", default=None,
        help=f"column of {what} holding the subject (person) id of each row (default: a "
             f"column or array named 'groups' if there is one, else none); {groups_for}")
    command.add_argument(
        "--input-shape", metavar="C,T", type=_argparse_type(parse_input_shape), default=None,
        help="shape of one row: C channels of T time steps, with C*T feature columns, "
             f"channel-major (default: {shape_default})")


def _add_synthesize(commands):
    from ._cli_io import parse_n_stimuli

    command = commands.add_parser(
        "synthesize",
        help="fit a teacher on private labelled data and write synthetic stimuli to a file",
        description="Fit a teacher network on private labelled rows, synthesize stimuli from "
                    "it, check that no stimulus copies a private row (export guard), run "
                    "quick distance and re-identification checks against the input rows, and "
                    "write the stimuli with their soft labels and a JSON record to a "
                    ".npz file (read it with skstim.release.load_stimuli or skstim "
                    "evaluate). Input: a .npz with arrays X (2-D: rows, features), y, "
                    "optional groups and input_shape; or a .csv with a header row, a label "
                    "column, an optional group column and numeric feature columns. Exit "
                    "codes: 0 ok, 1 failure while fitting or saving (including the export "
                    "guard refusing), 2 bad input (nothing written).",
    )
    command.add_argument("--input", required=True, metavar="FILE",
                         help="private labelled data: a .npz or .csv file (see above)")
    command.add_argument("--output", required=True, metavar="FILE",
                         help="stimuli file to write, ending in .npz (replaced if it exists)")
    _add_table_options(
        command, "the input",
        groups_for="needed by --inhibit-identity and the re-identification check",
        shape_default="the npz's input_shape array, else 1,n_features")
    command.add_argument(
        "--n-stimuli", type=_argparse_type(parse_n_stimuli), default=4.0, metavar="N",
        help="how many stimuli: an integer is a count (e.g. 500), a decimal a multiple of "
             "the number of input rows (e.g. 1.0, 2.5; default 4.0, as StimulusSynthesizer)")
    command.add_argument("--n-iter", type=_positive_int, default=20, metavar="N",
                         help="optimization steps per batch of stimuli (default 20)")
    command.add_argument("--teacher-epochs", type=_positive_int, default=20, metavar="N",
                         help="training epochs of the teacher (and of the subject model of "
                              "--inhibit-identity) (default 20)")
    command.add_argument("--teacher-arch", choices=("cnn", "mlp", "gru"), default="cnn",
                         help="teacher network: 1-D convolutional net, MLP or GRU, all with "
                              "BatchNorm (default cnn)")
    command.add_argument("--inhibit-identity", action="store_true",
                         help="also fit a subject model and keep its posterior over the "
                              "subjects flat while synthesizing (IdentityInhibitor); needs "
                              "subject ids (--group-column)")
    command.add_argument("--inhibition-weight", type=_non_negative_float, default=None,
                         metavar="W",
                         help="weight of identity inhibition against class excitation "
                              "(default 1.0; only with --inhibit-identity)")
    command.add_argument("--random-state", type=int, default=0, metavar="SEED",
                         help="seed of the teacher, the synthesis and the checks (default 0)")
    command.add_argument("--device", default="cpu",
                         help="torch device, e.g. cuda (default cpu)")
    command.add_argument("--on-copy", choices=("refuse", "drop"), default="refuse",
                         help="export guard: a stimulus nearer to a private row than any two "
                              "distinct private rows are to each other is a copy; 'refuse' "
                              "writes nothing and exits with code 1, 'drop' leaves such "
                              "stimuli out of the file (default refuse)")
    command.add_argument("--no-progress", action="store_true",
                         help="hide the progress bar and progress messages")
    _add_report_option(command, "the stimuli beside private windows, the teacher's accuracy "
                                "on its training rows, the privacy checks with their baselines")


def _add_evaluate(commands):
    from ._cli_commands import DEFAULT_FAMILIES
    from .evaluation import student_families

    families = list(student_families((1, 8)))
    command = commands.add_parser(
        "evaluate",
        help="score students trained on a stimuli file against real held-out data, and "
             "check the stimuli's privacy",
        description="Train each student family on the stimuli of a stimuli file and score it "
                    "on real labelled rows (ideally of people the teacher never saw); where "
                    "the real file has subject ids, train the same family on real rows by "
                    "GroupKFold inside the real file for comparison. Then compare the stimuli "
                    "with the real rows: distance to closest record and, with subject ids, "
                    "a re-identification check. The real file is read as in 'skstim "
                    "synthesize'. Exit codes: 0 ok, 1 failure while fitting, 2 bad input.",
    )
    command.add_argument("--stimuli", required=True, metavar="FILE",
                         help="stimuli file written by 'skstim synthesize' (or save_stimuli)")
    command.add_argument("--real", required=True, metavar="FILE",
                         help="real labelled rows to score on: a .npz or .csv file, as the "
                              "input of 'skstim synthesize'")
    _add_table_options(
        command, "the real file",
        groups_for="needed for the real-data reference (GroupKFold) and the "
                   "re-identification check",
        shape_default="the stimuli file's input_shape, else the npz's input_shape array, "
                      "else 1,n_features")
    command.add_argument(
        "--families", type=_comma_list, default=list(DEFAULT_FAMILIES), metavar="LIST",
        help=f"comma-separated student families, from: {', '.join(families)} (default: "
             f"{','.join(DEFAULT_FAMILIES)})")
    command.add_argument("--student-epochs", type=_positive_int, default=20, metavar="N",
                         help="training epochs of the network students (default 20)")
    command.add_argument("--random-state", type=int, default=0, metavar="SEED",
                         help="seed of the students and of the checks (default 0)")
    command.add_argument("--device", default="cpu",
                         help="torch device of the network students, e.g. cuda (default cpu)")
    command.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    _add_report_option(command, "the stimuli beside real windows, utility per student family "
                                "against the real-data reference, the privacy checks with "
                                "their baselines")


def _add_report_option(command, contents):
    command.add_argument(
        "--report", metavar="DIR", default=None,
        help=f"also write a report for a data holder or an ethics board to DIR/report.md, "
             f"with PNG figures ({contents}, every synthesis parameter, caveats); DIR is "
             "created if missing, an existing file there is bad input")


def _comma_list(text):
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected a comma-separated list of family names")
    return names


def main(argv=None):
    """Run the ``skstim`` command line; returns the exit code."""
    args = _build_parser().parse_args(argv)
    if args.command == "demo":
        from ._demo import format_table, run_demo

        result = run_demo(quick=args.quick, random_state=args.random_state, device=args.device,
                          progress=not args.no_progress)
        print(format_table(result))
        return EXIT_OK
    from ._cli_commands import CommandFailed, run_evaluate, run_synthesize
    from ._cli_io import InputError

    run = {"synthesize": run_synthesize, "evaluate": run_evaluate}[args.command]
    try:
        run(args)
    except InputError as exc:
        print(f"skstim {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except CommandFailed as exc:
        print(f"skstim {args.command}: failed: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
