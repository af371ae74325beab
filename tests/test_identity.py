"""Annex list items are matched by identity: an unchanged item never shows as changed.

An activity or sub-processor inserted before, between or after unchanged ones, or sub-processors
put in another order, must leave the unchanged ones out of every change mark of the redline and
out of the amendment.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dpagen.changes.alignment import MarkedPara, MarkedTable, compare
from dpagen.document.assemble import assemble
from dpagen.inputs.load import load_inputs
from dpagen.render.amendment import render_amendment_html
from dpagen.workspace import Workspace
from tests.conftest import CLIENT
from tests.helpers import edit

INSTRUCTIONS = f"agreements/{CLIENT}/annexes/instructions.yaml"
SUBPROCESSORS = f"agreements/{CLIENT}/annexes/subprocessors.yaml"
NEW_NAME = "Utgående påminnelsesamtal"


def _items(text: str, key: str) -> tuple[str, list[str], str]:
    """The text before the list ``key:``, its items (each from '  - '), and the text after."""
    start = text.index(f"\n{key}:\n") + len(f"\n{key}:\n")
    end = re.compile(r"\n[a-z_]+:").search(text, start)
    assert end is not None
    body = text[start : end.start() + 1]
    items = ["  - " + item for item in re.split(r"(?m)^  - ", body)[1:]]
    return text[:start], items, text[end.start() + 1 :]


def _document(ws: Workspace, lang: str):  # type: ignore[no-untyped-def]
    inputs, problems = load_inputs(ws, [CLIENT])
    assert not [p for p in problems if p.severity == "error"], problems
    return assemble(inputs, CLIENT, lang)


def _marked_texts(old_doc, new_doc) -> list[str]:  # type: ignore[no-untyped-def]
    """Every text the comparison marks as inserted or deleted."""
    marked: list[str] = []
    for item in compare(old_doc, new_doc):
        paras: list[MarkedPara] = []
        if isinstance(item, MarkedTable):
            for row in item.rows:
                for cell in row.cells:
                    paras += list(cell)
        else:
            paras.append(item)
        for para in paras:
            marked += [text for kind, text in para.segments if kind in "+-"]
    return marked


def _names(ws: Workspace, lang: str) -> list[str]:
    inputs, _ = load_inputs(ws, [CLIENT])
    activities = inputs.agreements[CLIENT].annexes["instructions"].data["activities"]
    return [activity["name"][lang] for activity in activities]


@pytest.mark.parametrize("where", [0, 1, 2])
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_an_inserted_activity_is_the_only_change(ws: Workspace, where: int, lang: str) -> None:
    old_doc = _document(ws, lang)
    unchanged = _names(ws, lang)
    _insert_activity(ws, where)
    new_doc = _document(ws, lang)

    marked = " ".join(_marked_texts(old_doc, new_doc))
    assert (NEW_NAME if lang == "sv" else "Outbound reminder calls") in marked
    for name in unchanged:
        assert name not in marked, f"{name!r} is marked as changed"
    amendment = render_amendment_html(old_doc, new_doc, "1 mars 2027").decode("utf-8")
    for name in unchanged:
        assert name not in amendment, f"{name!r} is in the amendment"


def test_reordered_subprocessors_change_nothing_in_their_sections(ws: Workspace) -> None:
    old_doc = _document(ws, "sv")
    _reverse_subprocessors(ws)
    new_doc = _document(ws, "sv")
    marked = _marked_texts(old_doc, new_doc)
    # a reorder moves whole items; no item's details are shown as edited word by word
    for item in compare(old_doc, new_doc):
        if isinstance(item, MarkedTable):
            for row in item.rows:
                if row.mark == "":
                    cells = [p for cell in row.cells for p in cell]
                    assert all(s[0] == "=" for p in cells for s in p.segments), row
    assert marked  # the order itself changed


def test_identity_is_the_id_where_an_item_has_one(tmp_path: Path) -> None:
    from dpagen.document.annex_sections import identity

    assert identity({"id": "reminders", "name": {"sv": "A"}}, "name").startswith("id:reminders")
    assert identity({"name": {"sv": "A", "en": "B"}}, "name") == identity(
        {"name": {"en": "B", "sv": "A"}}, "name"
    )


def _insert_activity(ws: Workspace, where: int) -> None:
    path = ws.root / INSTRUCTIONS
    before, items, after = _items(path.read_text(encoding="utf-8"), "activities")
    new_item = re.sub(
        r"  - name:\n      sv: [^\n]*\n      en: [^\n]*\n",
        f"  - name:\n      sv: {NEW_NAME}\n      en: Outbound reminder calls\n",
        items[0],
        count=1,
    ).replace("    id: customer-service\n", "    id: outbound-reminders\n")
    items.insert(where, new_item)
    path.write_text(before + "".join(items) + after, encoding="utf-8")


def _reverse_subprocessors(ws: Workspace) -> None:
    path = ws.root / SUBPROCESSORS
    before, items, after = _items(path.read_text(encoding="utf-8") + "\nend:\n", "subprocessors")
    path.write_text(before + "".join(reversed(items)) + after.removesuffix("end:\n"), "utf-8")


@pytest.mark.parametrize("change", ["insert-first", "insert-last", "reorder"])
def test_word_redline_accepts_to_the_new_and_rejects_to_the_old(
    ws: Workspace, tmp_path: Path, change: str
) -> None:
    from dpagen.render.redline import render_redline_docx
    from tests.test_redline import assert_resolves

    old_doc = _document(ws, "sv")
    if change == "reorder":
        _reverse_subprocessors(ws)
    else:
        _insert_activity(ws, 0 if change == "insert-first" else 2)
    new_doc = _document(ws, "sv")
    redline = render_redline_docx(old_doc, new_doc, ws.templates)
    assert_resolves(redline, old_doc, new_doc, ws.templates, tmp_path)


def test_an_item_with_an_id_is_followed_through_a_new_name(ws: Workspace) -> None:
    path = ws.root / INSTRUCTIONS
    assert "    id: customer-service\n" in path.read_text(encoding="utf-8")  # the starter's id
    old_doc = _document(ws, "sv")
    edit(path, "      sv: Kundtjänst för Nordisk E-handels kunder\n", f"      sv: {NEW_NAME}\n")
    new_doc = _document(ws, "sv")
    marked = _marked_texts(old_doc, new_doc)
    # the heading's words change; the activity's table is the same item, unchanged
    assert marked == ["Kundtjänst", "Utgående", "för Nordisk E-handels kunder", "påminnelsesamtal"]
    for item in compare(old_doc, new_doc):
        if isinstance(item, MarkedTable):
            assert all(row.mark in ("", "=") for row in item.rows)


def test_ids_added_to_every_item_change_nothing(ws: Workspace) -> None:
    """The starter's items have ids; the same annexes without them are the same items."""
    import copy
    import dataclasses

    from dpagen.changes.diff import State, compare_states
    from dpagen.inputs.identity import NATURAL_KEYS
    from dpagen.inputs.yaml_positions import YamlFile

    inputs, _ = load_inputs(ws, [CLIENT])
    agreement = inputs.agreements[CLIENT]
    annexes = dict(agreement.annexes)
    for kind, lists in NATURAL_KEYS.items():
        data = copy.deepcopy(annexes[kind].data)
        for items in lists:
            for item in data.get(items) or []:
                assert item.pop("id")
        annexes[kind] = YamlFile(annexes[kind].path, data)
    with_ids = inputs
    inputs = dataclasses.replace(
        inputs, agreements={CLIENT: dataclasses.replace(agreement, annexes=annexes)}
    )
    for lang in ("sv", "en"):
        before, after = assemble(inputs, CLIENT, lang), assemble(with_ids, CLIENT, lang)
        assert _marked_texts(before, after) == []
        assert _marked_texts(after, before) == []
        found = compare_states(State("a", inputs, CLIENT), State("b", with_ids, CLIENT), lang)
        assert found.changes == [] and found.hidden == 0


@pytest.mark.parametrize("change", ["insert-between", "reorder"])
def test_diff_json_amendment_pdf_and_html_name_only_what_changed(
    ws: Workspace, tmp_path: Path, change: str
) -> None:
    import json

    from tests.helpers import pdf_text, run

    assert run(ws, "release", CLIENT, "--note", "x", "--date", "2026-12-01").exit_code == 0
    activities = _names(ws, "sv")
    subprocessors = ["Casewell Inc.", "Samtalsmolnet Sverige AB", "Driftpartner Sundsvall AB"]
    if change == "reorder":
        _reverse_subprocessors(ws)
    else:
        _insert_activity(ws, 1)
    found = json.loads(run(ws, "diff", CLIENT, "--format", "json").stdout)
    if change == "reorder":
        assert {c["kind"] for c in found} == {"annex-row-moved"}
        assert len(found) == 3  # four items reversed: three moved, one stays
    else:
        assert [(c["kind"], c["place"]) for c in found] == [
            (
                "annex-row-added",
                f"Bilaga 1 Instruktion för behandling, Behandling '{NEW_NAME}'",
            )
        ]
    outputs = {}
    for name, extra in (("amendment.pdf", ["--amendment"]), ("redline.html", [])):
        fmt = name.rsplit(".", 1)[1]
        path = tmp_path / name
        result = run(ws, "diff", CLIENT, "--format", fmt, "--out", str(path), *extra)
        assert result.exit_code == 0, result.stderr
        outputs[name] = path
    amendment = " ".join(pdf_text(outputs["amendment.pdf"]).split())
    html = outputs["redline.html"].read_text(encoding="utf-8")
    from html import unescape

    summary = unescape(html.split("<ul", 1)[1].split("</ul>", 1)[0])
    for name in activities:
        assert name not in amendment and name not in summary
    assert not any(name in amendment for name in subprocessors)  # moved items are no change
    if change == "insert-between":
        assert NEW_NAME in amendment and NEW_NAME in summary
    else:
        assert "Inga ändringar." in amendment
        assert all(f"Underbiträde '{name}': flyttas" in summary for name in subprocessors)
