"""Private shared internals: seeding, validation, distances, files and distillation.

Nothing here is public API. Every package of skstim imports these from
``skstim.utils``; this package imports nothing of skstim.
"""

from ._distances import nearest_distances, standardize
from ._distillation import fit_on_stimuli, predict_labels
from ._json import NotJSON, describe, json_or_description, to_json
from ._docstring import Substitution
from ._intervals import auc_with_interval, bootstrap_interval, proportion_interval
from ._intervals import split_interval
from ._people_bootstrap import people_bootstrap
from ._layers import Standardize, group_norm, normalization_layers
from ._io import check_output_path, read_npz, write_atomic
from ._seeding import child_seed, draw_normal, draw_uniform, int_seed, numpy_generator
from ._seeding import seed_sequence, seeded_torch
from ._seeding import sklearn_seed, torch_seed
from ._validation import allocate, available_memory, check_fits_in_memory, check_input_shape
from ._validation import check_groups, check_same_length

__all__ = [
    "NotJSON",
    "Standardize",
    "Substitution",
    "describe",
    "json_or_description",
    "to_json",
    "allocate",
    "auc_with_interval",
    "available_memory",
    "bootstrap_interval",
    "check_fits_in_memory",
    "check_groups",
    "check_input_shape",
    "check_output_path",
    "check_same_length",
    "child_seed",
    "draw_normal",
    "draw_uniform",
    "fit_on_stimuli",
    "group_norm",
    "int_seed",
    "nearest_distances",
    "normalization_layers",
    "numpy_generator",
    "people_bootstrap",
    "predict_labels",
    "proportion_interval",
    "read_npz",
    "seed_sequence",
    "seeded_torch",
    "sklearn_seed",
    "split_interval",
    "standardize",
    "torch_seed",
    "write_atomic",
]
