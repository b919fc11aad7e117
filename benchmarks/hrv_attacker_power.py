"""How often the HRV attacker and the summary-feature attacker name the person of a window.

Each attacker is trained on the first half of every night's windows of the PhysioNet
Apnea-ECG learning set and tested on the second half, on windows normalized per night
(the default) and on RR in seconds. Prints one line per attacker and representation.

Usage: ``python benchmarks/hrv_attacker_power.py [--data-home PATH]``.
"""

import argparse
import time

import numpy as np
from _common import DEFAULT_DATA

from skstim.datasets import fetch_apnea_ecg
from skstim.evaluation import make_hrv_attacker, make_subject_attacker


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=DEFAULT_DATA)
    args = parser.parse_args()
    for normalize in ("record", None):
        data = fetch_apnea_ecg(data_home=args.data_home, download_if_missing=False,
                               normalize=normalize)
        first = np.zeros(len(data.X), dtype=bool)
        for night in np.unique(data.record):
            rows = np.flatnonzero(data.record == night)
            first[rows[: len(rows) // 2]] = True
        n_people = len(np.unique(data.groups))
        for name, make in (("hrv", make_hrv_attacker), ("summary", make_subject_attacker)):
            start = time.time()
            attacker = make(data.input_shape, random_state=0).fit(data.X[first],
                                                                   data.groups[first])
            accuracy = np.mean(attacker.predict(data.X[~first]) == data.groups[~first])
            print(f"normalize={normalize}: {name} attacker, first half of every night -> "
                  f"second half: top-1 {accuracy:.3f} (chance {1 / n_people:.3f}; {n_people} "
                  f"people, {first.sum()} / {(~first).sum()} windows) "
                  f"{time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
