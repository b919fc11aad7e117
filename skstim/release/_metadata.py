"""The metadata record of a stimuli file: how the stimuli were made."""

from sklearn.utils.validation import check_is_fitted

__all__ = ["stimuli_metadata"]


def stimuli_metadata(synthesizer):
    """How a fitted synthesizer made its stimuli, as a JSON-ready dict.

    Pass it as ``metadata`` to :func:`save_stimuli`, so that the recipient of the file
    knows the shape of one sample, the classes (the columns of ``proba``), the class
    prior and the synthesis parameters.

    Parameters
    ----------
    synthesizer : StimulusSynthesizer
        A fitted :class:`~skstim.StimulusSynthesizer` (or subclass).

    Returns
    -------
    metadata : dict
        ``"synthesis_parameters"`` (``get_params(deep=False)`` made JSON: the teacher and
        the memory become short descriptions, tuples lists), ``"input_shape"`` (list),
        ``"classes"`` (list), ``"class_prior"`` (list) and ``"teacher"``
        (``{"class", "module", "module_params"}``, the JSON-convertible ``module__*``
        parameters of the fitted teacher).

    Examples
    --------
    >>> import json
    >>> from skstim import StimulusSynthesizer, make_teacher
    >>> from skstim.datasets import make_sleep_apnea
    >>> from skstim.release import stimuli_metadata
    >>> data = make_sleep_apnea(n_subjects=4, n_windows=10, random_state=0)
    >>> syn = StimulusSynthesizer(make_teacher(arch="mlp", max_epochs=2),
    ...                           input_shape=data.input_shape, random_state=0)
    >>> meta = stimuli_metadata(syn.fit(data.X, data.y))
    >>> meta["input_shape"], meta["classes"], meta["teacher"]["module"]
    ([4, 120], [0, 1], 'MLP')
    >>> isinstance(json.dumps(meta), str)
    True
    """
    if not callable(getattr(synthesizer, "synthesis_record", None)):
        raise TypeError(
            f"synthesizer must be a fitted skstim.StimulusSynthesizer, got "
            f"{type(synthesizer).__name__}."
        )
    check_is_fitted(synthesizer, "teacher_")
    return synthesizer.synthesis_record()
