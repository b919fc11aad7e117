"""The package's layout rules, checked by parsing every module's imports.

- A module imports public names from a package's ``__init__`` (``from ..release import
  save_stimuli``) or from ``skstim.utils``; never a private module, nor a private name, of
  another package (``from .._synthesizer import ...`` from ``skstim.cli``, say).
- ``skstim.utils`` imports nothing of skstim outside itself.
- No module grows past 600 lines.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "skstim"
MODULES = sorted(PACKAGE.rglob("*.py"))
MAX_LINES = 600


def _module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package_of(path):
    """The package a module belongs to: its folder, as a dotted name."""
    return ".".join(path.relative_to(PACKAGE.parent).parent.parts)


def _imports(path, source=None):
    """``(module, names)`` for every import of skstim in ``path``, as absolute names."""
    tree = ast.parse(path.read_text() if source is None else source)
    package = _package_of(path).split(".")
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "skstim" or alias.name.startswith("skstim."):
                    yield alias.name, []
            continue
        else:
            continue
        if module == "skstim" or module.startswith("skstim."):
            yield module, names


def _is_private(dotted):
    return any(part.startswith("_") for part in dotted.split(".")[1:])


def _within(module, package):
    return module == package or module.startswith(package + ".")


def _is_module(dotted):
    path = PACKAGE.parent / dotted.replace(".", "/")
    return path.is_dir() or path.with_suffix(".py").exists()


def _domain(module):
    """The package a module's privacy is scoped to: its top-level subpackage, or the root."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 and (PACKAGE / parts[1]).is_dir() else "skstim"


def _violations(path, source=None):
    importer = _module_name(path)
    for module, names in _imports(path, source):
        if _within(module, "skstim.utils"):
            continue
        for name in names or [None]:
            target = module if name is None or not _is_module(f"{module}.{name}") \
                else f"{module}.{name}"
            if _domain(target) == _domain(importer):
                continue
            private_name = name and name.startswith("_") and not name.endswith("__")
            if _is_private(target) or (target == module and private_name):
                yield f"{importer} imports {module}.{name}" if name else f"{importer} imports {module}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_private_import_across_packages(path):
    assert list(_violations(path)) == []


@pytest.mark.parametrize("path", sorted((PACKAGE / "utils").glob("*.py")),
                         ids=lambda p: p.name)
def test_utils_import_nothing_of_skstim_outside_utils(path):
    outside = [m for m, _ in _imports(path) if not _within(m, "skstim.utils")]
    assert outside == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_stay_short(path):
    assert len(path.read_text().splitlines()) <= MAX_LINES


def test_the_rule_catches_a_private_import_across_packages():
    probe = PACKAGE / "cli" / "_probe.py"
    source = ("from .._synthesizer import StimulusSynthesizer\n"
              "from ..evaluation import _utility\n"
              "from .. import IdentityInhibitor\n"
              "from ..utils._seeding import torch_seed\n"
              "from ._tables import read_table\n")
    assert list(_violations(probe, source)) == [
        "skstim.cli._probe imports skstim._synthesizer.StimulusSynthesizer",
        "skstim.cli._probe imports skstim.evaluation._utility",
    ]
