"""What every benchmark records: the machine and the library versions."""

import fcntl
import json
import platform
from pathlib import Path

import numpy as np
import sklearn
import skorch
import torch

import skstim

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"


def machine_description():
    """Machine and library versions, for every table.

    ``torch_cpu_capability`` is the instruction set torch's CPU kernels use (e.g.
    ``AVX2``, ``AVX512``): the same seed rounds differently on another, so a network
    refitted on another machine is another network.
    """
    return {
        "machine": f"{platform.machine()}, {torch.get_num_threads()} torch threads, "
                   f"{platform.processor() or 'cpu'}",
        "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "python": platform.python_version(),
        "skstim": skstim.__version__,
        "torch": torch.__version__,
        "sklearn": sklearn.__version__,
        "skorch": skorch.__version__,
        "numpy": np.__version__,
    }


def done_keys(path, fields):
    """The tuples of ``fields`` already in a JSON-lines results file (to resume a run)."""
    if not path.exists():
        return set()
    with path.open() as f:
        return {tuple(r[k] for k in fields) for r in map(json.loads, f)}


def append_record(path, record, unique=None):
    """Append one JSON line to ``path``; return whether it was written.

    ``unique`` names the fields that identify a record (e.g. ``("fold", "source",
    "family")``): the line is then written only if the file holds no record with the
    same values. The check and the write happen under an exclusive lock on the file, so
    processes that share one results file (say two runs of one fold) write each record
    once, whichever finishes first.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)  # released when the file closes
        if unique is not None:
            f.seek(0)
            key = tuple(record[k] for k in unique)
            if any(tuple(json.loads(line)[k] for k in unique) == key for line in f):
                return False
        f.write(json.dumps(record) + "\n")
        return True


def write_docs_section(docs_path, key, block_text):
    """Replace the block between ``<!-- key:begin -->`` and ``<!-- key:end -->`` (or append it)."""
    begin, end = f"<!-- {key}:begin -->", f"<!-- {key}:end -->"
    text = docs_path.read_text() if docs_path.exists() else ""
    block = f"{begin}\n{block_text}\n{end}"
    if begin in text:
        text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    tmp = docs_path.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.replace(docs_path)


def parse_parameter(text, parser):
    """``(name, value)`` of a ``--synthesis NAME=VALUE`` argument, the value as a number if it is one."""
    name, sep, value = text.partition("=")
    if not sep or not name:
        parser.error(f"--synthesis takes NAME=VALUE, got {text!r}")
    for kind in (int, float):
        try:
            return name, kind(value)
        except ValueError:
            pass
    return name, value
