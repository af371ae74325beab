"""The README documents every command and the two setup commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from dpagen.cli import cli

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_command_is_in_the_readme(command: str) -> None:
    assert f"dpagen {command}" in README


def test_first_screen_shows_the_two_commands() -> None:
    first_screen = "\n".join(README.splitlines()[:20])
    assert "make demo" in first_screen and "make test" in first_screen


def test_guides_exist() -> None:
    for guide in ("clause-author.md", "account-manager.md"):
        assert (ROOT / "docs" / guide).is_file()
