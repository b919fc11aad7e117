"""One accountant for every use of the private data: DP-SGD steps and Gaussian releases."""

import math
import warnings
from dataclasses import asdict, dataclass

from ._opacus import require_opacus

__all__ = ["GaussianMechanism", "PrivacyAccount", "default_delta", "noise_for_epsilon"]

#: Rényi orders the accountant tries: Opacus's defaults and larger ones, which a single
#: release with much noise needs for a tight bound.
ALPHAS = [1 + x / 10.0 for x in range(1, 100)] + list(range(12, 64)) + [
    2 ** k for k in range(6, 15)]


@dataclass(frozen=True)
class GaussianMechanism:
    """A Gaussian mechanism, repeated ``steps`` times on a Poisson sample of the units.

    ``noise_multiplier`` is the noise's standard deviation over the mechanism's L2
    sensitivity (the bound on one unit's contribution); ``sample_rate`` is the chance
    that a unit takes part in a step (1: every unit, a release over all the data).

    Examples
    --------
    >>> GaussianMechanism("class prior", noise_multiplier=4.0).sample_rate
    1.0
    """

    name: str
    noise_multiplier: float
    sample_rate: float = 1.0
    steps: int = 1


class PrivacyAccount:
    """What a fit spends of its (epsilon, delta) budget, composed by Opacus's RDP accountant.

    Every mechanism that touches the private data is recorded here; the epsilon of
    the whole is the accountant's for their composition (Rényi differential privacy,
    Mironov 2017; subsampled Gaussian, Mironov et al. 2019), never a sum written by
    hand. Each mechanism's epsilon alone is reported beside it as its share.

    Parameters
    ----------
    delta : float
        The delta at which epsilon is reported.
    unit : {"window", "person"}
        What one contribution is: neighbouring data sets differ by one window, or by
        all the windows of one person.

    Examples
    --------
    >>> account = PrivacyAccount(delta=1e-5, unit="window")
    >>> account.add(GaussianMechanism("teacher DP-SGD", 1.1, sample_rate=0.01, steps=1000))
    >>> account.add(GaussianMechanism("standardization", 20.0))
    >>> round(account.epsilon(), 3)   # below the sum of the two alone (1.712 + 0.182)
    1.724
    """

    def __init__(self, delta, unit):
        self.delta, self.unit = float(delta), unit
        self.mechanisms = []

    def add(self, mechanism):
        """Record ``mechanism`` as spent."""
        self.mechanisms.append(mechanism)

    def epsilon(self, mechanisms=None):
        """Epsilon at ``delta`` of the composition of ``mechanisms`` (default: all spent)."""
        mechanisms = self.mechanisms if mechanisms is None else mechanisms
        if not mechanisms:
            return 0.0
        accountant = require_opacus().accountants.RDPAccountant()
        accountant.history = [(m.noise_multiplier, m.sample_rate, m.steps) for m in mechanisms]
        with warnings.catch_warnings():
            # an optimal order at the end of ALPHAS gives a valid, only looser, bound
            warnings.filterwarnings("ignore", message="Optimal order is the")
            return float(accountant.get_epsilon(self.delta, alphas=ALPHAS))

    def record(self):
        """The public record of what was spent: epsilon, delta, unit and every mechanism."""
        return {
            "epsilon": self.epsilon(), "delta": self.delta, "unit": self.unit,
            "accountant": "opacus RDPAccountant (Renyi DP, subsampled Gaussian)",
            "mechanisms": [{**asdict(m), "epsilon_alone": self.epsilon([m])}
                           for m in self.mechanisms],
        }


def noise_for_epsilon(epsilon, delta, mechanisms, *, fixed=(), weights=None, tolerance=1e-3):
    """The least noise multiplier for ``mechanisms`` that keeps the composition within ``epsilon``.

    Every mechanism in ``mechanisms`` gets the same noise multiplier, divided by the
    square root of its weight if ``weights`` are given (their own ``noise_multiplier``
    is ignored); ``fixed`` mechanisms are composed with them as they are. Found by
    bisection on the accountant's epsilon, which falls as the noise grows.

    Parameters
    ----------
    epsilon, delta : float
        The budget.
    mechanisms : sequence of GaussianMechanism
        Mechanisms whose noise is to be set.
    fixed : sequence of GaussianMechanism, default=()
        Mechanisms already calibrated.
    weights : sequence of float or None, default=None
        A weight per mechanism: one of weight ``w`` gets the noise multiplier over
        ``sqrt(w)``, so that its Rényi privacy loss is ``w`` times that of weight 1 (a
        larger share of the budget, a more precise release). ``None``: all 1.
    tolerance : float, default=1e-3
        Relative precision of the noise multiplier.

    Returns
    -------
    noise_multiplier : float
        The noise multiplier of a mechanism of weight 1.

    Examples
    --------
    >>> sigma = noise_for_epsilon(3.0, 1e-5, [GaussianMechanism("sums", 1.0)] * 4)
    >>> account = PrivacyAccount(1e-5, "window")
    >>> for _ in range(4):
    ...     account.add(GaussianMechanism("sums", sigma))
    >>> round(account.epsilon(), 2)
    3.0
    """
    account = PrivacyAccount(delta, unit=None)
    weights = [1.0] * len(mechanisms) if weights is None else [float(w) for w in weights]

    def spent(sigma):
        return account.epsilon([*fixed, *(
            GaussianMechanism(m.name, sigma / math.sqrt(w), m.sample_rate, m.steps)
            for m, w in zip(mechanisms, weights))])

    if account.epsilon(list(fixed)) >= epsilon:
        raise ValueError(f"The fixed mechanisms alone spend more than epsilon={epsilon}.")
    low, high = 1e-2, 1.0
    while spent(high) > epsilon:
        low, high = high, high * 2
        if high > 1e6:
            raise ValueError(f"epsilon={epsilon} at delta={delta} cannot be met by these "
                             "mechanisms at any noise.")
    while spent(low) <= epsilon and low > 1e-3:
        low /= 2
    while (high - low) > tolerance * high:
        middle = (low + high) / 2
        low, high = (low, middle) if spent(middle) <= epsilon else (middle, high)
    return high


def default_delta(n_units):
    """The default delta: the largest power of ten at most one tenth of ``1 / n_units``.

    A chance of failure well below that of any one unit; it depends on the data only
    through the order of magnitude of the number of units (pass a delta chosen without
    the data to remove even that).

    Examples
    --------
    >>> default_delta(1200), default_delta(25)
    (1e-05, 0.001)
    """
    return 10.0 ** -math.ceil(math.log10(10 * max(int(n_units), 1)))
