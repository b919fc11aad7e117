"""A private row alone in its class must not leave with the synthesizer or its stimuli.

Before the support floors, the class-conditional start held such a row (to 2e-6 in the
standardized space) and the class activation statistics of a one-row class drew the
stimuli to it even from a white-noise start.
"""

import importlib.util

import numpy as np
import pytest

from skstim import make_teacher
from skstim.datasets import make_sleep_apnea

from ..helpers import tiny_synthesizer

pytestmark = pytest.mark.filterwarnings("ignore::skstim.synthesis.SupportFloorWarning")


def _plant(init, **parameters):
    """Two classes of 40 windows and a window of a person from elsewhere alone in a third.

    Returns the data, the secret window, 29 windows of the same kind that were never
    private (the counterfactual), and the fitted synthesizer with its stimuli.
    """
    d = make_sleep_apnea(n_subjects=4, n_windows=20, sampling_rate=1.0, random_state=0)
    elsewhere = make_sleep_apnea(n_subjects=3, n_windows=10, sampling_rate=1.0, random_state=7)
    secret, never_private = elsewhere.X[0], elsewhere.X[1:]
    X, y = np.vstack([d.X, secret]), np.append(d.y, 2)
    synthesizer = tiny_synthesizer(input_shape=d.input_shape, stimuli_per_sample=4.0,
                                   init=init, **parameters)
    X_s, y_s = synthesizer.fit_resample(X, y)
    return dict(X=X, secret=secret, never_private=never_private, synthesizer=synthesizer,
                X_s=X_s, spread=d.X.std(axis=0))


# the default start, the spectrum start, the tree candidate of the utility benchmark, three
# interpolations per optimized stimulus (mix), steps shaped by the class spectra, and the
# differentially private fit with the floors off (the noise alone must hide the row)
STARTS = [dict(init="class_scale_mixture"), dict(init="class_spectrum"),
          dict(init="class_scale_mixture", init_rest="spectrum", max_person_share=4.0),
          dict(init="class_scale_mixture", mix=0.75),
          dict(init="class_scale_mixture", init_rest="spectrum", step_shape="spectrum")]
START_IDS = ["scale-mixture", "spectrum", "capped-spectrum-rest", "interpolations",
             "spectrum-steps"]
if importlib.util.find_spec("opacus") is not None:
    STARTS.append(dict(init="class_spectrum", dp_epsilon=8.0, min_class_people=1,
                       min_class_rows=1, teacher=make_teacher(arch="mlp", norm="group",
                                                              max_epochs=2)))
    START_IDS.append("dp-no-floors")


@pytest.fixture(scope="module", params=STARTS, ids=START_IDS)
def planted(request):
    return _plant(**request.param)


def _arrays(value, depth=0):
    """Every float array held by an object, its attributes and containers (a few levels)."""
    if depth > 4:
        return
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _arrays(item, depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _arrays(item, depth + 1)
    elif hasattr(value, "__dict__") and not isinstance(value, type):
        for item in vars(value).values():
            yield from _arrays(item, depth + 1)


def test_fitted_synthesizer_holds_no_planted_row(planted):
    fitted = planted["synthesizer"]
    # a standardized copy counts too: the synthesizer standardizes each channel
    secret = planted["secret"].reshape(fitted.input_shape_)
    targets = [planted["secret"], ((secret - fitted.loc_) / fitted.scale_).ravel()]
    for array in _arrays({k: v for k, v in vars(fitted).items() if k.endswith("_")}):
        rows = array.reshape(-1, array.shape[-1]) if array.ndim else array.reshape(1, 1)
        if rows.shape[-1] != planted["secret"].size:
            continue
        for target in targets:
            assert np.abs(rows - target).max(axis=1).min() > 1e-3


@pytest.mark.parametrize("start", STARTS + [dict(init="noise")], ids=START_IDS + ["noise"])
def test_stimuli_of_a_one_row_class_know_no_more_of_it_than_of_unseen_windows(start):
    # Every stimulus is made for the one-row class, so that their mean averages the
    # noise out and keeps what the start and the class statistics hold of that class:
    # without the floors it lies 0.8 standardized units from the secret (rank-64 start),
    # nearer than to any unseen window (13 to 16 units).
    planted = _plant(**start, class_prior={2: 1.0})
    spread = planted["spread"]
    class_mean = planted["X_s"].mean(axis=0)
    to_secret = np.linalg.norm((class_mean - planted["secret"]) / spread)
    to_unseen = np.linalg.norm((class_mean - planted["never_private"]) / spread, axis=1)
    assert to_secret >= to_unseen.min()


def test_without_floors_the_planted_row_is_recovered():
    """The check above can fail: with the floors off the class start is the secret row."""
    planted = _plant("class_scale_mixture", class_prior={2: 1.0}, min_class_people=1,
                     min_class_rows=1)
    spread = planted["spread"]
    class_mean = planted["X_s"].mean(axis=0)
    to_secret = np.linalg.norm((class_mean - planted["secret"]) / spread)
    to_unseen = np.linalg.norm((class_mean - planted["never_private"]) / spread, axis=1)
    assert to_secret < 0.2 * to_unseen.min()
