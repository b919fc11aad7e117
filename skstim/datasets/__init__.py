"""Data sets: the embedded simulation of sleep-apnea recordings, and stimuli files."""

from ._apnea_ecg import fetch_apnea_ecg
from ._simulated import make_sleep_apnea
from ._stimuli_file import load_stimuli, save_stimuli, stimuli_metadata

__all__ = ["fetch_apnea_ecg", "load_stimuli", "make_sleep_apnea", "save_stimuli",
           "stimuli_metadata"]
