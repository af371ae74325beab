"""The one error hierarchy of dpagen.

Every failure a user can cause is a :class:`DpagenError`. Problems found in input files are
:class:`Problem` records (file, line, column, message, hint) gathered into a
:class:`ProblemsFound` error, so that one run reports all of them. Nothing here imports click.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One positioned problem in an input file; ``line`` and ``column`` are 1-based."""

    path: Path
    line: int
    column: int
    message: str
    hint: str = ""
    severity: str = "error"

    def as_json(self, root: Path) -> dict[str, Any]:
        """JSON-ready data, the path relative to ``root`` when it lies inside."""
        shown = self.path.relative_to(root) if self.path.is_relative_to(root) else self.path
        return {
            "path": shown.as_posix(),
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }

    def format(self, root: Path | None = None) -> str:
        """Format as ``path:line:col: severity: message`` with the hint on an indented line."""
        shown = self.path
        if root is not None and self.path.is_relative_to(root):
            shown = self.path.relative_to(root)
        text = f"{shown}:{self.line}:{self.column}: {self.severity}: {self.message}"
        if self.hint:
            text += "\n    hint: " + self.hint.replace("\n", "\n          ")
        return text

    def sort_key(self) -> tuple[str, int, int, str]:
        """Order problems by file, then position, then message."""
        return (str(self.path), self.line, self.column, self.message)


class DpagenError(Exception):
    """Base class of every error dpagen reports to a user."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __reduce__(self) -> tuple[Any, ...]:
        # errors raised in build's worker processes travel back to the parent pickled; rebuild
        # them from their attributes, whatever arguments a subclass's __init__ takes
        return (_rebuild, (type(self), self.message, dict(self.__dict__)))

    def format(self, root: Path | None = None) -> str:
        """Return the message (and hint) as printed by the CLI."""
        text = f"error: {self.message}"
        if self.hint:
            text += "\n    hint: " + self.hint
        return text


class ProblemsFound(DpagenError):
    """Input files have problems; carries every problem found in one run."""

    def __init__(self, problems: list[Problem], hint: str = "") -> None:
        self.problems = sorted(set(problems), key=Problem.sort_key)
        errors = sum(1 for p in self.problems if p.severity == "error")
        super().__init__(f"{errors} problem{'s' if errors != 1 else ''} found", hint)

    def format(self, root: Path | None = None) -> str:
        """Return every problem, one block each, then a summary line (and the hint)."""
        lines = [p.format(root) for p in self.problems]
        lines.append(f"{self.message}." + (f" {self.hint}." if self.hint else ""))
        return "\n".join(lines)


class WorkspaceNotFound(DpagenError):
    """No ``dpagen.yaml`` in the given folder or any folder above it."""


class UnknownClient(DpagenError):
    """A client name that is not a folder under ``agreements/`` (or not a safe name)."""


class WorkspaceExists(DpagenError):
    """``init`` or ``new`` would overwrite existing files."""


class RenderError(DpagenError):
    """A renderer failed on an assembled document (a template or tool problem, not user data)."""


class OutputError(DpagenError):
    """A file could not be written: the disk is full, no permission, or another system error."""

    def __init__(self, path: Path, reason: str, hint: str = "") -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"cannot write {path}: {reason}", hint)

    def describe(self, root: Path | None = None) -> str:
        """The message, with the path relative to ``root`` when it lies inside."""
        shown = self.path
        if root is not None and self.path.is_relative_to(root):
            shown = self.path.relative_to(root)
        return f"cannot write {shown}: {self.reason}"

    def format(self, root: Path | None = None) -> str:
        """Return the message (path relative to ``root``) and hint as printed by the CLI."""
        text = f"error: {self.describe(root)}"
        if self.hint:
            text += "\n    hint: " + self.hint
        return text


class UsageError(DpagenError):
    """Options that do not fit together; reported with exit code 2."""

    exit_code = 2


def _rebuild(cls: type[DpagenError], message: str, state: dict[str, Any]) -> DpagenError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error
