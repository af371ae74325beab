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
    # "identical", "signed" (the issued bytes with an update appended), "changed", "unknown",
    # "unlocked" (its lock is missing) or "unsealed" (its lock does not protect its file list)
    status: str
    client: str | None = None
    release: int | None = None
    name: str | None = None  # the issued file it matches or came from
    signature: bool = False  # for "signed": the appended part holds a signature

    def vouched(self) -> bool:
        """True when the file is an issued file, or one with only a signature added."""
        return self.status == "identical" or (self.status == "signed" and self.signature)

    def describe(self) -> str:
        """One line for people."""
        if self.status == "identical":
            return f"{self.path}: identical to {self.name}, release {self.release} of {self.client}"
        if self.status == "signed" and self.signature:
            return (
                f"{self.path}: {self.name}, release {self.release} of {self.client}, with a "
                "signature added after issue (the issued bytes are intact; what the signature "
                "part adds is not checked)"
            )
        if self.status == "signed":
            return (
                f"{self.path}: {self.name}, release {self.release} of {self.client}, with an "
                "update added after issue that holds no signature: the issued bytes are intact, "
                "but the update may change what the document shows"
            )
        if self.status == "unsealed":
            return (
                f"{self.path}: matches {self.name} as listed by release {self.release} of "
                f"{self.client}, whose lock was written before locks were sealed and so does not "
                "protect that list; compare the file with your archived copy"
            )
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
    """Every intact lock of every client, with the client's name.

    A lock in another client's folder than the one it names (a copied folder) is left out: it
    is evidence of nothing about this client, and ``validate`` reports it.
    """
    found = []
    for client in ws.clients():
        locks, _ = read_locks(ws.agreements / client / "releases")
        found += [(client, lock) for lock in locks if lock.record.client == client]
    return found


def _issued_prefix(data: bytes, issued: dict[str, tuple[str, int, str]]) -> tuple[int, str] | None:
    """Where a PDF's issued bytes end, when the rest was appended as an incremental update.

    A PDF signed after issue keeps the signed bytes and adds its signature after their ``%%EOF``.
    """
    end = data.find(b"%%EOF")
    while end != -1:
        cut = end + len(b"%%EOF")
        for length in (cut, cut + 1, cut + 2):  # the end-of-line after %%EOF, if any
            if length < len(data) and sha256(data[:length]) in issued:
                return length, sha256(data[:length])
        end = data.find(b"%%EOF", cut)
    return None


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
        if lock.sealed
        for name, digest in lock.outputs.items()
    }
    unsealed = {
        digest: (client, lock.number, name)
        for client, lock in locks
        if not lock.sealed
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
        if digest in unsealed:
            client, number, name = unsealed[digest]
            verdicts.append(Verdict(path, "unsealed", client, number, name))
            continue
        prefix = _issued_prefix(data, by_hash) if data.startswith(b"%PDF") else None
        if prefix is not None:
            length, issued = prefix
            client, number, name = by_hash[issued]
            appended = data[length:]
            signature = b"/ByteRange" in appended or b"/Sig" in appended
            verdicts.append(Verdict(path, "signed", client, number, name, signature))
            continue
        origin = origin_of(data, locks)
        if origin is None:
            verdicts.append(Verdict(path, "unknown"))
        elif any(client == origin[0] and lock.number == origin[1] for client, lock in locks):
            verdicts.append(Verdict(path, "changed", origin[0], origin[1]))
        else:
            verdicts.append(Verdict(path, "unlocked", origin[0], origin[1]))
    return verdicts
