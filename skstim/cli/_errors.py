"""The two ways a command of ``skstim`` fails, and the exit code of each."""

__all__ = ["EXIT_OK", "EXIT_FAILURE", "EXIT_BAD_INPUT", "InputError", "CommandFailed"]

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


class InputError(ValueError):
    """Input the user has to fix; the command shows the message and exits with code 2."""


class CommandFailed(RuntimeError):
    """A failure while fitting, synthesizing or saving; exit code 1."""
