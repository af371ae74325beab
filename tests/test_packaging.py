"""The wheel carries everything `dpagen init` copies and the package reads at run time."""

from __future__ import annotations

import configparser
from fnmatch import fnmatch
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "dpagen"


def patterns() -> list[str]:
    config = configparser.ConfigParser()
    config.read(PACKAGE.parent / "setup.cfg")
    return [line.strip() for line in config["options.package_data"]["dpagen"].splitlines() if line]


def glob_match(name: str, pattern: str) -> bool:
    """Glob matching as setuptools does it: ``*`` stays within one folder."""
    parts, wanted = name.split("/"), pattern.split("/")
    return len(parts) == len(wanted) and all(
        fnmatch(a, b) for a, b in zip(parts, wanted, strict=False)
    )


def test_every_data_file_is_package_data() -> None:
    data_files = [
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and path.suffix != ".py" and "__pycache__" not in path.parts
    ]
    assert len(data_files) > 50
    missing = [name for name in data_files if not any(glob_match(name, p) for p in patterns())]
    assert missing == []


def test_repository_workspace_shares_the_starter_files() -> None:
    root = PACKAGE.parent
    shared = (
        "dpagen.yaml",
        "subprocessors.yaml",
        "clauses",
        "templates",
        "agreements/nordisk-ehandel",
    )
    for name in shared:
        assert (root / name).resolve() == (PACKAGE / "starter" / name).resolve()
    assert sorted(p.name for p in (root / "agreements").iterdir()) == [
        "ljungsjo-kommun",
        "nordisk-ehandel",
        "trygg-forsakring",
    ]
