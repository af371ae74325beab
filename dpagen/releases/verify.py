"""``dpagen verify``: which release a PDF or DOCX comes from, and whether it is unchanged."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dpagen.releases.record import Lock, read_locks, release_named_in, sha256
from dpagen.workspace import Workspace


@dataclass(frozen=True)
class Verdict:
    """What ``verify`` found out about one file."""

    path: Path
    status: str  # "identical", "changed", "unknown" or "unlocked" (its lock is missing)
    client: str | None = None
    release: int | None = None
    name: str | None = None  # the issued file it matches or came from

    def describe(self) -> str:
        """One line for people."""
        if self.status == "identical":
            return f"{self.path}: identical to {self.name}, release {self.release} of {self.client}"
        if self.status == "changed":
            return (
                f"{self.path}: CHANGED since issue; it comes from release {self.release} of "
                f"{self.client}"
            )
        if self.status == "unlocked":
            return (
                f"{self.path}: names release {self.release} of {self.client}, but that "
                "release's lock is missing or was edited, so the file cannot be verified"
            )
        return f"{self.path}: not a file issued by any release of this workspace"


def all_locks(ws: Workspace) -> list[tuple[str, Lock]]:
    """Every intact lock of every client, with the client's name."""
    found = []
    for client in ws.clients():
        locks, _ = read_locks(ws.agreements / client / "releases")
        found += [(client, lock) for lock in locks]
    return found


def origin_of(data: bytes, locks: list[tuple[str, Lock]]) -> tuple[str, int] | None:
    """Client and release named inside a file: a PDF's embedded lock, a DOCX's properties."""
    import io

    try:
        if data.startswith(b"%PDF"):
            from pypdf import PdfReader

            embedded = PdfReader(io.BytesIO(data)).attachments.get("release.lock.json")
            if embedded:
                return release_named_in(embedded[0])
        elif data.startswith(b"PK"):
            from dpagen.files.docx_reading import open_docx

            # "dpagen release N lock HASH", written by the DOCX renderer
            words = (open_docx(data).core_properties.keywords or "").split()
            if len(words) == 5 and words[:2] == ["dpagen", "release"]:
                for client, lock in locks:
                    if lock.record_hash == words[4]:
                        return client, lock.number
    except Exception:  # a damaged file has no readable origin; it is reported as unknown
        return None
    return None


def verify_files(ws: Workspace, paths: list[Path]) -> list[Verdict]:
    """A verdict for each file."""
    locks = all_locks(ws)
    by_hash = {
        digest: (client, lock.number, name)
        for client, lock in locks
        for name, digest in lock.outputs.items()
    }
    verdicts = []
    for path in paths:
        data = path.read_bytes()
        digest = sha256(data)
        if digest in by_hash:
            client, number, name = by_hash[digest]
            verdicts.append(Verdict(path, "identical", client, number, name))
            continue
        origin = origin_of(data, locks)
        if origin is None:
            verdicts.append(Verdict(path, "unknown"))
        elif any(client == origin[0] and lock.number == origin[1] for client, lock in locks):
            verdicts.append(Verdict(path, "changed", origin[0], origin[1]))
        else:
            verdicts.append(Verdict(path, "unlocked", origin[0], origin[1]))
    return verdicts
