"""The record of how a fitted synthesizer made its stimuli, as JSON-ready values."""

import numpy as np

from .utils import NotJSON, describe, json_or_description, to_json

__all__ = ["synthesis_record"]

#: Module parameters set from the data (a GroupNorm teacher's input standardization):
#: aggregates of the private rows, never recorded.
_DATA_AGGREGATES = ("module__input_loc", "module__input_scale")


def _describe_teacher(teacher):
    if teacher is None:
        return None
    inner = getattr(teacher, "estimator", None)
    if inner is not None and not hasattr(teacher, "module"):  # FrozenEstimator(net)
        return f"{type(teacher).__name__}({_describe_teacher(inner)})"
    module = getattr(teacher, "module", None)
    if module is None:
        return type(teacher).__name__
    module_name = module.__name__ if isinstance(module, type) else type(module).__name__
    return f"{type(teacher).__name__}(module={module_name})"


def _describe_memory(memory):
    """Whether a cache was used, never where: a cache path can name a hospital or a user."""
    return None if memory is None else "a joblib cache (its location is not recorded)"


def synthesis_record(synthesizer):
    """The JSON-ready record of a fitted synthesizer; see ``StimulusSynthesizer.synthesis_record``."""
    parameters = {}
    for name, value in synthesizer.get_params(deep=False).items():
        if name == "teacher":
            parameters[name] = _describe_teacher(value)
        elif name == "identity_model" and isinstance(value, (list, tuple)):
            parameters[name] = [_describe_teacher(model) for model in value]
        elif name == "memory":
            parameters[name] = _describe_memory(value)
        else:
            parameters[name] = json_or_description(value)

    teacher = synthesizer.teacher_
    module_params = {}
    for name, value in teacher.get_params(deep=False).items():
        if not name.startswith("module__") or name in _DATA_AGGREGATES:
            continue
        try:
            module_params[name] = to_json(value)
        except NotJSON:
            if isinstance(value, type):
                module_params[name] = describe(value)
    module = getattr(teacher, "module_", None)
    return {
        "synthesis_parameters": parameters,
        "input_shape": [int(v) for v in synthesizer.input_shape_],
        "classes": to_json(np.asarray(synthesizer.classes_)),
        "class_prior": [float(p) for p in synthesizer.class_prior_],
        "differential_privacy": getattr(synthesizer, "privacy_", None),
        "teacher": {
            "class": type(teacher).__name__,
            "module": None if module is None else type(module).__name__,
            "module_params": module_params,
        },
    }
