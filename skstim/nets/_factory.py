"""Build a skorch classifier around one of the networks: teacher, student or subject model."""

import inspect

import torch
from torch import nn

from ._classifier import NetClassifier
from ._invariant import SubjectAdversarial, SubjectInvariantClassifier
from ._modules import ARCHITECTURES
from ._precise_bn import PreciseBatchNorm

__all__ = ["make_network", "make_teacher", "architecture_name"]


def make_network(input_shape=None, *, arch="cnn", n_classes=2, max_epochs=20, lr=3e-3,
                 batch_size=64, optimizer=torch.optim.AdamW, device="cpu",
                 random_state=None, subject_reversal=None, norm="batch", **kwargs):
    """Return an unfitted skorch classifier on logits: a teacher, a student or a subject model.

    The network outputs logits and is trained with cross-entropy; ``X`` is cast to
    float32 and ``y`` to int64. No validation split is held out unless ``train_split``
    is passed. ``input_shape`` and ``n_classes`` may be left for
    :class:`~skstim.StimulusSynthesizer` to set from the data.

    Parameters
    ----------
    input_shape : tuple of int or None, default=None
        ``(n_channels, n_times)`` of one sample.
    arch : {"cnn", "mlp", "gru", "summary"} or torch.nn.Module class, default="cnn"
        The network: :class:`ConvNet1d`, :class:`MLP`, :class:`GRUNet` or
        :class:`SummaryNet` (a perceptron on summaries of each channel).
    n_classes : int, default=2
        Number of classes (logits).
    max_epochs : int, default=20
        Training epochs.
    lr : float, default=3e-3
        Learning rate of the optimizer.
    batch_size : int, default=64
        Mini-batch size.
    optimizer : torch optimizer class, default=torch.optim.AdamW
        Optimizer; one that takes ``foreach`` gets ``optimizer__foreach=True`` (the
        multi-tensor update, which torch uses on CUDA by default) unless ``kwargs`` say
        otherwise.
    device : str, default="cpu"
        Torch device, e.g. ``"cuda"``.
    random_state : int or None, default=None
        Seeds the weight initialization and the batch order when set; the global torch
        random state is restored afterwards.
    subject_reversal : float or None, default=None
        With a weight, a :class:`SubjectInvariantClassifier`: the network is trained
        with a subject head behind gradient reversal of this weight
        (:class:`SubjectAdversarial`), so that its activations carry less of who a
        window comes from; ``fit`` then needs ``groups``.
    norm : {"batch", "group"}, default="batch"
        Normalization of the network built from ``arch``: BatchNorm layers, or a
        fixed input standardization and GroupNorm (``module__norm="group"``), which
        differentially private training needs (:class:`~skstim.StimulusSynthesizer`
        sets the standardization from its aggregates).
    **kwargs
        Further skorch parameters, e.g. ``module__n_filters=32`` or ``train_split=...``.

    Returns
    -------
    net : NetClassifier
        An unfitted :class:`skorch.NeuralNetClassifier` (:class:`NetClassifier`).

    Examples
    --------
    >>> import numpy as np
    >>> from skstim.nets import make_network
    >>> X = np.random.default_rng(0).normal(size=(64, 40))
    >>> y = (X[:, :20].mean(axis=1) > 0).astype(int)
    >>> net = make_network((2, 20), arch="mlp", max_epochs=2, random_state=0).fit(X, y)
    >>> net.predict_proba(X).shape
    (64, 2)
    """
    module = ARCHITECTURES[arch] if isinstance(arch, str) and arch in ARCHITECTURES else arch
    if isinstance(arch, str) and arch not in ARCHITECTURES:
        raise ValueError(f"arch must be one of {sorted(ARCHITECTURES)}, got {arch!r}.")
    params = dict(
        module=module,
        module__input_shape=None if input_shape is None else tuple(int(v) for v in input_shape),
        module__n_classes=n_classes,
        criterion=nn.CrossEntropyLoss,
        optimizer=optimizer,
        lr=lr,
        max_epochs=max_epochs,
        batch_size=batch_size,
        train_split=None,
        iterator_train__shuffle=True,
        device=device,
        verbose=0,
        random_state=random_state,
    )
    if "foreach" in inspect.signature(optimizer).parameters:
        # torch updates CPU parameters one tensor at a time unless told otherwise; the
        # multi-tensor update gives the same values in a fraction of the time
        params["optimizer__foreach"] = True
    if norm != "batch":
        params["module__norm"] = norm
    if subject_reversal is not None:
        params.update(module=SubjectAdversarial, module__base=module,
                      module__reversal=float(subject_reversal))
        params.update(kwargs)
        return SubjectInvariantClassifier(**params)
    params.update(kwargs)
    return NetClassifier(**params)


def make_teacher(input_shape=None, *, precise_batchnorm=True, **kwargs):
    """Return an unfitted teacher: :func:`make_network` whose fit ends with precise BatchNorm.

    A teacher's function is what its stimuli carry: its predictions in eval mode, which
    normalize by its BatchNorm layers' running statistics. Left as trained, those are an
    average of the last few batches; on the full Apnea-ECG protocol the same weights
    scored up to 10 points apart on new people with the one statistics or the other,
    and with those of the whole training set no student's gap to real windows widened
    by more than 1.5 points while the fold whose teacher had been furthest off gained
    most (``docs/benchmarks/utility.md``, "The teacher's BatchNorm statistics"). So the
    teacher ends its fit with :class:`~skstim.nets.PreciseBatchNorm`, as the students
    of the evaluation do.

    Parameters
    ----------
    input_shape : tuple of int or None, default=None
        ``(n_channels, n_times)`` of one sample; see :func:`make_network`.
    precise_batchnorm : bool, default=True
        Add a :class:`~skstim.nets.PreciseBatchNorm` callback (named ``"precise_bn"``)
        to the network's callbacks unless one is there. It changes no weight, only the
        running statistics, which then hold the whole training set's. ``False`` gives
        :func:`make_network` unchanged. A network without BatchNorm layers
        (``norm="group"``) gets no callback either way.
    **kwargs
        Parameters of :func:`make_network` (``arch``, ``max_epochs``, ``callbacks``,
        ...).

    Returns
    -------
    net : NetClassifier
        An unfitted :class:`NetClassifier`.

    Examples
    --------
    >>> from skstim.nets import make_teacher
    >>> [name for name, _ in make_teacher(max_epochs=5).callbacks]
    ['precise_bn']
    >>> make_teacher(norm="group").callbacks is None
    True
    """
    callbacks = list(kwargs.pop("callbacks", None) or [])
    has_precise = any(isinstance(c[1] if isinstance(c, tuple) else c, PreciseBatchNorm)
                      for c in callbacks)
    if precise_batchnorm and kwargs.get("norm", "batch") == "batch" and not has_precise:
        callbacks.append(("precise_bn", PreciseBatchNorm()))
    return make_network(input_shape, callbacks=callbacks or None, **kwargs)


def architecture_name(module):
    """Short name of a network: ``"cnn"``, ``"mlp"``, ``"gru"`` or its class name.

    Parameters
    ----------
    module : skorch net, torch.nn.Module (class or instance) or str
        A skorch net names its ``module``; a str is a module class name, as a stimuli
        file's metadata records it.

    Examples
    --------
    >>> from skstim.nets import MLP, architecture_name, make_network
    >>> architecture_name(make_network(arch="gru")), architecture_name(MLP), architecture_name("MLP")
    ('gru', 'mlp', 'mlp')
    """
    module = getattr(module, "module", module)
    for name, cls in ARCHITECTURES.items():
        if module is cls or isinstance(module, cls) or module == cls.__name__:
            return name
    if isinstance(module, str):
        return module
    return getattr(module, "__name__", type(module).__name__)

