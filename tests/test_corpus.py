"""The bad-input corpus: every case in ``tests/corpus/*.yaml`` against a fresh starter workspace.

A case edits a copy of the starter workspace (replace or append text, write a file, make a
symbolic link, delete a file), runs one dpagen command and states the exit code and the messages
it must print. Every case also asserts what no input may ever cause: a traceback or an internal
error, a file written or changed that the case does not declare, a file read or listed outside
the workspace (an audit hook watches every ``open``), a network connection, or the content of
the canary file outside the workspace showing up in any message or output file.

Cases run in-process (click's test runner); the first case of each corpus file runs once more as
a real ``python -m dpagen`` process, where everything but the audit hook is checked the same way.
Steps and expectations are data; the format is described in ``tests/corpus/README.md``.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from dpagen.workspace import Workspace
from tests.helpers import cli_process, run

CORPUS = Path(__file__).parent / "corpus"
CASE_KEYS = {
    "name",
    "steps",
    "command",
    "exit",
    "stderr",
    "stdout",
    "absent",
    "writes",
    "contains",
    "lacks",
}
ACTIONS = {
    "replace": {"old", "new", "count"},
    "append": {"text"},
    "write": {"text"},
    "delete": set(),
    "symlink": {"target"},
    "copy": {"to"},
    "mkdir": set(),
}


def _load_cases() -> list[Any]:
    params = []
    names: set[str] = set()
    for file in sorted(CORPUS.glob("*.yaml")):
        data = YAML(typ="safe", pure=True).load(file.read_text(encoding="utf-8"))
        defaults = data.get("defaults") or {}
        for raw in data["cases"]:
            case = {**defaults, **raw}
            unknown = set(case) - CASE_KEYS
            assert not unknown, f"{file.name}: {case.get('name')}: unknown keys {unknown}"
            assert case["name"] not in names, f"{file.name}: case {case['name']} twice"
            names.add(case["name"])
            for step in case.get("steps") or []:
                action = next(key for key in step if key in ACTIONS)
                extra = set(step) - {action} - ACTIONS[action]
                assert not extra, f"{case['name']}: step {action} has unknown keys {extra}"
            params.append(pytest.param(file.stem, case, id=case["name"]))
    return params


CASES = _load_cases()
# the first case of each corpus file also runs as a real `python -m dpagen` process
SAMPLE = [
    next(param for param in CASES if param.values[0] == kind)
    for kind in sorted({param.values[0] for param in CASES})
]


@dataclass
class Place:
    """The folders of one case: the workspace, the folder outside it and the canary."""

    tmp: Path
    ws: Path
    outside: Path
    canary: Path
    secret: str
    edits: dict[str, int] = field(default_factory=dict)  # path → where the last edit starts

    def text(self, value: Any) -> str | bytes:
        """A text value of the corpus: a string, ``{repeat, times}``, ``{hex}`` or ``{join}``."""
        if isinstance(value, str):
            return (
                value.replace("@OUTSIDE@", str(self.outside))
                .replace("@CANARY@", str(self.canary))
                .replace("@SECRET@", self.secret)
                .replace("@WS@", str(self.ws))
            )
        if "hex" in value:
            return bytes.fromhex(value["hex"])
        if "repeat" in value:
            return str(self.text(value["repeat"])) * int(value["times"])
        parts = [self.text(part) for part in value["join"]]
        if any(isinstance(part, bytes) for part in parts):
            return b"".join(p if isinstance(p, bytes) else p.encode("utf-8") for p in parts)
        return "".join(str(part) for part in parts)

    def path(self, name: str) -> Path:
        """A path of the corpus: relative to the workspace, or under ``@OUTSIDE@/``."""
        if name.startswith("@OUTSIDE@/"):
            return self.outside / name.removeprefix("@OUTSIDE@/")
        return self.ws / name


def _write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def _decoded(data: bytes) -> str:
    """A file's text for positions: characters, with any bytes that are not UTF-8 kept apart."""
    return data.decode("utf-8", "surrogateescape")


def _apply(place: Place, step: dict[str, Any]) -> None:
    action = next(key for key in step if key in ACTIONS)
    path = place.path(step[action])
    if action == "replace":
        text = path.read_text(encoding="utf-8")
        old, new = place.text(step["old"]), place.text(step["new"])
        assert isinstance(old, str) and isinstance(new, str)
        assert old in text, f"{old!r} not in {path}"
        count = int(step.get("count", 1))
        place.edits[step[action]] = text.index(old)
        path.write_text(text.replace(old, new, count if count > 0 else -1), encoding="utf-8")
    elif action == "append":
        data = place.text(step["text"])
        old_bytes = path.read_bytes()
        place.edits[step[action]] = len(_decoded(old_bytes))
        _write(path, old_bytes + (data if isinstance(data, bytes) else data.encode("utf-8")))
    elif action == "write":
        place.edits[step[action]] = 0
        _write(path, place.text(step["text"]))
    elif action == "delete":
        _remove(path)
    elif action == "symlink":
        _remove(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(str(place.text(step["target"])))
    elif action == "copy":
        target = place.path(step["to"])
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            shutil.copytree(path, target)
        else:
            shutil.copyfile(path, target)
    else:
        path.mkdir(parents=True, exist_ok=True)


# PATH:@AT@, PATH:@AT(TEXT)@ and PATH:@END@ become PATH:LINE:COLUMN; @LINE(TEXT)@ a line number
MARKER = re.compile(
    r"(?:(?P<path>[^\s:]+):)?@(?P<kind>AT|LINE|END)(?:\((?P<text>.*?)\))?@", re.DOTALL
)


def _positioned(place: Place, message: str) -> str:
    """``message`` with its position markers replaced (see tests/corpus/README.md)."""
    matches = list(MARKER.finditer(message))
    if not matches:
        return message
    named = [match["path"] for match in matches if match["kind"] != "LINE"]
    assert named and named[0], f"{message!r}: a position marker needs the file before it"
    pieces: list[str] = []
    done = 0
    for match in matches:
        name = match["path"] or named[0]
        text = _decoded(place.path(name).read_bytes())
        if match["kind"] == "END":
            spot = len(text)
        else:
            start = place.edits.get(name, 0)
            anchor = match["text"]
            if anchor is None:
                spot = start
            else:
                if anchor.startswith("^"):
                    anchor, start = anchor[1:], 0
                spot = text.find(anchor, start)
                assert spot >= 0, f"{message!r}: {anchor!r} not in {name} after offset {start}"
        line = text.count("\n", 0, spot) + 1
        column = spot - (text.rfind("\n", 0, spot) + 1) + 1
        where = str(line) if match["kind"] == "LINE" else f"{line}:{column}"
        prefix = f"{match['path']}:" if match["path"] else ""
        pieces += [message[done : match.start()], prefix + where]
        done = match.end()
    return "".join(pieces) + message[done:]


def _snapshot(root: Path) -> dict[str, tuple[str, int, str]]:
    """Every file and link under ``root``: kind, size and SHA-256 (or the link's target)."""
    found: dict[str, tuple[str, int, str]] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            key = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[key] = ("link", 0, str(path.readlink()))
            elif path.is_file():
                data = path.read_bytes()
                found[key] = ("file", len(data), hashlib.sha256(data).hexdigest())
    return found


_READ: dict[tuple[Path, int, int], str] = {}  # PDF text takes a while; each file is read once


def _texts_of(path: Path) -> str:
    """What a reader sees of an output file: DOCX paragraphs, PDF text, or the text itself."""
    status = path.stat()
    key = (path, status.st_size, status.st_mtime_ns)
    if key not in _READ:
        _READ.clear()
        _READ[key] = _extract(path)
    return _READ[key]


def _extract(path: Path) -> str:
    if path.suffix == ".docx":
        from dpagen.files.docx_reading import docx_lines

        return "\n".join(docx_lines(path.read_bytes()))
    if path.suffix == ".pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return path.read_text(encoding="utf-8")


def _all_bytes(path: Path) -> list[bytes]:
    """The raw bytes of a file plus, for zip containers and PDFs, what they hold."""
    data = path.read_bytes()
    found = [data]
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            found += [archive.read(name) for name in archive.namelist()]
    elif data.startswith(b"%PDF"):
        found.append(_texts_of(path).encode("utf-8"))
    return found


_WATCHED: list[tuple[str, str]] | None = None
_EVENTS = {"open", "os.listdir", "os.scandir", "socket.connect", "socket.getaddrinfo"}


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _WATCHED is None or event not in _EVENTS:
        return
    target = args[0] if args else None
    if isinstance(target, bytes):
        target = os.fsdecode(target)
    elif isinstance(target, os.PathLike):
        target = os.fspath(target)
    if event.startswith("socket"):
        _WATCHED.append((event, repr(args)))
    elif isinstance(target, str):
        _WATCHED.append((event, str(Path(target).absolute())))


sys.addaudithook(_audit)


def _prepare(case: dict[str, Any], ws: Workspace, tmp_path: Path) -> Place:
    """The case's folders, canary and steps applied."""
    outside = tmp_path / "outside"
    outside.mkdir()
    place = Place(tmp_path, ws.root, outside, outside / "canary.txt", f"CANARY-{uuid.uuid4().hex}")
    place.canary.write_text(place.secret + "\n", encoding="utf-8")
    for step in case.get("steps") or []:
        _apply(place, step)
    return place


def _messages(place: Place, case: dict[str, Any]) -> dict[str, list[str]]:
    """The case's ``stderr``, ``stdout`` and ``absent`` texts, position markers resolved.

    Resolved after the steps and before the command, which may change the files.
    """
    found: dict[str, list[str]] = {}
    for key in ("stderr", "stdout", "absent"):
        texts = [place.text(value) for value in case.get(key) or []]
        assert all(isinstance(text, str) for text in texts), f"{key}: texts only"
        found[key] = [_positioned(place, str(text)) for text in texts]
    return found


def _check_outcome(
    place: Place, case: dict[str, Any], messages: dict[str, list[str]], done: tuple[int, str, str]
) -> None:
    """Exit code and messages as the case states them; no traceback, no canary."""
    code, stdout, stderr = done
    output = stdout + stderr
    shown = f"exit {code}\n--- stdout\n{stdout}--- stderr\n{stderr}"
    assert "Traceback" not in output, shown
    assert "internal error" not in output, shown
    assert code == case["exit"], shown
    for expected in messages["stderr"]:
        assert expected in stderr, shown
    for expected in messages["stdout"]:
        assert expected in stdout, shown
    for unexpected in messages["absent"]:
        assert unexpected not in output, shown
    assert place.secret not in output


def _check_files(
    place: Place, case: dict[str, Any], before: dict[str, tuple[str, int, str]]
) -> None:
    """Exactly the declared files written, nothing else changed, no canary in any of them."""
    tmp_path, root = place.tmp, place.ws
    after = _snapshot(tmp_path)
    changed = sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )
    declared = {f"ws/{name}" for name in case.get("writes") or []}
    assert [name for name in changed if name not in declared] == [], changed
    assert sorted(declared - set(changed)) == [], "declared output files were not written"
    for name in changed:
        if after.get(name, ("",))[0] == "file":
            data = _all_bytes(tmp_path / name)
            assert all(place.secret.encode() not in part for part in data), name

    for name, expected in (case.get("contains") or {}).items():
        text = _texts_of(root / name)
        for piece in expected:
            assert place.text(piece) in text, f"{piece!r} not in {name}"
    for name, unexpected in (case.get("lacks") or {}).items():
        text = _texts_of(root / name)
        for piece in unexpected:
            assert place.text(piece) not in text, f"{piece!r} in {name}"


@pytest.mark.parametrize(("kind", "case"), CASES)
def test_case(kind: str, case: dict[str, Any], ws: Workspace, tmp_path: Path) -> None:
    global _WATCHED
    place = _prepare(case, ws, tmp_path)
    messages = _messages(place, case)
    before = _snapshot(tmp_path)
    args = [str(place.text(arg)) for arg in case["command"]]

    _WATCHED = []
    try:
        result = run(ws, *args)
    finally:
        watched, _WATCHED = _WATCHED, None

    shown = f"exit {result.exit_code}\n--- stdout\n{result.stdout}--- stderr\n{result.stderr}"
    assert result.exception is None or isinstance(result.exception, SystemExit), shown
    _check_outcome(place, case, messages, (result.exit_code, result.stdout, result.stderr))

    # nothing outside the workspace read, listed or connected to
    outside = place.outside.resolve()
    reached = [
        (event, target)
        for event, target in watched
        if event.startswith("socket") or Path(target).resolve().is_relative_to(outside)
    ]
    assert reached == [], reached
    _check_files(place, case, before)


@pytest.mark.parametrize(("kind", "case"), SAMPLE)
def test_case_as_a_process(kind: str, case: dict[str, Any], ws: Workspace, tmp_path: Path) -> None:
    """The real entry point: exit code, messages and files of `python -m dpagen`.

    The audit hook cannot watch another process; the canary and the files still tell.
    """
    place = _prepare(case, ws, tmp_path)
    messages = _messages(place, case)
    before = _snapshot(tmp_path)
    env, command = cli_process(ws, *(str(place.text(arg)) for arg in case["command"]))
    done = subprocess.run(
        command, env=env, cwd=tmp_path, capture_output=True, timeout=600, check=False
    )
    stdout = done.stdout.decode("utf-8", "replace")
    stderr = done.stderr.decode("utf-8", "replace")
    _check_outcome(place, case, messages, (done.returncode, stdout, stderr))
    _check_files(place, case, before)


def test_the_corpus_has_at_least_ninety_cases() -> None:
    assert len(CASES) >= 90


def test_renderers_refuse_a_template_linked_outside(ws: Workspace, tmp_path: Path) -> None:
    """Validation reports such a link first; the renderers refuse it on their own as well."""
    from dpagen.checks.validate import validate_workspace
    from dpagen.document.assemble import assemble
    from dpagen.errors import RenderError
    from dpagen.render.docx import render_docx
    from dpagen.render.html import render_html

    inputs, _ = validate_workspace(ws)
    doc = assemble(inputs, "nordisk-ehandel", "en")
    for name, renderer in (("agreement.html", render_html), ("agreement.docx", render_docx)):
        outside = tmp_path / name
        shutil.copyfile(ws.templates / name, outside)
        (ws.templates / name).unlink()
        (ws.templates / name).symlink_to(outside)
        message = f"{name}: refused to read {name}: a symbolic link takes it to {outside}"
        with pytest.raises(RenderError, match=message):
            renderer(doc, ws.templates)
