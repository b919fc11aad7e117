"""Write a file whole or not at all."""

import os
import tempfile

__all__ = ["write_atomic"]


def write_atomic(path, write):
    """Write ``path`` through ``write(handle)`` on a temporary file beside it, then rename.

    A failure removes the temporary file and leaves any existing ``path`` as it was.

    Parameters
    ----------
    path : str or path-like
        Destination; its directory must exist.
    write : callable
        Called with the open binary temporary file.

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
    tmp = tempfile.NamedTemporaryFile(dir=directory, prefix=f".{name}.", suffix=".tmp",
                                      delete=False)
    try:
        with tmp:
            write(tmp)
            tmp.flush()
            os.fsync(tmp.fileno())
        umask = os.umask(0)  # the temporary file is private (0600): give the usual mode
        os.umask(umask)
        os.chmod(tmp.name, 0o666 & ~umask)
        os.replace(tmp.name, path)
    except BaseException:
        try:
            os.unlink(tmp.name)
        except OSError:
            pass
        raise
    return path
