"""Shared fixtures: tiny simulated data, tiny teachers, a fitted teacher for the engine tests."""

import numpy as np
import pytest
import torch

from skstim import StimulusSynthesizer, make_teacher
from skstim.datasets import make_sleep_apnea

# Keep the two xdist workers from oversubscribing the two cores.
torch.set_num_threads(1)


def tiny_teacher(**kwargs):
    """An unfitted MLP teacher that fits in a fraction of a second on the tiny data."""
    params = dict(arch="mlp", max_epochs=10, batch_size=16, module__hidden_sizes=(16,))
    params.update(kwargs)
    return make_teacher(**params)


def tiny_synthesizer(**kwargs):
    """A StimulusSynthesizer with a tiny teacher, few optimization steps and one stimulus
    per training row (the default is four)."""
    params = dict(n_iter=10, n_stimuli=1.0, batch_size=64, random_state=0)
    params.update(kwargs)
    teacher = params.pop("teacher", None) or tiny_teacher()
    return StimulusSynthesizer(teacher, **params)


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
    net = make_teacher(apnea.input_shape, arch="mlp", max_epochs=10, batch_size=32,
                       module__hidden_sizes=(32,), random_state=0)
    return net.fit(apnea.X, apnea.y)


@pytest.fixture(scope="session")
def standardization(apnea):
    """Per-channel ``loc`` and ``scale`` of the tiny data, shape (C, 1), for the engine."""
    X = apnea.X.reshape(len(apnea.X), *apnea.input_shape).astype(np.float32)
    return X.mean(axis=(0, 2))[:, None], X.std(axis=(0, 2))[:, None]


# The command line, tiny and fast: an MLP teacher, a few epochs and steps.
CLI_FAST = ["--teacher-arch", "mlp", "--teacher-epochs", "3", "--n-iter", "5"]


def cli_data(random_state):
    """6 simulated subjects x 12 windows at 1 Hz, for the command-line tests."""
    return make_sleep_apnea(n_subjects=6, n_windows=12, sampling_rate=1.0,
                            random_state=random_state)


def write_npz(path, data, groups=True):
    """Write ``data`` as the command line's npz input; return the path."""
    arrays = {"X": data.X, "y": data.y, "input_shape": np.array(data.input_shape)}
    if groups:
        arrays["groups"] = data.groups
    np.savez(path, **arrays)
    return str(path)

