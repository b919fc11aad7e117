"""Seeds for local random generators; the global numpy and torch states are never used."""

import numbers
from contextlib import contextmanager

import numpy as np
import torch

__all__ = ["draw_normal", "draw_uniform", "seed_sequence", "child_seed", "torch_seed",
           "int_seed", "sklearn_seed", "seeded_torch", "numpy_generator"]


def seed_sequence(random_state):
    """A :class:`numpy.random.SeedSequence` from ``random_state``.

    ``None`` draws fresh entropy from the OS; an int is used as is; a
    :class:`numpy.random.RandomState` or :class:`numpy.random.Generator` (the caller's own)
    gives one integer.

    Examples
    --------
    >>> seed_sequence(3).generate_state(1) == seed_sequence(3).generate_state(1)
    array([ True])
    """
    if random_state is None:
        return np.random.SeedSequence()
    if isinstance(random_state, np.random.SeedSequence):
        return random_state
    if isinstance(random_state, numbers.Integral):
        return np.random.SeedSequence(int(random_state))
    if isinstance(random_state, np.random.RandomState):
        return np.random.SeedSequence(int(random_state.randint(np.iinfo(np.int32).max)))
    if isinstance(random_state, np.random.Generator):
        return np.random.SeedSequence(int(random_state.integers(np.iinfo(np.int64).max)))
    raise ValueError(
        f"random_state must be None, an int, a numpy RandomState or Generator; got {random_state!r}."
    )


def child_seed(root, key):
    """The ``key``-th independent stream of ``root``, without mutating ``root`` (unlike ``spawn``).

    Examples
    --------
    >>> root = np.random.SeedSequence(0)
    >>> child_seed(root, 1).generate_state(1) == root.spawn(2)[1].generate_state(1)
    array([ True])
    """
    return np.random.SeedSequence(root.entropy, spawn_key=tuple(root.spawn_key) + (key,))


def torch_seed(random_state):
    """A 63-bit integer seed for ``torch.Generator.manual_seed`` from ``random_state``."""
    return int(seed_sequence(random_state).generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def int_seed(random_state):
    """A 32-bit integer seed (for a library that takes an int) from ``random_state``."""
    return int(seed_sequence(random_state).generate_state(1)[0])


def sklearn_seed(random_state):
    """An int (or None) for scikit-learn estimators from any seed :func:`seed_sequence` takes.

    ``None`` and ints pass through unchanged, so that sklearn draws as it would itself.
    """
    if random_state is None or isinstance(random_state, numbers.Integral):
        return random_state
    return int_seed(random_state)


@contextmanager
def seeded_torch(seed):
    """Run a block under ``torch.manual_seed(seed)``, then restore every global torch RNG.

    ``torch.manual_seed`` seeds every CUDA device too, so all of them are forked.
    """
    devices = list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def numpy_generator(random_state):
    """A new :class:`numpy.random.Generator` seeded from ``random_state``.

    For ``None`` or an int it is ``np.random.default_rng(random_state)``; a caller's
    RandomState or Generator gives one integer seed (see :func:`seed_sequence`).

    Examples
    --------
    >>> bool(numpy_generator(3).random() == np.random.default_rng(3).random())
    True
    """
    return np.random.default_rng(seed_sequence(random_state))


def draw_normal(shape, generator, device):
    """Standard normal draws of ``shape`` from ``generator``, on ``device``.

    The numbers are drawn on the generator's own device (the CPU, for the synthesis
    engine) and then moved, so that a seed gives the same draws whichever device the
    computation runs on: CUDA's generators give other numbers than the CPU's.

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> draw_normal((2,), g, "cpu").shape
    torch.Size([2])
    """
    return torch.randn(shape, generator=generator, device=generator.device).to(device)


def draw_uniform(shape, generator, device):
    """Uniform draws on [0, 1) of ``shape`` from ``generator``, moved to ``device`` (see
    :func:`draw_normal`).

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> bool((draw_uniform((3,), g, "cpu") < 1).all())
    True
    """
    return torch.rand(shape, generator=generator, device=generator.device).to(device)
