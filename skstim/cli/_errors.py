"""The ways a command of ``skstim`` ends, and the exit code of each."""

__all__ = ["EXIT_OK", "EXIT_FAILURE", "EXIT_BAD_INPUT", "EXIT_INTERRUPTED", "InputError",
           "CommandFailed"]

# 130 = 128 + SIGINT, what a shell reports for a command ended by Ctrl-C
EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


class InputError(ValueError):
    """Input the user has to fix; the command shows the message and exits with code 2."""


class CommandFailed(RuntimeError):
    """A failure while fitting, synthesizing or saving; exit code 1."""
