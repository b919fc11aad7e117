"""StimulusSynthesizer: a teacher fitted on private data, and stimuli synthesized from it."""

from numbers import Integral, Real

import numpy as np
import torch
from imblearn.base import BaseSampler
from sklearn.base import _fit_context
from sklearn.frozen import FrozenEstimator
from sklearn.utils._param_validation import HasMethods, Interval, InvalidParameterError, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _num_samples, check_is_fitted, validate_data
from skorch import NeuralNet
from tqdm.auto import tqdm

from ._docstrings import FIT_DATA, FITTED_ATTRIBUTES, SYNTHESIS_PARAMETERS, TEACHER
from ._fitting import check_logits, fit_net, prepare_net
from ._private_fit import fit_private
from ._record import synthesis_record
from .nets import SubjectInvariantClassifier, make_network, make_teacher
from .synthesis import (
    OPTIMIZERS,
    ClassGaussian,
    ClassScaleMixture,
    ClassSpectrum,
    class_activation_statistics,
    class_support,
    interpolate,
    make_optimizer,
    synthesize,
    warn_few_people_for_directions,
)
from .utils import (
    Substitution,
    allocate,
    check_fits_in_memory,
    check_groups,
    check_input_shape,
    child_seed,
    fit_on_stimuli,
    seed_sequence,
    seeded_torch,
    torch_seed,
)

__all__ = ["StimulusSynthesizer"]

_TEACHER_SEED, _SYNTHESIS_SEED, _DP_SEED = 0, 1, 5
_INITIALIZERS = {"class_gaussian": ClassGaussian, "class_scale_mixture": ClassScaleMixture,
                 "class_spectrum": ClassSpectrum}


@Substitution(teacher=TEACHER, synthesis_parameters=SYNTHESIS_PARAMETERS,
              fitted_attributes=FITTED_ATTRIBUTES)
class StimulusSynthesizer(BaseSampler):
    """Fit a teacher network on private data and synthesize stimuli that teach what it learned.

    The teacher is fitted on ``(X, y)``; stimuli start from noise and are optimized to
    excite the teacher's class neurons while the BatchNorm-statistics prior keeps the
    activations they cause like those of the real data (Nikolaidis et al., arXiv
    2009.10007). Follows imbalanced-learn's sampler protocol: ``fit_resample(X, y)``
    returns stimuli and their hard labels (the teacher's argmax) in place of the data,
    so the synthesizer can be a step of :class:`imblearn.pipeline.Pipeline`.

    The effect of each parameter on what students learn and on what stimuli give
    away is measured in the benchmark pages of the documentation (``docs/benchmarks/``).

    A fitted synthesizer is private data: it holds the teacher fitted on the private
    rows and aggregates of them (``loc_``, ``scale_``, ``init_``,
    ``class_statistics_``). Never share it, pickled or otherwise; share the stimuli,
    e.g. as a file written by :func:`skstim.release.save_stimuli`.

    Parameters
    ----------
    {teacher}
    {synthesis_parameters}

    Attributes
    ----------
    {fitted_attributes}

    See Also
    --------
    StimulusStudent : trains any classifier on the stimuli, as one estimator.

    Examples
    --------
    >>> from skstim import StimulusSynthesizer, make_teacher
    >>> from skstim.datasets import make_sleep_apnea
    >>> data = make_sleep_apnea(n_subjects=4, n_windows=20, random_state=0)
    >>> syn = StimulusSynthesizer(make_teacher(arch="mlp", max_epochs=3),
    ...                           input_shape=data.input_shape, n_iter=10, random_state=0)
    >>> X_s, y_s = syn.fit_resample(data.X, data.y)
    >>> X_s.shape, syn.y_proba_.shape     # four stimuli per training row by default
    ((320, 480), (320, 2))
    """

    __metadata_request__fit = {"groups": True}
    __metadata_request__fit_resample = {"groups": True}

    _sampling_type = "bypass"
    sampling_strategy = "auto"  # imbalanced-learn's; class_prior sets the class shares

    _parameter_constraints = {
        "teacher": [NeuralNet, FrozenEstimator, None],
        "input_shape": [tuple, list, None],
        "n_stimuli": [Interval(Integral, 1, None, closed="left"), None],
        "stimuli_per_sample": [Interval(Real, 0, None, closed="neither")],
        "method": [StrOptions(set(OPTIMIZERS))],
        "n_iter": [Interval(Integral, 0, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither"), None],
        "bn_weight": [Interval(Real, 0, None, closed="left")],
        "bn_statistics": [StrOptions({"class", "running"})],
        "bn_segments": [Interval(Integral, 1, None, closed="left")],
        "init": [StrOptions(set(_INITIALIZERS) | {"noise"})],
        "init_rank": [Interval(Integral, 0, None, closed="left")],
        "init_rest": [StrOptions({"white", "spectrum"}), Interval(Real, 0, 1, closed="both")],
        "step_shape": [StrOptions({"white", "spectrum"})],
        "min_class_people": [Interval(Integral, 1, None, closed="left")],
        "min_class_rows": [Interval(Integral, 1, None, closed="left")],
        "max_person_share": [Interval(Real, 1, None, closed="left"), None],
        "tv_weight": [Interval(Real, 0, None, closed="left")],
        "l2_weight": [Interval(Real, 0, None, closed="left")],
        "mix": [Interval(Real, 0, 1, closed="left")],
        "confidence": [Interval(Real, 0, 1, closed="right"), tuple, list, None],
        "competition_weight": [Interval(Real, 0, None, closed="left")],
        "class_prior": [StrOptions({"match", "uniform"}), dict],
        "memory": [None, str, HasMethods(["cache"])],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "device": [str, torch.device],
        "n_jobs": [Integral, None],
        "dp_epsilon": [Interval(Real, 0, None, closed="neither"), None],
        "dp_delta": [Interval(Real, 0, 1, closed="neither"), None],
        "dp_unit": [StrOptions({"window", "person"})],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, teacher=None, *, input_shape=None, n_stimuli=None, stimuli_per_sample=4.0,
                 method="direct", n_iter=20, lr=None, bn_weight=1.0, bn_statistics="class", bn_segments=1,
                 init="class_scale_mixture", init_rank=64, init_rest="white", step_shape="white",
                 min_class_people=10, min_class_rows=20, max_person_share=1.0, tv_weight=0.0,
                 l2_weight=0.0, mix=0.0, confidence=None, competition_weight=0.0,
                 class_prior="match", memory=None, batch_size=256, device="cpu", n_jobs=None,
                 dp_epsilon=None, dp_delta=None, dp_unit="window", random_state=None, verbose=0):
        self.teacher = teacher
        self.input_shape = input_shape
        self.n_stimuli = n_stimuli
        self.stimuli_per_sample = stimuli_per_sample
        self.method = method
        self.n_iter = n_iter
        self.lr = lr
        self.bn_weight = bn_weight
        self.bn_statistics = bn_statistics
        self.bn_segments = bn_segments
        self.init = init
        self.init_rank = init_rank
        self.init_rest = init_rest
        self.step_shape = step_shape
        self.min_class_people = min_class_people
        self.min_class_rows = min_class_rows
        self.max_person_share = max_person_share
        self.tv_weight = tv_weight
        self.l2_weight = l2_weight
        self.mix = mix
        self.confidence = confidence
        self.competition_weight = competition_weight
        self.class_prior = class_prior
        self.memory = memory
        self.batch_size = batch_size
        self.device = device
        self.n_jobs = n_jobs
        self.dp_epsilon = dp_epsilon
        self.dp_delta = dp_delta
        self.dp_unit = dp_unit
        self.random_state = random_state
        self.verbose = verbose

    def _validate_params(self):
        """sklearn's parameter validation, after the mistakes it would let through or
        explain without the fix: a bool for a count, and a float count."""
        for name in ("n_stimuli", "stimuli_per_sample"):
            if isinstance(getattr(self, name), (bool, np.bool_)):
                raise InvalidParameterError(
                    f"The '{name}' parameter of {type(self).__name__} must be a number, not "
                    f"a bool; got {getattr(self, name)!r}.")
        if isinstance(self.n_stimuli, (Real, np.floating)) \
                and not isinstance(self.n_stimuli, Integral):
            raise InvalidParameterError(
                f"The 'n_stimuli' parameter of {type(self).__name__} is a count of stimuli (an "
                f"int) or None; got {self.n_stimuli!r}. For a multiple of the training rows, "
                f"pass stimuli_per_sample={self.n_stimuli!r} and n_stimuli=None.")
        super()._validate_params()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.dataframe = True
        return tags

    # ------------------------------------------------------------------ fitting
    def _check_X_y(self, X, y):
        """Validated ``X`` (float) and ``y``; imbalanced-learn's hook, also used by ``fit``."""
        # Sparse X has ndim 2 and is refused by validate_data; array-likes may lack ndim.
        ndim = X.ndim if hasattr(X, "ndim") else np.asarray(X).ndim
        if ndim > 2:
            raise ValueError(
                f"X must be 2-D (n_samples, n_channels * n_times), got {ndim}-D. Flatten "
                "each sample, e.g. X.reshape(len(X), -1), and pass input_shape=(C, T)."
            )
        if y is not None and ndim == 2 and _num_samples(X) != _num_samples(y):
            raise ValueError(
                f"X has {_num_samples(X)} rows but y has {_num_samples(y)} entries: X and y "
                "need one entry per sample."
            )
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
        check_classification_targets(y)
        if not isinstance(self.teacher, FrozenEstimator) and len(np.unique(y)) < 2:
            raise ValueError(
                f"y has one class only ({np.unique(y)[0]!r}): the teacher needs samples of "
                "at least two classes."
            )
        return X, y, False

    def _resolve_input_shape(self, n_features):
        return check_input_shape(self.input_shape, n_features)

    def _resolve_confidence(self):
        confidence = self.confidence
        if confidence is None or isinstance(confidence, Real):
            return confidence
        if len(confidence) != 2 or not 0 < confidence[0] <= confidence[1] <= 1:
            raise ValueError(
                f"confidence must be a float in (0, 1], a (low, high) pair with "
                f"0 < low <= high <= 1, or None; got {confidence!r}."
            )
        return tuple(float(c) for c in confidence)

    def _resolve_class_prior(self, y_encoded):
        n_classes = len(self.classes_)
        if self.class_prior == "match":
            prior = np.bincount(y_encoded, minlength=n_classes).astype(float)
        elif self.class_prior == "uniform":
            prior = np.ones(n_classes)
        else:
            unknown = set(self.class_prior) - set(self.classes_.tolist())
            if unknown:
                raise ValueError(
                    f"class_prior names classes {sorted(map(str, unknown))} that are not in y; "
                    f"the classes are {self.classes_.tolist()}."
                )
            prior = np.array([float(self.class_prior.get(c, 0.0)) for c in self.classes_.tolist()])
            if np.any(prior < 0) or prior.sum() <= 0:
                raise ValueError("class_prior weights must be >= 0 with a positive sum.")
        return prior / prior.sum()

    def _prepare_net(self, template, n_classes, seed, name="teacher", default=make_network):
        """A fresh clone of ``template`` (``None``: a net of the factory ``default``) sized
        and standardized for the data (see :func:`prepare_net`)."""
        return prepare_net(template, self.input_shape_, n_classes, seed=seed,
                           seeded=self.random_state is not None, device=self.device, name=name,
                           standardization=(self.loc_, self.scale_), default=default)

    def _fit_net(self, net, X32, labels, seed, groups=None):
        """Fit ``net`` on (X32, labels) under ``seed``, through the ``memory`` cache."""
        return fit_net(net, X32, labels, seed, memory=self.memory,
                       seeded=self.random_state is not None, groups=groups)

    @Substitution(fit_data=FIT_DATA)
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **params):
        """Fit the teacher on ``(X, y)`` and record the class aggregates the synthesis uses.

        With ``groups`` (the person of each row), each person weighs the same in every
        class aggregate and the people floor ``min_class_people`` applies; without,
        each row counts as a person.

        Parameters
        ----------
        {fit_data}

        Returns
        -------
        self : StimulusSynthesizer
            Fitted.
        """
        X, y, _ = self._check_X_y(X, y)
        self._fit(X, y, **params)
        return self

    @Substitution(fit_data=FIT_DATA)
    def fit_resample(self, X, y, **params):
        """Fit (see :meth:`fit`) and return stimuli in place of the data.

        Validation and the output's container follow imbalanced-learn's
        ``SamplerMixin.fit_resample``: a DataFrame ``X`` gives a DataFrame of stimuli,
        its columns float32 whatever those of ``X`` (imbalanced-learn would cast the
        stimuli to them, truncating stimuli of integer columns).

        Parameters
        ----------
        {fit_data}

        Returns
        -------
        X_resampled : ndarray of shape (n_stimuli, n_features), float32
            Stimuli, ``n_stimuli_`` of them.
        y_resampled : ndarray of shape (n_stimuli,)
            Their hard labels (the teacher's argmax); soft labels are kept in ``y_proba_``.
        """
        if hasattr(X, "columns") and hasattr(X, "astype"):  # a DataFrame; astype copies it
            X = X.astype(np.float32)
        return super().fit_resample(X, y, **params)

    def _fit_resample(self, X, y, **params):
        self._fit(X, y, **params)
        X_s, y_s, self.y_proba_ = self.sample(self.n_stimuli_, return_proba=True)
        return X_s, y_s

    def _fit(self, X, y, groups=None):
        """Fit the teacher and the data statistics on validated data; return X as float32."""
        groups = check_groups(groups, len(X))
        self.n_samples_fit_ = len(X)
        self.n_stimuli_ = self._resolve_n_stimuli(len(X))
        self._confidence = self._resolve_confidence()
        self.input_shape_ = self._resolve_input_shape(X.shape[1])
        self._root_seed = seed_sequence(self.random_state)
        teacher_seed = torch_seed(child_seed(self._root_seed, _TEACHER_SEED))
        X32 = X.astype(np.float32)
        self.privacy_ = None
        if self.dp_epsilon is not None:
            self._fit_private(X32, y, groups, teacher_seed)
            return X32
        self.loc_, self.scale_ = self._standardization(X32)

        if isinstance(self.teacher, FrozenEstimator):
            self.teacher_ = self.teacher.estimator
            check_is_fitted(self.teacher_)
            self.classes_ = np.asarray(self.teacher_.classes_)
            missing = set(np.unique(y).tolist()) - set(self.classes_.tolist())
            if missing:
                raise ValueError(
                    f"y holds classes {sorted(map(str, missing))} the frozen teacher does not know "
                    f"(its classes_ are {self.classes_.tolist()})."
                )
            y_encoded = np.searchsorted(self.classes_, y)
        else:
            self.classes_, y_encoded = np.unique(y, return_inverse=True)
            teacher = self._prepare_net(self.teacher, len(self.classes_), teacher_seed,
                                        default=make_teacher)
            invariant = isinstance(teacher, SubjectInvariantClassifier)
            if invariant and groups is None:
                raise ValueError(
                    "The teacher is a SubjectInvariantClassifier: it needs the subject of "
                    "every row. Pass groups=subject_ids to fit or fit_resample.")
            self.teacher_ = self._fit_net(teacher, X32, y_encoded, teacher_seed,
                                          groups=groups if invariant else None)
        check_logits(self.teacher_, X32, len(self.classes_))
        self.class_prior_ = self._resolve_class_prior(y_encoded)
        self._fit_data_statistics(X32, y_encoded, groups)
        return X32

    def _fit_private(self, X32, y, groups, teacher_seed):
        """The fit of ``_fit`` with every use of the data by a DP mechanism (``dp_epsilon``)."""
        fit_private(self, X32, y, groups, teacher_seed,
                    torch_seed(child_seed(self._root_seed, _DP_SEED)))

    def _standardization(self, X32):
        """Per-channel mean and standard deviation (1 where a channel is constant), as
        ``(n_channels, 1)`` columns."""
        channels = X32.reshape(len(X32), *self.input_shape_)
        scale = channels.std(axis=(0, 2))[:, None]
        return (channels.mean(axis=(0, 2))[:, None],
                np.where(scale > 0, scale, 1.0).astype(np.float32))

    def _fit_data_statistics(self, X32, y_encoded, groups):
        """Class-level aggregates of the real data that guide the synthesis."""
        n_classes = len(self.classes_)
        device = torch.device(self.device)
        X_t = torch.as_tensor(X32, device=device)
        y_t = torch.as_tensor(y_encoded.astype(np.int64), device=device)
        uses_classes = (self.bn_weight > 0 and self.bn_statistics == "class") \
            or self.init in _INITIALIZERS
        self.class_support_ = class_support(
            y_encoded, n_classes, groups, min_people=self.min_class_people,
            min_rows=self.min_class_rows, max_person_share=self.max_person_share,
            warn=uses_classes, class_names=self.classes_.tolist())
        self.class_statistics_ = None
        if self.bn_weight > 0 and self.bn_statistics == "class":
            self.class_statistics_ = class_activation_statistics(
                self.teacher_.module_, X_t, y_t, n_classes, batch_size=self.batch_size,
                n_segments=self.bn_segments, support=self.class_support_)
        self.init_ = None
        if self.init in _INITIALIZERS:
            z = (X_t.view(len(X_t), *self.input_shape_) - torch.as_tensor(self.loc_, device=device)) \
                / torch.as_tensor(self.scale_, device=device)
            rest = {} if self.init == "class_spectrum" else dict(rest=self.init_rest,
                                                                  steps=self.step_shape)
            self.init_ = _INITIALIZERS[self.init].fit(z, y_t, n_classes, rank=self.init_rank,
                                                      support=self.class_support_, **rest)
            if groups is not None and self.init != "class_spectrum" and self.init_rank > 0:
                warn_few_people_for_directions(self.class_support_, self.min_class_people,
                                               self.classes_.tolist())

    # ---------------------------------------------------------------- sampling
    def _resolve_n_stimuli(self, n_samples):
        if self.n_stimuli is not None:
            return int(self.n_stimuli)
        return max(1, int(round(self.stimuli_per_sample * n_samples)))

    def sample(self, n_samples, *, return_proba=False, random_state=None):
        """Synthesize ``n_samples`` stimuli from the fitted teacher.

        Parameters
        ----------
        n_samples : int
            Number of stimuli.
        return_proba : bool, default=False
            Also return the teacher's soft labels.
        random_state : int, RandomState instance or None, default=None
            Seed of this draw; ``None`` uses the estimator's ``random_state``, so that
            repeated calls (and ``fit_resample``) give the same stimuli for a fixed seed.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features), float32
            Stimuli, in the layout and scale of the training data.
        y : ndarray of shape (n_samples,)
            Hard labels: the teacher's most probable class.
        proba : ndarray of shape (n_samples, n_classes), float32
            The teacher's probabilities; only when ``return_proba=True``.
        """
        check_is_fitted(self, "teacher_")
        if not isinstance(n_samples, Integral) or isinstance(n_samples, bool) or n_samples <= 0:
            raise ValueError(f"n_samples must be a positive int, got {n_samples!r}.")
        check_fits_in_memory(
            n_samples * (self.n_features_in_ + len(self.classes_)) * 4,
            f"{n_samples:,} stimuli of {self.n_features_in_} features (float32)",
            "draw fewer stimuli per call of sample")
        root = self._root_seed if random_state is None else seed_sequence(random_state)
        stream = child_seed(root, _SYNTHESIS_SEED)
        rng = np.random.default_rng(child_seed(stream, 0))
        n_mixed = min(int(round(self.mix * n_samples)), n_samples - 1)
        counts = allocate(n_samples - n_mixed, self.class_prior_)
        targets = rng.permutation(np.repeat(np.arange(len(counts)), counts))
        # every part is written into its rows of the output: no part is held twice
        X = np.empty((n_samples, self.n_features_in_), dtype=np.float32)
        proba = np.empty((n_samples, len(self.classes_)), dtype=np.float32)
        n_optimized = len(targets)
        n_first = n_optimized // 2 if self.competition_weight > 0 else n_optimized
        with tqdm(total=n_optimized, desc="synthesizing", unit="stimulus",
                  disable=not self.verbose) as bar:
            self._synthesize(targets[:n_first], child_seed(stream, 1), bar.update,
                             out=(X[:n_first], proba[:n_first]))
            if n_first < n_optimized:
                competitor = self._fit_competitor(X[:n_first], proba[:n_first],
                                                  torch_seed(child_seed(stream, 4)))
                self._synthesize(
                    targets[n_first:], child_seed(stream, 3), bar.update,
                    out=(X[n_first:n_optimized], proba[n_first:n_optimized]),
                    student_model=competitor.module_, competition_weight=self.competition_weight)
        if n_mixed:
            interpolate(self.teacher_.module_, X[:n_optimized], n_mixed,
                        n_channels=self.input_shape_[0], batch_size=self.batch_size,
                        device=self.device,
                        random_state=child_seed(stream, 2),
                        out=(X[n_optimized:], proba[n_optimized:]))
        self._check_converged(X)
        y = self.classes_[proba.argmax(axis=1)]
        return (X, y, proba) if return_proba else (X, y)

    def _check_converged(self, X):
        diverged = ~np.isfinite(X).all(axis=1)
        if diverged.any():
            raise FloatingPointError(
                f"The optimization diverged: {int(diverged.sum())} of {len(X)} stimuli hold NaN "
                f"or infinite values (method={self.method!r}, lr={self.lr!r}, "
                f"n_iter={self.n_iter}). Lower lr, or check that the teacher's outputs are "
                "finite on the training data; no stimuli were returned."
            )

    def _synthesize(self, targets, seed, callback, out=None, **competition):
        """Stimuli and the teacher's probabilities for ``targets`` (the engine's call),
        written into ``out`` where given."""
        return synthesize(
            self.teacher_.module_, targets, self.input_shape_,
            optimizer=make_optimizer(self.method, self.n_iter, self.lr, steps=self.step_shape),
            bn_weight=self.bn_weight, class_statistics=self.class_statistics_,
            bn_segments=self.bn_segments,
            init=self.init_, tv_weight=self.tv_weight, l2_weight=self.l2_weight,
            confidence=self._confidence, loc=self.loc_, scale=self.scale_,
            batch_size=self.batch_size, device=self.device, n_jobs=self.n_jobs,
            random_state=seed, callback=callback, out=out, **competition, **self._extra_terms(),
        )

    def _fit_competitor(self, X, proba, seed):
        """A fresh network of the teacher's architecture, trained on stimuli ``X``."""
        template = self.teacher.estimator if isinstance(self.teacher, FrozenEstimator) \
            else self.teacher
        competitor = self._prepare_net(template, len(self.classes_), seed, name="teacher")
        with seeded_torch(seed):
            return fit_on_stimuli(competitor, X, proba, self.classes_)

    def synthesis_record(self):
        """How the fitted synthesizer makes its stimuli, as a JSON-ready dict.

        The metadata of a stimuli file (:func:`skstim.release.stimuli_metadata`): the
        parameters (the teacher as a short description; of ``memory`` only whether a
        cache was used, never its location), the shape of one sample, the classes, the
        class prior of the stimuli, the teacher's class and ``module__*`` parameters
        (but not a GroupNorm teacher's input standardization, an aggregate of the data)
        and, with ``dp_epsilon``, the guarantee (``privacy_``). No private row and no
        aggregate of the data beyond the class prior.

        Returns
        -------
        record : dict
            ``"synthesis_parameters"``, ``"input_shape"``, ``"classes"``,
            ``"class_prior"``, ``"differential_privacy"`` (``privacy_``, ``None``
            without ``dp_epsilon``) and ``"teacher"``.
        """
        check_is_fitted(self, "teacher_")
        return synthesis_record(self)

    def _extra_terms(self):
        """Keyword arguments of :func:`~skstim.synthesis.synthesize` that subclasses add."""
        return {}
