"""StimulusStudent: any classifier trained on stimuli, as one scikit-learn estimator."""

import numpy as np
from sklearn import get_config
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, _fit_context, clone
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, validate_data
from skorch import NeuralNet

from ._synthesizer import StimulusSynthesizer
from .utils import fit_on_stimuli, predict_labels

__all__ = ["StimulusStudent"]


def _with_data_shape(net, input_shape, n_classes):
    """A skorch student left without ``module__input_shape`` gets the data's shape."""
    params = net.get_params()
    if "module__input_shape" in params and params["module__input_shape"] is None:
        net.set_params(module__input_shape=tuple(input_shape))
        if "module__n_classes" in params:
            net.set_params(module__n_classes=n_classes)
    return net


def _student_has_predict_proba(self):
    return self.student is None or hasattr(self.student, "predict_proba")


class StimulusStudent(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """A student classifier trained only on stimuli synthesized from a teacher.

    ``fit(X, y)`` fits the synthesizer's teacher on the real ``(X, y)``, synthesizes
    stimuli, and trains the student on the stimuli alone; ``predict`` and ``score`` then
    apply the student to real data. As a plain scikit-learn classifier it goes into
    :class:`sklearn.pipeline.Pipeline`, :func:`~sklearn.model_selection.cross_val_score`
    and :class:`~sklearn.model_selection.GridSearchCV` (e.g. over
    ``synthesizer__n_iter``), where the held-out folds are real data.

    The teacher's soft labels reach the student where it can use them: a skorch
    student trained with cross-entropy learns them by distillation; a scikit-learn
    student whose ``fit`` takes ``sample_weight`` (or a pipeline whose last step does)
    gets the hard label weighted by the teacher's confidence; any other student gets
    the hard labels.

    Parameters
    ----------
    synthesizer : StimulusSynthesizer or None, default=None
        Makes the stimuli; cloned in ``fit``. ``None`` uses ``StimulusSynthesizer()``.
    student : classifier or None, default=None
        Trained on the stimuli; cloned in ``fit``. ``None`` uses a fresh network of the
        teacher's own architecture.
    soft_labels : {"auto", "expand", "hard"}, default="auto"
        ``"auto"`` passes the soft labels as described above; ``"expand"`` gives a
        student that takes sample weights every stimulus once per class, weighted by the
        teacher's probability of that class (networks: as ``"auto"``); ``"hard"`` always
        trains on the hard labels alone.

    Attributes
    ----------
    synthesizer_ : StimulusSynthesizer
        The fitted synthesizer.
    student_ : classifier
        The fitted student.
    teacher_ : skorch NeuralNetClassifier
        The fitted teacher (``synthesizer_.teacher_``).
    stimuli_ : ndarray of shape (n_stimuli, n_features)
        The stimuli the student was trained on.
    stimuli_labels_ : ndarray of shape (n_stimuli,)
        Their hard labels.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    StimulusSynthesizer : the sampler that makes the stimuli.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skstim import StimulusStudent, StimulusSynthesizer, make_teacher
    >>> from skstim.datasets import make_sleep_apnea
    >>> data = make_sleep_apnea(n_subjects=4, n_windows=20, random_state=0)
    >>> syn = StimulusSynthesizer(make_teacher(arch="mlp", max_epochs=3),
    ...                           input_shape=data.input_shape, n_iter=10, random_state=0)
    >>> clf = StimulusStudent(syn, LogisticRegression()).fit(data.X, data.y)
    >>> clf.predict(data.X[:3]).shape
    (3,)
    """

    _parameter_constraints = {
        "synthesizer": [StimulusSynthesizer, None],
        "student": [HasMethods(["fit", "predict"]), None],
        "soft_labels": [StrOptions({"auto", "expand", "hard"})],
    }

    def __init__(self, synthesizer=None, student=None, *, soft_labels="auto"):
        self.synthesizer = synthesizer
        self.student = student
        self.soft_labels = soft_labels

    def _synthesizer(self):
        return StimulusSynthesizer() if self.synthesizer is None else self.synthesizer

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Fit the teacher on real ``(X, y)``, synthesize stimuli, train the student on them.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Real samples.
        y : array-like of shape (n_samples,)
            Class labels.
        **fit_params : dict
            Passed to the synthesizer's ``fit_resample``, e.g. ``groups`` for an
            :class:`~skstim.IdentityInhibitor`. With metadata routing enabled
            (``sklearn.set_config(enable_metadata_routing=True)``), only what the
            synthesizer requests reaches it (``IdentityInhibitor`` requests ``groups``).

        Returns
        -------
        self : StimulusStudent
            Fitted.
        """
        validate_data(self, X, y, dtype=None, ensure_all_finite=False, skip_check_array=True)
        if get_config()["enable_metadata_routing"]:
            fit_params = process_routing(self, "fit", **fit_params).synthesizer.fit_resample
        self.synthesizer_ = clone(self._synthesizer())
        X_s, y_s = self.synthesizer_.fit_resample(X, y, **fit_params)
        proba = self.synthesizer_.y_proba_
        self.classes_ = self.synthesizer_.classes_
        self.n_features_in_ = self.synthesizer_.n_features_in_
        if len(np.unique(y_s)) < 2:
            raise ValueError(
                f"The teacher labels every stimulus {y_s[0]!r}, so the student would see one class. "
                "Synthesize more stimuli (n_stimuli), optimize longer (n_iter), or give the "
                "teacher more epochs."
            )
        student = clone(self.synthesizer_.teacher_ if self.student is None else self.student)
        if isinstance(student, NeuralNet):
            student = _with_data_shape(student, self.synthesizer_.input_shape_, len(self.classes_))
        self.student_ = fit_on_stimuli(student, X_s, proba, self.classes_, self.soft_labels)
        self._is_net = isinstance(student, NeuralNet)
        self.stimuli_, self.stimuli_labels_ = X_s, y_s
        return self

    def get_metadata_routing(self):
        """How ``fit`` routes metadata: to the synthesizer's ``fit_resample``.

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRouter
        """
        return MetadataRouter(owner=self.__class__.__name__).add_self_request(self).add(
            synthesizer=self._synthesizer(),
            method_mapping=MethodMapping().add(caller="fit", callee="fit_resample"),
        )

    @property
    def teacher_(self):
        """The fitted teacher."""
        check_is_fitted(self, "synthesizer_")
        return self.synthesizer_.teacher_

    def _check_X(self, X):
        check_is_fitted(self, "student_")
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        return X

    @available_if(_student_has_predict_proba)
    def predict_proba(self, X):
        """Class probabilities from the student, columns in the order of ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Real samples to score.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        X = self._check_X(X)
        if self._is_net:
            return self.student_.predict_proba(X.astype(np.float32))
        proba = self.student_.predict_proba(X)
        full = np.zeros((len(X), len(self.classes_)), dtype=proba.dtype)
        full[:, np.searchsorted(self.classes_, self.student_.classes_)] = proba
        return full

    def predict(self, X):
        """Class labels from the student.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Real samples to label.

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        X = self._check_X(X)
        return predict_labels(self.student_, X, self.classes_)
