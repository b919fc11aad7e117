"""StimulusSynthesizer: a teacher fitted on private data, and stimuli synthesized from it."""

import inspect
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.frozen import FrozenEstimator
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _num_samples, check_is_fitted, check_memory, validate_data
from skorch import NeuralNet
from tqdm.auto import tqdm

from ._record import synthesis_record
from .nets import make_network
from .synthesis import (
    OPTIMIZERS,
    ClassGaussian,
    ClassScaleMixture,
    class_activation_statistics,
    interpolate,
    make_optimizer,
    synthesize,
)
from .utils import (
    allocate,
    check_input_shape,
    child_seed,
    fit_on_stimuli,
    seed_sequence,
    seeded_torch,
    torch_seed,
)

__all__ = ["StimulusSynthesizer"]

_TEACHER_SEED, _SYNTHESIS_SEED = 0, 1
_INITIALIZERS = {"class_gaussian": ClassGaussian, "class_scale_mixture": ClassScaleMixture}


def _fit_teacher(teacher, X, y, seed):
    """Fit ``teacher`` on (X, y) under a fixed torch seed; cacheable by ``joblib.Memory``."""
    with seeded_torch(seed):
        return teacher.fit(X, y)


def _is_probability_output(output):
    return bool(np.all(output >= 0) and np.allclose(output.sum(axis=1), 1.0, atol=1e-4))


class StimulusSynthesizer(BaseEstimator):
    """Fit a teacher network on private data and synthesize stimuli that teach what it learned.

    The teacher is fitted on ``(X, y)``; stimuli start from noise and are optimized to
    excite the teacher's class neurons while the BatchNorm-statistics prior keeps the
    activations they cause like those of the real data (Nikolaidis et al., arXiv
    2009.10007). Follows imbalanced-learn's sampler protocol: ``fit_resample(X, y)``
    returns stimuli and their hard labels (the teacher's argmax) in place of the data,
    so the synthesizer can be a step of :class:`imblearn.pipeline.Pipeline`.

    Parameters
    ----------
    teacher : skorch NeuralNetClassifier, FrozenEstimator or None, default=None
        An unfitted skorch classifier that outputs logits, cloned and fitted in ``fit``;
        ``None`` uses :func:`~skstim.make_teacher` (the BatchNorm CNN). A teacher fitted
        elsewhere can be passed as ``sklearn.frozen.FrozenEstimator(net)``: it is used as
        it is (never do so inside cross-validation on the same data: it leaks the
        held-out folds). ``module__input_shape`` and ``module__n_classes`` are set from
        the data when the network takes them.
    input_shape : tuple of int or None, default=None
        ``(n_channels, n_times)`` of one sample, with ``n_channels * n_times ==
        n_features``; ``None`` means ``(1, n_features)``.
    n_stimuli : int or float, default=4.0
        Stimuli made by ``fit_resample``: an int, or a float multiple of ``len(X)``.
        Students learn the teacher's function better from more stimuli than there
        were windows: on Apnea-ECG, four per window brought the teacher's own
        architecture from 3.9 to 0.7 accuracy points below the same network trained
        on real data (first quick fold, mean of 5 student seeds), and with the other
        defaults to 0.2 points above it over 3 subject-disjoint folds, no student
        family more than 0.6 points below (docs/benchmarks/utility.md). It costs
        four times the synthesis time of one stimulus per window.
    method : {"direct", "generator"}, default="direct"
        ``"direct"`` optimizes the inputs (Adam, cosine schedule); ``"generator"``
        trains a class-conditional generator network per batch (the paper's method).
    n_iter : int, default=20
        Optimization steps per batch of stimuli. On Apnea-ECG (quick utility
        benchmark, 3 subject-disjoint folds; docs/benchmarks/utility.md), 20 steps
        did as well as 50 (the teacher's architecture 1.3 points below real data
        against 2.4; no other family more than 1.1 points worse, the GRU 3.8 lower
        but still 10.7 above its real-data counterpart), 200 steps no better, and 10
        steps worse (random forest -3.6, RBF SVM -6.3).
    lr : float or None, default=None
        Learning rate; ``None`` uses the method's default (0.1 direct, 1e-3 generator).
    bn_weight : float, default=1.0
        Weight of the BatchNorm-statistics prior.
    bn_statistics : {"class", "running"}, default="class"
        Targets of the BatchNorm prior: the statistics of the real samples of each
        stimulus' class, recorded in ``fit`` (the stimuli of a class must move the
        teacher's layers as that class does), or the layers' running statistics over all
        classes (deep inversion).
    bn_segments : int, default=1
        With ``bn_statistics="class"``, keep the statistics per time segment as well:
        the window is cut into this many equal segments at every layer (at most the
        layer's length), so that the stimuli of a class must move each layer as that
        class does at each position, not only on average over the window. A teacher
        that pools over time cannot tell where a pattern sits; this is how the
        stimuli learn it anyway.
    init : {"class_scale_mixture", "class_gaussian", "noise"}, default="class_scale_mixture"
        Where stimuli start: a sample of a low-rank Gaussian fitted to the real samples
        of their class, with a random amplitude per stimulus drawn from the class's
        spread of window amplitudes (:class:`~skstim.synthesis.ClassScaleMixture`:
        some real windows are flat, others swing widely); the same Gaussian without
        the random amplitude (:class:`~skstim.synthesis.ClassGaussian`); or white
        noise. On Apnea-ECG (quick utility benchmark, 3 subject-disjoint folds, rank
        64, 20 steps), the scale mixture brought gradient boosting from 5.6 to 2.2
        accuracy points below real data and the RBF SVM from 5.1 to 0.2; a rank-64
        Gaussian without it did not (5.4 and 5.4).
    init_rank : int, default=64
        Principal directions of each class kept by the class-conditional starts (at
        most the class size minus one and the number of features).
    tv_weight : float, default=0.0
        Weight of the total-variation (smoothness) penalty.
    l2_weight : float, default=0.0
        Weight of the L2 penalty on the standardized stimuli.
    mix : float, default=0.0
        Share of the stimuli, in [0, 1), made as teacher-labelled interpolations
        between random pairs of optimized stimuli instead of being optimized
        themselves (see :func:`skstim.synthesis.interpolate`); they come after the
        optimized ones.
    confidence : float, (float, float) or None, default=None
        Per-stimulus confidence target, drawn uniformly from the range: a stimulus is
        frozen once the teacher's probability of its class reaches it (the paper's
        random thresholds, which spread stimuli towards the decision boundary).
        ``None`` optimizes every stimulus for ``n_iter`` steps. On Apnea-ECG, freezing
        at targets in (0.5, 1) left stimuli near their start and cost the teacher's own
        architecture 6.6 accuracy points (quick utility benchmark, 3 subject-disjoint
        folds; docs/benchmarks/utility.md).
    competition_weight : float, default=0.0
        Weight of the competition with a student (DeepInversion's adaptive term,
        :class:`~skstim.synthesis.StudentCompetition`). With a positive weight the
        stimuli are made in two rounds: a fresh network of the teacher's architecture
        (the competitor) is trained on the first half with the teacher's soft labels,
        and the second half is pushed to where it still disagrees with the teacher.
        Costs one fit of the competitor on half the stimuli.
    class_prior : "match", "uniform" or dict, default="match"
        Share of each class among the stimuli: the training prior, equal shares, or a
        ``{class: weight}`` mapping.
    memory : str, joblib.Memory or None, default=None
        Caches teacher fits, so that a grid over synthesis parameters fits each fold's
        teacher once. With ``random_state=None`` the first fit of a teacher on the same
        data is reused, as with the ``memory`` of :class:`sklearn.pipeline.Pipeline`.
    batch_size : int, default=256
        Stimuli optimized together; bounds peak memory.
    device : str, default="cpu"
        Torch device of the teacher fit and of the synthesis.
    n_jobs : int or None, default=None
        Batches of stimuli synthesized in parallel with joblib (any backend, Dask's
        included, through :func:`joblib.parallel_config`); ``None`` means one at a time
        outside a joblib context, ``-1`` all cores. Each batch has its own seed, so the
        stimuli are the same for any ``n_jobs``.
    random_state : int, RandomState instance or None, default=None
        Seeds the teacher fit and the synthesis; the global random states are untouched.
    verbose : int, default=0
        Show a progress bar while synthesizing.

    Attributes
    ----------
    teacher_ : skorch NeuralNetClassifier
        The fitted teacher.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    class_prior_ : ndarray of shape (n_classes,)
        Share of each class among the stimuli.
    input_shape_ : tuple of int
        ``(n_channels, n_times)`` used.
    class_statistics_ : list of (torch.Tensor, torch.Tensor) or None
        Per-class mean and variance of the input of each teacher BatchNorm layer on
        the training data (``bn_statistics="class"``).
    init_ : ClassGaussian, ClassScaleMixture or None
        The class-conditional starting distribution (``None`` for ``init="noise"``).
    y_proba_ : ndarray of shape (n_stimuli, n_classes)
        The teacher's soft labels for the stimuli of the last ``fit_resample``.
    n_features_in_ : int
        Number of features seen in ``fit``.
    n_samples_fit_ : int
        Number of training samples (``n_stimuli`` as a float multiplies it).

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

    _estimator_type = "sampler"

    _parameter_constraints = {
        "teacher": [NeuralNet, FrozenEstimator, None],
        "input_shape": [tuple, list, None],
        "n_stimuli": [Interval(Integral, 1, None, closed="left"),
                      Interval(Real, 0, None, closed="neither")],
        "method": [StrOptions(set(OPTIMIZERS))],
        "n_iter": [Interval(Integral, 0, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither"), None],
        "bn_weight": [Interval(Real, 0, None, closed="left")],
        "bn_statistics": [StrOptions({"class", "running"})],
        "bn_segments": [Interval(Integral, 1, None, closed="left")],
        "init": [StrOptions(set(_INITIALIZERS) | {"noise"})],
        "init_rank": [Interval(Integral, 0, None, closed="left")],
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
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, teacher=None, *, input_shape=None, n_stimuli=4.0, method="direct",
                 n_iter=20, lr=None, bn_weight=1.0, bn_statistics="class", bn_segments=1,
                 init="class_scale_mixture", init_rank=64, tv_weight=0.0, l2_weight=0.0, mix=0.0,
                 confidence=None, competition_weight=0.0, class_prior="match", memory=None,
                 batch_size=256, device="cpu", n_jobs=None, random_state=None, verbose=0):
        self.teacher = teacher
        self.input_shape = input_shape
        self.n_stimuli = n_stimuli
        self.method = method
        self.n_iter = n_iter
        self.lr = lr
        self.bn_weight = bn_weight
        self.bn_statistics = bn_statistics
        self.bn_segments = bn_segments
        self.init = init
        self.init_rank = init_rank
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
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.estimator_type = "sampler"
        tags.target_tags.required = True
        return tags

    # ------------------------------------------------------------------ fitting
    def _validate_input(self, X, y):
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
        return X, y

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

    def _prepare_net(self, template, n_classes, seed, name="teacher"):
        """A fresh clone of ``template`` (``None``: ``make_teacher``) sized for the data."""
        if template is None:
            net = make_network(self.input_shape_, n_classes=n_classes, device=self.device)
        else:
            net = clone(template)
        params = net.get_params()
        if "criterion" in params and _is_nll(params["criterion"]):
            raise ValueError(
                f"{name} must output logits trained with cross-entropy, but its criterion is "
                "NLLLoss (a network ending in softmax). Use make_teacher(...) or a skorch net "
                "with criterion=torch.nn.CrossEntropyLoss and no final softmax."
            )
        updates = {"module__input_shape": self.input_shape_, "module__n_classes": n_classes}
        if "random_state" in params and params["random_state"] is None \
                and self.random_state is not None:
            updates["random_state"] = seed
        accepted = _module_params(net)
        net.set_params(**{k: v for k, v in updates.items()
                          if k == "random_state" or k.removeprefix("module__") in accepted})
        return net

    def _fit_net(self, net, X32, labels, seed):
        """Fit ``net`` on (X32, labels) under ``seed``, through the ``memory`` cache."""
        # Unseeded (random_state=None), the fresh seed must not defeat the cache: as
        # with sklearn's Pipeline memory, the first unseeded fit is reused.
        ignore = ["seed"] if self.random_state is None else []
        fit = check_memory(self.memory).cache(_fit_teacher, ignore=ignore)
        return fit(net, X32, labels.astype(np.int64), seed)

    def _check_logits(self, X):
        # skorch's data loader draws a seed from the global torch generator: fork it.
        with seeded_torch(0), torch.inference_mode():
            output = self.teacher_.forward(X[:64].astype(np.float32), training=False).cpu().numpy()
        if output.ndim != 2 or output.shape[1] != len(self.classes_):
            raise ValueError(
                f"teacher returns shape {output.shape} for {min(len(X), 64)} samples; it must "
                f"return logits of shape (n_samples, {len(self.classes_)})."
            )
        if _is_probability_output(output):
            raise ValueError(
                "teacher outputs probabilities (rows >= 0 summing to 1), not logits: remove the "
                "final softmax from the module and train it with torch.nn.CrossEntropyLoss."
            )

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit the teacher on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels * n_times)
            Real samples, flat.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : StimulusSynthesizer
            Fitted.
        """
        self._fit(X, y)
        return self

    def _fit(self, X, y):
        """Validate, fit the teacher and the data statistics; return X as float32."""
        X, y = self._validate_input(X, y)
        self.n_samples_fit_ = len(X)
        self._confidence = self._resolve_confidence()
        self.input_shape_ = self._resolve_input_shape(X.shape[1])
        self._root_seed = seed_sequence(self.random_state)
        teacher_seed = torch_seed(child_seed(self._root_seed, _TEACHER_SEED))
        X32 = X.astype(np.float32)

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
            if len(self.classes_) < 2:
                raise ValueError(
                    f"y has one class only ({self.classes_[0]!r}): the teacher needs samples of "
                    "at least two classes."
                )
            teacher = self._prepare_net(self.teacher, len(self.classes_), teacher_seed)
            self.teacher_ = self._fit_net(teacher, X32, y_encoded, teacher_seed)
        self._check_logits(X32)

        channels = X32.reshape(len(X32), *self.input_shape_)
        self.loc_ = channels.mean(axis=(0, 2))[:, None]
        scale = channels.std(axis=(0, 2))[:, None]
        self.scale_ = np.where(scale > 0, scale, 1.0).astype(np.float32)
        self.class_prior_ = self._resolve_class_prior(y_encoded)
        self._fit_data_statistics(X32, y_encoded)
        return X32

    def _fit_data_statistics(self, X32, y_encoded):
        """Class-level aggregates of the real data that guide the synthesis."""
        n_classes = len(self.classes_)
        device = torch.device(self.device)
        X_t = torch.as_tensor(X32, device=device)
        y_t = torch.as_tensor(y_encoded.astype(np.int64), device=device)
        self.class_statistics_ = None
        if self.bn_weight > 0 and self.bn_statistics == "class":
            self.class_statistics_ = class_activation_statistics(
                self.teacher_.module_, X_t, y_t, n_classes, batch_size=self.batch_size,
                n_segments=self.bn_segments)
        self.init_ = None
        if self.init in _INITIALIZERS:
            z = (X_t.view(len(X_t), *self.input_shape_) - torch.as_tensor(self.loc_, device=device)) \
                / torch.as_tensor(self.scale_, device=device)
            self.init_ = _INITIALIZERS[self.init].fit(z.flatten(1), y_t, n_classes, rank=self.init_rank)

    # ---------------------------------------------------------------- sampling
    def _n_stimuli(self, n_samples):
        if isinstance(self.n_stimuli, Integral):
            return int(self.n_stimuli)
        return max(1, int(round(self.n_stimuli * n_samples)))

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
        if not isinstance(n_samples, Integral) or n_samples <= 0:
            raise ValueError(f"n_samples must be a positive int, got {n_samples!r}.")
        root = self._root_seed if random_state is None else seed_sequence(random_state)
        stream = child_seed(root, _SYNTHESIS_SEED)
        rng = np.random.default_rng(child_seed(stream, 0))
        n_mixed = min(int(round(self.mix * n_samples)), n_samples - 1)
        counts = allocate(n_samples - n_mixed, self.class_prior_)
        targets = rng.permutation(np.repeat(np.arange(len(counts)), counts))

        with tqdm(total=n_samples - n_mixed, desc="synthesizing", unit="stimulus",
                  disable=not self.verbose) as bar:
            n_first = len(targets) // 2 if self.competition_weight > 0 else len(targets)
            X, proba = self._synthesize(targets[:n_first], child_seed(stream, 1), bar.update)
            if n_first < len(targets):
                competitor = self._fit_competitor(X, proba, torch_seed(child_seed(stream, 4)))
                X_more, proba_more = self._synthesize(
                    targets[n_first:], child_seed(stream, 3), bar.update,
                    student_model=competitor.module_, competition_weight=self.competition_weight)
                X, proba = np.concatenate([X, X_more]), np.concatenate([proba, proba_more])
        if n_mixed:
            X_mixed, proba_mixed = interpolate(
                self.teacher_.module_, X, n_mixed, batch_size=self.batch_size,
                device=self.device, random_state=child_seed(stream, 2))
            X, proba = np.concatenate([X, X_mixed]), np.concatenate([proba, proba_mixed])
        y = self.classes_[proba.argmax(axis=1)]
        return (X, y, proba) if return_proba else (X, y)

    def _synthesize(self, targets, seed, callback, **competition):
        """Stimuli and the teacher's probabilities for ``targets`` (the engine's call)."""
        return synthesize(
            self.teacher_.module_, targets, self.input_shape_,
            optimizer=make_optimizer(self.method, self.n_iter, self.lr),
            bn_weight=self.bn_weight, class_statistics=self.class_statistics_,
            bn_segments=self.bn_segments,
            init=self.init_, tv_weight=self.tv_weight, l2_weight=self.l2_weight,
            confidence=self._confidence, loc=self.loc_, scale=self.scale_,
            batch_size=self.batch_size, device=self.device, n_jobs=self.n_jobs,
            random_state=seed, callback=callback, **competition, **self._extra_terms(),
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
        parameters (the teacher and the memory as short descriptions), the shape of one
        sample, the classes, the class prior of the stimuli and the teacher's class and
        ``module__*`` parameters. No private row and no aggregate of the data beyond the
        class prior.

        Returns
        -------
        record : dict
            ``"synthesis_parameters"``, ``"input_shape"``, ``"classes"``,
            ``"class_prior"`` and ``"teacher"``.
        """
        check_is_fitted(self, "teacher_")
        return synthesis_record(self)

    def _extra_terms(self):
        """Keyword arguments of :func:`~skstim.synthesis.synthesize` that subclasses add."""
        return {}

    def fit_resample(self, X, y):
        """Fit the teacher on ``(X, y)`` and return stimuli in place of the data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels * n_times)
            Real samples, flat.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        X_resampled : ndarray of shape (n_stimuli, n_features), float32
            Stimuli.
        y_resampled : ndarray of shape (n_stimuli,)
            Their hard labels (the teacher's argmax); soft labels are kept in ``y_proba_``.
        """
        self.fit(X, y)
        return self._resample_fitted()

    def _resample_fitted(self):
        X_s, y_s, self.y_proba_ = self.sample(self._n_stimuli(self.n_samples_fit_),
                                              return_proba=True)
        return X_s, y_s


def _is_nll(criterion):
    cls = criterion if isinstance(criterion, type) else type(criterion)
    return issubclass(cls, torch.nn.NLLLoss)


def _module_params(net):
    """Names of the keyword parameters the net's module class accepts."""
    module = net.module if isinstance(net.module, type) else type(net.module)
    return set(inspect.signature(module).parameters)
