"""The synthesizer's fit under a differential-privacy budget (``dp_epsilon``)."""

import numpy as np
import torch
from sklearn.frozen import FrozenEstimator

from . import dp
from ._fitting import check_logits

__all__ = ["fit_private"]


def fit_private(synthesizer, X32, y, groups, teacher_seed, noise_seed):
    """Fit ``synthesizer`` on ``(X32, y)`` with every use of the data by a DP mechanism.

    The aggregates' noise is set first (:func:`skstim.dp.aggregate_noise`, their share
    of the budget); the standardization and the class prior (with a noisy count of the
    units) are released; DP-SGD, planned on that count, gets the rest of the budget
    (:func:`skstim.dp.sgd_noise`) and trains the teacher on the standardized input;
    the class activation statistics and the start are released from it. Sets the
    fitted attributes that ``StimulusSynthesizer._fit`` sets, ``class_support_`` as
    ``None`` (the floors apply to the noisy counts) and ``privacy_``; per window,
    ``stimuli_per_sample`` multiplies the noisy count of windows (the exact count would
    give a window's presence away).
    """
    s = synthesizer
    _check_private_fit(s, groups)
    dp.require_opacus()
    s.classes_, y_encoded = np.unique(y, return_inverse=True)
    n_classes = len(s.classes_)
    units = np.arange(len(X32)) if s.dp_unit == "window" else np.asarray(groups)
    delta = s.dp_delta if s.dp_delta is not None else dp.default_delta(len(np.unique(units)))
    statistics = s.bn_weight > 0
    aggregates = dp.aggregate_names(s.init == "class_spectrum", statistics)
    aggregate_noise = dp.aggregate_noise(s.dp_epsilon, delta, aggregates)
    account = dp.PrivacyAccount(delta, s.dp_unit)
    private = dp.PrivateAggregates(units, aggregate_noise, account,
                                   torch.Generator().manual_seed(noise_seed),
                                   min_units=_private_floor(s))
    channels = X32.reshape(len(X32), *s.input_shape_)
    s.loc_, s.scale_ = private.standardization(channels)
    shares, n_noisy = private.class_prior(y_encoded, n_classes)
    s.class_prior_ = shares if s.class_prior == "match" else s._resolve_class_prior(y_encoded)
    if s.n_stimuli is None:  # the exact number of rows would tell a unit's presence
        s.n_stimuli_ = max(1, int(round(s.stimuli_per_sample * n_noisy)))
    # DP-SGD's sampling, steps and divisor follow the noisy count, not the exact one
    template = dp.to_dp_net(s.teacher, s.dp_unit).set_params(expected_units=max(n_noisy, 1.0))
    sgd_noise = dp.sgd_noise(s.dp_epsilon, delta, aggregates, aggregate_noise,
                             template.plan(template.expected_units))
    teacher = s._prepare_net(template.set_params(noise_multiplier=sgd_noise), n_classes,
                             teacher_seed)
    s.teacher_ = s._fit_net(teacher, X32, y_encoded, teacher_seed,
                            groups=groups if s.dp_unit == "person" else None)
    account.add(s.teacher_.mechanism())
    check_logits(s.teacher_, X32, n_classes)
    s.class_support_, s.class_statistics_, s.init_ = None, None, None
    if statistics:
        s.class_statistics_ = private.activation_statistics(
            s.teacher_.module_, torch.as_tensor(X32, device=torch.device(s.device)), y_encoded,
            n_classes, s.batch_size)
    if s.init == "class_spectrum":
        s.init_ = private.spectrum_start((channels - s.loc_) / s.scale_, y_encoded, n_classes,
                                         s.init_rank)
    s.privacy_ = account.record()


def _check_private_fit(s, groups):
    """Refuse, naming the fix, what ``dp_epsilon`` cannot cover."""
    if s.dp_unit == "person" and groups is None:
        raise ValueError("dp_unit='person' bounds what each person's windows change: pass "
                         "groups=person_ids to fit, or use dp_unit='window'.")
    if s.dp_unit == "person" and s.n_stimuli is None:
        raise ValueError(
            "dp_unit='person': how many windows the people have is private, so the number "
            "of stimuli cannot follow it (stimuli_per_sample); pass n_stimuli, a count "
            "chosen without the data (e.g. 4 times the windows the study planned).")
    problems = {
        "teacher": (isinstance(s.teacher, FrozenEstimator),
                    "a FrozenEstimator teacher was trained outside this budget; pass an "
                    "unfitted net (or None) so that it is trained by DP-SGD here"),
        "init": (s.init in ("class_scale_mixture", "class_gaussian"),
                 f"init={s.init!r} has no DP mechanism (its principal directions are sums of "
                 "outer products of private rows); pass init='class_spectrum' or init='noise'"),
        "bn_statistics": (s.bn_weight > 0 and s.bn_statistics == "running",
                          "bn_statistics='running' needs BatchNorm, which DP-SGD does not "
                          "allow; pass bn_statistics='class'"),
        "bn_segments": (s.bn_segments != 1, "the private activation statistics are kept for "
                        "the whole window; pass bn_segments=1"),
    }
    for name, (broken, fix) in problems.items():
        if broken:
            raise ValueError(f"dp_epsilon={s.dp_epsilon!r}: {fix} ({name}).")


def _private_floor(s):
    """Fewest units (noisy count) behind a class aggregate under ``dp_epsilon``: people, or,
    per window, the larger of the two floors."""
    if s.dp_unit == "person":
        return s.min_class_people
    return max(s.min_class_people, s.min_class_rows)
