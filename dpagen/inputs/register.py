"""The workspace's sub-processor register and the annex entries that refer to it.

The processor keeps each sub-processor once, in ``subprocessors.yaml``: identity, the services it
provides (tags), location and transfer mechanism. A client's sub-processor annex lists entries
that either refer to the register (``ref``, with the date authorised and optionally a description
of the service for that client) or describe a client-specific sub-processor in full. Loading an
annex replaces each reference with the register's details, so every later step (rendering,
checks, releases, records) sees complete entries and a release keeps them as they were issued.
"""

from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass, field
from typing import Any

from dpagen.errors import Problem
from dpagen.inputs.schema import is_valid_orgnr, validate_loaded
from dpagen.inputs.transfers import chain_problems
from dpagen.inputs.yaml_positions import YamlFile, load_yaml
from dpagen.workspace import Workspace

REGISTER_FILE = "subprocessors.yaml"
# what a reference takes from the register and so may not set itself
FROM_REGISTER = (
    "name",
    "org_no",
    "address",
    "contact",
    "location",
    "transfer_mechanism",
    "transfer",
    "contact_person",
    "further_subprocessors",
    "services",
)
REQUIRED_OWN = ("name", "address", "service", "location")


@dataclass
class Register:
    """The loaded register; empty when the workspace has none."""

    doc: YamlFile | None = None
    broken: bool = False  # the file has errors: references cannot be checked
    services: dict[str, Any] = field(default_factory=dict)  # tag → name (text)
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)  # id → details


def load_register(ws: Workspace) -> tuple[Register, list[Problem]]:
    """Load and check ``subprocessors.yaml``; a workspace without one has an empty register."""
    path = ws.register_file
    if not path.exists():
        return Register(), []
    doc, problems = load_yaml(path, ws.root)
    problems = validate_loaded(doc, problems, "register")
    data = doc.data if isinstance(doc.data, dict) else {}
    services, entries = data.get("services"), data.get("subprocessors")
    register = Register(
        doc,
        broken=any(p.severity == "error" for p in problems),
        services=dict(services) if isinstance(services, dict) else {},
        entries=dict(entries) if isinstance(entries, dict) else {},
    )
    for entry_id, entry in register.entries.items():
        if not isinstance(entry, dict):
            continue
        path_key = ("subprocessors", entry_id)
        problems += _unknown_services(doc, path_key, entry.get("services"), register)
        problems += swedish_number_problems(doc, path_key, entry)
        problems += chain_problems(doc, path_key, entry)
    return register, problems


def _unknown_services(
    doc: YamlFile, path: tuple[Any, ...], tags: Any, register: Register
) -> list[Problem]:
    problems = []
    for index, tag in enumerate(tags if isinstance(tags, list) else []):
        if isinstance(tag, str) and tag not in register.services:  # else the schema says
            close = difflib.get_close_matches(str(tag), list(register.services), n=1)
            hint = (
                f"did you mean '{close[0]}'?"
                if close
                else f"services in {REGISTER_FILE}: {', '.join(register.services) or 'none'}"
            )
            problems.append(
                doc.problem((*path, "services", index), f"unknown service '{tag}'", hint)
            )
    return problems


def swedish_number_problems(doc: YamlFile, path: tuple[Any, ...], entry: Any) -> list[Problem]:
    """The organisation number of a sub-processor located in Sweden must be a valid one."""
    if not isinstance(entry, dict):
        return []
    number = entry.get("org_no")
    if entry.get("location") != "SE" or not isinstance(number, str) or not number:
        return []
    if is_valid_orgnr(number):
        return []
    dotted = ".".join(str(step) for step in (*path, "org_no"))
    return [
        doc.problem(
            (*path, "org_no"),
            f"{dotted}: '{number}' is not a valid Swedish organisation number",
            "write it as NNNNNN-NNNN and check the digits; the last digit is a check "
            "digit (for a company registered abroad, give its location)",
        )
    ]


def resolve_annex(
    doc: YamlFile, register: Register, languages: tuple[str, ...] = ()
) -> list[Problem]:
    """Check the entries of a sub-processor annex and fill in each reference from the register.

    Only called on an annex that passed its schema. The entries are replaced in ``doc.data``.
    Register texts the annex uses must exist in each of ``languages``.
    """
    if register.broken:  # its own errors are reported; guessing here would only add noise
        return []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    resolved = []
    for index, entry in enumerate(doc.sequence("subprocessors")):
        path = ("subprocessors", index)
        ref = entry.get("ref")
        if ref is None:
            problems += _own_entry_problems(doc, path, entry, register)
            resolved.append(entry)
            continue
        found = _reference_problems(doc, path, entry, register, seen)
        problems += found
        seen.setdefault(ref, index)
        if not found:
            problems += _missing_translations(register, ref, entry, languages)
            resolved.append(merged_entry(register, ref, entry))
    if not any(p.severity == "error" for p in problems):
        doc.data["subprocessors"] = resolved
    return problems


def merged_entry(register: Register, ref: str, own: dict[str, Any]) -> dict[str, Any]:
    """A complete annex entry: the register's details with the client's own fields."""
    details = register.entries[ref]
    entry: dict[str, Any] = {"ref": ref}
    if "id" in own:
        entry["id"] = own["id"]
    for key in ("name", "org_no", "address", "contact"):
        if key in details:
            entry[key] = details[key]
    entry["service"] = own.get("service", details["service"])
    entry["location"] = details["location"]
    entry["transfer_mechanism"] = details.get("transfer_mechanism")
    for key in ("transfer", "contact_person", "further_subprocessors"):
        if key in details:
            entry[key] = copy.deepcopy(details[key])  # the annex's own copy, as a release keeps
    entry["services"] = list(details["services"])
    entry["authorised_on"] = own["authorised_on"]
    return entry


def _missing_translations(
    register: Register, ref: str, own: dict[str, Any], languages: tuple[str, ...]
) -> list[Problem]:
    """Register texts a client uses that lack one of the client's languages."""
    assert register.doc is not None
    details = register.entries[ref]
    texts: list[tuple[tuple[Any, ...], Any]] = [
        (("subprocessors", ref, "transfer_mechanism"), details.get("transfer_mechanism"))
    ]
    texts += _chain_texts(("subprocessors", ref), details)
    if "service" not in own:
        texts.append((("subprocessors", ref, "service"), details["service"]))
    texts += [(("services", tag), register.services.get(tag)) for tag in details["services"]]
    problems = []
    for path, value in texts:
        if not isinstance(value, dict):
            continue
        for lang in languages:
            if not value.get(lang):
                language = {"sv": "Swedish", "en": "English"}[lang]
                problems.append(
                    register.doc.problem(
                        path,
                        f"no {language} text for this value",
                        f"add '{lang}: ...' to the mapping",
                    )
                )
    return problems


def _chain_texts(
    path: tuple[Any, ...], details: dict[str, Any]
) -> list[tuple[tuple[Any, ...], Any]]:
    """The bilingual texts of an entry's transfer, contact person and later tiers."""
    texts: list[tuple[tuple[Any, ...], Any]] = []
    transfer = details.get("transfer") or {}
    for key in ("measures", "bcr_approved_by"):
        texts.append(((*path, "transfer", key), transfer.get(key)))
    person = details.get("contact_person") or {}
    texts.append(((*path, "contact_person", "role"), person.get("role")))
    for index, further in enumerate(details.get("further_subprocessors") or []):
        where = (*path, "further_subprocessors", index)
        texts.append(((*where, "service"), further.get("service")))
        texts += [
            ((*where, "transfer", "measures"), (further.get("transfer") or {}).get("measures"))
        ]
    return texts


def _reference_problems(
    doc: YamlFile,
    path: tuple[Any, ...],
    entry: dict[str, Any],
    register: Register,
    seen: dict[str, int],
) -> list[Problem]:
    ref = entry["ref"]
    if register.doc is None:
        return [
            doc.problem(
                (*path, "ref"),
                f"'{ref}' refers to the sub-processor register, but the workspace has no "
                f"{REGISTER_FILE}",
                "create the register, or describe the sub-processor here in full",
            )
        ]
    if ref not in register.entries:
        close = difflib.get_close_matches(ref, list(register.entries), n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"add it to {REGISTER_FILE} first"
        return [doc.problem((*path, "ref"), f"no sub-processor '{ref}' in {REGISTER_FILE}", hint)]
    problems = [
        doc.problem(
            (*path, key),
            f"'{key}' of '{ref}' comes from {REGISTER_FILE}",
            "remove it here; change it in the register, or describe a client-specific "
            "sub-processor without 'ref'",
            key=True,
        )
        for key in FROM_REGISTER
        if key in entry
    ]
    if ref in seen:
        problems.append(
            doc.problem(
                (*path, "ref"),
                f"'{ref}' is listed twice (also as entry {seen[ref] + 1})",
                "keep one entry per sub-processor",
            )
        )
    return problems


def _own_entry_problems(
    doc: YamlFile, path: tuple[Any, ...], entry: dict[str, Any], register: Register
) -> list[Problem]:
    problems = [
        doc.problem(
            path,
            f"subprocessors.{path[-1]}: '{key}' is missing",
            f"describe the sub-processor in full, or refer to an entry of {REGISTER_FILE} "
            "with 'ref: ID'",
        )
        for key in REQUIRED_OWN
        if key not in entry
    ]
    problems += _unknown_services(doc, path, entry.get("services"), register)
    problems += swedish_number_problems(doc, path, entry)
    problems += chain_problems(doc, path, entry)
    return problems


def services_used(entries: list[dict[str, Any]]) -> set[str]:
    """The service tags of a client's (resolved) sub-processor entries."""
    return {tag for entry in entries for tag in entry.get("services") or []}
