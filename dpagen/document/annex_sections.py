"""Annex data (processing instructions, security measures, sub-processors) as document sections.

Every annex ends with its change log: what each version changed, when, who approved it and on
what evidence, so that the annex itself shows how it came to read as it does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from dpagen.document import transfers
from dpagen.document.dates import long_date
from dpagen.document.labels import Labels, country_name, in_language
from dpagen.document.model import Annex, Section, Table
from dpagen.inputs.identity import identity
from dpagen.inputs.yaml_positions import YamlFile

Localize = Callable[[Any, tuple[Any, ...]], str]
Lines = tuple[str, ...]


def build_annex(
    kind: str,
    doc: YamlFile,
    number: int,
    lang: str,
    localize: Localize,
    *,
    general: bool = False,
    sector: str = "private",
) -> Annex:
    """The annex ``kind`` numbered ``number``, from its file ``doc``, in ``lang``.

    ``general``: the controller has given a general authorisation, so a sub-processor is
    listed since a date rather than authorised on it. ``sector``: the client's; a public
    authority's records are disposed of (gallring) under its own plan.
    """
    label = Labels(lang)
    if kind == "subprocessors":
        sections = _subprocessors(doc, lang, label, localize, general)
    elif kind == "instructions":
        sections = _instructions(doc, lang, label, localize, sector == "public")
    else:
        sections = _security(doc, lang, label, localize)
    sections.append(_changelog(doc, lang, label))
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


def _deadline(requests: dict[str, Any], label: Labels) -> str:
    """The deadline for passing on a data subject's request: "24 timmar", "2 arbetsdagar"."""
    days = requests.get("forward_within_business_days")
    if days is None:
        return label("instructions.hours", n=requests["forward_within_hours"])
    return (
        label("instructions.business_day")
        if days == 1
        else label("instructions.business_days", n=days)
    )


def _changelog(doc: YamlFile, lang: str, label: Labels) -> Section:
    """The change log as a table, one row per version in version order.

    An annex without entries is at its first version, and its one row says so.
    """
    entries = sorted(doc.data.get("changelog") or [], key=lambda entry: entry["version"])
    if not entries:
        first = {"version": doc.data["version"], "date": doc.data["effective_date"]}
        entries = [{**first, "summary": label("changelog.first")}]
    rows = tuple(
        (
            (str(entry["version"]),),
            (long_date(entry["date"], lang),),
            # a summary in one language only is shown as written: the log records history
            (in_language(entry["summary"], lang).strip(),),
            # "–" where nobody was named, as for any value an annex lacks: an empty column would
            # also make text extraction read its header after the rows
            (str(entry.get("approved_by") or "–"),),
            (str(entry.get("evidence") or "–"),),
        )
        for entry in entries
    )
    columns = ("version", "date", "change", "approved_by", "evidence")
    header = tuple(label(f"changelog.{key}") for key in columns)
    keys = tuple(str(entry["version"]) for entry in entries)
    return Section(label("changelog.title"), Table(header, rows, (11, 20, 37, 16, 16), keys))


def _texts(values: list[Any], path: tuple[Any, ...], localize: Localize) -> Lines:
    return tuple(localize(value, (*path, index)) for index, value in enumerate(values))


def _pairs(rows: list[tuple[str, Lines]]) -> Table:
    return Table(header=(), rows=tuple(((name,), lines) for name, lines in rows), widths=(32, 68))


def _instructions(
    doc: YamlFile, lang: str, label: Labels, localize: Localize, public: bool
) -> list[Section]:
    data = doc.data
    sections: list[Section] = []
    missing = ("–",)  # a draft may lack what `dpagen check` requires
    for index, activity in enumerate(data["activities"]):
        path: tuple[Any, ...] = ("activities", index)

        def lines(
            key: str, activity: dict[str, Any] = activity, path: tuple[Any, ...] = path
        ) -> Lines:
            value = activity.get(key)
            if isinstance(value, list):
                return _texts(value, (*path, key), localize) or missing
            return (localize(value, (*path, key)),) if value else missing

        sensitive = activity.get("sensitive_data", "none")
        safeguards: list[tuple[str, Lines]] = []
        if isinstance(sensitive, dict):
            sensitive_lines = _texts(
                sensitive.get("categories") or [], (*path, "sensitive_data", "categories"), localize
            )
            guards = sensitive.get("safeguards") or []
            where = (*path, "sensitive_data", "safeguards")
            # a row of their own, so the label is not repeated before each measure
            guard_lines = _texts(guards, where, localize) or missing
            safeguards.append((label("instructions.safeguards"), guard_lines))
        else:
            sensitive_lines = (label("none"),)
        identity_numbers = activity.get("personal_identity_numbers")
        rows = [
            (label("instructions.subject_matter"), lines("subject_matter")),
            (label("instructions.purposes"), lines("purposes")),
            (label("instructions.nature"), lines("nature")),
            (label("instructions.data_subjects"), lines("data_subjects")),
            (label("instructions.personal_data"), lines("personal_data")),
            (label("instructions.sensitive_data"), sensitive_lines),
            *safeguards,
            (
                label("instructions.personal_identity_numbers"),
                (label("yes") if identity_numbers else label("no"),),
            ),
            (label("instructions.duration"), lines("duration")),
            (
                label("instructions.locations"),
                tuple(country_name(code, lang) for code in activity.get("locations") or [])
                or missing,
            ),
        ]
        name = localize(activity["name"], (*path, "name"))
        sections.append(
            Section(
                label("instructions.activity", name=name),
                _pairs(rows),
                identity=f"activities/{identity(activity, 'name')}",
            )
        )
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
            (_deadline(requests, label),),
        ),
    ]
    if requests.get("routine"):
        routine = localize(requests["routine"], ("data_subject_requests", "routine"))
        handling.append((label("instructions.dsr_routine"), (routine,)))
    sections.append(Section(label("instructions.dsr"), _pairs(handling)))
    sections += _record_section(
        label("instructions.systems"),
        data.get("systems"),
        "systems",
        localize,
        label,
        [
            ("name", "instructions.system", 26),
            ("owner", "instructions.owner", 18),
            ("access", "instructions.access", 34),
        ],
        extra=[
            (
                label("instructions.location"),
                10,
                lambda record: country_name(record["location"], lang),
            ),
            (
                label("instructions.local_copies"),
                12,
                lambda record: label("yes") if record["local_copies"] else label("no"),
            ),
        ],
    )
    sections += _record_section(
        label("instructions.storage"),
        data.get("storage"),
        "storage",
        localize,
        label,
        [
            ("data", "instructions.storage_data", 30),
            ("stored_in", "instructions.storage_stored_in", 25),
            ("rule", "instructions.storage_rule", 45),
        ],
    )
    retention = data.get("retention") or []
    columns = [
        ("data", "instructions.retention_data", 22),
        (
            "period",
            "instructions.disposal_period" if public else "instructions.retention_period",
            20,
        ),
    ]
    if any(rule.get("trigger") for rule in retention):
        columns.append(("trigger", "instructions.retention_trigger", 16))
    columns += [
        ("action", "instructions.retention_action", 14),
        ("responsible", "instructions.retention_responsible", 16),
    ]
    plan = data.get("disposal_plan")
    if any(rule.get("disposal_decision") for rule in retention):
        heading = "plan_item" if plan else "retention_disposal_decision"
        columns.append(("disposal_decision", f"instructions.{heading}", 16))
    sections += _record_section(
        label("instructions.disposal" if public else "instructions.retention"),
        retention,
        "retention",
        localize,
        label,
        columns,
        lead=label("instructions.disposal_plan", plan=localize(plan, ("disposal_plan",)))
        if plan
        else "",
    )
    sections += _record_section(
        label("instructions.instructors"),
        data.get("instructors"),
        "instructors",
        localize,
        label,
        [
            ("name", "instructions.instructor_name", 30),
            ("role", "instructions.instructor_role", 35),
            ("email", "instructions.instructor_email", 35),
        ],
    )
    return sections


Extra = tuple[str, int, Callable[[dict[str, Any]], str]]


def _record_section(
    title: str,
    records: list[dict[str, Any]] | None,
    key: str,
    localize: Localize,
    label: Labels,
    columns: list[tuple[str, str, int]],
    extra: Sequence[Extra] = (),
    lead: str = "",
) -> list[Section]:
    """A titled table with one row per record (text fields, then computed columns), if any."""
    if not records:
        return []
    rows = tuple(
        tuple(
            (localize(record[field], (key, i, field)) if record.get(field) else "–",)
            for field, _, _ in columns
        )
        + tuple((compute(record),) for _, _, compute in extra)
        for i, record in enumerate(records)
    )
    header = tuple(label(name) for _, name, _ in columns) + tuple(name for name, _, _ in extra)
    widths = tuple(width for _, _, width in columns) + tuple(width for _, width, _ in extra)
    keys = tuple(identity(record, columns[0][0]) for record in records)
    return [Section(title, Table(header, rows, widths, keys), lead=lead)]


def _security(doc: YamlFile, lang: str, label: Labels, localize: Localize) -> list[Section]:
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
                Table(header, cert_rows, (22, 37, 20, 21)),  # a date never wraps
                lead=label("security.certifications_lead"),
            )
        )
    assistance = _texts(data["assistance"], ("assistance",), localize)
    sections.append(
        Section(
            label("security.assistance"),
            Table((), tuple(((line,),) for line in assistance), (100,)),
            lead=label("security.assistance_lead"),
        )
    )
    return sections


def _subprocessors(
    doc: YamlFile, lang: str, label: Labels, localize: Localize, general: bool
) -> list[Section]:
    entries = doc.data["subprocessors"]
    if not entries:
        return [
            Section(label("annexes.subprocessors"), None, lead=label("subprocessors.none_listed"))
        ]
    since = label("subprocessors.listed_since" if general else "subprocessors.authorised")
    overview = tuple(
        (
            (entry["name"],),
            (country_name(entry["location"], lang),),
            (transfers.short_basis(entry, label),),
            (long_date(entry["authorised_on"], lang),),
        )
        for entry in entries
    )
    header = (
        label("subprocessors.name"),
        label("subprocessors.location"),
        label("subprocessors.transfer"),
        since,
    )
    keys = tuple(identity(entry, "name") for entry in entries)
    sections = [
        Section(label("annexes.subprocessors"), Table(header, overview, (36, 18, 28, 18), keys))
    ]
    for i, entry in enumerate(entries):
        path = ("subprocessors", i)
        rows: list[tuple[str, Lines]] = []
        if entry.get("org_no"):
            rows.append((label("org_no"), (entry["org_no"],)))
        rows.append((label("subprocessors.address"), (entry["address"],)))
        if entry.get("contact"):
            rows.append((label("subprocessors.contact"), (entry["contact"],)))
        person = transfers.contact_person(entry, localize, path)
        if person:
            rows.append((label("subprocessors.contact_person"), (person,)))
        rows.append(
            (label("subprocessors.service"), (localize(entry["service"], (*path, "service")),))
        )
        rows.append((label("subprocessors.location"), (country_name(entry["location"], lang),)))
        rows += transfers.transfer_rows(
            entry, lang, label, localize, path, label("subprocessors.transfer")
        )
        if "further_subprocessors" in entry or "transfer" in entry:
            rows.append(
                (
                    label("subprocessors.further"),
                    transfers.further_lines(entry, lang, label, localize, path),
                )
            )
        rows.append((since, (long_date(entry["authorised_on"], lang),)))
        sections.append(
            Section(
                entry["name"], _pairs(rows), identity=f"subprocessors/{identity(entry, 'name')}"
            )
        )
    return sections
