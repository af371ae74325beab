"""Finding a workspace and naming its parts; the only module that knows the folder layout.

It also keeps dpagen inside the workspace: a symbolic link is followed only when its target,
with every link resolved, lies inside the workspace (the repository's own workspace links into
``dpagen/starter/``), so no input can make dpagen read a file from elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from dpagen.errors import Problem, UnknownClient, WorkspaceNotFound

MARKER = "dpagen.yaml"
_CLIENT_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


@dataclass(frozen=True)
class Workspace:
    """A folder holding ``dpagen.yaml``, ``clauses/``, ``templates/`` and ``agreements/``."""

    root: Path

    @property
    def config_file(self) -> Path:
        """The workspace file with the processor's identity and defaults."""
        return self.root / MARKER

    @property
    def clauses(self) -> Path:
        """The clause library folder."""
        return self.root / "clauses"

    @property
    def library_file(self) -> Path:
        """The list of editions."""
        return self.clauses / "library.yaml"

    @property
    def templates(self) -> Path:
        """The layout templates (HTML/CSS for PDF, DOCX)."""
        return self.root / "templates"

    @property
    def register_file(self) -> Path:
        """The processor's register of sub-processors (optional)."""
        return self.root / "subprocessors.yaml"

    @property
    def agreements(self) -> Path:
        """One folder per client."""
        return self.root / "agreements"

    def clients(self) -> list[str]:
        """Names of all client folders, sorted (none when ``agreements/`` leads outside)."""
        if not self.agreements.is_dir() or self.outside(self.agreements) is not None:
            return []
        return sorted(
            entry.name
            for entry in self.agreements.iterdir()
            if entry.is_dir() and _CLIENT_NAME.fullmatch(entry.name)
        )

    def client_dir(self, client: str, *, must_exist: bool = True) -> Path:
        """The folder of ``client``; the name cannot leave ``agreements/``."""
        if not _CLIENT_NAME.fullmatch(client):
            raise UnknownClient(
                f"'{client}' is not a valid client name",
                "use lower-case letters, digits and hyphens, e.g. nordisk-ehandel",
            )
        folder = self.agreements / client
        if must_exist and not (folder / "agreement.yaml").is_file():
            known = ", ".join(self.clients()) or "none yet"
            raise UnknownClient(
                f"no client '{client}' in {self.agreements}", f"known clients: {known}"
            )
        return folder

    def agreement_file(self, client: str) -> Path:
        """The client's ``agreement.yaml``."""
        return self.client_dir(client) / "agreement.yaml"

    def annex_file(self, client: str, annex: str) -> Path:
        """The client's file for one annex."""
        return self.client_dir(client) / "annexes" / f"{annex}.yaml"

    def notices_folder(self, client: str) -> Path:
        """The client's records of sub-processor notices and approval requests sent."""
        return self.client_dir(client, must_exist=False) / "notices"

    def outside(self, path: Path) -> Problem | None:
        """The problem to report when ``path`` really lies outside the workspace, else None."""
        return outside_problem(path, self.root)


def outside_problem(path: Path, folder: Path, name: str = "the workspace") -> Problem | None:
    """The problem to report when ``path``, links resolved, lies outside ``folder``, else None.

    The paths checked are built from validated names, so only a link can lead one outside.
    """
    try:
        real = path.resolve()
        if real.is_relative_to(folder.resolve()):
            return None
    except (OSError, RuntimeError):  # a loop of links
        reason = "its symbolic links form a loop"
    else:
        reason = f"a symbolic link takes it to {real}, outside {name}"
    return Problem(
        path,
        1,
        1,
        f"refused to read {path.name}: {reason}",
        f"replace the link by the file or folder itself; links may only point inside {name}",
    )


def find_workspace(start: Path | None = None, *, explicit: bool = False) -> Workspace:
    """The workspace at ``start`` (when ``explicit``) or the nearest one at or above it."""
    origin = (start or Path.cwd()).resolve()
    if explicit:
        if (origin / MARKER).is_file():
            return Workspace(origin)
        raise WorkspaceNotFound(
            f"{origin} is not a dpagen workspace (no {MARKER})", "create one with 'dpagen init DIR'"
        )
    for folder in (origin, *origin.parents):
        if (folder / MARKER).is_file():
            return Workspace(folder)
    raise WorkspaceNotFound(
        f"no {MARKER} in {origin} or any folder above it",
        "run dpagen inside a workspace, pass -C DIR, or create one with 'dpagen init DIR'",
    )
