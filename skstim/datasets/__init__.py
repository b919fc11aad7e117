"""Data sets: the embedded simulation of sleep-apnea recordings."""

from ._simulated import make_sleep_apnea

__all__ = ["make_sleep_apnea"]
