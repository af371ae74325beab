"""The sub-processor register, references to it, and the impact and notices of a change."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from dpagen.document.dates import long_date
from dpagen.workspace import Workspace
from tests.conftest import require_tool
from tests.helpers import at, docx_lines, edit, pdf_text, run

SUBPROCESSORS = "agreements/{}/annexes/subprocessors.yaml"
DATE = dt.date(2027, 2, 1)


def register_entry(entry_id: str, services: str, location: str = "SE") -> str:
    mechanism = (
        "further_subprocessors: []"
        if location == "SE"
        else "transfer: {basis: scc, scc_module: 3, dpf_certified: false, "
        "dpf_checked_on: 2026-11-10, tia: {date: 2026-11-10}}\n    further_subprocessors: []"
    )
    return (
        f"  {entry_id}:\n"
        f"    name: {entry_id.capitalize()} AB & <Co>\n"
        '    org_no: "556036-0793"\n'
        "    address: Drottninggatan 20, 411 14 Göteborg\n"
        "    contact_person: {name: Eva Ek, email: eva.ek@example.se}\n"
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
            ":23:10: error: 'casewell' is listed twice (also as entry 1)\n",
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
    assert result.stdout.endswith("3 clients notified, 27 files written, 3 notices recorded.\n")


def test_notify_pdf_letters_read_back(examples: Workspace) -> None:
    require_tool("pdftotext")
    add_to_register(examples, register_entry("nyverket", "transcription", location="US"))
    result = run(examples, "subprocessors", "notify", "--add", "nyverket", "--date", "2027-02-01")
    assert result.exit_code == 0, result.stderr
    pdf = (
        examples.root
        / "out/notices/2027-02-01-add-nyverket/nordisk-ehandel/nordisk-ehandel-notice.en.pdf"
    )
    text = " ".join(pdf_text(pdf).split())
    assert "Notice of a new sub-processor" in text
    assert "15 February 2027" in text and "United States" in text
    assert "Commission Implementing Decision (EU) 2021/914, module 3" in text


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
    assert result.stdout == "0 clients notified, 0 files written, 0 notices recorded.\n"
    assert not (examples.root / "out").exists()
    assert not any((examples.root / "agreements").glob("*/notices"))


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
    assert not any((examples.root / "agreements").glob("*/notices"))


# --- what every letter states ------------------------------------------------------------------

SAFE = YAML(typ="safe")
COUNTRY = {"SE": {"sv": "Sverige", "en": "Sweden"}, "US": {"sv": "USA", "en": "United States"}}
# the wording the sub-processor clause's minimum content is given in
NOT_STATED = {"sv": "Uppgift saknas", "en": "Not stated"}
PROCESSED_IN = {"sv": "Plats för behandlingen", "en": "Where the data will be processed"}
ACCESSED_FROM = {"sv": "Åtkomst sker från", "en": "Where the data will be accessed from"}
SCC_MODULE = {
    "sv": "kommissionens genomförandebeslut (EU) 2021/914, modul {}",
    "en": "Commission Implementing Decision (EU) 2021/914, module {}",
}
NO_TRANSFER = {
    "sv": "Ingen överföring till tredjeland",
    "en": "No transfer to a third country",
}


def squeezed(text: str) -> str:
    """``text`` without whitespace, as compared with a PDF's text, where lines break anywhere."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def in_language(value: object, lang: str) -> str:
    return str(value[lang]) if isinstance(value, dict) else str(value)


def categories(ws: Workspace, client: str, lang: str) -> tuple[list[str], list[str]]:
    """The client's categories of personal data (sensitive ones included) and data subjects."""
    path = ws.root / f"agreements/{client}/annexes/instructions.yaml"
    activities = SAFE.load(path)["activities"]
    data = [in_language(v, lang) for a in activities for v in a.get("personal_data") or []]
    data += [
        in_language(v, lang)
        for a in activities
        if isinstance(a.get("sensitive_data"), dict)
        for v in a["sensitive_data"].get("categories") or []
    ]
    subjects = [in_language(v, lang) for a in activities for v in a.get("data_subjects") or []]
    return data, subjects


def minimum_content(ws: Workspace, client: str, entry_id: str, lang: str) -> dict[str, list[str]]:
    """Every item a notice must state under the sub-processor clause, read from the YAML files."""
    entry = SAFE.load(ws.register_file)["subprocessors"][entry_id]
    data, subjects = categories(ws, client, lang)
    country = COUNTRY[entry["location"]][lang]
    transfer = entry.get("transfer")
    return {
        "name": [entry["name"]],
        "organisation number": [entry.get("org_no") or NOT_STATED[lang]],
        "address": [entry["address"]],
        "categories of personal data": data,
        "categories of data subjects": subjects,
        "where processed": [PROCESSED_IN[lang] + country],
        "accessed from": [ACCESSED_FROM[lang] + country],
        "transfer basis": [
            SCC_MODULE[lang].format(transfer["scc_module"]) if transfer else NO_TRANSFER[lang]
        ],
        "contact person": [entry["contact_person"]["name"]],
    }


@pytest.mark.parametrize(
    ("entry", "args"),
    [
        (  # a third country, and no organisation number in the register
            register_entry("nyverket", "telephony", location="US").replace(
                '    org_no: "556036-0793"\n', ""
            ),
            ("--add", "nyverket"),
        ),
        (register_entry("telekontakt", "telephony"), ("--replace", "samtalsmolnet", "telekontakt")),
    ],
    ids=["add-us-without-org-no", "replace-se"],
)
def test_every_letter_states_the_minimum_content(
    examples: Workspace, entry: str, args: tuple[str, ...]
) -> None:
    require_tool("pdftotext")
    add_to_register(examples, entry)
    new = args[-1]
    result = run(examples, "subprocessors", "notify", *args, "--date", "2027-02-01")
    assert result.exit_code == 0, result.stderr
    clients = examples.clients()
    assert len(clients) == 3 and result.stdout.endswith(
        "3 clients notified, 27 files written, 3 notices recorded.\n"
    )
    folder = next((examples.root / "out/notices").iterdir())
    missing = []
    for client in clients:
        for lang in ("sv", "en"):
            text = squeezed(pdf_text(folder / client / f"{client}-notice.{lang}.pdf"))
            for item, values in minimum_content(examples, client, new, lang).items():
                assert values, f"{client}: no {item} to look for"
                missing += [
                    f"{client} ({lang}) {item}: {value}"
                    for value in values
                    if squeezed(value) not in text
                ]
            own = {squeezed(v) for v in sum(categories(examples, client, lang), [])}
            for other in (c for c in clients if c != client):
                missing += [  # the categories come from the client's own annex
                    f"{client} ({lang}) shows {other}'s category: {value}"
                    for value in sum(categories(examples, other, lang), [])
                    if squeezed(value) not in own and squeezed(value) in text
                ]
    assert not missing, "\n".join(missing)
    register = examples.register_file
    warning = f"subprocessors.yaml:{at(register, f'{new}:')}: warning: '{new}' has no org_no"
    if "org_no" in SAFE.load(register)["subprocessors"][new]:
        assert "warning" not in result.stderr
    else:
        assert warning in result.stderr


# --- the record of each notice -----------------------------------------------------------------


def record_path(ws: Workspace, client: str, name: str) -> Path:
    return ws.root / f"agreements/{client}/notices/{name}.yaml"


def test_notify_records_each_notice_and_rewrites_the_same_record(examples: Workspace) -> None:
    set_terms(examples)
    add_to_register(examples, register_entry("telekontakt", "telephony"))
    args = ("subprocessors", "notify", "--replace", "samtalsmolnet", "telekontakt")
    result = run(examples, *args, "--date", "2027-02-01")
    assert result.exit_code == 0, result.stderr
    names = {
        key: e["name"] for key, e in SAFE.load(examples.register_file)["subprocessors"].items()
    }
    written = {}
    for client, (_, deadline, earliest) in EXPECTED.items():
        path = record_path(examples, client, "2027-02-01-replace-samtalsmolnet-with-telekontakt")
        assert path.name in result.stdout
        agreement = SAFE.load(examples.root / f"agreements/{client}/agreement.yaml")
        authorisation = agreement["variants"]["subprocessors"]
        recipient = agreement["client"]["contacts"]["data_protection"]
        assert SAFE.load(path) == {
            "sent": DATE,
            "change": {
                "kind": "replace",
                "old": {"id": "samtalsmolnet", "name": names["samtalsmolnet"]},
                "new": {"id": "telekontakt", "name": names["telekontakt"]},
            },
            "authorisation": authorisation,
            "objection_by" if authorisation == "general" else "reply_by": deadline,
            "earliest_effective": earliest,
            "recipient": {"name": recipient["name"], "email": recipient["email"]},
        }
        written[path] = path.read_bytes()
    assert run(examples, "validate").exit_code == 0
    again = run(examples, *args, "--date", "2027-02-01")
    assert again.exit_code == 0, again.stderr
    for path, content in written.items():
        assert path.read_bytes() == content
        assert list(path.parent.iterdir()) == [path]


def test_status_and_history_show_the_notices(examples: Workspace) -> None:
    set_terms(examples)
    add_to_register(examples, register_entry("telekontakt", "telephony"))
    result = run(
        examples, "subprocessors", "notify", "--add", "telekontakt", "--date", "2027-02-01"
    )
    assert result.exit_code == 0, result.stderr

    def waiting(day: dt.date) -> dict[str, list[tuple[str, str, str]]]:
        shown = run(examples, "status", "--json", "--as-of", day.isoformat())
        assert shown.exit_code == 0, shown.stderr
        return {
            row["client"]: [
                (n["subprocessor"], n["waiting_for"], n["deadline"]) for n in row["open_notices"]
            ]
            for row in json.loads(shown.stdout)
        }

    def expected(client: str) -> list[tuple[str, str, str]]:
        agreement = SAFE.load(examples.root / f"agreements/{client}/agreement.yaml")
        general = agreement["variants"]["subprocessors"] == "general"
        deadline = EXPECTED[client][1].isoformat()
        return [("telekontakt", "objections" if general else "approval", deadline)]

    assert waiting(DATE - DAYS) == {client: [] for client in EXPECTED}
    assert waiting(DATE) == {client: expected(client) for client in EXPECTED}
    nordisk_closed = EXPECTED["nordisk-ehandel"][1] + DAYS
    assert waiting(nordisk_closed) == {
        "nordisk-ehandel": [],
        "trygg-forsakring": expected("trygg-forsakring"),  # 21 days to object
        "ljungsjo-kommun": expected("ljungsjo-kommun"),  # no answer yet
    }
    table = run(examples, "status", "--as-of", DATE.isoformat()).stdout.splitlines()
    assert table[0].split()[-1] == "NOTICES"
    nordisk = next(line for line in table if line.startswith("nordisk-ehandel"))
    objections_by = EXPECTED["nordisk-ehandel"][1].isoformat()
    assert nordisk.endswith(f"telekontakt: objections until {objections_by}")
    late = EXPECTED["ljungsjo-kommun"][1] + DAYS
    table = run(examples, "status", "--as-of", late.isoformat()).stdout
    reply_by = EXPECTED["ljungsjo-kommun"][1].isoformat()
    assert f"telekontakt: approval awaited (reply was due {reply_by})" in table
    # the approval comes in: the draft annex is put in place
    draft = examples.root / "out/notices/2027-02-01-add-telekontakt/ljungsjo-kommun"
    annex = examples.root / SUBPROCESSORS.format("ljungsjo-kommun")
    annex.write_text((draft / "subprocessors.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert waiting(late)["ljungsjo-kommun"] == []

    release = run(examples, "release", "nordisk-ehandel", "--note", "Signerat", "--date",
                  "2027-03-05")  # fmt: skip
    assert release.exit_code == 0, release.stderr
    lines = run(examples, "history", "nordisk-ehandel").stdout.splitlines()
    name = SAFE.load(examples.register_file)["subprocessors"]["telekontakt"]["name"]
    deadline, earliest = (long_date(day, "en") for day in EXPECTED["nordisk-ehandel"][1:])
    assert len(lines) == 2 and lines[1].split()[:2] == ["1", "2027-03-05"]
    assert lines[0] == (
        f"      2027-02-01  notice         new sub-processor {name}; objections by {deadline}; "
        f"effective {earliest} at the earliest"
    )
    first_effect = EXPECTED["nordisk-ehandel"][2]
    for day, pending in [(DATE - DAYS, 0), (DATE, 1), (first_effect - DAYS, 1), (first_effect, 0)]:
        state = run(examples, "history", "nordisk-ehandel", "--at", day.isoformat())
        shown = [line for line in state.stdout.splitlines() if line.startswith("  pending")]
        assert (
            shown
            == [f"  pending notice of 2027-02-01: {lines[0].split('notice', 1)[1].strip()}"]
            * pending
        )
        at_day = run(examples, "history", "nordisk-ehandel", "--at", day.isoformat(), "--json")
        notices = json.loads(at_day.stdout)["pending_notices"]
        assert [notice["date"] for notice in notices] == ["2027-02-01"] * pending


def test_a_broken_notice_record_is_positioned(examples: Workspace) -> None:
    path = record_path(examples, "nordisk-ehandel", "2027-02-01-replace-casewell-with-x")
    path.parent.mkdir()
    path.write_text(
        "sent: 2027-02-01\nchange:\n  kind: replace\n  new: {id: x, name: X AB}\n"
        "authorisation: general\nobjection_by: 2027-02-15\nearliest_effective: 2027-03-03\n",
        encoding="utf-8",
    )
    message = (
        f"agreements/nordisk-ehandel/notices/{path.name}:{at(path, 'change:')}: error: "
        "change.old is missing: a 'replace' notice names the entry no longer engaged"
    )
    result = run(examples, "validate")
    assert result.exit_code == 1 and message in result.stderr, result.stderr
    result = run(examples, "status")
    assert result.exit_code == 0, result.stderr  # the client is shown, with its broken file
    assert "nordisk-ehandel: files with errors" in result.stderr and message in result.stderr
    result = run(examples, "history", "nordisk-ehandel")
    assert result.exit_code == 1 and message in result.stderr


def test_init_copies_no_notice_recorded_in_the_repository(tmp_path: Path) -> None:
    from dpagen.edit import scaffold
    from dpagen.edit.scaffold import init_workspace

    starter = Path(scaffold.__file__).parent.parent / "starter"
    notices = starter / "agreements/nordisk-ehandel/notices"
    made = not notices.exists()
    notices.mkdir(exist_ok=True)
    record = notices / "2099-01-01-add-nobody.yaml"
    try:
        record.write_text("sent: 2099-01-01\n", encoding="utf-8")
        init_workspace(tmp_path / "new")
    finally:
        record.unlink()
        if made:
            notices.rmdir()
    assert not (tmp_path / "new/agreements/nordisk-ehandel/notices").exists()
    copied = sorted(p.name for p in (tmp_path / "new/clauses/notices").iterdir())
    assert copied == sorted(p.name for p in (starter / "clauses/notices").iterdir())
