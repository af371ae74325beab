"""``dpagen check``: legal completeness and consistency of each agreement (GDPR Art. 28).

Validation (:mod:`dpagen.validate`) makes sure every file has the right shape; this module asks
whether the assembled agreement says what the law requires: every mandatory requirement covered
by a clause, Swedish and English in lock-step, and the annex data rules. Every problem cites the
article it comes from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from dpagen.checks.validate import Findings, validate_workspace
from dpagen.document.assemble import assemble
from dpagen.document.labels import EEA
from dpagen.errors import Problem, ProblemsFound
from dpagen.inputs.load import AgreementInput, Inputs, has_errors
from dpagen.inputs.schema import requirements
from dpagen.inputs.yaml_positions import YamlFile
from dpagen.results import count
from dpagen.workspace import Workspace

ART32_GROUPS = {
    "pseudonymisation_encryption": "Art. 32(1)(a)",
    "confidentiality_integrity_availability": "Art. 32(1)(b)",
    "restore": "Art. 32(1)(c)",
    "testing": "Art. 32(1)(d)",
}
ACTIVITY_FIELDS = {
    "subject_matter": "subject matter",
    "purposes": "purposes",
    "nature": "nature of the processing",
    "data_subjects": "categories of data subjects",
    "personal_data": "categories of personal data",
    "duration": "duration",
}
GENERAL_AUTHORISATION_TERMS = {
    "subprocessor_notice_days": "a notice period for new sub-processors",
    "subprocessor_objection_days": "a window for objecting to them",
}
BREACH_TERM = "breach_notice_hours"


def _cite(article: str) -> str:
    return f" [GDPR {article}]"


def check_workspace(
    ws: Workspace, clients: list[str] | None = None, *, as_of: dt.date | None = None
) -> tuple[Inputs, list[Problem]]:
    """Validate, then check every (or the given) agreement; returns all problems found."""
    inputs, problems = validate_workspace(ws, clients)
    if has_errors(problems):
        return inputs, problems
    for client in inputs.agreements:
        problems += check_agreement(inputs, client, as_of=as_of)
    return inputs, sorted(set(problems), key=Problem.sort_key)


def check_findings(
    ws: Workspace, clients: list[str] | None = None, *, as_of: dt.date | None = None
) -> Findings:
    """``dpagen check``: :func:`check_workspace` with a summary of what it checked."""
    inputs, problems = check_workspace(ws, clients, as_of=as_of)
    n = len(inputs.agreements)
    return Findings(
        problems, f"{count(n, 'agreement')} meet{'s' if n == 1 else ''} every mandatory requirement"
    )


def check_agreement(inputs: Inputs, client: str, *, as_of: dt.date | None = None) -> list[Problem]:
    """The legal problems of one agreement whose files are valid."""
    agreement = inputs.agreements[client]
    problems = list(_coverage(inputs, agreement))
    problems += _lock_step(inputs, client)
    problems += _terms(inputs, agreement)
    problems += _instructions(agreement)
    problems += _security(agreement, as_of or dt.date.today())
    problems += _subprocessors(agreement)
    problems += _deviations(inputs, agreement)
    return problems


# how a negotiated text names a party where the standard terms use the defined term
_PARTY_NAMES = ("processor.name", "controller.name")


def _deviations(inputs: Inputs, agreement: AgreementInput) -> Iterator[Problem]:
    """Negotiated texts that lose what the standard clause covered, or name the parties."""
    for clause_id, index in agreement.deviations.items():
        clause = inputs.library.clauses.get(clause_id)
        deviation = agreement.data["deviations"][index]
        if clause is not None and "covers" in deviation:
            lost = [tag for tag in clause.covers if tag not in (deviation.get("covers") or ())]
            for tag in lost:
                article = requirements().get(tag, {}).get("article", "")
                yield agreement.doc.problem(
                    ("deviations", index, "covers"),
                    f"the deviation for '{clause_id}' drops requirement {tag}, which the standard "
                    f"clause covers{_cite(article) if article else ''}",
                    "keep the standard wording for it (change only the paragraphs negotiated), "
                    f"or, if the negotiated text still meets it, add {tag} to the covers",
                    severity="warning",
                )
        texts = " ".join(_deviation_texts(deviation))
        named = [name for name in _PARTY_NAMES if name in texts.replace(" ", "")]
        if named:
            yield agreement.doc.problem(
                ("deviations", index, "text" if "text" in deviation else "clause"),
                f"the deviation for '{clause_id}' names the parties ({', '.join(named)}) where "
                "the standard terms use the defined terms",
                "write 'Personuppgiftsbiträdet' and 'den Personuppgiftsansvarige' (en: 'the "
                "Processor', 'the Controller'), as the rest of the agreement does",
                severity="warning",
            )


def _deviation_texts(deviation: dict[str, Any]) -> list[str]:
    texts = [value for value in (deviation.get("text") or {}).values() if isinstance(value, str)]
    for change in deviation.get("paragraphs") or []:
        if isinstance(change, dict):
            texts += [v for v in (change.get("text") or {}).values() if isinstance(v, str)]
    return texts


def _effective_covers(inputs: Inputs, agreement: AgreementInput) -> dict[str, set[str]]:
    """Clause id → the requirements it covers in this agreement (variant and deviation applied)."""
    assert agreement.edition is not None
    covers: dict[str, set[str]] = {}
    for clause_id, _ in agreement.clauses(inputs.library):
        clause = inputs.library.clauses[clause_id]
        if clause_id in agreement.deviations:
            deviation = agreement.data["deviations"][agreement.deviations[clause_id]]
            covers[clause_id] = set(deviation.get("covers") or ())
            continue
        found = set(clause.covers)
        variant = agreement.variants.get(clause_id)
        if variant:
            found |= set(clause.variants[variant].get("covers") or ())
        covers[clause_id] = found
    return covers


def _applies(requirement: dict[str, Any], agreement: AgreementInput) -> bool:
    condition = requirement.get("when") or {}
    return all(agreement.variants.get(clause) == variant for clause, variant in condition.items())


def _coverage(inputs: Inputs, agreement: AgreementInput) -> Iterator[Problem]:
    assert agreement.edition is not None
    covers = _effective_covers(inputs, agreement)
    covered = set().union(*covers.values()) if covers else set()
    doc = agreement.doc
    for tag, requirement in requirements().items():
        if (
            not requirement.get("mandatory")
            or not _applies(requirement, agreement)
            or tag in covered
        ):
            continue
        article, text = requirement["article"], requirement["en"]
        dropped = [
            clause_id
            for clause_id in agreement.deviations
            if tag in inputs.library.clauses[clause_id].covers
        ]
        if dropped:
            index = agreement.deviations[dropped[0]]
            yield doc.problem(
                ("deviations", index, "clause"),
                f"the deviation for '{dropped[0]}' no longer covers requirement {tag}: "
                f"{text}{_cite(article)}",
                f"if the negotiated text still meets it, add {tag} to the deviation's covers",
            )
        else:
            path = ("agreement", "edition") if doc.get("agreement", "edition") else ("agreement",)
            yield doc.problem(
                path,
                f"no clause of edition {agreement.edition.id} covers requirement {tag}: "
                f"{text}{_cite(article)}",
                "add a clause that covers it to the edition, or list the tag in the covers of "
                "the clause that meets it",
            )


def _shape(clauses: Any) -> list[tuple[str, int, str | None, tuple[int, ...]]]:
    return [
        (clause.id, clause.version, clause.variant, tuple(len(s.items) for s in clause.subclauses))
        for clause in clauses
    ]


def _lock_step(inputs: Inputs, client: str) -> list[Problem]:
    agreement = inputs.agreements[client]
    if len(agreement.languages) < 2:
        return []
    try:
        shapes = {
            lang: _shape(assemble(inputs, client, lang).clauses) for lang in agreement.languages
        }
    except ProblemsFound as exc:  # already reported by validation; nothing to compare
        return exc.problems
    first, *others = agreement.languages
    problems = []
    for lang in others:
        for left, right in zip(shapes[first], shapes[lang], strict=True):
            if left == right:
                continue
            clause_id, version, variant, items = left
            message = (
                f"clause '{clause_id}' differs between {first} and {lang}: {len(items)} and "
                f"{len(right[3])} paragraphs, items {items} and {right[3]}"
            )
            hint = "the languages must say the same in the same structure"
            if clause_id in agreement.deviations:
                index = agreement.deviations[clause_id]
                problems.append(agreement.doc.problem(("deviations", index, "text"), message, hint))
            else:
                path = inputs.library.clauses[clause_id].text_path(version, variant, lang)
                problems.append(Problem(path, 1, 1, message, hint))
    return problems


def _term_source(inputs: Inputs, agreement: AgreementInput, name: str) -> tuple[YamlFile, Any]:
    if name in agreement.doc.mapping("terms"):
        return agreement.doc, ("terms", name)
    if name in inputs.config.mapping("defaults", "terms"):
        return inputs.config, ("defaults", "terms", name)
    assert agreement.edition is not None
    spec = inputs.library.edition_terms(agreement.edition)[name]
    return inputs.library.clauses[spec.clause].doc, ("terms", name, "default")


def _terms(inputs: Inputs, agreement: AgreementInput) -> Iterator[Problem]:
    hours = agreement.terms.get(BREACH_TERM)
    if isinstance(hours, int):
        doc, path = _term_source(inputs, agreement, BREACH_TERM)
        if hours > 72:
            yield doc.problem(
                path,
                f"breach notice within {hours} hours leaves the controller no time for its own "
                f"72-hour notification{_cite('Art. 33(1) and (2)')}",
                "agree on 72 hours at most; 24 to 48 is usual",
            )
        elif hours > 24:
            yield doc.problem(
                path,
                f"breach notice within {hours} hours is longer than the usual 24"
                f"{_cite('Art. 33(2)')}",
                "the controller has 72 hours in all; consider 24 hours or less",
                severity="warning",
            )
    if agreement.variants.get("subprocessors") == "general":
        for name, meaning in GENERAL_AUTHORISATION_TERMS.items():
            value = agreement.terms.get(name)
            if not isinstance(value, int) or value < 1:
                yield agreement.doc.problem(
                    ("variants", "subprocessors"),
                    f"general authorisation of sub-processors needs {meaning} "
                    f"(term {name}){_cite('Art. 28(2)')}",
                    "use a clause version that declares the term, or choose the specific variant",
                )


def _instructions(agreement: AgreementInput) -> Iterator[Problem]:
    doc = agreement.annexes.get("instructions")
    if doc is None:
        return
    for index, activity in enumerate(doc.sequence("activities")):
        path = ("activities", index)
        for key, meaning in ACTIVITY_FIELDS.items():
            if not activity.get(key):
                yield doc.problem(
                    path,
                    f"processing activity {index + 1} does not state its {meaning}"
                    f"{_cite('Art. 28(3)')}",
                    f"add '{key}:' to the activity",
                    key=True,
                )
        sensitive = activity.get("sensitive_data")
        if isinstance(sensitive, dict):
            if not sensitive.get("categories"):
                yield doc.problem(
                    (*path, "sensitive_data"),
                    "sensitive data is declared without its categories" + _cite("Art. 9"),
                    "list the categories, or write 'sensitive_data: none'",
                    key=True,
                )
            if not sensitive.get("safeguards"):
                yield doc.problem(
                    (*path, "sensitive_data"),
                    "sensitive data needs safeguards (purpose limitation, access limits, logging…)"
                    + _cite("Art. 9; Decision 2021/915 Annex II"),
                    "add 'safeguards:' with the measures that protect these data",
                    key=True,
                )
        for position, code in enumerate(activity.get("locations") or []):
            if code not in EEA and not _transfer_to(agreement, code):
                yield doc.problem(
                    (*path, "locations", position),
                    f"processing in {code}, outside the EU/EEA, without a sub-processor there "
                    f"that has a transfer basis{_cite('Arts. 44 to 46')}",
                    "list the recipient in the sub-processors annex with its transfer basis",
                )
    client = agreement.data["client"]
    if agreement.sector == "public" and not client.get("controller_body"):
        yield agreement.doc.problem(
            ("client", "sector"),
            f"{client['name']} is a public body: the controller is the authority (nämnd, "
            "styrelse) that decides on the processing, which the agreement does not name",
            "add 'controller_body:' to client, e.g. {sv: kommunstyrelsen, en: the Municipal "
            "Executive Board}",
            severity="warning",
        )
    if agreement.sector == "public" and not client["signatory"].get("authority"):
        yield agreement.doc.problem(
            ("client", "signatory"),
            f"{client['signatory']['name']} signs for a public body without a stated authority: "
            "an official signs under the body's delegation rules",
            "add 'authority:' to signatory, e.g. {sv: enligt kommunstyrelsens delegationsordning, "
            "beslut KS 2026/012, en: …}",
            severity="warning",
        )
    if agreement.sector == "public":
        for index, rule in enumerate(doc.sequence("retention")):
            if not rule.get("disposal_decision"):
                yield doc.problem(
                    ("retention", index),
                    "a public authority's records may only be disposed of under its own "
                    "disposal decision (gallringsbeslut) [arkivlagen (1990:782) 10 §]",
                    "add 'disposal_decision:' naming the decision and its item",
                    key=True,
                )


def _transfer_to(agreement: AgreementInput, country: str) -> bool:
    doc = agreement.annexes.get("subprocessors")
    return doc is not None and any(
        entry.get("location") == country and entry.get("transfer")
        for entry in doc.sequence("subprocessors")
    )


def _security(agreement: AgreementInput, as_of: dt.date) -> Iterator[Problem]:
    doc = agreement.annexes.get("security")
    if doc is None:
        return
    measures = doc.mapping("measures")
    for key, article in ART32_GROUPS.items():
        if not measures.get(key):
            yield doc.problem(
                ("measures",),
                f"no measures under '{key}'{_cite(article)}",
                f"describe concretely how the processor meets {article}",
                key=True,
            )
    if not measures.get("backups"):
        yield doc.problem(
            ("measures",),
            "no 'backups' row: the agreement has personal data in backups deleted as the security "
            "annex states, and the annex does not say what is backed up, for how long, and when "
            "it is overwritten",
            "add 'backups:' under measures, or say there that no personal data are backed up",
            severity="warning",
            key=True,
        )
    for index, certificate in enumerate(doc.sequence("certifications")):
        valid_until = certificate.get("valid_until")
        if isinstance(valid_until, dt.date) and valid_until < as_of:
            yield doc.problem(
                ("certifications", index, "valid_until"),
                f"certificate {certificate.get('scheme')} expired on {valid_until.isoformat()}"
                f"{_cite('Art. 28(1), 28(5)')}",
                "update the certificate, or remove it from the annex",
                severity="warning",
            )


def _subprocessors(agreement: AgreementInput) -> Iterator[Problem]:
    doc = agreement.annexes.get("subprocessors")
    if doc is None:
        return
    for index, entry in enumerate(doc.sequence("subprocessors")):
        path = ("subprocessors", index)
        name = entry.get("name")
        yield from _transfer_stated(doc, path, entry, f"sub-processor '{name}'")
        further = entry.get("further_subprocessors")
        if further is None:
            yield doc.problem(
                path,
                f"sub-processor '{name}' does not declare its own sub-processors, so the annex "
                f"cannot list every tier{_cite('Art. 28(2), 28(4)')}",
                "add 'further_subprocessors:' with each one (name, location, service), or "
                "'further_subprocessors: []' when it engages none",
            )
        for position, item in enumerate(further or []):
            yield from _transfer_stated(
                doc,
                (*path, "further_subprocessors", position),
                item,
                f"'{item.get('name')}', a sub-processor of '{name}',",
            )
        if not entry.get("contact_person"):
            yield doc.problem(
                path,
                f"sub-processor '{name}' has no contact person"
                f"{_cite('Decision 2021/915 Annex IV')}",
                "add 'contact_person:' with name, role and e-mail",
                severity="warning",
            )


def _transfer_stated(
    doc: YamlFile, path: tuple[Any, ...], entry: dict[str, Any], who: str
) -> Iterator[Problem]:
    """A recipient outside the EU/EEA needs a recognised basis; an SCC or BCR one, a TIA."""
    location = entry.get("location")
    transfer = entry.get("transfer")
    if location in EEA:
        return
    if not transfer:
        legacy = " (transfer_mechanism is free text)" if entry.get("transfer_mechanism") else ""
        yield doc.problem(
            (*path, "location"),
            f"{who} processes in {location}, outside the EU/EEA, without a transfer basis"
            f"{legacy}{_cite('Arts. 44 to 46')}",
            "add 'transfer:' with 'basis:' adequacy, scc, bcr or derogation and what it needs "
            "(see docs/account-manager.md)",
        )
        return
    if transfer.get("basis") in ("scc", "bcr") and not transfer.get("tia"):
        yield doc.problem(
            (*path, "transfer"),
            f"{who} receives data under {transfer['basis']} without a documented transfer "
            "impact assessment",
            "add 'tia:' with its date (and reference)",
            severity="warning",
        )
    if location == "US" and "dpf_certified" not in transfer:
        yield doc.problem(
            (*path, "transfer"),
            f"{who} is in the United States, and the annex does not say whether it is "
            "certified under the EU-US Data Privacy Framework",
            "add 'dpf_certified: true' or 'false' and 'dpf_checked_on:'",
            severity="warning",
        )
