"""Simulated overnight respiration recordings with apnea events (embedded data set)."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import Interval, validate_params

from ..utils import numpy_generator

CHANNELS = ("chest", "abdomen", "airflow", "spo2")

DESCR = """\
Simulated sleep-apnea windows
-----------------------------
One sample per minute of a simulated overnight recording with four channels:
chest and abdominal respiratory effort, oronasal airflow and SpO2. Each subject has
their own breathing rate, channel amplitudes, chest-abdomen phase lag, SpO2 baseline,
noise level and apnea propensity, so both the apnea task and subject identity are
learnable. An apnea window holds an event of 10-45 s: airflow falls to 5-15%
(apnea) or 30-55% (hypopnea) of its level, effort goes on (paradoxical between chest
and abdomen in obstructive events) or stops (central events), and SpO2 falls by
2-8 points with a 15-25 s delay. Label 1 (apnea) when an event covers 10 s or more of
the minute, else 0 (normal).

X is flat, (n_windows, 4 * n_times), channel-major; input_shape is (4, n_times);
groups holds the subject id of each window.
"""


def _smooth_box(t, start, stop, edge=2.0):
    """Soft indicator of [start, stop] over times t (seconds), edges of ``edge`` seconds."""
    rise = 1.0 / (1.0 + np.exp(-(t - start) / (edge / 4)))
    fall = 1.0 / (1.0 + np.exp((t - stop) / (edge / 4)))
    return rise * fall


@validate_params(
    {
        "n_subjects": [Interval(Integral, 2, None, closed="left")],
        "n_windows": [Interval(Integral, 1, None, closed="left")],
        "sampling_rate": [Interval(Real, 0.5, None, closed="left")],
        "window_seconds": [Interval(Real, 10, None, closed="left")],
        "noise": [Interval(Real, 0, None, closed="left")],
        "return_X_y": ["boolean"],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_sleep_apnea(n_subjects=20, n_windows=80, *, sampling_rate=2.0, window_seconds=60.0,
                     noise=0.15, return_X_y=False, random_state=None):
    """Simulate multichannel one-minute respiration windows labelled apnea or normal.

    Read more in the module description (``DESCR`` of the returned Bunch).

    Parameters
    ----------
    n_subjects : int, default=20
        Number of simulated people; each gets ``n_windows`` windows.
    n_windows : int, default=80
        Windows (minutes) per subject.
    sampling_rate : float, default=2.0
        Samples per second of every channel.
    window_seconds : float, default=60.0
        Length of one window.
    noise : float, default=0.15
        Standard deviation of the measurement noise, relative to each channel's scale.
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a Bunch.
    random_state : int, RandomState instance or None, default=None
        Seed; the global random state is not used.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``X`` (n, 4*n_times) float64, ``y`` (n,) int (1 = apnea), ``groups`` (n,) subject
        ids, ``input_shape`` ``(4, n_times)``, ``channel_names``, ``sampling_rate``,
        ``DESCR``.
    (X, y) : tuple
        When ``return_X_y=True``.

    Examples
    --------
    >>> from skstim.datasets import make_sleep_apnea
    >>> data = make_sleep_apnea(n_subjects=4, n_windows=10, random_state=0)
    >>> data.X.shape, data.input_shape, sorted(set(data.groups.tolist()))
    ((40, 480), (4, 120), [0, 1, 2, 3])
    """
    rng = numpy_generator(random_state)
    n_times = int(round(window_seconds * sampling_rate))
    t = np.arange(n_times) / sampling_rate
    n = n_subjects * n_windows
    groups = np.repeat(np.arange(n_subjects), n_windows)

    # Traits of each person, then broadcast to their windows.
    rate = rng.uniform(0.18, 0.32, n_subjects)[groups]
    amp_chest = rng.lognormal(0.0, 0.25, n_subjects)[groups]
    amp_abdomen = rng.lognormal(0.0, 0.25, n_subjects)[groups]
    amp_flow = rng.lognormal(0.0, 0.25, n_subjects)[groups]
    lag = rng.uniform(0.0, 0.6, n_subjects)[groups]
    spo2_base = rng.uniform(93.0, 98.0, n_subjects)[groups]
    subject_noise = noise * rng.uniform(0.6, 1.4, n_subjects)[groups]
    propensity = rng.beta(1.2, 1.8, n_subjects)[groups]
    central_share = rng.uniform(0.0, 0.5, n_subjects)[groups]

    # Breathing with a slowly varying rate within each window.
    rate_walk = rate[:, None] * (1 + 0.05 * np.cumsum(rng.normal(0, 1, (n, n_times)), 1)
                                 / np.sqrt(n_times))
    phase = 2 * np.pi * np.cumsum(rate_walk, axis=1) / sampling_rate + rng.uniform(0, 2 * np.pi, (n, 1))
    breath = np.sin(phase) + 0.25 * np.sin(2 * phase + 0.5)

    # Events: apnea or hypopnea, obstructive or central.
    has_event = rng.random(n) < propensity
    start = rng.uniform(-15.0, window_seconds - 5.0, n)
    duration = rng.uniform(10.0, 45.0, n)
    stop = start + duration
    covered = np.clip(np.minimum(stop, window_seconds) - np.maximum(start, 0.0), 0.0, None)
    y = (has_event & (covered >= 10.0)).astype(np.int64)
    is_apnea = rng.random(n) < 0.6
    is_central = rng.random(n) < central_share
    depth = np.where(is_apnea, rng.uniform(0.85, 0.95, n), rng.uniform(0.45, 0.7, n)) * has_event
    box = _smooth_box(t[None, :], start[:, None], stop[:, None])

    flow = amp_flow[:, None] * breath * (1 - depth[:, None] * box)
    effort_drop = np.where(is_central, depth, 0.0)[:, None] * box
    paradox = np.where(is_central, 0.0, 1.0)[:, None] * box * has_event[:, None]
    chest = amp_chest[:, None] * breath * (1 - effort_drop) * (1 + 0.3 * paradox)
    abdomen_phase = phase - lag[:, None] + np.pi * paradox
    abdomen = amp_abdomen[:, None] * (np.sin(abdomen_phase) + 0.25 * np.sin(2 * abdomen_phase + 0.5))
    abdomen = abdomen * (1 - effort_drop) * (1 + 0.3 * paradox)

    delay = rng.uniform(15.0, 25.0, n)
    desaturation = np.where(is_apnea, rng.uniform(3.0, 8.0, n), rng.uniform(2.0, 4.0, n)) * has_event
    dip = _smooth_box(t[None, :], (start + delay)[:, None], (stop + delay)[:, None], edge=12.0)
    spo2 = spo2_base[:, None] - desaturation[:, None] * dip + 0.3 * rng.normal(0, 1, (n, 1))

    signals = np.stack([chest, abdomen, flow, spo2], axis=1)
    signals = signals + subject_noise[:, None, None] * rng.normal(0, 1, signals.shape)
    X = signals.reshape(n, -1)
    if return_X_y:
        return X, y
    return Bunch(X=X, y=y, groups=groups, input_shape=(len(CHANNELS), n_times),
                 channel_names=list(CHANNELS), sampling_rate=float(sampling_rate), DESCR=DESCR)
