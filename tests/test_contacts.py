"""Contact details change by notice, not by re-issuing the signed agreement.

After a contact person changes, a full release under the same version and an annex release are
refused (they would print the new person as if they had been part of the signed text); ``release
--contacts`` issues a dated notice in each language, recorded in the history, and ``history --at``
tells which contacts applied on a date.
"""

from __future__ import annotations

import json

from dpagen.workspace import Workspace
from tests.conftest import CLIENT
from tests.helpers import edit, pdf_text, run

OLD_NAME, NEW_NAME = "Sara Nyström", "Maja Berg"
OLD_MAIL, NEW_MAIL = "sara.nystrom@nordiskehandel.se", "maja.berg@nordiskehandel.se"


def _change_the_admin_contact(ws: Workspace) -> None:
    agreement = ws.root / f"agreements/{CLIENT}/agreement.yaml"
    edit(agreement, f"      name: {OLD_NAME}", f"      name: {NEW_NAME}")
    edit(agreement, f"email: {OLD_MAIL}", f"email: {NEW_MAIL}")


def _release(ws: Workspace, *args: str):  # type: ignore[no-untyped-def]
    return run(ws, "release", CLIENT, *args)


def test_a_contact_change_is_a_notice_and_history_tells_which_applied(
    examples: Workspace,
) -> None:
    assert _release(examples, "--note", "Signerat", "--date", "2026-12-01").exit_code == 0
    _change_the_admin_contact(examples)

    full = _release(examples, "--note", "x", "--date", "2027-03-01")
    assert full.exit_code == 1
    assert "only contact details differ from release 1" in full.stderr
    assert f"dpagen release {CLIENT} --contacts" in full.stderr
    annex = _release(examples, "--annex", "security", "--note", "x", "--date", "2027-03-01")
    assert annex.exit_code == 1
    assert "contact details differ from release 1, and the annex would show" in annex.stderr

    notice = _release(examples, "--contacts", "--note", "Ny avtalsansvarig", "--date", "2027-03-01")
    assert notice.exit_code == 0, notice.stderr
    files = json.loads(
        run(examples, "history", CLIENT, "--json").stdout
    )  # the notice is in the history as its own kind of release
    assert [(r["release"], r["what"]) for r in files] == [(1, "agreement"), (2, "contacts")]
    issued = sorted((examples.root / "out" / CLIENT / "releases" / "0002").iterdir())
    assert [p.name for p in issued] == [
        f"{CLIENT}-r2-contacts.en.docx",
        f"{CLIENT}-r2-contacts.en.pdf",
        f"{CLIENT}-r2-contacts.sv.docx",
        f"{CLIENT}-r2-contacts.sv.pdf",
    ]
    swedish = " ".join(pdf_text(issued[3]).split())
    assert "Meddelande om ändrade kontaktuppgifter" in swedish
    assert f"{NEW_NAME} (Kundtjänstchef), {NEW_MAIL}" in swedish
    assert OLD_NAME not in swedish
    assert "Underskrifter" not in swedish  # nobody appears to sign the new contact
    assert "Datum för meddelandet" in swedish and "1 mars 2027" in swedish
    english = " ".join(pdf_text(issued[1]).split())
    assert "Notice of changed contact details" in english and NEW_NAME in english

    before = run(examples, "history", CLIENT, "--at", "2027-02-28").stdout
    after = run(examples, "history", CLIENT, "--at", "2027-03-01").stdout
    assert "  contacts: release 1\n" in before and f"client admin: {OLD_NAME}, {OLD_MAIL}" in before
    assert "  contacts: release 2\n" in after and f"client admin: {NEW_NAME}, {NEW_MAIL}" in after
    assert "  agreement: release 1 (agreement version 1)" in after  # the signed text is unchanged

    again = _release(examples, "--contacts", "--note", "x", "--date", "2027-03-02")
    assert again.exit_code == 2
    assert "the contact details are those of release 2; nothing to announce" in again.stderr
    annex = _release(examples, "--annex", "security", "--note", "x", "--date", "2027-03-02")
    assert annex.exit_code == 0, annex.stderr  # announced now, so an annex may be issued
    verdict = run(examples, "verify", str(issued[2]))
    assert verdict.exit_code == 0 and f"release 2 of {CLIENT}" in verdict.stdout


def test_a_contact_notice_issues_nothing_but_contacts(examples: Workspace) -> None:
    first = _release(examples, "--contacts", "--note", "x", "--date", "2027-03-01")
    assert first.exit_code == 2
    assert f"{CLIENT} has no issued agreement whose contacts could change" in first.stderr
    assert _release(examples, "--note", "Signerat", "--date", "2026-12-01").exit_code == 0
    _change_the_admin_contact(examples)
    agreement = examples.root / f"agreements/{CLIENT}/agreement.yaml"
    edit(agreement, "breach_notice_hours: 24", "breach_notice_hours: 12")
    mixed = _release(examples, "--contacts", "--note", "x", "--date", "2027-03-01")
    assert mixed.exit_code == 1
    assert "differs from release 1 in more than contact details" in mixed.stderr
    both = _release(examples, "--contacts", "--annex", "security", "--note", "x")
    assert both.exit_code == 2 and "give no --annex" in both.stderr
    assert not (examples.root / "out" / CLIENT / "releases" / "0002").exists()


def test_a_whole_new_version_still_carries_new_contacts(examples: Workspace) -> None:
    assert _release(examples, "--note", "Signerat", "--date", "2026-12-01").exit_code == 0
    _change_the_admin_contact(examples)
    bump = run(examples, "agreement", "bump", CLIENT, "--date", "2027-03-01")
    assert bump.exit_code == 0, bump.stderr
    full = _release(examples, "--note", "Version 2", "--date", "2027-03-01")
    assert full.exit_code == 0, full.stderr
    on = run(examples, "history", CLIENT, "--at", "2027-03-01").stdout
    assert "agreement: release 2 (agreement version 2)" in on and f"admin: {NEW_NAME}" in on
