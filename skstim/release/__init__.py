"""What leaves the data holder: the stimuli file, its export guard and its metadata record.

A stimuli file (:func:`save_stimuli`) is a release: it holds the stimuli, their labels
and soft labels, and a JSON record of how they were made (:func:`stimuli_metadata`),
never a private row. :func:`export_guard` is the last check before writing.
"""

from ._file import FORMAT, FORMAT_VERSION, load_stimuli, save_stimuli
from ._guard import export_guard
from ._metadata import stimuli_metadata

__all__ = ["save_stimuli", "load_stimuli", "stimuli_metadata", "export_guard", "FORMAT",
           "FORMAT_VERSION"]
