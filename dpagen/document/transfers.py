"""How an annex, a notice letter or a record names a sub-processor's transfer and its chain.

One wording for every output: the basis under GDPR Chapter V in full ("Standardavtalsklausuler
enligt … (EU) 2021/914, modul 3 (…)") or short for an overview, the Data Privacy Framework
status, the transfer impact assessment, the supplementary measures and the later tiers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dpagen.document.dates import long_date
from dpagen.document.labels import EEA, Labels, country_name, in_language

Text = Callable[[Any, tuple[Any, ...]], str]  # a bilingual value and its path → this language
Row = tuple[str, tuple[str, ...]]


def texts_in(lang: str) -> Text:
    """A :data:`Text` for values already checked, which needs no position for errors."""
    return lambda value, _path: in_language(value, lang)


def basis(transfer: dict[str, Any], label: Labels, text: Text, path: tuple[Any, ...]) -> str:
    """The basis in full, as the annex's record states it."""
    kind = transfer["basis"]
    if kind == "adequacy":
        return label("transfers.adequacy", decision=transfer["adequacy_decision"])
    if kind == "scc":
        module = str(transfer["scc_module"])
        return label("transfers.scc", module=module, parties=label(f"transfers.modules.{module}"))
    if kind == "bcr":
        authority = text(transfer["bcr_approved_by"], (*path, "bcr_approved_by"))
        return label("transfers.bcr", authority=authority)
    return label("transfers.derogation", point=transfer["derogation"])


def short_basis(entry: dict[str, Any], label: Labels) -> str:
    """The basis in a few words, for the annex's overview table."""
    transfer = entry.get("transfer")
    if not transfer:
        if entry.get("transfer_mechanism"):
            return label("transfers.short.see_record")
        return label("transfers.short.not_needed") if entry["location"] in EEA else "–"
    kind = transfer["basis"]
    if kind == "adequacy":
        return label(
            "transfers.short.adequacy_dpf"
            if transfer.get("dpf_certified")
            else "transfers.short.adequacy"
        )
    if kind == "scc":
        return label("transfers.short.scc", module=transfer["scc_module"])
    if kind == "derogation":
        return label("transfers.short.derogation", point=transfer["derogation"])
    return label("transfers.short.bcr")


def transfer_rows(
    entry: dict[str, Any],
    lang: str,
    label: Labels,
    text: Text,
    path: tuple[Any, ...],
    row_label: str,
) -> list[Row]:
    """The rows of a record that state the transfer: basis, DPF status, assessment, measures.

    ``row_label`` heads the basis row, so an annex and a notice letter can name it their way.
    """
    transfer = entry.get("transfer")
    if not transfer:
        legacy = entry.get("transfer_mechanism")
        if legacy:
            return [(row_label, (text(legacy, (*path, "transfer_mechanism")),))]
        value = label("transfers.not_needed") if entry["location"] in EEA else "–"
        return [(row_label, (value,))]
    where = (*path, "transfer")
    rows: list[Row] = [(row_label, (basis(transfer, label, text, where),))]
    if "dpf_certified" in transfer or entry["location"] == "US":
        checked = transfer.get("dpf_checked_on")
        date = long_date(checked, lang) if checked else ""
        if "dpf_certified" not in transfer:
            status = label("transfers.dpf_unknown")
        else:
            status = label(
                "transfers.dpf_yes" if transfer["dpf_certified"] else "transfers.dpf_no", date=date
            )
        rows.append((label("transfers.dpf"), (status,)))
    tia = transfer.get("tia")
    if tia:
        date = long_date(tia["date"], lang)
        value = (
            label("transfers.tia_value", reference=tia["reference"], date=date)
            if tia.get("reference")
            else date
        )
        rows.append((label("transfers.tia"), (value,)))
    if transfer.get("measures"):
        rows.append(
            (label("transfers.measures"), (text(transfer["measures"], (*where, "measures")),))
        )
    return rows


def contact_person(entry: dict[str, Any], text: Text, path: tuple[Any, ...]) -> str:
    """The contact person as "name (role), e-mail, phone", or empty."""
    person = entry.get("contact_person")
    if not person:
        return ""
    name = person["name"]
    if person.get("role"):
        name += f" ({text(person['role'], (*path, 'contact_person', 'role'))})"
    return ", ".join(v for v in (name, person["email"], person.get("phone")) if v)


def further_lines(
    entry: dict[str, Any], lang: str, label: Labels, text: Text, path: tuple[Any, ...]
) -> tuple[str, ...]:
    """Each later-tier sub-processor on a line, "Inga" for none, or "Uppgift saknas"."""
    further = entry.get("further_subprocessors")
    if further is None:
        return (label("subprocessors.not_stated"),)
    if not further:
        return (label("subprocessors.further_none"),)
    lines = []
    for index, item in enumerate(further):
        where = (*path, "further_subprocessors", index)
        line = label(
            "subprocessors.further_item",
            name=item["name"],
            country=country_name(item["location"], lang),
            service=text(item["service"], (*where, "service")),
        )
        if item.get("transfer"):
            line = (
                f"{line.rstrip('.')}; {label('subprocessors.transfer')}: {short_basis(item, label)}"
            )
        lines.append(line)
    return tuple(lines)
