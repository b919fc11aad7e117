"""Wall time of ``skstim demo --quick`` (``run_demo(quick=True)``) for several ``n_jobs``.

Each setting runs ``--repeats`` times in this process, one after the other; the JSON
output holds every time, the table of each setting (the wall-time line left out) and
whether the settings gave the same table. Run it on an idle machine: the demo uses every
core. ``--code DIR`` times the ``skstim`` of another checkout (for a before/after in one
run; a checkout whose ``run_demo`` takes no ``n_jobs`` runs its own default). Usage::

    python benchmarks/demo_time.py --n-jobs 1,-1 --repeats 2
    python benchmarks/demo_time.py --code /tmp/before --n-jobs 1 --output /tmp/before.json
    python benchmarks/demo_time.py --as-command --code /tmp/before,. --repeats 2

``--as-command`` times what a newcomer waits for instead: ``python -m skstim demo --quick
--no-progress`` in a fresh process (imports and worker start included), for each of the
comma-separated checkouts of ``--code`` in turn, ``--repeats`` rounds.
"""

import argparse
import inspect
import json
import os
import subprocess
import sys
import time
from pathlib import Path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-jobs", default="1,-1",
                        help="comma-separated n_jobs values (default 1,-1)")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--code", default=None,
                        help="a checkout whose skstim is timed instead of this one")
    parser.add_argument("--output", default=None,
                        help="JSON file (default benchmarks/results/demo_time.json)")
    parser.add_argument("--as-command", action="store_true",
                        help="time `python -m skstim demo --quick --no-progress` in a fresh "
                             "process for each checkout of --code (comma-separated)")
    args = parser.parse_args(argv)
    if args.as_command:
        return time_commands(args)
    if args.code is not None:
        sys.path.insert(0, args.code)
    from _common import ROOT, machine_description
    from skstim.cli._demo import format_table, run_demo

    takes_n_jobs = "n_jobs" in inspect.signature(run_demo).parameters
    output = ROOT / "benchmarks" / "results" / "demo_time.json" if args.output is None \
        else args.output
    record = {"machine": machine_description(), "code": args.code or str(ROOT),
              "settings": {}}
    for n_jobs in (int(v) for v in args.n_jobs.split(",")):
        kwargs = {"n_jobs": n_jobs} if takes_n_jobs else {}
        seconds, tables = [], set()
        for _ in range(args.repeats):
            start = time.perf_counter()
            result = run_demo(quick=True, progress=False, **kwargs)
            seconds.append(time.perf_counter() - start)
            tables.add("\n".join(line for line in format_table(result).splitlines()
                                 if not line.startswith("Wall time")))
        key = str(n_jobs) if takes_n_jobs else "default"
        record["settings"][key] = {"seconds": seconds, "same_table_each_run": len(tables) == 1,
                                   "table": tables.pop()}
        print(f"n_jobs={key}: " + ", ".join(f"{s:.1f} s" for s in seconds), flush=True)
    tables = {s["table"] for s in record["settings"].values()}
    record["same_table_every_setting"] = len(tables) == 1
    with open(output, "w") as f:
        json.dump(record, f, indent=1)
    print(f"same table for every setting: {record['same_table_every_setting']}; "
          f"written to {output}")


def time_commands(args):
    """Wall time of the demo as a command, each checkout of ``args.code`` in turn."""
    sys.path.insert(0, str(Path(__file__).parent))
    from _common import ROOT, machine_description

    checkouts = [str(Path(c).resolve()) for c in (args.code or str(ROOT)).split(",")]
    output = ROOT / "benchmarks" / "results" / "demo_command_time.json" \
        if args.output is None else args.output
    record = {"machine": machine_description(), "command": "python -m skstim demo --quick "
              "--no-progress", "checkouts": {c: {"seconds": [], "tables": []} for c in checkouts}}
    for _ in range(args.repeats):
        for checkout in checkouts:
            env = dict(os.environ, PYTHONPATH=checkout)
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "skstim", "demo", "--quick",
                                   "--no-progress"], env=env, cwd=checkout, check=True,
                                  capture_output=True, text=True)
            seconds = time.perf_counter() - start
            runs = record["checkouts"][checkout]
            runs["seconds"].append(seconds)
            runs["tables"].append(done.stdout)
            print(f"{checkout}: {seconds:.1f} s as a command, "
                  f"{done.stdout.strip().splitlines()[-1]}", flush=True)
    with open(output, "w") as f:
        json.dump(record, f, indent=1)
    print(f"written to {output}")
    return 0


if __name__ == "__main__":
    main()
