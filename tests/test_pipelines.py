"""Both pipeline styles under GridSearchCV and cross_val_score with subject-disjoint folds,
and the joblib cache of teacher fits."""

import os

import numpy as np
import pytest
from imblearn.pipeline import Pipeline as ImbPipeline
from joblib import Memory
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

import skstim._fitting as fitting_module
from skstim import StimulusStudent

from .helpers import tiny_synthesizer

N_SPLITS = 3


def imblearn_pipeline(apnea, **synth_params):
    return ImbPipeline([
        ("scale", StandardScaler()),
        ("synth", tiny_synthesizer(input_shape=apnea.input_shape, **synth_params)),
        ("student", RandomForestClassifier(n_estimators=10, random_state=0)),
    ])


def sklearn_pipeline(apnea, **synth_params):
    return Pipeline([
        ("scale", StandardScaler()),
        ("model", StimulusStudent(tiny_synthesizer(input_shape=apnea.input_shape, **synth_params),
                                  LogisticRegression())),
    ])


STYLES = {
    "imblearn": (imblearn_pipeline, "synth__n_iter"),
    "sklearn": (sklearn_pipeline, "model__synthesizer__n_iter"),
}


@pytest.fixture
def count_teacher_fits(monkeypatch):
    """Count the calls that really fit a teacher (a cache hit does not call the function)."""
    calls = []
    fit_teacher = fitting_module._fit_seeded

    def counting(teacher, X, y, seed, groups=None):
        calls.append(len(X))
        return fit_teacher(teacher, X, y, seed, groups)

    monkeypatch.setattr(fitting_module, "_fit_seeded", counting)
    return calls


@pytest.mark.parametrize("style", sorted(STYLES))
def test_grid_search_over_a_synthesis_parameter(apnea, style):
    make, param = STYLES[style]
    search = GridSearchCV(make(apnea), {param: [2, 5]}, cv=GroupKFold(N_SPLITS))
    search.fit(apnea.X, apnea.y, groups=apnea.groups)

    assert search.best_params_[param] in (2, 5)
    scores = search.cv_results_["mean_test_score"]
    assert np.all((scores >= 0) & (scores <= 1))
    assert search.predict(apnea.X).shape == apnea.y.shape
    assert set(np.unique(search.predict(apnea.X))) <= set(np.unique(apnea.y))
    # the refitted best pipeline carries the chosen value
    assert search.best_estimator_.get_params()[param] == search.best_params_[param]


@pytest.mark.parametrize("style", sorted(STYLES))
def test_cross_val_score_with_groups(apnea, style):
    make, _ = STYLES[style]
    scores = cross_val_score(make(apnea), apnea.X, apnea.y, groups=apnea.groups,
                             cv=GroupKFold(N_SPLITS))
    assert scores.shape == (N_SPLITS,)
    assert np.all((scores >= 0) & (scores <= 1))


def test_cross_val_scores_on_held_out_real_data(apnea):
    # StimulusStudent is scored on the real held-out fold: its score equals the accuracy of
    # its predictions there, refitted by hand on the training fold.
    model = sklearn_pipeline(apnea)
    cv = GroupKFold(N_SPLITS)
    scores = cross_val_score(model, apnea.X, apnea.y, groups=apnea.groups, cv=cv)
    train, test = next(cv.split(apnea.X, apnea.y, apnea.groups))
    assert not set(apnea.groups[train]) & set(apnea.groups[test])
    fitted = model.fit(apnea.X[train], apnea.y[train])
    assert scores[0] == pytest.approx(np.mean(fitted.predict(apnea.X[test]) == apnea.y[test]))


@pytest.mark.parametrize("style", sorted(STYLES))
@pytest.mark.parametrize("random_state", [0, None])
def test_memory_fits_each_fold_teacher_once(apnea, tmp_path, count_teacher_fits, style,
                                            random_state):
    make, param = STYLES[style]
    memory = Memory(tmp_path / "cache", verbose=0)
    model = make(apnea, memory=memory, random_state=random_state)
    candidates = [2, 4, 6]
    search = GridSearchCV(model, {param: candidates}, cv=GroupKFold(N_SPLITS))
    search.fit(apnea.X, apnea.y, groups=apnea.groups)

    # one teacher per fold plus the refit on all data, however many candidates
    assert len(count_teacher_fits) == N_SPLITS + 1
    assert sorted(count_teacher_fits)[-1] == len(apnea.X)  # the refit
    cached = [root for root, _, files in os.walk(tmp_path / "cache") if "output.pkl" in files]
    assert len(cached) == N_SPLITS + 1

    # a second search on the same data fits no teacher at all
    count_teacher_fits.clear()
    GridSearchCV(model, {param: candidates[:2]}, cv=GroupKFold(N_SPLITS)).fit(
        apnea.X, apnea.y, groups=apnea.groups)
    assert count_teacher_fits == []


def test_memory_keeps_results_of_a_seeded_fit(apnea, tmp_path):
    # A teacher loaded from the cache gives the same stimuli as one fitted afresh.
    fresh = tiny_synthesizer(input_shape=apnea.input_shape)
    X_fresh, y_fresh = fresh.fit_resample(apnea.X, apnea.y)
    memory = Memory(tmp_path, verbose=0)
    for _ in range(2):  # the second fit reads the cache
        cached = tiny_synthesizer(input_shape=apnea.input_shape, memory=memory)
        X_cached, y_cached = cached.fit_resample(apnea.X, apnea.y)
        np.testing.assert_array_equal(X_cached, X_fresh)
        np.testing.assert_array_equal(y_cached, y_fresh)


def test_memory_distinguishes_seeds_and_data(apnea, tmp_path, count_teacher_fits):
    memory = Memory(tmp_path, verbose=0)
    tiny_synthesizer(memory=memory, random_state=0).fit(apnea.X, apnea.y)
    tiny_synthesizer(memory=memory, random_state=1).fit(apnea.X, apnea.y)
    tiny_synthesizer(memory=memory, random_state=0).fit(apnea.X[:60], apnea.y[:60])
    tiny_synthesizer(memory=memory, random_state=0).fit(apnea.X, apnea.y)
    assert count_teacher_fits == [72, 72, 60]


@pytest.mark.parametrize("style", sorted(STYLES))
def test_cross_val_score_with_mismatched_groups(apnea, style):
    make, _ = STYLES[style]
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[72, 72, 71\]"):
        cross_val_score(make(apnea), apnea.X, apnea.y, groups=apnea.groups[:-1],
                        cv=GroupKFold(N_SPLITS))


@pytest.mark.parametrize("style", sorted(STYLES))
def test_cross_val_score_with_mismatched_y(apnea, style):
    make, _ = STYLES[style]
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[72, 70"):
        cross_val_score(make(apnea), apnea.X, apnea.y[:70], groups=apnea.groups,
                        cv=GroupKFold(N_SPLITS))
