"""Heart-rate variability as a biometric: HRV features of RR windows, and a linkage attacker.

Studies of ECG and HRV as a biometric identify people from the variability of their
heart rate alone. :func:`make_hrv_attacker` is that attacker for
:func:`reidentification`: it sees each window through the standard HRV measures.
"""

import numpy as np
from scipy.integrate import trapezoid
from scipy.signal import welch
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.utils import check_array

from ..utils import check_input_shape

__all__ = ["HRV_FEATURES", "hrv_features", "make_hrv_attacker"]

HRV_FEATURES = ("mean_rr", "sdnn", "rmssd", "pnn50", "sd1", "sd2", "lf", "hf", "lf_hf",
                "lf_nu")
_LF, _HF = (0.04, 0.15), (0.15, 0.4)  # Hz, the Task Force (1996) bands
_PNN_THRESHOLD = 0.05  # seconds: successive differences above 50 ms
_MAX_NPERSEG = 256


def _band_power(freqs, psd, band):
    inside = (freqs >= band[0]) & (freqs < band[1])
    if inside.sum() < 2:
        return np.zeros(psd.shape[:-1])
    return trapezoid(psd[..., inside], freqs[inside], axis=-1)


def hrv_features(X, input_shape=None, sampling_rate=1.0):
    """The standard heart-rate-variability measures of each RR window.

    Each channel of a window is read as an RR-interval series sampled evenly at
    ``sampling_rate`` (as :func:`~skstim.datasets.fetch_apnea_ecg` makes them). Per
    channel: ``mean_rr`` and ``sdnn`` (mean and standard deviation), ``rmssd`` (root
    mean square of successive differences), ``pnn50`` (share of successive differences
    above 0.05, i.e. 50 ms for a series in seconds), the Poincaré ``sd1`` and ``sd2``,
    the spectral powers ``lf`` (0.04-0.15 Hz) and ``hf`` (0.15-0.4 Hz) of a Welch
    periodogram (Hann segments of ``min(n_times, 256)`` samples, constant detrend),
    their ratio ``lf_hf`` and ``lf_nu = lf / (lf + hf)`` (both 0 where the powers are
    0). Successive differences are between samples of the even series, not between
    beats, so ``rmssd`` and ``pnn50`` approximate the beat-to-beat measures; on
    windows normalized per night (``normalize="record"``) every measure is in units of
    the night's spread, and ``pnn50`` loses its 50 ms meaning.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_channels * n_times)
        RR windows, flat, channel-major.
    input_shape : tuple of int or None, default=None
        ``(n_channels, n_times)`` of one window; ``None`` means one channel.
    sampling_rate : float, default=1.0
        Samples per second of the series; bands above its Nyquist frequency have
        power 0.

    Returns
    -------
    features : ndarray of shape (n_samples, n_channels * 10), float64
        Channel-major, in the order of :data:`HRV_FEATURES`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> t = np.arange(300)
    >>> rr = 0.9 + 0.05 * np.sin(2 * np.pi * 0.25 * t) + 0.01 * rng.normal(size=(4, 300))
    >>> F = hrv_features(rr)
    >>> F.shape
    (4, 10)
    >>> bool(np.all(F[:, 7] > F[:, 6]))       # breathing at 0.25 Hz: HF power dominates
    True
    """
    X = check_array(X, dtype=np.float64, input_name="X")
    n_channels, n_times = check_input_shape(input_shape, X.shape[1])
    if n_times < 8:
        raise ValueError(f"hrv_features needs windows of at least 8 samples per channel; got "
                         f"n_times={n_times}. Check input_shape={(n_channels, n_times)}.")
    if not np.isfinite(sampling_rate) or sampling_rate <= 0:
        raise ValueError(f"sampling_rate must be a positive number of samples per second, got "
                         f"{sampling_rate!r}.")
    rr = X.reshape(len(X), n_channels, n_times)
    diff = np.diff(rr, axis=-1)
    sdnn = rr.std(axis=-1)
    sd1 = np.sqrt(0.5) * diff.std(axis=-1)
    freqs, psd = welch(rr, fs=sampling_rate, nperseg=min(n_times, _MAX_NPERSEG), axis=-1)
    lf, hf = _band_power(freqs, psd, _LF), _band_power(freqs, psd, _HF)
    total = lf + hf
    features = np.stack([
        rr.mean(axis=-1), sdnn, np.sqrt((diff ** 2).mean(axis=-1)),
        (np.abs(diff) > _PNN_THRESHOLD).mean(axis=-1), sd1,
        np.sqrt(np.clip(2 * sdnn ** 2 - sd1 ** 2, 0, None)), lf, hf,
        np.divide(lf, hf, out=np.zeros_like(lf), where=hf > 0),
        np.divide(lf, total, out=np.zeros_like(lf), where=total > 0),
    ], axis=-1)
    return features.reshape(len(X), n_channels * len(HRV_FEATURES))


def make_hrv_attacker(input_shape=None, sampling_rate=1.0, random_state=None):
    """An unfitted subject classifier on HRV features: the HRV biometric linkage attacker.

    :func:`hrv_features` of each window, standardized, then a
    :class:`~sklearn.ensemble.RandomForestClassifier` (300 trees). Pass it to
    :func:`reidentification` as ``attacker=`` beside the summary-feature attacker of
    :func:`make_subject_attacker`.

    Parameters
    ----------
    input_shape, sampling_rate
        As for :func:`hrv_features`.
    random_state : int, RandomState instance or None, default=None
        Seed of the forest.

    Returns
    -------
    attacker : :class:`~sklearn.pipeline.Pipeline`
        Steps ``"hrv"``, ``"scale"`` and ``"classifier"``: fit it on an attacker's
        windows and their people; ``predict_proba`` then links windows to people.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> level = np.repeat([0.7, 0.9, 1.1], 20)[:, None]          # three people's heart rates
    >>> X = level + 0.02 * rng.normal(size=(60, 120))
    >>> people = np.repeat(["a", "b", "c"], 20)
    >>> attacker = make_hrv_attacker(random_state=0).fit(X[::2], people[::2])
    >>> bool((attacker.predict(X[1::2]) == people[1::2]).mean() > 0.9)
    True
    """
    kw_args = {"input_shape": input_shape, "sampling_rate": sampling_rate}
    return Pipeline([
        ("hrv", FunctionTransformer(hrv_features, kw_args=kw_args)),
        ("scale", StandardScaler()),
        ("classifier", RandomForestClassifier(n_estimators=300, random_state=random_state)),
    ])
