"""Helpers shared by the tests: tiny teachers and synthesizers, command-line data files."""

import numpy as np

from skstim import StimulusSynthesizer
from skstim.datasets import make_sleep_apnea
from skstim.nets import make_network


def tiny_teacher(**kwargs):
    """An unfitted MLP teacher that fits in a fraction of a second on the tiny data."""
    params = dict(arch="mlp", max_epochs=10, batch_size=16, module__hidden_sizes=(16,))
    params.update(kwargs)
    return make_network(**params)


def tiny_synthesizer(**kwargs):
    """A StimulusSynthesizer with a tiny teacher, few optimization steps and one stimulus
    per training row (the default is four)."""
    params = dict(n_iter=10, stimuli_per_sample=1.0, batch_size=64, random_state=0)
    params.update(kwargs)
    teacher = params.pop("teacher", None) or tiny_teacher()
    return StimulusSynthesizer(teacher, **params)


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


def hooks_removed(module):
    """Whether ``module`` and its children carry no forward hook or forward pre-hook."""
    return all(not m._forward_hooks and not m._forward_pre_hooks for m in module.modules())
