"""Shared fixtures: tiny simulated data, a fitted teacher for the engine tests.

Plain helper functions live in ``tests/helpers.py``.
"""

import numpy as np
import pytest
import torch

from skstim.datasets import make_sleep_apnea
from skstim.nets import make_network

# Keep the two xdist workers from oversubscribing the two cores.
torch.set_num_threads(1)


@pytest.fixture(scope="session")
def apnea():
    """6 subjects x 12 one-minute windows at 1 Hz: X (72, 240), input_shape (4, 60).

    Seed 1 gives every subject windows of both classes, so that every GroupKFold
    training set holds both classes.
    """
    data = make_sleep_apnea(n_subjects=6, n_windows=12, sampling_rate=1.0, random_state=1)
    for g in np.unique(data.groups):
        assert len(np.unique(data.y[data.groups == g])) == 2
    data.X.setflags(write=False)  # a test that modifies the shared data fails loudly
    data.y.setflags(write=False)
    return data


@pytest.fixture(scope="session")
def fitted_teacher(apnea):
    """A confident teacher (training accuracy near 1) fitted on the tiny data; do not modify."""
    net = make_network(apnea.input_shape, arch="mlp", max_epochs=10, batch_size=32,
                       module__hidden_sizes=(32,), random_state=0)
    return net.fit(apnea.X, apnea.y)


@pytest.fixture(scope="session")
def standardization(apnea):
    """Per-channel ``loc`` and ``scale`` of the tiny data, shape (C, 1), for the engine."""
    X = apnea.X.reshape(len(apnea.X), *apnea.input_shape).astype(np.float32)
    return X.mean(axis=(0, 2))[:, None], X.std(axis=(0, 2))[:, None]
