"""The synthesizer's networks: sized clones, seeded fits through a cache, a check of the output."""

import inspect

import numpy as np
import torch
from sklearn.base import clone
from sklearn.utils.validation import check_memory

from .nets import make_network
from .utils import seeded_torch

__all__ = ["prepare_net", "fit_net", "check_logits"]


def _fit_seeded(net, X, y, seed, groups=None):
    """Fit ``net`` on (X, y) under a fixed torch seed; cacheable by ``joblib.Memory``."""
    with seeded_torch(seed):
        return net.fit(X, y) if groups is None else net.fit(X, y, groups=groups)


def _is_nll(criterion):
    cls = criterion if isinstance(criterion, type) else type(criterion)
    return issubclass(cls, torch.nn.NLLLoss)


def _module_params(net):
    """Names of the keyword parameters the net's module class accepts (a module that
    takes ``**kwargs``, such as a wrapper, accepts those of the module it wraps)."""
    module = net.module if isinstance(net.module, type) else type(net.module)
    parameters = inspect.signature(module).parameters
    names = set(parameters)
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        base = net.get_params().get("module__base")
        names |= set(inspect.signature(base).parameters) if isinstance(base, type) else set()
    return names


def prepare_net(template, input_shape, n_classes, *, seed, seeded, device, name="teacher",
                standardization=None, default=make_network):
    """A fresh clone of ``template`` (``None``: a net of the factory ``default``) sized for the data.

    ``module__input_shape`` and ``module__n_classes`` are set where the module takes
    them, and for a network built with ``norm="group"`` its fixed input
    standardization, ``standardization=(loc, scale)`` (per channel); an unseeded net
    gets ``seed`` when ``seeded`` (the estimator has a ``random_state``). A net
    trained with NLLLoss (one ending in softmax) is refused, with ``name`` in the
    message.
    """
    if template is None:
        net = default(input_shape, n_classes=n_classes, device=device)
    else:
        net = clone(template)
    params = net.get_params()
    if "criterion" in params and _is_nll(params["criterion"]):
        raise ValueError(
            f"{name} must output logits trained with cross-entropy, but its criterion is "
            "NLLLoss (a network ending in softmax). Use make_network(...) or a skorch net "
            "with criterion=torch.nn.CrossEntropyLoss and no final softmax."
        )
    updates = {"module__input_shape": input_shape, "module__n_classes": n_classes}
    if params.get("module__norm") == "group" and standardization is not None:
        loc, scale = (np.asarray(v, dtype=float).ravel().tolist() for v in standardization)
        updates.update(module__input_loc=loc, module__input_scale=scale)
    if "random_state" in params and params["random_state"] is None and seeded:
        updates["random_state"] = seed
    accepted = _module_params(net)
    net.set_params(**{k: v for k, v in updates.items()
                      if k == "random_state" or k.removeprefix("module__") in accepted})
    return net


def fit_net(net, X32, labels, seed, *, memory, seeded, groups=None):
    """Fit ``net`` on (X32, labels) under ``seed``, through the ``memory`` cache; ``groups``
    goes to a net whose fit takes it (a subject-invariant teacher)."""
    # Unseeded, the fresh seed must not defeat the cache: as with sklearn's Pipeline
    # memory, the first unseeded fit is reused.
    ignore = [] if seeded else ["seed"]
    fit = check_memory(memory).cache(_fit_seeded, ignore=ignore)
    return fit(net, X32, labels.astype(np.int64), seed, groups)


def check_logits(net, X, n_classes):
    """Raise a ValueError unless ``net`` maps ``X`` to logits of shape (n, n_classes)."""
    # skorch's data loader draws a seed from the global torch generator: fork it.
    with seeded_torch(0), torch.inference_mode():
        output = net.forward(X[:64].astype(np.float32), training=False).cpu().numpy()
    if output.ndim != 2 or output.shape[1] != n_classes:
        raise ValueError(
            f"teacher returns shape {output.shape} for {min(len(X), 64)} samples; it must "
            f"return logits of shape (n_samples, {n_classes})."
        )
    if np.all(output >= 0) and np.allclose(output.sum(axis=1), 1.0, atol=1e-4):
        raise ValueError(
            "teacher outputs probabilities (rows >= 0 summing to 1), not logits: remove the "
            "final softmax from the module and train it with torch.nn.CrossEntropyLoss."
        )
