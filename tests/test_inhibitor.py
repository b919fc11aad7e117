"""IdentityInhibitor: groups reach it in every pipeline style, and it inhibits identity."""

import warnings

import numpy as np
import pytest
import sklearn
import torch
from imblearn.pipeline import Pipeline as ImbPipeline
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skstim import IdentityInhibitor, StimulusStudent, make_teacher

from .helpers import tiny_teacher

def inhibitor(**kwargs):
    params = dict(teacher=tiny_teacher(max_epochs=20), identity_model=tiny_teacher(),
                  n_iter=30, random_state=0)
    params.update(kwargs)
    return IdentityInhibitor(**params)


def subject_confidence(inh, X):
    """Mean top posterior of the fitted subject model on X."""
    with torch.inference_mode():
        return float(inh.identity_model_.predict_proba(X.astype(np.float32)).max(axis=1).mean())


def test_fit_resample_fits_a_subject_model(apnea):
    inh = inhibitor()
    X_s, y_s = inh.fit_resample(apnea.X, apnea.y, groups=apnea.groups)
    # four stimuli per training row by default
    assert X_s.shape == (4 * len(apnea.X), apnea.X.shape[1])
    assert inh.y_proba_.shape == (len(X_s), 2)
    np.testing.assert_array_equal(inh.subjects_, np.unique(apnea.groups))
    assert inh.identity_model_.predict_proba(apnea.X[:3].astype(np.float32)).shape == (3, 6)
    assert set(np.unique(y_s)) <= set(inh.classes_)


@pytest.mark.parametrize("kind", ["uniform", "top"])
def test_inhibition_lowers_the_subject_models_confidence(apnea, kind):
    # 6 people: below the default people floor, the start would be noise, which no
    # subject model recognizes; a class start shows what the inhibition takes away.
    # Means over three seeds: at one seed "top" lowered it by 0.016 on one CPU and by
    # more than 0.02 on another (rounding), at the others by 0.12 to 0.20.
    before, after = [], []
    n = len(apnea.X)
    for seed in range(3):
        plain = inhibitor(inhibition_weight=0.0, min_class_people=5, random_state=seed).fit(
            apnea.X, apnea.y, groups=apnea.groups)
        inhibited = inhibitor(inhibition_weight=5.0, inhibition=kind, min_class_people=5,
                              random_state=seed)
        inhibited.fit(apnea.X, apnea.y, groups=apnea.groups)
        before.append(subject_confidence(plain, plain.sample(n)[0]))
        after.append(subject_confidence(inhibited, inhibited.sample(n)[0]))
    # Same seed, same teacher and subject model: only the inhibition term differs.
    # "top" suppresses the likeliest subject only and lowers the mean top posterior less.
    before, after = np.mean(before), np.mean(after)
    assert after < before - (0.1 if kind == "uniform" else 0.05), (before, after)
    assert after < 2.0 / len(plain.subjects_) + 0.1


def test_interpolations_are_not_inhibited(apnea):
    """Why IdentityInhibitor must keep ``mix=0`` (the default)."""
    assert IdentityInhibitor().mix == 0.0
    n = 4 * len(apnea.X)
    confidences = []
    for seed in range(3):
        inh = inhibitor(inhibition_weight=5.0, min_class_people=5, mix=0.75,
                        random_state=seed).fit(apnea.X, apnea.y, groups=apnea.groups)
        X = inh.sample(n)[0]
        confidences.append([subject_confidence(inh, X[:n // 4]),
                            subject_confidence(inh, X[n // 4:])])
    optimized, interpolated = np.mean(confidences, axis=0)
    assert interpolated > optimized + 0.05, (optimized, interpolated)


def test_weight_zero_gives_the_plain_synthesizers_stimuli(apnea):
    from skstim import StimulusSynthesizer
    inh = inhibitor(inhibition_weight=0.0)
    X_inh, _ = inh.fit_resample(apnea.X, apnea.y, groups=apnea.groups)
    params = {k: v for k, v in inh.get_params(deep=False).items()
              if k not in ("identity_model", "inhibition_weight", "inhibition", "profile_weight")}
    X_plain, _ = StimulusSynthesizer(**params).fit_resample(apnea.X, apnea.y, groups=apnea.groups)
    np.testing.assert_array_equal(X_inh, X_plain)


def test_missing_groups_says_how_to_pass_them(apnea):
    with pytest.raises(ValueError, match="groups=subject_ids.*enable_metadata_routing"):
        inhibitor().fit_resample(apnea.X, apnea.y)


def test_bad_groups_are_named(apnea):
    with pytest.raises(ValueError, match="groups has 5 entries but X has 72 rows"):
        inhibitor().fit(apnea.X, apnea.y, groups=apnea.groups[:5])
    with pytest.raises(ValueError, match="one subject only"):
        inhibitor().fit(apnea.X, apnea.y, groups=np.zeros(len(apnea.X)))


def test_identity_model_must_output_logits(apnea):
    softmax_net = make_teacher(arch="mlp", max_epochs=1, criterion=torch.nn.NLLLoss)
    with pytest.raises(ValueError, match="identity_model must output logits"):
        inhibitor(identity_model=softmax_net).fit(apnea.X, apnea.y, groups=apnea.groups)


def test_seeded_fits_repeat(apnea):
    runs = [inhibitor().fit_resample(apnea.X, apnea.y, groups=apnea.groups)[0] for _ in range(2)]
    np.testing.assert_array_equal(*runs)


def pipelines():
    return {
        "student": StimulusStudent(inhibitor(), LogisticRegression()),
        "sklearn pipeline": Pipeline([("scale", StandardScaler()),
                                      ("model", StimulusStudent(inhibitor(), LogisticRegression()))]),
        "imblearn pipeline": ImbPipeline([("scale", StandardScaler()), ("synth", inhibitor()),
                                          ("student", LogisticRegression())]),
    }


@pytest.mark.parametrize("style", sorted(pipelines()))
def test_groups_reach_it_through_metadata_routing(apnea, style):
    with sklearn.config_context(enable_metadata_routing=True):
        scores = cross_val_score(pipelines()[style], apnea.X, apnea.y, cv=GroupKFold(3),
                                 params={"groups": apnea.groups}, error_score="raise")
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))


def test_grid_search_over_the_inhibition_weight(apnea):
    grid = {"synth__inhibition_weight": [0.0, 1.0]}
    with sklearn.config_context(enable_metadata_routing=True):
        search = GridSearchCV(pipelines()["imblearn pipeline"], grid, cv=GroupKFold(2),
                              error_score="raise").fit(apnea.X, apnea.y, groups=apnea.groups)
    assert search.best_params_["synth__inhibition_weight"] in (0.0, 1.0)
    assert search.best_estimator_.named_steps["synth"].identity_model_ is not None


def test_without_routing_the_error_says_how_to_enable_it(apnea):
    with pytest.raises(ValueError, match="enable_metadata_routing=True"):
        cross_val_score(pipelines()["student"], apnea.X, apnea.y, groups=apnea.groups,
                        cv=GroupKFold(3), error_score="raise")


def test_a_direct_student_fit_passes_groups_on(apnea):
    clf = StimulusStudent(inhibitor(), LogisticRegression())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(apnea.X, apnea.y, groups=apnea.groups)
    np.testing.assert_array_equal(clf.synthesizer_.subjects_, np.unique(apnea.groups))
