"""The ``skstim`` command: ``skstim demo``, ``skstim synthesize`` and ``skstim evaluate``.

:func:`main` is the entry point of the ``skstim`` script and of ``python -m skstim``.
"""

from ._errors import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK
from ._main import main

__all__ = ["main", "EXIT_OK", "EXIT_FAILURE", "EXIT_BAD_INPUT", "EXIT_INTERRUPTED"]
