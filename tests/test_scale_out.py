"""Chunked synthesis under joblib backends (loky, threads, Dask) and on CUDA: same stimuli."""

import numpy as np
import pytest
import torch
from joblib import parallel_config
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, GroupKFold

from skstim import IdentityInhibitor, StimulusStudent

from .helpers import hooks_removed, tiny_synthesizer, tiny_teacher


@pytest.fixture(scope="module")
def fitted(apnea):
    """A fitted synthesizer whose 72 stimuli come in 5 chunks of 16."""
    return tiny_synthesizer(batch_size=16).fit(apnea.X, apnea.y)


def draw(synthesizer, **params):
    synthesizer.set_params(**params)
    try:
        return synthesizer.sample(72, return_proba=True)
    finally:
        synthesizer.set_params(n_jobs=None)


@pytest.mark.parametrize("backend", ["loky", "threading"])
def test_n_jobs_and_backend_do_not_change_the_stimuli(fitted, backend):
    X1, y1, P1 = draw(fitted)
    with parallel_config(backend=backend):
        X2, y2, P2 = draw(fitted, n_jobs=2)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    np.testing.assert_array_equal(P1, P2)


def test_parallel_chunks_leave_the_teacher_as_it_was(fitted):
    module = fitted.teacher_.module_
    flags = [p.requires_grad for p in module.parameters()]
    with parallel_config(backend="threading"):
        draw(fitted, n_jobs=2)
    assert [p.requires_grad for p in module.parameters()] == flags
    assert hooks_removed(module)


def test_identity_inhibition_runs_in_parallel_chunks(apnea):
    inh = IdentityInhibitor(tiny_teacher(max_epochs=20), identity_model=tiny_teacher(),
                            n_iter=10, batch_size=16, random_state=0)
    inh.fit(apnea.X, apnea.y, groups=apnea.groups)
    X1 = inh.sample(40)[0]
    with parallel_config(backend="threading"):
        X2 = inh.set_params(n_jobs=2).sample(40)[0]
    np.testing.assert_array_equal(X1, X2)


def test_dask_backend_gives_the_same_stimuli(fitted):
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
    X1 = draw(fitted)[0]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster), parallel_config(backend="dask"):
        X2 = draw(fitted, n_jobs=2)[0]
    np.testing.assert_array_equal(X1, X2)


def test_grid_search_over_synthesis_parameters_in_parallel(apnea):
    student = StimulusStudent(tiny_synthesizer(teacher=tiny_teacher(max_epochs=20), n_iter=10),
                              LogisticRegression())
    grid = {"synthesizer__bn_weight": [0.0, 1.0]}
    scores = []
    for n_jobs in (1, 2):
        search = GridSearchCV(student, grid, cv=GroupKFold(2), n_jobs=n_jobs, error_score="raise")
        search.fit(apnea.X, apnea.y, groups=apnea.groups)
        scores.append(search.cv_results_["mean_test_score"])
    np.testing.assert_allclose(*scores)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_cuda_stimuli_match_the_cpu(apnea):
    cpu = tiny_synthesizer(n_iter=20).fit(apnea.X, apnea.y)
    cuda = tiny_synthesizer(n_iter=20, device="cuda").fit(apnea.X, apnea.y)
    X_cpu, _, P_cpu = cpu.sample(64, return_proba=True)
    X_cuda, _, P_cuda = cuda.sample(64, return_proba=True)
    assert X_cuda.dtype == np.float32
    # Different kernels round differently; the teacher fit and 20 Adam steps stay close.
    np.testing.assert_allclose(X_cuda, X_cpu, atol=0.05 * np.abs(X_cpu).max())
    np.testing.assert_allclose(P_cuda, P_cpu, atol=0.05)
