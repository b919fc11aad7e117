"""The ``--device`` option, checked before any work: a torch device this machine has."""

from ._errors import InputError

__all__ = ["check_device"]


def _available(kind):
    """Whether torch can run on devices of type ``kind`` here, and how many there are."""
    import torch

    if kind == "cpu":
        return True, 1
    if kind == "cuda":
        return torch.cuda.is_available(), torch.cuda.device_count()
    if kind == "mps":
        available = torch.backends.mps.is_available()
        return available, int(available)
    backend = getattr(torch, kind, None)
    if backend is not None and hasattr(backend, "is_available"):
        available = backend.is_available()
        return available, backend.device_count() if available else 0
    return False, 0


def check_device(text, option="--device"):
    """``text`` checked as a torch device that exists on this machine.

    Parameters
    ----------
    text : str
        E.g. ``"cpu"``, ``"cuda"``, ``"cuda:1"``.
    option : str, default="--device"
        The option that gave ``text``, as the error names it.

    Returns
    -------
    text : str

    Raises
    ------
    InputError
        torch cannot read ``text`` as a device, or this machine has no such device
        (``cuda`` without a CUDA build of torch or without a GPU, an index past the last
        GPU).

    Examples
    --------
    >>> check_device("cpu")
    'cpu'
    """
    import torch

    try:
        device = torch.device(text)
    except (RuntimeError, TypeError, ValueError):
        raise InputError(f"{option} {text!r} is not a torch device; use cpu, cuda or cuda:N "
                         "(or mps on Apple silicon).") from None
    available, count = _available(device.type)
    if not available:
        raise InputError(f"{option} {text!r}: this machine has no {device.type} device that "
                         "torch can use (for cuda: torch.cuda.is_available() is False); use "
                         f"{option} cpu.")
    if device.index is not None and device.index >= count:
        raise InputError(f"{option} {text!r}: this machine has {count} {device.type} "
                         f"device(s), numbered from 0.")
    return text
