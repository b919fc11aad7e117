"""Opacus, the optional dependency of differentially private training, imported on use."""

import importlib

__all__ = ["require_opacus"]


def require_opacus():
    """The ``opacus`` package, or an ImportError that names the extra to install.

    Examples
    --------
    >>> require_opacus().__name__
    'opacus'
    """
    try:
        return importlib.import_module("opacus")
    except ImportError as error:
        raise ImportError(
            "Differential privacy (dp_epsilon, skstim.dp) trains with Opacus, which is not "
            "installed: pip install 'skstim[dp]'."
        ) from error
