"""Assemble one agreement in one language into the document model.

Edition, variants, deviations, terms and annexes come together here: clauses are numbered in
edition order, cross references resolve to those numbers, clause texts run in the sandbox, and
bilingual values are picked for the language. Every problem is collected before failing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from dpagen.document import clause_text
from dpagen.document.annex_sections import build_annex
from dpagen.document.dates import long_date
from dpagen.document.labels import Labels, country_name
from dpagen.document.model import Annex, Clause, Document, Item, Party, SubClause
from dpagen.errors import Problem, ProblemsFound
from dpagen.inputs.load import AgreementInput, Inputs
from dpagen.inputs.yaml_positions import YamlFile


class _ReferenceError(Exception):
    """A ``ref()`` or ``annex()`` call to something this agreement does not include."""


def annex_versions(annexes: Iterable[Annex], lang: str) -> str:
    """The annexes' versions for the page footer: "Bilaga 1 v2 · Bilaga 2 v1"."""
    label = Labels(lang)
    return " · ".join(
        label("annex_version_short", annex=annex.label, version=annex.version) for annex in annexes
    )


def item_label(index: int) -> str:
    """``(a)``…``(z)``, then ``(aa)``, ``(bb)``… as Word's lower-letter numbering does."""
    letter = chr(ord("a") + index % 26)
    return f"({letter * (index // 26 + 1)})"


class _Assembler:
    def __init__(self, inputs: Inputs, agreement: AgreementInput, lang: str) -> None:
        assert agreement.edition is not None
        self.inputs = inputs
        self.agreement = agreement
        self.edition = agreement.edition
        self.lang = lang
        self.label = Labels(lang)
        self.problems: list[Problem] = []
        self.clauses = agreement.clauses(inputs.library)  # the sector modules included
        self.numbers = {clause_id: n for n, (clause_id, _) in enumerate(self.clauses, 1)}
        self.annex_numbers = {kind: n for n, kind in enumerate(self.edition.annexes, 1)}
        # the text being run: file, source, and where it starts there (line and column offset)
        self.sub_refs: list[tuple[str, int, tuple[Path, str, int, int]]] = []
        self.current: tuple[Path, str, int, int] = (Path(), "", 0, 0)

    def localize(self, doc: YamlFile, value: Any, path: tuple[Any, ...]) -> str:
        if isinstance(value, dict):
            text = value.get(self.lang)
            if not isinstance(text, str) or not text.strip():
                language = {"sv": "Swedish", "en": "English"}[self.lang]
                self.problems.append(
                    doc.problem(
                        path,
                        f"no {language} text for this value",
                        f"add '{self.lang}: ...' to the mapping",
                    )
                )
                return "?"
            return text.strip()
        return str(value).strip()

    def _localizer(self, doc: YamlFile) -> Callable[[Any, tuple[Any, ...]], str]:
        return lambda value, path: self.localize(doc, value, path)

    def ref(self, clause_id: str, sub: int | None = None) -> str:
        if clause_id not in self.numbers:
            if any(cid == clause_id for cid, _ in self.edition.clauses):
                raise _ReferenceError(
                    f"ref('{clause_id}'): clause '{clause_id}' is a sector module that "
                    f"agreements with a {self.agreement.sector} client do not include"
                )
            raise _ReferenceError(
                f"ref('{clause_id}'): clause '{clause_id}' is not in edition {self.edition.id}"
            )
        number = str(self.numbers[clause_id])
        if sub is not None:
            self.sub_refs.append((clause_id, sub, self.current))
            number += f".{sub}"
        return f"{self.label('clause_ref')} {number}"

    def check_sub_refs(self, clauses: list[Clause]) -> None:
        """A ``ref(id, n)`` must name a numbered paragraph that exists."""
        counts = {c.id: len(c.subclauses) if len(c.subclauses) > 1 else 0 for c in clauses}
        for clause_id, sub, (path, source, offset, shift) in self.sub_refs:
            if clause_id in counts and not 1 <= sub <= counts[clause_id]:
                line = next(
                    (
                        n
                        for n, text in enumerate(source.splitlines(), 1)
                        if "ref(" in text and clause_id in text and str(sub) in text
                    ),
                    1,
                )
                self.problems.append(
                    Problem(
                        path,
                        line + offset,
                        clause_text.line_of(source, line, "ref(") + shift,
                        f"ref('{clause_id}', {sub}): clause '{clause_id}' has "
                        f"{counts[clause_id] or 'no numbered'} paragraph"
                        f"{'' if counts[clause_id] == 1 else 's'}",
                        "refer to an existing paragraph, or to the whole clause with ref(id)",
                    )
                )

    def annex(self, kind: str) -> str:
        if kind not in self.annex_numbers:
            raise _ReferenceError(f"annex('{kind}'): edition {self.edition.id} has no {kind} annex")
        return f"{self.label('annex')} {self.annex_numbers[kind]}"

    def controller_body(self, party: dict[str, Any]) -> str:
        """The authority that is controller ("kommunstyrelsen"), or empty."""
        body = party.get("controller_body")
        if not body:
            return ""
        # only the client has a controller body; its file is the agreement's
        return self.localize(self.agreement.doc, body, ("client", "controller_body"))

    def party_name(self, party: dict[str, Any]) -> str:
        """The party as the agreement names it: "Ljungsjö kommun, genom kommunstyrelsen"."""
        body = self.controller_body(party)
        if not body:
            return str(party["name"])
        return self.label("acting_through", name=party["name"], body=body)

    def party_context(self, party: dict[str, Any]) -> dict[str, Any]:
        address = party["address"]
        sector = party.get("sector")
        return {
            "name": self.party_name(party),
            "legal_name": party["name"],
            "body": self.controller_body(party),
            "sector": sector if isinstance(sector, str) else "private",
            "org_no": party["org_no"],
            "address": self.address(address),
            "signatory": party["signatory"]["name"],
        }

    def address(self, address: dict[str, Any]) -> str:
        text = f"{address['street']}, {address['postal_code']} {address['city']}"
        if address["country"] != "SE":
            text += f", {country_name(address['country'], self.lang)}"
        return text

    def context(self) -> dict[str, Any]:
        doc = self.agreement.doc
        meta = self.agreement.data["agreement"]
        terms = {}
        for name, value in self.agreement.terms.items():
            terms[name] = (
                self.localize(doc, value, ("terms", name)) if isinstance(value, dict) else value
            )
        values = clause_text.Values
        return {
            "processor": values(self.party_context(self.inputs.processor)),
            "controller": values(self.party_context(self.agreement.data["client"])),
            "agreement": values(
                {
                    "id": meta["id"],
                    "version": meta["version"],
                    "date": long_date(meta["date"], self.lang),
                    "main_agreement": self.main_agreement(),
                    "main_agreement_date": long_date(meta["main_agreement"]["date"], self.lang),
                    "main_agreement_reference": self.localize(
                        doc,
                        meta["main_agreement"].get("reference") or "",
                        ("agreement", "main_agreement", "reference"),
                    ),
                }
            ),
            "terms": values(terms),
            "ref": self.ref,
            "annex": self.annex,
            "lang": self.lang,
        }

    def main_agreement(self) -> str:
        """How the agreement names the main agreement: its title, with its reference if any."""
        main = self.agreement.data["agreement"]["main_agreement"]
        where = ("agreement", "main_agreement")
        title = self.localize(self.agreement.doc, main["title"], (*where, "title"))
        if not main.get("reference"):
            return title
        reference = self.localize(self.agreement.doc, main["reference"], (*where, "reference"))
        return f"{title} ({reference})"

    def translation_fact(self) -> tuple[tuple[str, str], ...]:
        """On a translation's cover: which language version prevails."""
        if self.lang == "sv" or "sv" not in self.agreement.languages:
            return ()
        clause = self.numbers.get("governing-law")
        where = f" ({self.label('clause_ref')} {clause})" if clause else ""
        return ((self.label("language"), self.label("translation", clause=where)),)

    def clause(self, clause_id: str, version: int, context: dict[str, Any]) -> Clause | None:
        definition = self.inputs.library.clauses[clause_id]
        variant = self.agreement.variants.get(clause_id)
        path = definition.text_path(version, variant, self.lang)
        source = self.inputs.library.source(path)
        parsed = self._run(source, path, context, 0, 0)
        if parsed is None:
            return None
        deviation_reason = None
        if clause_id in self.agreement.deviations:
            index = self.agreement.deviations[clause_id]
            deviation = self.agreement.data["deviations"][index]
            if "paragraphs" in deviation:
                deviated = self._changed_paragraphs(parsed, index, deviation, context)
            else:
                deviated = self._negotiated(parsed.title, ("deviations", index, "text"), context)
            if deviated is None:
                return None
            parsed, deviation_reason = deviated, deviation["reason"]
        number = self.numbers[clause_id]
        many = len(parsed.paragraphs) > 1
        subclauses = tuple(
            SubClause(
                f"{number}.{k}" if many else "",
                paragraph.runs,
                tuple(Item(item_label(i), runs) for i, runs in enumerate(paragraph.items)),
            )
            for k, paragraph in enumerate(parsed.paragraphs, 1)
        )
        return Clause(
            clause_id, number, parsed.title, version, variant, subclauses, deviation_reason
        )

    def deviation_item(self, clause: Clause) -> str:
        """How the cover names a deviation: "punkt 17 (Information, …), överenskommen …"."""
        label = self.label
        text = label(
            "deviation_item", clause=f"{label('clause_ref')} {clause.number}", title=clause.title
        )
        index = self.agreement.deviations[clause.id]
        agreed = self.agreement.data["deviations"][index].get("agreed_on")
        if agreed:
            text += ", " + label("deviation_agreed", date=long_date(agreed, self.lang))
        return text

    def _negotiated(
        self, title: str, where: tuple[Any, ...], context: dict[str, Any]
    ) -> clause_text.ParsedClause | None:
        """A negotiated text of agreement.yaml (at ``where``), in this language, as a clause."""
        text_path = (*where, self.lang)
        text = self.agreement.doc.data
        for key in text_path:
            text = text[key]
        line, column = self.agreement.doc.where(text_path)
        if text_path in self.agreement.doc.indents:  # a block (|): lines start on the next line
            offset, shift = line, self.agreement.doc.indents[text_path]
        else:
            offset, shift = line - 1, column - 1
        if not text.lstrip().startswith("#"):
            text = f"# {title}\n\n{text}"
            offset -= 2
        return self._run(text, self.agreement.doc.path, context, offset, shift)

    def _changed_paragraphs(
        self,
        standard: clause_text.ParsedClause,
        index: int,
        deviation: dict[str, Any],
        context: dict[str, Any],
    ) -> clause_text.ParsedClause | None:
        """The standard text with the negotiated paragraphs replaced, deleted or inserted.

        Paragraph numbers count the standard text's paragraphs, so the changes do not depend
        on one another's order.
        """
        count = len(standard.paragraphs)
        replaced: dict[int, tuple[clause_text.Paragraph, ...]] = {}
        inserted: dict[int, tuple[clause_text.Paragraph, ...]] = {}
        deleted: set[int] = set()
        for number, change in enumerate(deviation["paragraphs"]):
            where = ("deviations", index, "paragraphs", number)
            operation = next(n for n in ("replace", "delete", "insert_after") if n in change)
            target = change[operation]
            lowest = 0 if operation == "insert_after" else 1
            if not lowest <= target <= count:
                self.problems.append(
                    self.agreement.doc.problem(
                        (*where, operation),
                        f"deviation for '{deviation['clause']}', change {number + 1}: the "
                        f"standard text has {count} paragraphs, so there is no paragraph {target}",
                        f"number the paragraphs of the standard text from 1 to {count}",
                    )
                )
                return None
            if operation == "delete":
                deleted.add(target)
                continue
            parsed = self._negotiated(standard.title, (*where, "text"), context)
            if parsed is None:
                return None
            chosen = replaced if operation == "replace" else inserted
            chosen[target] = chosen.get(target, ()) + parsed.paragraphs
        paragraphs = list(inserted.get(0, ()))
        for position, paragraph in enumerate(standard.paragraphs, 1):
            if position in replaced:
                paragraphs += replaced[position]
            elif position not in deleted:
                paragraphs.append(paragraph)
            paragraphs += inserted.get(position, ())
        return replace(standard, paragraphs=tuple(paragraphs))

    def _run(
        self, source: str, path: Path, context: dict[str, Any], offset: int, shift: int
    ) -> clause_text.ParsedClause | None:
        self.current = (path, source, offset, shift)
        try:
            template = clause_text.compile_text(source, path)
            text = clause_text.render_text(template, source, path, context)
        except clause_text.ClauseTextError as exc:
            problem = exc.problem
            self.problems.append(
                Problem(
                    problem.path,
                    problem.line + offset,
                    problem.column + shift,
                    problem.message,
                    problem.hint,
                )
            )
            return None
        parsed, problems = clause_text.parse_markdown(text, path, line_offset=offset)
        self.problems += [replace(problem, column=problem.column + shift) for problem in problems]
        return parsed

    def party(self, role: str, doc: YamlFile, key: str) -> Party:
        data = doc.mapping(key)
        contacts = []
        for contact, title in self.label.group("contact_roles").items():
            where = (key, "dpo") if contact == "dpo" else (key, "contacts", contact)
            person = data.get("dpo") if contact == "dpo" else data["contacts"].get(contact)
            if person:
                name = person["name"]
                if person.get("role"):
                    name += f" ({self.localize(doc, person['role'], (*where, 'role'))})"
                details = ", ".join(v for v in (name, person["email"], person.get("phone")) if v)
                contacts.append((title, details))
        signatory = data["signatory"]
        authority = signatory.get("authority")
        return Party(
            self.label(role),
            self.party_name(data),
            f"{self.label('org_no')} {data['org_no']}",
            self.address(data["address"]),
            signatory["name"],
            self.localize(doc, signatory["role"], (key, "signatory", "role")),
            tuple(contacts),
            self.localize(doc, authority, (key, "signatory", "authority")) if authority else "",
        )

    def signature_lines(self) -> tuple[str, ...]:
        """How the agreement is signed, then the lines each signatory fills in."""
        method = self.agreement.data["agreement"].get("execution")
        label = self.label
        if method == "electronic":
            return (label("signature_electronic"),)
        if method == "paper":
            return (label("signature_paper"), label("sign_place_date"), label("sign_signature"))
        return (label("signature_intro"), label("sign_place_date"), label("sign_signature"))

    def build(self, draft: bool) -> Document:
        context = self.context()
        clauses = []
        for clause_id, version in self.clauses:
            clause = self.clause(clause_id, version, context)
            if clause is not None:
                clauses.append(clause)
        self.check_sub_refs(clauses)
        annexes = []
        for kind, number in self.annex_numbers.items():
            doc = self.agreement.annexes.get(kind)
            if doc is not None:
                general = self.agreement.variants.get("subprocessors") == "general"
                annex = build_annex(
                    kind,
                    doc,
                    number,
                    self.lang,
                    self._localizer(doc),
                    general=general,
                    sector=self.agreement.sector,
                )
                annexes.append(annex)
        if self.problems:
            raise ProblemsFound(self.problems)
        meta = self.agreement.data["agreement"]
        label = self.label
        title = label("title")
        main = context["agreement"]
        # a negotiated text is disclosed on the cover, so "standard terms" is never the whole story
        deviations = "; ".join(self.deviation_item(c) for c in clauses if c.deviation is not None)
        return Document(
            lang=self.lang,
            title=title,
            agreement_id=meta["id"],
            version=meta["version"],
            date=main["date"],
            iso_date=meta["date"].isoformat(),
            edition=self.edition.id,
            facts=(
                (label("agreement_id"), meta["id"]),
                (label("version"), str(meta["version"])),
                (label("date"), main["date"]),
                (
                    label("main_agreement"),
                    label(
                        "main_agreement_value",
                        title=main["main_agreement"],
                        date=main["main_agreement_date"],
                    ),
                ),
                (label("edition"), label("edition_value", edition=self.edition.id)),
                *self.translation_fact(),
                *(((label("deviations"), deviations),) if deviations else ()),
            ),
            parties=(
                self.party("controller", self.agreement.doc, "client"),
                self.party("processor", self.inputs.config, "processor"),
            ),
            parties_heading=label("parties"),
            clauses=tuple(clauses),
            annexes=tuple(annexes),
            signatures_heading=label("signatures"),
            signature_lines=self.signature_lines(),
            header=(f"{label('draft')} · " if draft else "")
            + label("header", title=title, id=meta["id"], version=meta["version"]),
            page_word=label("page"),
            of_word=label("of"),
            draft_mark=label("draft") if draft else "",
            deviations=f"{label('deviations')}: {deviations}" if deviations else "",
            annex_versions=annex_versions(annexes, self.lang),
            contents_heading=label("contents"),
        )


def assemble(inputs: Inputs, client: str, lang: str, *, draft: bool = False) -> Document:
    """The document model of ``client``'s agreement in ``lang``.

    Raises:
        ProblemsFound: a clause text or value failed; every problem is listed.
    """
    agreement = inputs.agreements[client]
    key = (client, lang, draft)
    cached = inputs.documents.get(key)
    if cached is not None and cached[0] is agreement:  # validate, check and render share it
        document: Document = cached[1]
        return document
    document = _Assembler(inputs, agreement, lang).build(draft)
    inputs.documents[key] = (agreement, document)
    return document
