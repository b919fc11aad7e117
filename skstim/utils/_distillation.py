"""Training a classifier on stimuli with the teacher's soft labels (distillation)."""

import numpy as np
import torch
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
    ``sample_weight``. ``soft_labels="hard"`` passes hard labels only.

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
    soft_labels : {"auto", "hard"}, default="auto"
        Whether soft labels are passed where the student can use them.

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
    soft = soft_labels == "auto"
    hard = np.asarray(classes)[proba.argmax(axis=1)]
    if isinstance(student, NeuralNet):
        if soft and _takes_soft_targets(student):
            return student.fit(X_stimuli, proba.astype(np.float32))
        return student.fit(X_stimuli, proba.argmax(axis=1).astype(np.int64))
    if soft and has_fit_parameter(student, "sample_weight"):
        return student.fit(X_stimuli, hard, sample_weight=proba.max(axis=1))
    return student.fit(X_stimuli, hard)


def predict_labels(student, X, classes):
    """Labels from a student fitted by :func:`fit_on_stimuli` (skorch nets predict indices)."""
    if isinstance(student, NeuralNet):
        proba = student.predict_proba(np.asarray(X, dtype=np.float32))
        return np.asarray(classes)[proba.argmax(axis=1)]
    return student.predict(X)
