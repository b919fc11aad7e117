"""Data sets: the embedded simulation of sleep-apnea recordings, and PhysioNet Apnea-ECG."""

import warnings

from ._apnea_ecg import fetch_apnea_ecg
from ._simulated import make_sleep_apnea

__all__ = ["fetch_apnea_ecg", "make_sleep_apnea"]

_MOVED_TO_RELEASE = ("save_stimuli", "load_stimuli", "stimuli_metadata")


def __getattr__(name):
    if name in _MOVED_TO_RELEASE:
        warnings.warn(f"skstim.datasets.{name} moved to skstim.release.{name}; import it from "
                      "there (the old name goes in a later release).", FutureWarning, stacklevel=2)
        from .. import release

        return getattr(release, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
