"""Files: written whole or not at all, checked before any work, read without pickle."""

import os
import tempfile

import numpy as np

__all__ = ["write_atomic", "check_output_path", "read_npz"]


def _process_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def _remove_stale_temporaries(directory, name):
    """Remove temporaries of ``name`` left by writers that died (killed mid-write)."""
    prefix = f".{name}."
    for entry in os.listdir(directory):
        if not (entry.startswith(prefix) and entry.endswith(".tmp")):
            continue
        pid = entry[len(prefix):].split(".", 1)[0]
        if pid.isdigit() and not _process_alive(int(pid)):
            try:
                os.unlink(os.path.join(directory, entry))
            except OSError:
                pass


def write_atomic(path, write, mode=None):
    """Write ``path`` through ``write(handle)`` on a temporary file beside it, then rename.

    A failure removes the temporary file and leaves any existing ``path`` as it was. A
    writer killed mid-write leaves its temporary file (``.NAME.PID.*.tmp``) and the old
    ``path`` intact; the next write of ``path`` removes temporaries whose process is
    gone. Writers of the same ``path`` at once each rename a whole file: the last one
    wins, and no reader ever sees a mix.

    Parameters
    ----------
    path : str or path-like
        Destination; its directory must exist.
    write : callable
        Called with the open binary temporary file.
    mode : int or None, default=None
        Permission bits of the file, e.g. ``0o600`` for the owner alone; ``None`` gives
        the usual mode of a new file (``0o666`` less the umask).

    Returns
    -------
    path : str

    Examples
    --------
    >>> import os, tempfile
    >>> target = os.path.join(tempfile.mkdtemp(), "hello.txt")
    >>> _ = write_atomic(target, lambda f: f.write(b"hello"))
    >>> open(target).read()
    'hello'
    """
    path = os.fspath(path)
    directory, name = os.path.split(os.path.abspath(path))
    _remove_stale_temporaries(directory, name)
    tmp = tempfile.NamedTemporaryFile(dir=directory, prefix=f".{name}.{os.getpid()}.",
                                      suffix=".tmp", delete=False)
    try:
        with tmp:
            write(tmp)
            tmp.flush()
            os.fsync(tmp.fileno())
        if mode is None:
            umask = os.umask(0)  # the temporary file is private (0600): give the usual mode
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp.name, mode)
        os.replace(tmp.name, path)
    except BaseException:
        try:
            os.unlink(tmp.name)
        except OSError:
            pass
        raise
    return path


def check_output_path(path, *, name="path", suffix=".npz"):
    """``path`` as a str, checked before any work: it ends in ``suffix`` and its folder exists.

    Raises
    ------
    TypeError
        ``path`` is not a str or path-like.
    ValueError
        ``path`` does not end in ``suffix``.
    FileNotFoundError
        The folder of ``path`` does not exist.

    Examples
    --------
    >>> check_output_path("stimuli.npz")
    'stimuli.npz'
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name} must be a str or os.PathLike, got {type(path).__name__}.")
    path = os.fspath(path)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not path.endswith(suffix):
        raise ValueError(
            f"{name} must end in {suffix!r}, got {path!r}: stimuli files are numpy .npz "
            "archives (numpy would otherwise append '.npz' and write elsewhere)."
        )
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(
            f"The directory of {name} {path!r} does not exist ({directory!r}): create it first, "
            "e.g. os.makedirs(directory, exist_ok=True)."
        )
    return path


def read_npz(path, names=None, max_bytes=None):
    """The arrays of the ``.npz`` archive at ``path``, read without pickle.

    A file received from someone else is never unpickled (unpickling runs code).

    Parameters
    ----------
    path : str or path-like
        The archive.
    names : iterable of str or None, default=None
        The arrays to read, where present; ``None`` reads all.
    max_bytes : dict of str to int or None, default=None
        Largest size, uncompressed, of the named arrays: a larger one is refused
        before it is read.

    Returns
    -------
    arrays : dict of str to ndarray
        In the archive's order.

    Raises
    ------
    ValueError
        numpy cannot read the file as an archive of plain arrays, the file holds a
        single array, an array holds Python objects (reading them would run code from
        the file), or an array is larger than ``max_bytes`` allows; the message says
        which.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "a.npz")
    >>> np.savez(path, X=np.zeros((2, 3)))
    >>> {k: v.shape for k, v in read_npz(path).items()}
    {'X': (2, 3)}
    """
    try:
        archive = np.load(path, allow_pickle=False)
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets one clear message
        # numpy's own message would suggest allow_pickle, which runs code from the file
        raise ValueError(f"it is not an .npz archive of plain arrays ({type(exc).__name__})") \
            from None
    if not hasattr(archive, "files"):
        raise ValueError("it holds a single array, not an .npz archive")
    with archive:
        arrays = {}
        for name in archive.files:
            if names is not None and name not in names:
                continue
            limit = (max_bytes or {}).get(name)
            if limit is not None and archive.zip.getinfo(f"{name}.npy").file_size > limit:
                raise ValueError(f"its array {name!r} is larger than {limit:,} bytes")
            try:
                arrays[name] = archive[name]
            except ValueError:  # object arrays: numpy reads them only by unpickling
                raise ValueError(f"its array {name!r} holds Python objects, which cannot be "
                                 "read safely; store numbers or strings") from None
    return arrays
