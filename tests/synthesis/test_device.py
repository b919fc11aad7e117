"""A seed gives the same stimuli on every device (runs where CUDA is present)."""

import numpy as np
import pytest
import torch

from skstim import StimulusSynthesizer, make_teacher
from skstim.datasets import make_sleep_apnea

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device here")


@cuda
def test_cuda_stimuli_match_the_cpu_stimuli_of_the_same_seed(monkeypatch):
    data = make_sleep_apnea(n_subjects=12, n_windows=20, random_state=0)
    syn = StimulusSynthesizer(make_teacher(max_epochs=2), input_shape=data.input_shape,
                              n_iter=5, random_state=0).fit(data.X, data.y)
    monkeypatch.setattr(torch.backends.cuda.matmul, "allow_tf32", False)
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", False)
    X_cpu, y_cpu = syn.sample(64)
    X_gpu, y_gpu = syn.set_params(device="cuda").sample(64)
    assert np.quantile(np.abs(X_gpu - X_cpu), 0.99) <= 1e-2 * data.X.std()
    assert np.mean(y_gpu == y_cpu) >= 0.95
