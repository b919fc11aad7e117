"""Training a classifier on stimuli with the teacher's soft labels (distillation)."""

import numpy as np
import torch
from sklearn import get_config
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import has_fit_parameter
from skorch import NeuralNet

__all__ = ["fit_on_stimuli", "predict_labels"]


def _takes_soft_targets(net):
    criterion = net.get_params().get("criterion")
    cls = criterion if isinstance(criterion, type) else type(criterion)
    return isinstance(cls, type) and issubclass(cls, torch.nn.CrossEntropyLoss)


def fit_on_stimuli(student, X_stimuli, proba, classes, soft_labels="auto"):
    """Fit ``student`` on stimuli, passing the teacher's soft labels where it can use them.

    A skorch student trained with cross-entropy learns the soft labels (distillation)
    and any other skorch student the class indices; a scikit-learn student gets the
    hard labels, weighted by the teacher's confidence where its ``fit`` takes
    ``sample_weight`` (for a pipeline: where its last step does).
    ``soft_labels="expand"`` gives such a student every stimulus once per class
    instead, weighted by the teacher's probability of that class (the weighted loss is
    then the loss on the soft labels), and ``soft_labels="hard"`` passes hard labels
    only.

    Parameters
    ----------
    student : classifier
        Unfitted; fitted in place and returned.
    X_stimuli : ndarray of shape (n_stimuli, n_features)
        Stimuli.
    proba : ndarray of shape (n_stimuli, n_classes)
        The teacher's probabilities for them.
    classes : ndarray of shape (n_classes,)
        Label of each column of ``proba``.
    soft_labels : {"auto", "expand", "hard"}, default="auto"
        Whether soft labels are passed where the student can use them, and how to a
        scikit-learn student.

    Returns
    -------
    student : classifier
        Fitted. Use :func:`predict_labels` to predict with it.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> P = np.array([[0.9, 0.1], [0.2, 0.8]])
    >>> tree = fit_on_stimuli(DecisionTreeClassifier(), np.eye(2), P, np.array(["N", "A"]))
    >>> predict_labels(tree, np.eye(2), np.array(["N", "A"])).tolist()
    ['N', 'A']
    """
    soft = soft_labels in ("auto", "expand")
    hard = np.asarray(classes)[proba.argmax(axis=1)]
    if isinstance(student, NeuralNet):
        if soft and _takes_soft_targets(student):
            return student.fit(X_stimuli, proba.astype(np.float32))
        return student.fit(X_stimuli, proba.argmax(axis=1).astype(np.int64))
    weight = _sample_weight_param(student) if soft else None
    if weight is None:
        return student.fit(X_stimuli, hard)
    if soft_labels == "expand":
        n_classes = proba.shape[1]
        return student.fit(np.tile(X_stimuli, (n_classes, 1)),
                           np.repeat(np.asarray(classes), len(X_stimuli)),
                           **{weight: np.asarray(proba).T.ravel()})
    return student.fit(X_stimuli, hard, **{weight: proba.max(axis=1)})


def _sample_weight_param(student):
    """The keyword of ``student.fit`` that carries sample weights, or None.

    A pipeline passes them to its last step (``name__sample_weight``) when that step
    takes them and metadata routing is off (with routing on, the caller requests them).
    """
    if has_fit_parameter(student, "sample_weight"):
        return "sample_weight"
    if isinstance(student, Pipeline) and not get_config().get("enable_metadata_routing"):
        name, last = student.steps[-1]
        if last not in (None, "passthrough") and has_fit_parameter(last, "sample_weight"):
            return f"{name}__sample_weight"
    return None


def predict_labels(student, X, classes):
    """Labels from a student fitted by :func:`fit_on_stimuli` (skorch nets predict indices)."""
    if isinstance(student, NeuralNet):
        proba = student.predict_proba(np.asarray(X, dtype=np.float32))
        return np.asarray(classes)[proba.argmax(axis=1)]
    return student.predict(X)
