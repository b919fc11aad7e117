"""Wall time of ``skstim demo --quick`` (``run_demo(quick=True)``) for several ``n_jobs``.

Each setting runs ``--repeats`` times in this process, one after the other; the JSON
output holds every time, the table of each setting (the wall-time line left out) and
whether the settings gave the same table. Run it on an idle machine: the demo uses every
core. ``--code DIR`` times the ``skstim`` of another checkout (for a before/after in one
run; a checkout whose ``run_demo`` takes no ``n_jobs`` runs its own default). Usage::

    python benchmarks/demo_time.py --n-jobs 1,-1 --repeats 2
    python benchmarks/demo_time.py --code /tmp/before --n-jobs 1 --output /tmp/before.json
"""

import argparse
import inspect
import json
import sys
import time


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-jobs", default="1,-1",
                        help="comma-separated n_jobs values (default 1,-1)")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--code", default=None,
                        help="a checkout whose skstim is timed instead of this one")
    parser.add_argument("--output", default=None,
                        help="JSON file (default benchmarks/results/demo_time.json)")
    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    main()
