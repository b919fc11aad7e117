"""IdentityInhibitor: stimuli that teach the task while naming nobody."""

from numbers import Real

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNet

from ._docstrings import FITTED_ATTRIBUTES, SYNTHESIS_PARAMETERS, TEACHER
from ._synthesizer import StimulusSynthesizer
from .synthesis import IdentityInhibition, person_activation_profiles
from .utils import Substitution, check_groups, child_seed, torch_seed

__all__ = ["IdentityInhibitor"]

_IDENTITY_SEED, _ENSEMBLE_SEED = 2, 10

_MISSING_GROUPS = (
    "IdentityInhibitor needs the subject of every sample: call fit(X, y, groups=subject_ids) "
    "or fit_resample(X, y, groups=subject_ids). Inside a Pipeline, cross_val_score or "
    "GridSearchCV, enable metadata routing with sklearn.set_config("
    "enable_metadata_routing=True) and pass params={'groups': subject_ids}."
)


@Substitution(teacher=TEACHER, synthesis_parameters=SYNTHESIS_PARAMETERS,
              fitted_attributes=FITTED_ATTRIBUTES)
class IdentityInhibitor(StimulusSynthesizer):
    """Synthesize stimuli that excite the teacher's classes and inhibit subject identity.

    Besides the teacher, ``fit`` fits a subject (identity) model on ``(X, groups)``;
    the synthesis objective then also holds that model's posterior over the subjects
    flat (:class:`~skstim.synthesis.IdentityInhibition`), so that no stimulus looks like
    the recordings of one person more than another's (Nikolaidis et al., arXiv
    2009.10007, section on data anonymization).

    ``groups`` reaches ``fit`` and ``fit_resample`` directly, or through scikit-learn's
    metadata routing inside a Pipeline, :func:`~sklearn.model_selection.cross_val_score`
    or :class:`~sklearn.model_selection.GridSearchCV` (``groups`` is requested by
    explicitly, by default): ``sklearn.set_config(enable_metadata_routing=True)``, then
    pass ``params={"groups": subject_ids}``.

    Parameters
    ----------
    {teacher}
    identity_model : skorch NeuralNetClassifier, list of them, or None, default=None
        Unfitted subject model that outputs logits, cloned and fitted on ``(X, groups)``;
        ``None`` uses :func:`~skstim.nets.make_network` (the BatchNorm CNN). A list is
        an ensemble (for instance the CNN, a GRU and a
        :class:`~skstim.nets.SummaryNet`): each is fitted, and the inhibition term is
        the mean of theirs, so that every one of them must fail to name anyone.
    inhibition_weight : float, default=1.0
        Weight of the inhibition term against the class excitation (weight 1).
    profile_weight : float, default=0.0
        Weight of the activation-profile inhibition
        (:class:`~skstim.synthesis.ProfileInhibition`): each person's mean activation
        in the teacher is recorded in ``fit``, and each stimulus is kept equally like
        all of them. Holds one profile per person in ``activation_profiles_``.
    inhibition : {"uniform", "top"}, default="uniform"
        ``"uniform"`` pushes the subject posterior towards uniform; ``"top"`` only
        suppresses the most likely subject.
    {synthesis_parameters}

    Attributes
    ----------
    identity_model_ : skorch NeuralNetClassifier or list of them
        The fitted subject model (a list for an ensemble).
    activation_profiles_ : (torch.Tensor, torch.Tensor) or None
        Each person's activation profile in the teacher and the within-person spread
        (``profile_weight > 0``); private data like the rest of the fitted estimator.
    subjects_ : ndarray of shape (n_subjects,)
        Subject ids seen in ``fit``.
    {fitted_attributes}

    See Also
    --------
    StimulusSynthesizer : the same without identity inhibition.
    skstim.evaluation.reidentification : measures what the inhibition buys.

    Examples
    --------
    >>> from skstim import IdentityInhibitor, make_teacher
    >>> from skstim.datasets import make_sleep_apnea
    >>> data = make_sleep_apnea(n_subjects=4, n_windows=20, random_state=0)
    >>> inh = IdentityInhibitor(make_teacher(arch="mlp", max_epochs=3),
    ...                         identity_model=make_teacher(arch="mlp", max_epochs=3),
    ...                         input_shape=data.input_shape, n_iter=10, random_state=0)
    >>> X_s, y_s = inh.fit_resample(data.X, data.y, groups=data.groups)
    >>> X_s.shape, inh.subjects_.tolist()
    ((320, 480), [0, 1, 2, 3])
    """

    __metadata_request__fit = {"groups": True}
    __metadata_request__fit_resample = {"groups": True}

    _parameter_constraints = {
        **StimulusSynthesizer._parameter_constraints,
        "identity_model": [NeuralNet, list, tuple, None],
        "profile_weight": [Interval(Real, 0, None, closed="left")],
        "inhibition_weight": [Interval(Real, 0, None, closed="left")],
        "inhibition": [StrOptions(set(IdentityInhibition.KINDS))],
    }

    def __init__(self, teacher=None, *, identity_model=None, inhibition_weight=1.0,
                 inhibition="uniform", profile_weight=0.0, input_shape=None, n_stimuli=None,
                 stimuli_per_sample=4.0, method="direct",
                 n_iter=20, lr=None, bn_weight=1.0, bn_statistics="class", bn_segments=1,
                 init="class_scale_mixture", init_rank=64, init_rest="white", step_shape="white",
                 min_class_people=10, min_class_rows=20, max_person_share=1.0, tv_weight=0.0,
                 l2_weight=0.0, mix=0.0, confidence=None, competition_weight=0.0,
                 class_prior="match", memory=None, batch_size=256, device="cpu", n_jobs=None,
                 dp_epsilon=None, dp_delta=None, dp_unit="window", random_state=None, verbose=0):
        super().__init__(
            teacher, input_shape=input_shape, n_stimuli=n_stimuli,
            stimuli_per_sample=stimuli_per_sample, method=method,
            n_iter=n_iter, lr=lr, bn_weight=bn_weight, bn_statistics=bn_statistics,
            bn_segments=bn_segments, init=init,
            init_rank=init_rank, init_rest=init_rest, step_shape=step_shape,
            min_class_people=min_class_people,
            min_class_rows=min_class_rows, max_person_share=max_person_share,
            tv_weight=tv_weight, l2_weight=l2_weight, mix=mix,
            confidence=confidence, competition_weight=competition_weight,
            class_prior=class_prior, memory=memory,
            batch_size=batch_size, device=device, n_jobs=n_jobs, dp_epsilon=dp_epsilon,
            dp_delta=dp_delta, dp_unit=dp_unit, random_state=random_state, verbose=verbose,
        )
        self.identity_model = identity_model
        self.inhibition_weight = inhibition_weight
        self.inhibition = inhibition
        self.profile_weight = profile_weight

    def _fit(self, X, y, groups=None):
        if self.dp_epsilon is not None:
            raise ValueError(
                f"dp_epsilon={self.dp_epsilon!r}: the subject model of IdentityInhibitor is "
                "not trained under a privacy budget (it learns who each window is from). "
                "For a guarantee use StimulusSynthesizer(dp_epsilon=..., dp_unit='person'), "
                "which bounds what any attacker learns of one person.")
        if groups is None:
            raise ValueError(_MISSING_GROUPS)
        groups = check_groups(groups, len(X))
        subjects, subject_index = np.unique(groups, return_inverse=True)
        if len(subjects) < 2:
            raise ValueError(
                f"groups holds one subject only ({subjects[0]!r}): identity inhibition "
                "needs samples of at least two subjects."
            )
        X32 = super()._fit(X, y, groups=groups)
        self.subjects_ = subjects
        ensemble = isinstance(self.identity_model, (list, tuple))
        templates = list(self.identity_model) if ensemble else [self.identity_model]
        if not templates:
            raise ValueError("identity_model is an empty list: pass a subject model, a list "
                             "of them, or None for the default CNN.")
        fitted = []
        for i, template in enumerate(templates):
            # the first model keeps the seed a single subject model has always had
            seed = torch_seed(child_seed(self._root_seed, _IDENTITY_SEED if i == 0
                                         else _ENSEMBLE_SEED + i))
            model = self._prepare_net(template, len(self.subjects_), seed,
                                      name=f"identity_model[{i}]" if ensemble
                                      else "identity_model")
            fitted.append(self._fit_net(model, X32, subject_index, seed))
        self.identity_model_ = fitted if ensemble else fitted[0]
        self.activation_profiles_ = None
        if self.profile_weight > 0:
            self.activation_profiles_ = person_activation_profiles(
                self.teacher_.module_, torch.as_tensor(X32, device=torch.device(self.device)),
                subject_index, batch_size=self.batch_size)
        return X32

    def _extra_terms(self):
        check_is_fitted(self, "identity_model_")
        models = self.identity_model_
        modules = [m.module_ for m in models] if isinstance(models, list) else models.module_
        return {"identity_model": modules, "inhibition": self.inhibition,
                "inhibition_weight": self.inhibition_weight,
                "activation_profiles": self.activation_profiles_,
                "profile_weight": self.profile_weight}
