"""Immutability: what a release issued can no longer change.

Every clause text and edition a release used is frozen, and so is the release lock itself.
``validate`` compares the library with the records of all releases and reports any edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from dpagen.errors import Problem
from dpagen.inputs.clause_library import Library, RefusedFile
from dpagen.inputs.load import AgreementInput
from dpagen.releases.record import Lock, lock_paths, read_locks
from dpagen.workspace import Workspace


def frozen_problems(
    ws: Workspace, library: Library, agreements: Mapping[str, AgreementInput] | None = None
) -> list[Problem]:
    """Edits to frozen clause texts, editions or locks, one problem per file or edition.

    A lock in another client's folder (a copied client folder, say) is one too: it was issued
    for the client and agreement it names, never for the one it now sits with.
    """
    problems: list[Problem] = []
    seen: set[str] = set()
    for client in ws.clients():
        if ws.outside(ws.agreements / client) is not None:
            continue  # reported with the client's files
        folder = ws.agreements / client / "releases"
        refused = ws.outside(folder)
        if refused is not None:
            problems.append(refused)
            continue
        locks, lock_problems = read_locks(folder)
        problems += lock_problems
        numbers = {int(path.name[:4]) for path in lock_paths(folder)}
        for missing in sorted(set(range(1, max(numbers, default=0) + 1)) - numbers):
            problems.append(
                Problem(
                    folder,
                    1,
                    1,
                    f"release {missing} of {client} is missing",
                    "restore its lock file from your backup",
                )
            )
        for lock in locks:
            record, number = lock.record, lock.number
            problems += _ownership_problems(lock, client, (agreements or {}).get(client))
            issued_by = f"release {number} of {client}"
            for name, text in sorted(record.texts.items()):
                path = ws.clauses / name
                if name in seen:
                    continue
                if Path(name).is_absolute() or ".." in Path(name).parts:
                    seen.add(name)
                    problems.append(
                        Problem(
                            lock.path,
                            1,
                            1,
                            f"{issued_by} names the clause text '{name}', which is not in clauses/",
                            "locks are written by dpagen only; restore the original file",
                        )
                    )
                    continue
                try:
                    current: str | None = library.source(path)
                except RefusedFile as exc:
                    seen.add(name)
                    problems.append(exc.problem)
                    continue
                except (OSError, UnicodeDecodeError):
                    current = None
                if current != text:
                    seen.add(name)
                    problems.append(
                        Problem(
                            path,
                            1,
                            1,
                            f"this clause text is frozen ({issued_by} used it) but it has been "
                            + ("removed" if current is None else "changed"),
                            "restore it, and write the new wording as a new version of the clause "
                            "in a new edition",
                        )
                    )
            edition = record.edition
            key = f"edition:{edition.id}"
            if key in seen:
                continue
            current_edition = library.editions.get(edition.id)
            refs = (
                tuple(f"{cid}@{version}" for cid, version in current_edition.clauses)
                if current_edition
                else None
            )
            if current_edition is None or (
                refs != edition.clauses
                or current_edition.annexes != edition.annexes
                or current_edition.date != edition.date
            ):
                seen.add(key)
                where = ("editions", current_edition.index) if current_edition else ("editions",)
                problems.append(
                    library.doc.problem(
                        where,
                        f"edition {edition.id} is frozen ({issued_by} used it) but it has been "
                        + ("removed" if current_edition is None else "changed"),
                        "restore it, and make the change as a new edition",
                    )
                )
    return problems


def _ownership_problems(lock: Lock, client: str, agreement: AgreementInput | None) -> list[Problem]:
    """A lock that names another client or agreement than the folder it is in."""
    record = lock.record
    hint = (
        f"a release belongs to the client it was issued for; if this folder was copied, remove "
        f"agreements/{client}/releases/ from the copy ('dpagen new' starts a client without them)"
    )
    if record.client != client:
        return [
            Problem(
                lock.path,
                1,
                1,
                f"release {lock.number} was issued for client {record.client}, not {client}",
                hint,
            )
        ]
    issued_id = record.agreement.get("agreement", {}).get("id")
    if agreement is not None and agreement.ok:
        current_id = agreement.data.get("agreement", {}).get("id")
        if issued_id != current_id:
            return [
                Problem(
                    lock.path,
                    1,
                    1,
                    f"release {lock.number} was issued for agreement {issued_id}; {client}'s "
                    f"agreement is {current_id}",
                    hint,
                )
            ]
    if not lock.sealed:
        return [
            Problem(
                lock.path,
                1,
                1,
                f"release {lock.number}'s lock was written before locks were sealed: the hashes "
                "of its issued files are not protected, so 'dpagen verify' does not vouch for them",
                "keep the issued files of this release in your archive",
                severity="warning",
            )
        ]
    return []
