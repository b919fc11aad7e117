"""Data sets: the embedded simulation of sleep-apnea recordings."""

from ._apnea_ecg import fetch_apnea_ecg
from ._simulated import make_sleep_apnea

__all__ = ["fetch_apnea_ecg", "make_sleep_apnea"]
