"""The package's shape: the public API, lazy imports, and what the start-up path loads."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import dpagen
from dpagen.workspace import Workspace
from tests.conftest import CLIENT

PACKAGE = Path(dpagen.__file__).parent
HEAVY = ("weasyprint", "docxtpl", "docx")
LATER_STAGES = ("dpagen.changes", "dpagen.portfolio")


def _imported(*args: str) -> set[str]:
    """Every module a ``python -m dpagen ARGS`` run imports (from ``-X importtime``)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "dpagen", *args],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line}


def _loaded(modules: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes))


def test_help_imports_no_renderer_and_no_later_stage() -> None:
    modules = _imported("--help")
    assert _loaded(modules, HEAVY) == []
    assert _loaded(modules, LATER_STAGES) == []


def test_validate_of_one_client_imports_no_renderer_and_no_later_stage(ws: Workspace) -> None:
    modules = _imported("-C", str(ws.root), "validate", CLIENT)
    assert "dpagen.checks.validate" in modules  # the measurement sees dpagen's own modules
    assert _loaded(modules, HEAVY) == []
    assert _loaded(modules, LATER_STAGES) == []


def test_import_dpagen_loads_no_stage() -> None:
    modules = _imported("--version")
    stages = ("dpagen.inputs", "dpagen.document", "dpagen.render", "dpagen.releases")
    assert _loaded(modules, stages) == []


@pytest.mark.parametrize("name", dpagen.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(dpagen, name) is not None


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'render_everything'"):
        dpagen.render_everything  # noqa: B018


def _packages() -> list[str]:
    return ["dpagen"] + [
        f"dpagen.{info.name}" for info in pkgutil.iter_modules([str(PACKAGE)]) if info.ispkg
    ]


@pytest.mark.parametrize("package", _packages())
def test_no_submodule_is_shadowed(package: str) -> None:
    """``package.name`` is the submodule ``name``, never a function of the same name."""
    module = importlib.import_module(package)
    for info in pkgutil.iter_modules(module.__path__):
        if info.name == "__main__":  # importing it runs the command line
            continue
        submodule = importlib.import_module(f"{package}.{info.name}")
        assert getattr(module, info.name) is submodule, f"{package}.{info.name}"


@pytest.mark.parametrize("package", _packages()[1:])
def test_every_subpackage_says_its_job(package: str) -> None:
    doc = importlib.import_module(package).__doc__
    assert doc and len(doc.strip().splitlines()[0]) > 20


def test_the_top_level_holds_few_modules() -> None:
    assert len(list(PACKAGE.glob("*.py"))) <= 8
