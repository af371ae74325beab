"""The sub-processor register, references to it, and the impact and notices of a change."""

from __future__ import annotations

import datetime as dt

import pytest
from ruamel.yaml import YAML

from dpagen.document.dates import long_date
from dpagen.workspace import Workspace
from tests.conftest import require_tool
from tests.helpers import docx_lines, edit, pdf_text, run

SUBPROCESSORS = "agreements/{}/annexes/subprocessors.yaml"
DATE = dt.date(2027, 2, 1)


def register_entry(entry_id: str, services: str, location: str = "SE") -> str:
    mechanism = (
        "transfer_mechanism: null" if location == "SE" else "transfer_mechanism: SCC 2021/914"
    )
    return (
        f"  {entry_id}:\n"
        f"    name: {entry_id.capitalize()} AB & <Co>\n"
        '    org_no: "556036-0793"\n'
        "    address: Drottninggatan 20, 411 14 Göteborg\n"
        f"    services: [{services}]\n"
        "    service: {sv: 'Tjänst för {{ processor.name }}.', en: A service *for* clients.}\n"
        f"    location: {location}\n"
        f"    {mechanism}\n"
    )


def add_to_register(ws: Workspace, text: str) -> None:
    with ws.register_file.open("a", encoding="utf-8") as file:
        file.write(text)


def users_of(ws: Workspace, tag: str) -> list[str]:
    """The clients whose annex lists a sub-processor providing ``tag``, read independently."""
    yaml = YAML(typ="safe")
    register = yaml.load(ws.register_file)["subprocessors"]
    users = []
    for client in ws.clients():
        entries = yaml.load(ws.root / SUBPROCESSORS.format(client))["subprocessors"]
        tags = {
            t
            for entry in entries
            for t in register.get(entry.get("ref"), entry).get("services") or []
        }
        if tag in tags:
            users.append(client)
    return users


# --- the register and references -------------------------------------------------------------


def test_examples_refer_to_the_register(examples: Workspace) -> None:
    result = run(examples, "validate")
    assert result.exit_code == 0, result.stderr
    for client in examples.clients():
        text = (examples.root / SUBPROCESSORS.format(client)).read_text(encoding="utf-8")
        assert "  - ref: " in text and "address:" not in text


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "  - ref: casewell",
            "  - ref: casewel",
            ":11:10: error: no sub-processor 'casewel' in subprocessors.yaml\n"
            "    hint: did you mean 'casewell'?",
        ),
        (
            "  - ref: casewell\n",
            "  - ref: casewell\n    location: SE\n",
            ":12:5: error: 'location' of 'casewell' comes from subprocessors.yaml\n",
        ),
        (
            "  - ref: driftpartner",
            "  - ref: casewell",
            ":21:10: error: 'casewell' is listed twice (also as entry 1)\n",
        ),
        (
            "  - ref: casewell\n",
            "  - services: [helpdesk]\n",
            ":11:5: error: subprocessors.0: 'name' is missing\n",
        ),
        (
            "  - ref: casewell\n    service:",
            "  - name: Egen AB\n    address: Gatan 1\n    location: SE\n"
            "    services: [helpdsk]\n    service:",
            ":14:16: error: unknown service 'helpdsk'\n    hint: did you mean 'helpdesk'?",
        ),
    ],
)
def test_bad_references_are_positioned(ws: Workspace, old: str, new: str, message: str) -> None:
    path = ws.root / SUBPROCESSORS.format("nordisk-ehandel")
    edit(path, old, new)
    result = run(ws, "validate")
    assert result.exit_code == 1
    assert f"{SUBPROCESSORS.format('nordisk-ehandel')}{message}" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_register_problems_are_positioned(ws: Workspace) -> None:
    add_to_register(ws, register_entry("textverket", "transkription"))
    edit(ws.register_file, "  telephony: {sv:", "  telephony: {xx: Fel, sv:")
    result = run(ws, "validate")
    assert result.exit_code == 1
    assert "subprocessors.yaml:6:14: error: " in result.stderr  # the bilingual text
    assert "error: unknown service 'transkription'" in result.stderr
    assert "hint: did you mean 'transcription'?" in result.stderr


def test_reference_without_a_register(ws: Workspace) -> None:
    ws.register_file.unlink()
    result = run(ws, "validate")
    assert result.exit_code == 1
    assert (
        "error: 'casewell' refers to the sub-processor register, but the workspace has no "
        "subprocessors.yaml" in result.stderr
    )


def test_register_change_reaches_the_rendered_annex(ws: Workspace) -> None:
    edit(ws.register_file, "contact: privacy@casewell.com", "contact: dpo@casewell.example")
    result = run(ws, "render", "nordisk-ehandel", "--draft", "--format", "docx", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    lines = docx_lines(ws.root / result.stdout.split()[0])
    assert "Contact | dpo@casewell.example" in lines


# --- impact ------------------------------------------------------------------------------------


@pytest.mark.parametrize("tag", ["telephony", "transcription", "interpreting", "helpdesk"])
def test_impact_lists_exactly_the_clients_using_the_service(examples: Workspace, tag: str) -> None:
    add_to_register(examples, register_entry("nyleverantor", tag))
    result = run(examples, "subprocessors", "impact", "--add", "nyleverantor", "--json")
    assert result.exit_code == 0, result.stderr
    import json

    listed = [entry["client"] for entry in json.loads(result.stdout)]
    assert listed == users_of(examples, tag)
    assert listed  # every example service is used by someone


def test_impact_of_a_replacement_and_a_removal(examples: Workspace) -> None:
    add_to_register(examples, register_entry("telekontakt", "telephony"))
    result = run(
        examples, "subprocessors", "impact", "--replace", "samtalsmolnet", "telekontakt",
        "--date", "2027-02-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "client            authorisation  notice   objection  deadline    earliest    why\n"
        "ljungsjo-kommun   specific       30 days  -          2027-03-02  2027-03-03  "
        "refers to samtalsmolnet\n"
        "nordisk-ehandel   general        30 days  14 days    2027-02-15  2027-03-03  "
        "refers to samtalsmolnet\n"
        "trygg-forsakring  general        30 days  14 days    2027-02-15  2027-03-03  "
        "refers to samtalsmolnet\n"
        "3 clients affected.\n"
    )
    result = run(
        examples, "subprocessors", "impact", "--remove", "clearvoice", "--date", "2027-02-01"
    )
    assert result.stdout.splitlines()[1:] == [
        "nordisk-ehandel  general        -       -          -         2027-02-01  "
        "refers to clearvoice",
        "1 client affected.",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "error: name exactly one change: --add ID, --replace OLD NEW or --remove ID\n"),
        (
            ("--add", "casewel", "--remove", "casewell"),
            "error: name exactly one change: --add ID, --replace OLD NEW or --remove ID\n"
            "    hint: given: --add, --remove\n",
        ),
        (("--add", "casewel"), "error: no sub-processor 'casewel' in subprocessors.yaml\n"
         "    hint: did you mean 'casewell'?\n"),
        (("--replace", "casewell", "casewell"), "error: 'casewell' cannot replace itself\n"),
    ],
)  # fmt: skip
def test_impact_refuses_unclear_changes(
    examples: Workspace, args: tuple[str, ...], message: str
) -> None:
    result = run(examples, "subprocessors", "impact", *args)
    assert result.exit_code == 2  # a usage error
    assert result.stderr == message


def test_impact_refuses_a_broken_workspace(examples: Workspace) -> None:
    edit(examples.root / SUBPROCESSORS.format("trygg-forsakring"), "ref: tolkcentrum", "ref: tolk")
    result = run(examples, "subprocessors", "impact", "--add", "casewell")
    assert result.exit_code == 1
    assert "error: no sub-processor 'tolk' in subprocessors.yaml" in result.stderr
    assert "Fix these before assessing a change" in result.stderr


# --- notify ------------------------------------------------------------------------------------


def set_terms(ws: Workspace) -> None:
    """Different periods per client: trygg 45/21 days, ljungsjo (specific) 20 days."""
    edit(
        ws.root / "agreements/trygg-forsakring/agreement.yaml",
        "  breach_notice_hours: 12\n",
        "  breach_notice_hours: 12\n  subprocessor_notice_days: 45\n"
        "  subprocessor_objection_days: 21\n",
    )
    edit(
        ws.root / "agreements/ljungsjo-kommun/agreement.yaml",
        "  deletion_days: 60\n",
        "  deletion_days: 60\n  subprocessor_request_days: 20\n",
    )


DAYS = dt.timedelta(days=1)
NOTICE = "Meddelande om nytt underbiträde"
EXPECTED = {  # client → (title sv, deadline, earliest) for a notice dated DATE
    "nordisk-ehandel": (NOTICE, DATE + 14 * DAYS, DATE + 30 * DAYS),
    "trygg-forsakring": (NOTICE, DATE + 21 * DAYS, DATE + 45 * DAYS),
    "ljungsjo-kommun": (
        "Begäran om godkännande av nytt underbiträde",
        DATE + dt.timedelta(19),
        DATE + dt.timedelta(20),
    ),
}  # fmt: skip


def test_notify_writes_letters_with_each_clients_deadline(examples: Workspace) -> None:
    set_terms(examples)
    add_to_register(examples, register_entry("telekontakt", "telephony"))
    result = run(
        examples, "subprocessors", "notify", "--add", "telekontakt", "--date", "2027-02-01"
    )
    assert result.exit_code == 0, result.stderr
    folder = examples.root / "out/notices/2027-02-01-add-telekontakt"
    for client, (title, deadline, earliest) in EXPECTED.items():
        for lang in ("sv", "en"):
            for fmt in ("pdf", "docx"):
                assert (folder / client / f"{client}-notice.{lang}.{fmt}").is_file()
                assert (folder / client / f"{client}-subprocessors-draft.{lang}.{fmt}").is_file()
        lines = docx_lines(folder / client / f"{client}-notice.sv.docx")
        assert lines[0] == title
        text = "\n".join(lines)
        assert f"{long_date(deadline, 'sv')}" in text
        assert f"{long_date(earliest, 'sv')}" in text
        assert "Telekontakt AB & <Co>" in text  # HTML/XML characters come out literally
        assert "Tjänst för {{ processor.name }}." in text  # register text is never a template
        english = "\n".join(docx_lines(folder / client / f"{client}-notice.en.docx"))
        assert long_date(deadline, "en") in english
    nordisk = "\n".join(docx_lines(folder / "nordisk-ehandel/nordisk-ehandel-notice.sv.docx"))
    assert "inom 14 dagar" in nordisk and "Invändning senast: 15 februari 2027" in nordisk
    assert "inom 21 dagar" in "\n".join(
        docx_lines(folder / "trygg-forsakring/trygg-forsakring-notice.sv.docx")
    )
    request = "\n".join(docx_lines(folder / "ljungsjo-kommun/ljungsjo-kommun-notice.sv.docx"))
    assert "Svar senast: 20 februari 2027" in request and "invända" not in request
    assert result.stdout.endswith("3 clients notified, 27 files written.\n")


def test_notify_pdf_letters_read_back(examples: Workspace) -> None:
    require_tool("pdftotext")
    add_to_register(examples, register_entry("nyverket", "transcription", location="US"))
    result = run(examples, "subprocessors", "notify", "--add", "nyverket", "--date", "2027-02-01")
    assert result.exit_code == 0, result.stderr
    pdf = (
        examples.root
        / "out/notices/2027-02-01-add-nyverket/nordisk-ehandel/nordisk-ehandel-notice.en.pdf"
    )
    text = pdf_text(pdf)
    assert "Notice of a new sub-processor" in text
    assert "15 February 2027" in text and "SCC 2021/914" in text and "United States" in text


def test_draft_annex_is_valid_and_takes_effect(examples: Workspace) -> None:
    add_to_register(examples, register_entry("telekontakt", "telephony"))
    result = run(
        examples, "subprocessors", "notify", "--replace", "samtalsmolnet", "telekontakt",
        "--date", "2027-02-01", "--format", "docx",
    )  # fmt: skip
    assert result.exit_code == 2  # notify has no --format: letters come in PDF and DOCX
    result = run(
        examples, "subprocessors", "notify", "--replace", "samtalsmolnet", "telekontakt",
        "--date", "2027-02-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    folder = examples.root / "out/notices/2027-02-01-replace-samtalsmolnet-with-telekontakt"
    for client in examples.clients():
        draft = (folder / client / "subprocessors.yaml").read_text(encoding="utf-8")
        original = examples.root / SUBPROCESSORS.format(client)
        assert "ref: samtalsmolnet" not in draft and "ref: telekontakt" in draft
        assert draft.startswith(original.read_text(encoding="utf-8").split("\n", 1)[0])  # comment
        original.write_text(draft, encoding="utf-8")
    assert "# set to the date of the written approval" in (
        folder / "ljungsjo-kommun/subprocessors.yaml"
    ).read_text(encoding="utf-8")
    result = run(examples, "validate")
    assert result.exit_code == 0, result.stderr
    result = run(examples, "subprocessors", "impact", "--remove", "samtalsmolnet")
    assert result.stdout == "0 clients affected.\n"


def test_notify_writes_nothing_when_no_client_is_affected(examples: Workspace) -> None:
    add_to_register(
        examples, register_entry("ensam", "ny-tjanst").replace("[ny-tjanst]", "[helpdesk]")
    )
    edit(
        examples.root / SUBPROCESSORS.format("nordisk-ehandel"),
        "  - ref: casewell\n",
        "  - ref: ensam\n",
    )  # the only helpdesk user already has it
    result = run(examples, "subprocessors", "notify", "--add", "ensam")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "0 clients notified, 0 files written.\n"
    assert not (examples.root / "out").exists()


def test_notify_refuses_a_change_whose_draft_would_fail_check(examples: Workspace) -> None:
    # Clearvoice moves to Sweden, so Casewell is nordisk-ehandel's only recipient in the US,
    # where two of its processing activities take place
    edit(
        examples.root / "subprocessors.yaml",
        "Suite 400, San Francisco, CA 94102, USA",
        "Box 12, 111 20 Stockholm",
    )
    edit(
        examples.root / "subprocessors.yaml",
        "no later than 7 days after delivery.\n    location: US",
        "no later than 7 days after delivery.\n    location: SE",
    )
    assert run(examples, "check", "nordisk-ehandel").exit_code == 0
    result = run(
        examples, "subprocessors", "notify", "--remove", "casewell", "--date", "2027-02-01"
    )
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    located = [line for line in lines if "processing in US, outside the EU/EEA" in line]
    assert len(located) == 2, result.stderr
    assert all(
        line.startswith("agreements/nordisk-ehandel/annexes/instructions.yaml:") for line in located
    )
    assert "Nothing was written" in lines[-1]
    assert not (examples.root / "out").exists()
