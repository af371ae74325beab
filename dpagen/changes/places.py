"""Where a change is and what it says, in the reader's language.

A change is found on the inputs (a field of a party, a row of an annex list); the reader knows the
agreement as printed: "Bilaga 1 Instruktion för behandling, Behandling 'Utgående samtal',
Ändamål". These functions turn a field path into such a place, with the same labels the printed
agreement uses, and a value into the words the document shows (country names, dates, Ja/Nej).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dpagen.document.dates import long_date
from dpagen.document.labels import Labels, country_name, in_language

# the label the printed annex gives a field of a list item (annex kind → list → field → key)
ITEM_FIELDS: dict[str, dict[str, dict[str, str]]] = {
    "instructions": {
        "activities": {
            field: f"instructions.{field}"
            for field in (
                "subject_matter",
                "purposes",
                "nature",
                "data_subjects",
                "personal_data",
                "sensitive_data",
                "personal_identity_numbers",
                "duration",
                "locations",
            )
        },
        "systems": {
            "name": "instructions.system",
            "owner": "instructions.owner",
            "access": "instructions.access",
            "location": "instructions.location",
            "local_copies": "instructions.local_copies",
        },
        "storage": {
            "data": "instructions.storage_data",
            "stored_in": "instructions.storage_stored_in",
            "rule": "instructions.storage_rule",
        },
        "retention": {
            field: f"instructions.retention_{field}"
            for field in ("data", "period", "trigger", "action", "responsible", "disposal_decision")
        },
        "instructors": {
            "name": "instructions.instructor_name",
            "role": "instructions.instructor_role",
            "email": "instructions.instructor_email",
        },
    },
    "security": {
        "certifications": {
            field: f"security.{field}" for field in ("scheme", "scope", "issuer", "valid_until")
        },
    },
    "subprocessors": {
        "subprocessors": {
            "org_no": "org_no",
            "address": "subprocessors.address",
            "contact": "subprocessors.contact",
            "service": "subprocessors.service",
            "location": "subprocessors.location",
            "transfer_mechanism": "subprocessors.transfer",
            "transfer": "subprocessors.transfer",
            "contact_person": "subprocessors.contact_person",
            "further_subprocessors": "subprocessors.further",
            "authorised_on": "subprocessors.authorised",
        },
    },
}

# the label of an annex field outside its lists
ANNEX_FIELDS = {
    "instructions": {
        "channels": "instructions.channels",
        "data_subject_requests": "instructions.dsr",
        "data_subject_requests.processor_may_respond": "instructions.dsr_may_respond",
        "data_subject_requests.forward_within_hours": "instructions.dsr_forward",
        "data_subject_requests.forward_within_business_days": "instructions.dsr_forward",
        "data_subject_requests.routine": "instructions.dsr_routine",
    },
    "security": {"measures": "security.measures", "assistance": "security.assistance"},
}

COUNTRY_FIELDS = frozenset({"location", "locations", "country"})


class Places:
    """Places and values of changes in one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.label = Labels(lang)

    def field(self, name: str) -> str:
        """The generic label of a field (``email`` → "E-post"), or the name itself."""
        fields = self.label.group("changes_summary.fields")
        return fields.get(name, name)

    def annex(self, number: int | None, kind: str) -> str:
        """An annex as its heading names it: "Bilaga 1 Instruktion för behandling"."""
        title = self.label(f"annexes.{kind}")
        return f"{self.label('annex')} {number} {title}" if number else title

    def item(self, items: str, name: Any) -> str:
        """A list item by its noun and name: "Behandling 'Utgående samtal'"."""
        noun = self.label.group("changes_summary.items").get(items, items)
        return self.label("changes_summary.item", noun=noun, name=in_language(name, self.lang))

    def item_field(self, kind: str, items: str, path: list[str]) -> str:
        """The printed label of a field (``path``, below the item) of an annex list item."""
        key = ITEM_FIELDS.get(kind, {}).get(items, {}).get(path[0])
        first = self.label(key) if key else self.field(path[0])
        return ", ".join([first, *(self.field(part) for part in path[1:])])

    def annex_field(self, kind: str, path: list[str]) -> str:
        """The printed label of a field of an annex outside its lists."""
        if kind == "security" and len(path) == 2 and path[0] == "measures":
            headings = self.label.group("security.headings")
            return f"{self.label('security.measures')}, {headings.get(path[1], path[1])}"
        key = ANNEX_FIELDS.get(kind, {}).get(".".join(path))
        return self.label(key) if key else ", ".join(self.field(part) for part in path)

    def party(self, side: str, path: list[str]) -> str:
        """A party's field: "Personuppgiftsansvarig, Kontaktperson för avtalet, E-post"."""
        parts = [self.label("processor" if side == "processor" else "controller")]
        rest = list(path)
        if rest[:1] == ["contacts"] and len(rest) > 1:
            roles = self.label.group("contact_roles")
            parts.append(roles.get(rest[1], rest[1]))
            rest = rest[2:]
        elif rest[:1] == ["dpo"]:
            parts.append(self.label("contact_roles.dpo"))
            rest = rest[1:]
        parts += [self.field(part) for part in rest]
        return ", ".join(parts)

    def agreement_field(self, path: list[str]) -> str:
        """A field of the agreement itself: "Huvudavtal, Datum"."""
        return ", ".join(self.field(part) for part in path)

    def clause(self, number: int, title: str) -> str:
        """A clause by number and title: "Punkt 16 Personuppgiftsincidenter"."""
        return self.label("changes_summary.clause", number=number, title=title)

    def value(self, value: Any, field: str = "") -> str:
        """``value`` as the document shows it, quoted when it is text."""
        if value is None:
            return self.label("changes_summary.none")
        if isinstance(value, bool):
            return self.label("yes") if value else self.label("no")
        if isinstance(value, dt.date):
            return long_date(value, self.lang)
        if isinstance(value, (int, float)):
            return str(value)
        if isinstance(value, list):
            return "; ".join(self.value(item, field) for item in value) or self.label("none")
        if isinstance(value, dict) and value and set(value) <= {"sv", "en"}:
            return f"'{in_language(value, self.lang)}'"
        if isinstance(value, dict):
            return ", ".join(self.value(inner, key) for key, inner in value.items())
        if field in COUNTRY_FIELDS and isinstance(value, str) and len(value) == 2:
            return country_name(value, self.lang)
        return f"'{value}'"

    def verb(self, name: str, **values: Any) -> str:
        """A change word: "tillkommer", "utgår", "flyttas från plats 2 till plats 1"."""
        return self.label(f"changes_summary.{name}", **values)
