"""Parameter and attribute text shared by the synthesizers' docstrings, written once."""

__all__ = ["TEACHER", "SYNTHESIS_PARAMETERS", "FITTED_ATTRIBUTES", "FIT_DATA"]

TEACHER = """\
teacher : skorch NeuralNetClassifier, FrozenEstimator or None, default=None
        An unfitted skorch classifier that outputs logits, cloned and fitted in ``fit``;
        ``None`` uses :func:`~skstim.nets.make_teacher` (the BatchNorm CNN, whose fit ends
        with the BatchNorm statistics of its whole training set). A teacher
        fitted elsewhere can be passed as ``sklearn.frozen.FrozenEstimator(net)``: it is
        used as it is (never do so inside cross-validation on the same data: it leaks
        the held-out folds). ``module__input_shape`` and ``module__n_classes`` are set
        from the data when the network takes them."""

SYNTHESIS_PARAMETERS = """\
input_shape : tuple of int or None, default=None
        ``(n_channels, n_times)`` of one sample, with ``n_channels * n_times ==
        n_features``; ``None`` means ``(1, n_features)``.
    n_stimuli : int or None, default=None
        Stimuli made by ``fit_resample``, in total; ``None`` makes
        ``stimuli_per_sample`` per training row. The resolved count is ``n_stimuli_``.
    stimuli_per_sample : float, default=4.0
        Stimuli per training row when ``n_stimuli`` is None (at least one stimulus in
        all). Students learn the teacher's function better from more stimuli than
        there were windows; synthesis time grows in proportion.
    method : {"direct", "generator"}, default="direct"
        ``"direct"`` optimizes the inputs (Adam, cosine schedule); ``"generator"``
        trains a class-conditional generator network per batch (the paper's method).
    n_iter : int, default=20
        Optimization steps per batch of stimuli.
    lr : float or None, default=None
        Learning rate; ``None`` uses the method's default (0.1 direct, 1e-3 generator).
    bn_weight : float, default=1.0
        Weight of the BatchNorm-statistics prior.
    bn_statistics : {"class", "running"}, default="class"
        Targets of the BatchNorm prior: the statistics of the real samples of each
        stimulus' class, recorded in ``fit`` (the stimuli of a class must move the
        teacher's layers as that class does), or the layers' running statistics over
        all classes (deep inversion).
    bn_segments : int, default=1
        With ``bn_statistics="class"``, keep the statistics per time segment as well:
        the window is cut into this many equal segments at every layer (at most the
        layer's length), so that the stimuli of a class must move each layer as that
        class does at each position, not only on average over the window.
    init : {"class_scale_mixture", "class_spectrum", "class_gaussian", "noise"}, \
default="class_scale_mixture"
        Where stimuli start: a sample of a low-rank Gaussian fitted to the real
        samples of their class, with a random amplitude per stimulus drawn from the
        class's spread of window amplitudes
        (:class:`~skstim.synthesis.ClassScaleMixture`); a stationary Gaussian process
        with the class's power spectrum per channel and the same amplitude law
        (:class:`~skstim.synthesis.ClassSpectrum`: no window's shape, only how the
        class oscillates); the Gaussian without the random amplitude
        (:class:`~skstim.synthesis.ClassGaussian`); or white noise. Every class start
        weighs each person the same and obeys the support floors below. Just above
        the floors the class start is what a linkage attack reads: with 12 people per
        class, ``"noise"`` kept every attack within the noise floor's interval for a
        few points of accuracy (user guide, support floors); a fit with ``groups``
        whose class start has fewer than twice ``min_class_people`` people warns
        (:class:`~skstim.synthesis.FewPeopleStartWarning`).
    init_rank : int, default=64
        Principal directions of each class kept by the Gaussian starts (at most the
        class's people minus one, and the number of features); the rest of the
        variance is noise of at least a tenth of the class's average variance per
        feature.
    init_rest : {"white", "spectrum"} or float in [0, 1], default="white"
        How the Gaussian starts spread the rest over frequency: as white noise, or,
        with ``"spectrum"``, as the class's residual power spectrum (averaged in 16
        log-spaced bands per channel; no phase): smooth signals then get a smooth
        rest. A number goes between them: the class's band powers raised to it (0 is
        ``"white"``, 1 is ``"spectrum"``, 0.5 half way on a log scale), at the same
        variance. ``init="class_spectrum"`` and ``"noise"`` ignore it.
    step_shape : {"white", "spectrum"}, default="white"
        How each optimization step spreads over frequency. Adam moves every feature by
        about the learning rate, which adds white detail that the class's windows may
        not have; with ``"spectrum"`` a step is filtered to the class's power spectrum
        about each window's level (16 log-spaced bands per channel, from the same
        people and floors as the start; with ``init="class_spectrum"`` the start's own
        spectrum), so it changes a stimulus as the class's windows move. ``method=
        "generator"`` and ``init="noise"`` ignore it. Not the default: it brought the
        trees and the SVM close to real data on Apnea-ECG, but in small studies it
        gave every privacy attack more power (12 simulated people at the default
        floors, 8 with the floors lowered; see the benchmark pages).
    min_class_people : int, default=10
        Fewest people (``groups`` passed to ``fit``; without them, rows) behind any
        class aggregate: the class start and the class activation statistics. A class
        below this or ``min_class_rows`` uses the pooled aggregates of all classes (if
        the pool meets both floors; white noise and the teacher's running statistics
        otherwise), with a :class:`~skstim.synthesis.SupportFloorWarning`. Studies of
        fewer than 10 people thus get no class aggregate at all: the choice for
        privacy, and what it costs, are in the user guide's support floors.
    min_class_rows : int, default=20
        Fewest rows behind any class aggregate (see ``min_class_people``).
    max_person_share : float >= 1 or None, default=1.0
        Largest weight one person (``groups``; without them, one row) holds in a
        class aggregate, as a multiple of the equal share 1 / people: ``1.0`` weighs
        every person the same; ``2.0`` weighs rows as they come except that no person
        holds more than twice the equal share; ``None`` weighs rows as they come.
        Measured in the benchmark pages: on the Apnea-ECG fold where the trees lose
        most, ``2.0`` gives the random forest, boosting and the RBF SVM 10 to 14
        points back on 5-minute windows and 5 to 8 on 4-minute windows at 2 Hz; in a
        simulated study of 12 people per class every attack reads
        0.001 to 0.011 more (CNN linkage 0.73 against 0.72).
    tv_weight : float, default=0.0
        Weight of the total-variation (smoothness) penalty.
    l2_weight : float, default=0.0
        Weight of the L2 penalty on the standardized stimuli.
    mix : float, default=0.0
        Share of the stimuli, in [0, 1), made as teacher-labelled interpolations
        between random pairs of optimized stimuli, each keeping a stimulus' spread,
        instead of being optimized themselves (see
        :func:`skstim.synthesis.interpolate`); they come after the optimized ones. At
        0.75 one stimulus in four is optimized, so the set costs about a quarter of the
        optimization; the interpolations carry nothing about the data that the
        optimized stimuli do not. Measured in the benchmark pages: at 0.75 Apnea-ECG
        students hold their accuracy, while on the simulated 4-channel study the MLP,
        the forest and logistic regression lose 2.6 to 4.8 points more on average.
        Interpolations are not inhibited (:class:`IdentityInhibitor`'s subject model
        is more confident on them than on the stimuli they mix).
    confidence : float, (float, float) or None, default=None
        Per-stimulus confidence target, drawn uniformly from the range: a stimulus is
        frozen once the teacher's probability of its class reaches it (the paper's
        random thresholds, which spread stimuli towards the decision boundary).
        ``None`` optimizes every stimulus for ``n_iter`` steps.
    competition_weight : float, default=0.0
        Weight of the competition with a student (DeepInversion's adaptive term,
        :class:`~skstim.synthesis.StudentCompetition`). With a positive weight the
        stimuli are made in two rounds: a fresh network of the teacher's architecture
        (the competitor) is trained on the first half with the teacher's soft labels,
        and the second half is pushed to where it still disagrees with the teacher.
        Costs one fit of the competitor on half the stimuli.
    class_prior : "match", "uniform" or dict, default="match"
        Share of each class among the optimized stimuli: the training prior, equal
        shares, or a ``{class: weight}`` mapping (the interpolations of ``mix`` take the
        teacher's label).
    memory : str, joblib.Memory or None, default=None
        Caches network fits, so that a grid over synthesis parameters fits each fold's
        teacher once. With ``random_state=None`` the first fit of a network on the same
        data is reused, as with the ``memory`` of :class:`sklearn.pipeline.Pipeline`.
        The cache holds pickles of the fitted networks and of the private training
        rows they were fitted on: keep it in a folder only the data holder can read,
        and load nothing into it from elsewhere (unpickling runs code). Its location is
        never written into a stimuli file's metadata.
    batch_size : int, default=256
        Stimuli optimized together; bounds peak memory.
    device : str, default="cpu"
        Torch device of the network fits and of the synthesis.
    n_jobs : int or None, default=None
        Batches of stimuli synthesized in parallel with joblib (any backend, Dask's
        included, through :func:`joblib.parallel_config`); ``None`` means one at a
        time outside a joblib context, ``-1`` all cores. Each batch has its own seed, so
        the stimuli are the same for any ``n_jobs``.
    dp_epsilon : float or None, default=None
        Differential privacy: with a budget, every use of the private data is a DP
        mechanism and the stimuli are (``dp_epsilon``, ``dp_delta``)-differentially
        private by post-processing. The teacher is trained by DP-SGD
        (:class:`~skstim.dp.DPNetClassifier`; ``teacher=None`` gives the GroupNorm
        CNN, ``make_teacher(norm="group")``), and the standardization, class prior,
        start and class activation statistics are noised sums of clipped per-unit
        contributions, all composed by one accountant (Opacus's RDP); what was spent
        is ``privacy_``. Needs ``pip install 'skstim[dp]'``, ``init="class_spectrum"``
        or ``"noise"`` (the low-rank starts have no DP mechanism), ``bn_segments=1``
        and a teacher trained here (no FrozenEstimator). ``None``: no guarantee.
        :class:`~skstim.IdentityInhibitor` refuses a budget: its subject model is not
        trained under one (use ``dp_unit="person"`` for a guarantee per person).
    dp_delta : float or None, default=None
        The delta of the guarantee; ``None`` gives the largest power of ten at most one
        tenth of the inverse of the number of units (windows, or people;
        :func:`~skstim.dp.default_delta`): a chance of failure well below that of any
        one unit, which depends on the data only through the order of magnitude of
        their number (pass a delta chosen without the data to remove even that).
    dp_unit : {"window", "person"}, default="window"
        What the guarantee protects: the presence of any one window, or (with
        ``groups``) of all the windows of any one person, the stronger promise.
    random_state : int, RandomState instance or None, default=None
        Seeds the network fits and the synthesis; the global random states are
        untouched.
    verbose : int, default=0
        Show a progress bar while synthesizing."""

FITTED_ATTRIBUTES = """\
teacher_ : skorch NeuralNetClassifier
        The fitted teacher.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    class_prior_ : ndarray of shape (n_classes,)
        Share of each class among the stimuli.
    input_shape_ : tuple of int
        ``(n_channels, n_times)`` used.
    loc_, scale_ : ndarray of shape (n_channels, 1)
        Per-channel mean and standard deviation of the training data; stimuli are
        optimized in this standardized space.
    class_statistics_ : list of (torch.Tensor, torch.Tensor) or None
        Per-class mean and variance of the input of each teacher BatchNorm layer on
        the training data (``bn_statistics="class"``).
    init_ : ClassScaleMixture, ClassSpectrum, ClassGaussian or None
        The class-conditional starting distribution (``None`` for ``init="noise"``),
        with the class spectra that shape the steps (``step_shape="spectrum"``).
    class_support_ : ClassSupport
        People and rows behind each class, the weight of each row in the class
        aggregates (each person weighs the same), and which classes met the support
        floors (:class:`~skstim.synthesis.ClassSupport`).
    privacy_ : dict or None
        With ``dp_epsilon``, the public record of what the fit spent: ``epsilon``,
        ``delta``, ``unit``, the accountant and each mechanism (noise multiplier,
        sample rate, steps and its epsilon alone); ``None`` without.
    y_proba_ : ndarray of shape (n_stimuli, n_classes)
        The teacher's soft labels for the stimuli of the last ``fit_resample``.
    n_stimuli_ : int
        Stimuli ``fit_resample`` makes: ``n_stimuli``, or ``stimuli_per_sample`` times the
        training rows.
    n_features_in_ : int
        Number of features seen in ``fit``.
    n_samples_fit_ : int
        Number of training samples.
    sampling_strategy_ : str
        ``"auto"`` (set by ``fit_resample``), imbalanced-learn's record of the sampling
        strategy: a bypass sampler makes new samples instead of rebalancing the given
        ones, and ``class_prior`` sets the share of each class."""


FIT_DATA = """\
X : array-like of shape (n_samples, n_channels * n_times)
            Real samples, flat.
        y : array-like of shape (n_samples,)
            Class labels.
        **params : dict
            ``groups`` (array-like of shape (n_samples,), the subject of each sample):
            required by :class:`~skstim.IdentityInhibitor`; optional for
            :class:`~skstim.StimulusSynthesizer`, where it makes each person weigh the
            same in the class aggregates and sets the people floor
            (``min_class_people``). Requested through metadata routing by both."""
