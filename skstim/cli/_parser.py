"""The argument parser of the ``skstim`` command and its option types.

Building the parser fits nothing and builds no estimator: the student families listed by
``skstim evaluate --help`` come from :data:`skstim.evaluation.FAMILY_NAMES`.
"""

import argparse
import math

from ._errors import InputError
from ._tables import parse_input_shape, parse_n_stimuli, parse_stimuli_per_row

__all__ = ["build_parser", "DEFAULT_FAMILIES"]

DEFAULT_FAMILIES = ("teacher architecture", "random forest", "logistic regression")


def build_parser():
    """The parser of ``skstim`` with its commands ``demo``, ``synthesize`` and ``evaluate``.

    Returns
    -------
    parser : argparse.ArgumentParser
        The command's name is stored in the ``command`` attribute of the parsed arguments.
    """
    from .. import __version__

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
                      help="small data set and four student families (about 1 to 1.5 min on 2 cores)")
    _add_seed_and_device(demo, "of the whole run", "torch device")
    demo.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    demo.add_argument("--n-jobs", type=_checked(int, lambda n: n != 0, "expected an integer",
                                                "expected an integer other than 0 (-1: every "
                                                "core)"),
                      default=-1, metavar="N",
                      help="processes for the students and the attacks (default -1: every "
                           "core; 1: one process, torch's own threads)")
    _add_synthesize(commands)
    _add_evaluate(commands)
    return parser


def _checked(convert, accept, unreadable, refused):
    """An argparse ``type``: ``convert(text)``, refused unless ``accept(value)``.

    ``unreadable`` and ``refused`` start the usage error of a text that ``convert``
    cannot read and of a value that ``accept`` refuses.
    """
    def check(text):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{unreadable}, got {text!r}") from None
        if not accept(value):
            raise argparse.ArgumentTypeError(f"{refused}, got {text!r}")
        return value
    return check


_positive_int = _checked(int, lambda value: value >= 1,
                         "expected a positive integer", "expected a positive integer")
_non_negative_float = _checked(float, lambda value: 0 <= value < math.inf,
                               "expected a number >= 0", "expected a finite number >= 0")
_positive_float = _checked(float, lambda value: 0 < value < math.inf,
                           "expected a number > 0", "expected a finite number > 0")
_probability = _checked(float, lambda value: 0 < value < 1,
                        "expected a number in (0, 1)", "expected a number in (0, 1)")
_share = _checked(float, lambda value: 0 <= value < 1,
                  "expected a number in [0, 1)", "expected a number in [0, 1)")
_SEED_RANGE = f"an integer from 0 to {2**32 - 1}"
_seed = _checked(int, lambda value: 0 <= value < 2**32, f"expected {_SEED_RANGE}",
                 f"expected {_SEED_RANGE} (numpy's seeds are not negative)")


def _argparse_type(parse):
    """An argparse ``type`` from a parser of ``_tables`` (its InputError becomes a usage error)."""
    def convert(text):
        try:
            return parse(text)
        except InputError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    convert.__name__ = parse.__name__
    return convert


def _comma_list(text):
    """An argparse ``type``: the non-empty names of a comma-separated list."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected a comma-separated list of family names")
    return names


def _add_seed_and_device(command, seed_of, device_of):
    """Add ``--random-state`` (the seed ``seed_of``) and ``--device`` (``device_of``)."""
    command.add_argument("--random-state", type=_seed, default=0, metavar="SEED",
                         help=f"seed {seed_of}, {_SEED_RANGE} (default 0)")
    command.add_argument("--device", default="cpu",
                         help=f"{device_of}: cpu, cuda, cuda:N or mps; one this machine lacks "
                              "is bad input (default cpu)")


def _add_required_files(command, files):
    """Add a required ``FILE`` option for each ``{option: help}`` of ``files``."""
    for option, text in files.items():
        command.add_argument(option, required=True, metavar="FILE", help=text)


def _add_table_options(command, what, groups_for, shape_default):
    """Add ``--label-column``, ``--group-column`` and ``--input-shape`` for the table ``what``."""
    command.add_argument(
        "--label-column", metavar="NAME", default=None,
        help=f"column of {what} holding the class labels (default: 'label' in a csv, "
             "the array 'y' in an npz): integers or names; whole numbers written as floats "
             "(1.0) are read as integers, other floats (0.5) are bad input, and so are "
             "missing labels (empty, NA, N/A, null, none, nan)")
    command.add_argument(
        "--group-column", metavar="NAME", default=None,
        help=f"column of {what} holding the subject (person) id of each row (default: a "
             f"column or array named 'groups' if there is one, else none); {groups_for}")
    command.add_argument(
        "--input-shape", metavar="C,T", type=_argparse_type(parse_input_shape), default=None,
        help="shape of one row: C channels of T time steps, with C*T feature columns, "
             f"channel-major (default: {shape_default})")


def _add_report_options(command, contents, real):
    """Add ``--report DIR`` and the options of the report; ``contents`` lists what the
    report shows, ``real`` names the real rows it summarizes."""
    command.add_argument(
        "--report", metavar="DIR", default=None,
        help=f"also write a report for a data holder or an ethics board to DIR/report.md, "
             f"with PNG figures ({contents}, every synthesis parameter, caveats). By default "
             f"it holds no row of {real}: per class, the stimuli are drawn beside the mean "
             "and spread of the real rows only where these cover at least "
             "--report-min-people people, else alone, and the report says why. DIR is "
             "created if missing; a DIR that already holds a report (report.md) is bad "
             "input unless --overwrite-report")
    command.add_argument(
        "--report-min-people", type=_positive_int, default=10, metavar="N",
        help="fewest people (subject ids, --group-column) a per-class aggregate of the real "
             "rows must cover to be drawn; without subject ids no aggregate is drawn "
             "(default 10, the synthesis floor)")
    command.add_argument(
        "--report-private-examples", action="store_true",
        help=f"also draw example rows of {real} themselves (private data) in the report: "
             "every such figure is marked 'PRIVATE DATA - do not share', and the report "
             "files are made readable by their owner only (files 0600, DIR 0700)")
    command.add_argument(
        "--overwrite-report", action="store_true",
        help="replace the report already in DIR: its report.md and the figures it links "
             "are removed first (no other file of DIR is touched)")


def _add_synthesize(commands):
    """Add the command ``synthesize`` and its options."""
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
                    "guard refusing), 2 bad input (nothing written, also when the stimuli "
                    "would all be of one class), 130 interrupted (Ctrl-C).",
    )
    _add_required_files(command, {
        "--input": "private labelled data: a .npz or .csv file (see above)",
        "--output": "stimuli file to write, ending in .npz; its folder must exist and be "
                    "writable; an existing file there is refused unless --force",
    })
    _add_table_options(
        command, "the input",
        groups_for="needed by --inhibit-identity and the re-identification check",
        shape_default="the npz's input_shape array, else 1,n_features")
    amount = command.add_mutually_exclusive_group()
    amount.add_argument(
        "--n-stimuli", type=_argparse_type(parse_n_stimuli), default=None, metavar="N",
        help="how many stimuli in all, a count (e.g. 500); default: --stimuli-per-row")
    amount.add_argument(
        "--stimuli-per-row", type=_argparse_type(parse_stimuli_per_row), default=4.0,
        metavar="X", help="stimuli per input row, when --n-stimuli is not given (e.g. 1.5; "
                          "default 4.0, as StimulusSynthesizer)")
    command.add_argument("--n-iter", type=_positive_int, default=20, metavar="N",
                         help="optimization steps per batch of stimuli (default 20)")
    command.add_argument("--mix", type=_share, default=None, metavar="SHARE",
                         help="share of the stimuli made as teacher-labelled interpolations "
                              "between optimized ones, which costs a share of the optimization "
                              "(default 0: every stimulus optimized; interpolations are not "
                              "inhibited by --inhibit-identity)")
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
    command.add_argument("--class-prior", choices=("match", "uniform"), default="match",
                         help="class shares of the stimuli: those of the input rows, or "
                              "equal shares (default match)")
    command.add_argument("--dp-epsilon", type=_positive_float, default=None, metavar="EPS",
                         help="differential privacy: make (EPS, delta)-DP stimuli (DP-SGD "
                              "teacher with GroupNorm, noised aggregates, spectrum start; "
                              "needs pip install 'skstim[dp]'); the export guard and the "
                              "privacy checks, which read the private rows outside the "
                              "budget, are left out (default: no guarantee)")
    command.add_argument("--dp-delta", type=_probability, default=None, metavar="D",
                         help="delta of the guarantee (default: the largest power of ten "
                              "at most 0.1 / the number of units)")
    command.add_argument("--dp-unit", choices=("window", "person"), default="window",
                         help="what --dp-epsilon protects: any one row, or all the rows of "
                              "any one subject (needs --group-column) (default window)")
    _add_seed_and_device(command, "of the teacher, the synthesis and the checks",
                         "torch device")
    command.add_argument("--force", action="store_true",
                         help="replace an existing --output file (a stimuli file or any "
                              "other); without it an existing file is refused")
    command.add_argument("--on-copy", choices=("refuse", "drop"), default="refuse",
                         help="export guard: a stimulus nearer to a private row than any two "
                              "distinct private rows are to each other is a copy; 'refuse' "
                              "writes nothing and exits with code 1, 'drop' leaves such "
                              "stimuli out of the file (default refuse)")
    command.add_argument("--no-progress", action="store_true",
                         help="hide the progress bar and progress messages")
    _add_report_options(command, "the stimuli beside per-class aggregates of the private "
                                 "rows, the teacher's accuracy on its training rows, the "
                                 "privacy checks with their baselines", "the private input")


def _add_evaluate(commands):
    """Add the command ``evaluate`` and its options."""
    from ..evaluation import FAMILY_NAMES

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
                    "synthesize'. Exit codes: 0 ok, 1 failure while fitting, 2 bad input, "
                    "130 interrupted (Ctrl-C).",
    )
    _add_required_files(command, {
        "--stimuli": "stimuli file written by 'skstim synthesize' (or save_stimuli)",
        "--real": "real labelled rows to score on: a .npz or .csv file, as the input of "
                  "'skstim synthesize'",
    })
    _add_table_options(
        command, "the real file",
        groups_for="needed for the real-data reference (GroupKFold) and the "
                   "re-identification check",
        shape_default="the stimuli file's input_shape, else the npz's input_shape array, "
                      "else 1,n_features")
    command.add_argument(
        "--families", type=_comma_list, default=list(DEFAULT_FAMILIES), metavar="LIST",
        help=f"comma-separated student families, from: {', '.join(FAMILY_NAMES)} (default: "
             f"{','.join(DEFAULT_FAMILIES)})")
    command.add_argument("--student-epochs", type=_positive_int, default=20, metavar="N",
                         help="training epochs of the network students (default 20)")
    _add_seed_and_device(command, "of the students and of the checks",
                         "torch device of the network students")
    command.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    _add_report_options(command, "the stimuli beside per-class aggregates of the real rows, "
                                 "utility per student family against the real-data "
                                 "reference, the privacy checks with their baselines",
                        "the real file")
