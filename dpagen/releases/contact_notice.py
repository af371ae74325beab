"""The notice of new contact details that ``dpagen release CLIENT --contacts`` issues.

A contact person, an address or a data protection officer changes by written notice under the
agreement's notices clause, not by a new version of the signed text. The notice names the
agreement, is dated, and shows the parties' block (addresses and contacts) as it applies from
then on; it carries no signature blocks and no clause text, so nobody appears to have signed
anything.
"""

from __future__ import annotations

import dataclasses

from dpagen.document.dates import long_date
from dpagen.document.labels import Labels
from dpagen.document.model import Annex, Document, DocumentKind
from dpagen.releases.record import ReleaseRecord


def contact_notice_document(doc: Document, record: ReleaseRecord, lang: str) -> Document:
    """The contact notice of ``record``, from the agreement ``doc`` as it now reads."""
    label = Labels(lang)
    title = label("contact_notice.title")
    clause = next((c for c in doc.clauses if c.id == "notices"), None)
    reference = f"{label('clause_ref')} {clause.number}" if clause else label("clause_ref")
    facts = (
        (label("contact_notice.date"), long_date(record.date, lang)),
        (
            label("contact_notice.agreement"),
            f"{doc.agreement_id}, {label('version')} {doc.version} ({doc.date})",
        ),
    )
    return dataclasses.replace(
        doc,
        kind=DocumentKind.ANNEX,
        title=title,
        facts=facts,
        clauses=(),
        annexes=(Annex("contacts", 0, "", title, doc.version, "", ()),),
        header=f"{title} · {doc.agreement_id}",
        iso_date=record.date.isoformat(),
        draft_mark="",
        changes_heading=label("contact_notice.heading"),
        changes=(label("contact_notice.intro", clause=reference),),
        annex_versions="",  # a notice changes no annex
    )
