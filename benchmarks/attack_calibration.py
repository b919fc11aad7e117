"""The new attacks on releases whose truth is known: real private windows, noise, and rows that
hold none of the members (windows of the non-members, outside the private set).

Apnea-ECG, the member splits of the ``apnea`` privacy setting (every 4th minute; 5 of the
9 people with two or more nights are members, one night private; the attacker holds
another night of all 9). For each split and release: HRV linkage, density ratio
(DOMIAS) and shadow-model membership where the attacker assumes a method that copies its
input (the strongest assumption for these three releases; no synthesis is run).

Usage::

    python benchmarks/attack_calibration.py --splits 3
"""

import argparse
import json
import sys

import numpy as np

from _common import DEFAULT_DATA, ROOT, machine_description
from privacy import SETTINGS, apnea_split
from skstim.datasets import fetch_apnea_ecg
from skstim.evaluation import (
    density_ratio_membership,
    make_hrv_attacker,
    noise_set,
    reidentification,
    shadow_membership,
)


def _copy(X, y, groups, random_state):
    return X


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", type=int, default=3)
    parser.add_argument("--data-home", default=DEFAULT_DATA)
    parser.add_argument("--output", default=ROOT / "benchmarks" / "results" /
                        "attack_calibration.jsonl")
    args = parser.parse_args(argv)
    setting = SETTINGS["apnea"]
    data = fetch_apnea_ecg(data_home=args.data_home)
    keep = data.minute % setting.every == 0
    data = type(data)(**{k: (v[keep] if isinstance(v, np.ndarray) and len(v) == len(keep)
                             else v) for k, v in data.items()})
    with open(args.output, "w") as out:
        for seed in range(args.splits):
            split = apnea_split(setting, seed, data)
            members = split.members
            outside_rows = np.random.default_rng(seed).choice(
                len(split.X_outside), min(len(split.X_outside), len(split.X_private)),
                replace=False)
            releases = {
                "real private windows": split.X_private,
                "noise": noise_set(split.X_private, split.y_private, random_state=seed)[0],
                "non-members' windows (none of the members)": split.X_outside[outside_rows],
            }
            for name, X_rel in releases.items():
                hrv = reidentification(X_rel, split.X_attacker, split.g_attacker, members,
                                       attacker=make_hrv_attacker(split.input_shape,
                                                                  split.sampling_rate),
                                       random_state=seed)
                domias = density_ratio_membership(X_rel, split.X_attacker, split.X_attacker,
                                                  split.g_attacker, members,
                                                  input_shape=split.input_shape,
                                                  random_state=seed)
                shadow = shadow_membership(_copy, X_rel, split.X_attacker, split.y_attacker,
                                           split.g_attacker, members, n_shadows=16,
                                           input_shape=split.input_shape, random_state=seed)
                record = {"split": seed, "release": name,
                          "hrv_linkage_auc": hrv["membership_auc"],
                          "hrv_linkage_auc_ci": hrv["membership_auc_ci"],
                          "domias_auc": domias["auc"], "domias_auc_ci": domias["auc_ci"],
                          "shadow_auc": shadow["auc"], "shadow_auc_ci": shadow["auc_ci"],
                          "machine": machine_description()}
                out.write(json.dumps(record) + "\n")
                out.flush()
                print(f"split {seed}, {name}: HRV linkage {hrv['membership_auc']:.2f}, DOMIAS "
                      f"{domias['auc']:.2f}, shadow (copying method) {shadow['auc']:.2f}",
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
