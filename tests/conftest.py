from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from dpagen.edit.scaffold import init_workspace
from dpagen.workspace import Workspace

GOLDEN = Path(__file__).parent / "golden"
CLIENT = "nordisk-ehandel"

# `make fuzz` (scripts/fuzz.py): many more examples per run of tests/test_fuzz.py, no deadline
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "1000")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)
if os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def _pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pristine") / "ws"
    init_workspace(root)
    return root


@pytest.fixture
def ws(_pristine: Path, tmp_path: Path) -> Workspace:
    """A fresh copy of the starter workspace."""
    root = tmp_path / "ws"
    shutil.copytree(_pristine, root)
    return Workspace(root)


REPOSITORY = Path(__file__).parent.parent


@pytest.fixture(scope="session")
def _pristine_examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("examples") / "ws"
    root.mkdir()
    for name in ("dpagen.yaml", "subprocessors.yaml"):
        shutil.copy(REPOSITORY / name, root / name)
    for folder in ("clauses", "templates", "agreements"):
        shutil.copytree(REPOSITORY / folder, root / folder, symlinks=False)
    return root


@pytest.fixture
def examples(_pristine_examples: Path, tmp_path: Path) -> Workspace:
    """A fresh copy of the repository's workspace with its three example clients."""
    root = tmp_path / "examples"
    shutil.copytree(_pristine_examples, root)
    return Workspace(root)


@pytest.fixture(scope="session")
def example_pdf_file(_pristine_examples: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``example_pdf_file(client, lang)``: the inputs, the document and its PDF file, made once."""
    from dpagen.document.assemble import assemble
    from dpagen.inputs.load import load_inputs
    from dpagen.render.pdf import render_pdf

    made: dict[tuple[str, str], tuple[Any, Any, Path]] = {}

    def get(client: str, lang: str) -> tuple[Any, Any, Path]:
        if (client, lang) not in made:
            ws = Workspace(_pristine_examples)  # read only: nothing is written into it
            inputs, _ = load_inputs(ws, [client])
            doc = assemble(inputs, client, lang)
            path = tmp_path_factory.mktemp("pdf") / f"{client}.{lang}.pdf"
            path.write_bytes(render_pdf(doc, ws.templates))
            made[client, lang] = (inputs, doc, path)
        return made[client, lang]

    return get


@pytest.fixture(scope="session")
def example_pdf(example_pdf_file: Any) -> Any:
    """``example_pdf(client, lang)``: the assembled document and its PDF's text, made once."""
    from tests.helpers import pdf_text

    made: dict[tuple[str, str], tuple[Any, str]] = {}

    def get(client: str, lang: str) -> tuple[Any, str]:
        if (client, lang) not in made:
            _, doc, path = example_pdf_file(client, lang)
            made[client, lang] = (doc, pdf_text(path))
        return made[client, lang]

    return get


def require_tool(name: str) -> str:
    """Path of a command-line tool; skip locally without it, fail under CI."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is required under CI but is not installed")
        pytest.skip(f"{name} is not installed")
    return path
