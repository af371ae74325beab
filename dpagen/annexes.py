"""Annex data (processing instructions, security measures, sub-processors) as document sections."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .dates import long_date
from .labels import EEA, Labels, country_name
from .model import Annex, Section, Table
from .yamlio import Document

Localize = Callable[[Any, tuple[Any, ...]], str]
Lines = tuple[str, ...]


def build_annex(kind: str, doc: Document, number: int, lang: str, localize: Localize) -> Annex:
    """The annex ``kind`` numbered ``number``, from its file ``doc``, in ``lang``."""
    label = Labels(lang)
    builders = {
        "instructions": _instructions,
        "security": _security,
        "subprocessors": _subprocessors,
    }
    sections = builders[kind](doc, lang, label, localize)
    version = doc.data["version"]
    return Annex(
        id=kind,
        number=number,
        label=f"{label('annex')} {number}",
        title=label(f"annexes.{kind}"),
        version=version,
        effective=label(
            "effective", version=version, date=long_date(doc.data["effective_date"], lang)
        ),
        sections=tuple(sections),
    )


def _texts(values: list[Any], path: tuple[Any, ...], localize: Localize) -> Lines:
    return tuple(localize(value, (*path, index)) for index, value in enumerate(values))


def _pairs(rows: list[tuple[str, Lines]]) -> Table:
    return Table(header=(), rows=tuple(((name,), lines) for name, lines in rows), widths=(32, 68))


def _instructions(doc: Document, lang: str, label: Labels, localize: Localize) -> list[Section]:
    data = doc.data
    sections: list[Section] = []
    for index, activity in enumerate(data["activities"]):
        path: tuple[Any, ...] = ("activities", index)
        sensitive = activity["sensitive_data"]
        if isinstance(sensitive, dict):
            sensitive_lines = _texts(
                sensitive["categories"], (*path, "sensitive_data", "categories"), localize
            ) + tuple(
                f"{label('instructions.safeguards')}: {line}"
                for line in _texts(
                    sensitive["safeguards"], (*path, "sensitive_data", "safeguards"), localize
                )
            )
        else:
            sensitive_lines = (label("none"),)
        rows = [
            (
                label("instructions.subject_matter"),
                (localize(activity["subject_matter"], (*path, "subject_matter")),),
            ),
            (
                label("instructions.purposes"),
                _texts(activity["purposes"], (*path, "purposes"), localize),
            ),
            (label("instructions.nature"), _texts(activity["nature"], (*path, "nature"), localize)),
            (
                label("instructions.data_subjects"),
                _texts(activity["data_subjects"], (*path, "data_subjects"), localize),
            ),
            (
                label("instructions.personal_data"),
                _texts(activity["personal_data"], (*path, "personal_data"), localize),
            ),
            (label("instructions.sensitive_data"), sensitive_lines),
            (
                label("instructions.personal_identity_numbers"),
                (label("yes") if activity["personal_identity_numbers"] else label("no"),),
            ),
            (
                label("instructions.duration"),
                (localize(activity["duration"], (*path, "duration")),),
            ),
            (
                label("instructions.locations"),
                tuple(country_name(code, lang) for code in activity["locations"]),
            ),
        ]
        name = localize(activity["name"], (*path, "name"))
        sections.append(Section(label("instructions.activity", name=name), _pairs(rows)))
    requests = data["data_subject_requests"]
    handling = [
        (
            label("instructions.channels"),
            _texts(data.get("channels") or [], ("channels",), localize) or (label("none"),),
        ),
        (
            label("instructions.dsr_may_respond"),
            (label("yes") if requests["processor_may_respond"] else label("no"),),
        ),
        (
            label("instructions.dsr_forward"),
            (label("instructions.hours", n=requests["forward_within_hours"]),),
        ),
    ]
    sections.append(Section(label("instructions.dsr"), _pairs(handling)))
    if data.get("systems"):
        system_rows = tuple(
            (
                (localize(system["name"], ("systems", i, "name")),),
                (localize(system["owner"], ("systems", i, "owner")),),
                (localize(system["access"], ("systems", i, "access")),),
                (country_name(system["location"], lang),),
                (label("yes") if system["local_copies"] else label("no"),),
            )
            for i, system in enumerate(data["systems"])
        )
        header = tuple(
            label(f"instructions.{key}")
            for key in ("system", "owner", "access", "location", "local_copies")
        )
        sections.append(
            Section(label("instructions.systems"), Table(header, system_rows, (26, 18, 34, 10, 12)))
        )
    if data.get("retention"):
        keys = ("data", "period", "action", "responsible")
        retention_rows = tuple(
            tuple((localize(rule[key], ("retention", i, key)),) for key in keys)
            for i, rule in enumerate(data["retention"])
        )
        header = tuple(label(f"instructions.retention_{key}") for key in keys)
        sections.append(
            Section(
                label("instructions.retention"), Table(header, retention_rows, (28, 28, 26, 18))
            )
        )
    return sections


def _security(doc: Document, lang: str, label: Labels, localize: Localize) -> list[Section]:
    data = doc.data
    headings = label.group("security.headings")
    rows = tuple(
        ((heading,), _texts(data["measures"][key], ("measures", key), localize))
        for key, heading in headings.items()
        if key in data["measures"]
    )
    sections = [
        Section(
            label("security.measures"),
            Table((label("security.area"), label("security.measures")), rows, (30, 70)),
        )
    ]
    if data.get("certifications"):
        cert_rows = tuple(
            (
                (cert["scheme"],),
                (localize(cert["scope"], ("certifications", i, "scope")),),
                (cert["issuer"],),
                (long_date(cert["valid_until"], lang),),
            )
            for i, cert in enumerate(data["certifications"])
        )
        header = tuple(
            label(f"security.{key}") for key in ("scheme", "scope", "issuer", "valid_until")
        )
        sections.append(
            Section(
                label("security.certifications"),
                Table(header, cert_rows, (22, 40, 20, 18)),
                lead=label("security.certifications_lead"),
            )
        )
    return sections


def _subprocessors(doc: Document, lang: str, label: Labels, localize: Localize) -> list[Section]:
    entries = doc.data["subprocessors"]
    if not entries:
        return [
            Section(label("annexes.subprocessors"), None, lead=label("subprocessors.none_listed"))
        ]
    rows = []
    for i, entry in enumerate(entries):
        identity = [entry["name"]]
        if entry.get("org_no"):
            identity.append(f"{label('org_no')} {entry['org_no']}")
        identity.append(entry["address"])
        mechanism = entry.get("transfer_mechanism")
        if mechanism:
            transfer = localize(mechanism, ("subprocessors", i, "transfer_mechanism"))
        else:
            transfer = label("subprocessors.not_applicable") if entry["location"] in EEA else "–"
        rows.append(
            (
                tuple(identity),
                (localize(entry["service"], ("subprocessors", i, "service")),),
                (country_name(entry["location"], lang),),
                (transfer,),
                (long_date(entry["authorised_on"], lang),),
            )
        )
    header = tuple(
        label(f"subprocessors.{key}")
        for key in ("name", "service", "location", "transfer", "authorised")
    )
    return [
        Section(label("annexes.subprocessors"), Table(header, tuple(rows), (19, 34, 11, 22, 14)))
    ]
