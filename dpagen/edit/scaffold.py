"""``dpagen init`` and ``dpagen new``: create a workspace, or a client folder in one."""

from __future__ import annotations

import json
from importlib.resources import as_file, files
from pathlib import Path

from dpagen.errors import UsageError, WorkspaceExists
from dpagen.files.atomic import write_atomic
from dpagen.inputs.load import load_inputs
from dpagen.inputs.schema import is_valid_orgnr
from dpagen.workspace import MARKER, Workspace


def _starter_files() -> list[tuple[str, bytes]]:
    root = files("dpagen").joinpath("starter")
    result: list[tuple[str, bytes]] = []
    with as_file(root) as folder:
        for path in sorted(Path(folder).rglob("*")):
            # releases and notices made in the repository's own workspace (whose example client
            # is this starter folder, linked) belong to that workspace, never to a new one
            parts = path.relative_to(folder).parts
            notices = parts[:1] == ("agreements",) and parts[2:3] == ("notices",)
            skipped = notices or bool({"__pycache__", "releases"} & set(parts))
            if path.is_file() and not skipped:
                result.append((path.relative_to(folder).as_posix(), path.read_bytes()))
    return result


def init_workspace(target: Path) -> list[Path]:
    """Create a working workspace (library, templates, one example client) in ``target``.

    Raises:
        WorkspaceExists: ``target`` already holds a workspace or any of the files.
    """
    if (target / MARKER).exists():
        raise WorkspaceExists(
            f"{target} is already a dpagen workspace", "choose an empty or new folder"
        )
    starter = _starter_files()
    clashes = [name for name, _ in starter if (target / name).exists()]
    if clashes:
        raise WorkspaceExists(
            f"{target / clashes[0]} already exists",
            "choose an empty or new folder; nothing was written",
        )
    written = []
    for name, data in starter:
        write_atomic(target / name, data)
        written.append(target / name)
    return written


def _yaml(value: object) -> str:
    # JSON strings and lists are valid YAML flow scalars, with all escaping done right.
    return json.dumps(value, ensure_ascii=False)


def new_client(ws: Workspace, client: str, name: str, org_no: str) -> list[Path]:
    """Create ``agreements/<client>/`` with files prefilled from the workspace defaults.

    Raises:
        UsageError: the name is empty or the organisation number is invalid.
        WorkspaceExists: the client folder exists already.
    """
    folder = ws.client_dir(client, must_exist=False)
    if folder.exists():
        raise WorkspaceExists(
            f"client folder {folder} already exists",
            "choose another client name, or edit the existing files",
        )
    if not name.strip():
        raise UsageError("--name must not be empty")
    if not is_valid_orgnr(org_no):
        raise UsageError(
            f"'{org_no}' is not a valid Swedish organisation number",
            "write it as NNNNNN-NNNN; the last digit is a check digit",
        )
    from stdnum.se import orgnr

    inputs, _ = load_inputs(ws, [])
    defaults = inputs.defaults
    edition_id = defaults.get("edition") or next(iter(inputs.library.editions), "")
    edition = inputs.library.editions.get(edition_id)
    variants = ""
    if edition is not None:
        for clause_id, _ in edition.clauses:
            clause = inputs.library.clauses.get(clause_id)
            if clause is not None and clause.variants:
                choices = ", ".join(clause.variants)
                variants += f"  {clause_id}: {clause.default_variant()}   # {choices}\n"
    variants_block = f"variants:\n{variants}" if variants else ""
    languages = defaults.get("languages")
    languages = languages if isinstance(languages, list) and languages else ["sv", "en"]
    skeletons = files("dpagen").joinpath("skeletons")
    text = (
        skeletons.joinpath("agreement.yaml")
        .read_text(encoding="utf-8")
        .format(
            name=name.strip(),
            client=client,
            name_yaml=_yaml(name.strip()),
            org_no_yaml=_yaml(orgnr.format(org_no)),
            edition_yaml=_yaml(edition_id),
            languages_yaml=_yaml(languages),
            variants_block=variants_block,
        )
    )
    written = [folder / "agreement.yaml"]
    write_atomic(written[0], text.encode("utf-8"))
    for kind in edition.annexes if edition is not None else ():
        path = folder / "annexes" / f"{kind}.yaml"
        write_atomic(path, skeletons.joinpath(f"{kind}.yaml").read_bytes())
        written.append(path)
    return written
