"""Load every input of a workspace and check how the files fit together.

Schema problems are found per file (:mod:`dpagen.schema`); this module adds the checks that need
more than one file: editions, variants, terms, deviations and annex files of each agreement.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dpagen.errors import Problem
from dpagen.inputs.clause_library import Edition, Library, check_term_value, load_library
from dpagen.inputs.identity import NATURAL_KEYS
from dpagen.inputs.register import Register, load_register, resolve_annex
from dpagen.inputs.schema import LANGUAGES, validate_loaded
from dpagen.inputs.yaml_positions import YamlFile, load_yaml
from dpagen.workspace import Workspace, outside_problem


@dataclass
class AgreementInput:
    """One client's files, with the edition, languages, variants and terms resolved."""

    client: str
    doc: YamlFile
    annexes: dict[str, YamlFile] = field(default_factory=dict)
    edition: Edition | None = None
    languages: tuple[str, ...] = ("sv",)
    variants: dict[str, str | None] = field(default_factory=dict)
    terms: dict[str, Any] = field(default_factory=dict)
    deviations: dict[str, int] = field(default_factory=dict)  # clause id → index in the list
    ok: bool = True  # no errors in this client's own files

    @property
    def data(self) -> dict[str, Any]:
        """The parsed ``agreement.yaml``."""
        data: dict[str, Any] = self.doc.data
        return data

    @property
    def sector(self) -> str:
        """The client's sector, which selects the sector modules; private when not given."""
        client = self.data.get("client") if isinstance(self.data, dict) else None
        sector = client.get("sector") if isinstance(client, dict) else None
        return sector if isinstance(sector, str) else "private"

    def clauses(self, library: Library) -> tuple[tuple[str, int], ...]:
        """The clause versions this agreement includes: its edition's, for its sector."""
        if self.edition is None:
            return ()
        return library.agreement_clauses(self.edition, self.sector)


@dataclass
class Inputs:
    """Everything loaded from a workspace."""

    workspace: Workspace
    config: YamlFile
    library: Library
    register: Register = field(default_factory=Register)
    agreements: dict[str, AgreementInput] = field(default_factory=dict)
    # assembled documents: (client, lang, draft) → (the agreement it was made from, document)
    documents: dict[tuple[str, str, bool], tuple[AgreementInput, Any]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def processor(self) -> dict[str, Any]:
        """The processor's identity from ``dpagen.yaml``."""
        return self.config.mapping("processor")

    @property
    def defaults(self) -> dict[str, Any]:
        """The ``defaults`` of ``dpagen.yaml``."""
        return self.config.mapping("defaults")


def load_inputs(ws: Workspace, clients: list[str] | None = None) -> tuple[Inputs, list[Problem]]:
    """Load the workspace file, the library and the given (default: all) clients."""
    config, problems = load_yaml(ws.config_file, ws.root)
    problems = validate_loaded(config, problems, "workspace")
    library, library_problems = load_library(ws)
    problems += library_problems
    register, register_problems = load_register(ws)
    problems += register_problems
    inputs = Inputs(ws, config, library, register)
    problems += _check_defaults(inputs)
    problems += _check_links(ws)
    for client in ws.clients() if clients is None else clients:
        folder = ws.client_dir(client, must_exist=clients is not None)
        refused = ws.outside(folder)
        if refused is not None:
            problems.append(refused)
            continue
        if not (folder / "agreement.yaml").is_file():
            problems.append(
                Problem(
                    folder,
                    1,
                    1,
                    f"client folder '{client}' has no agreement.yaml",
                    f"create it with 'dpagen new {client} ...' or remove the folder",
                )
            )
            continue
        agreement, found = _load_agreement(inputs, client, folder)
        problems += found
        if agreement is not None:
            agreement.ok = not has_errors(found) and agreement.edition is not None
            inputs.agreements[client] = agreement
    return inputs, problems


def has_errors(problems: list[Problem]) -> bool:
    """True when any problem is an error rather than a warning."""
    return any(problem.severity == "error" for problem in problems)


def output_problem(config: YamlFile) -> Problem | None:
    """The problem with ``defaults.output`` in the workspace file, if it leads outside."""
    output = config.mapping("defaults").get("output")
    if isinstance(output, str) and (Path(output).is_absolute() or ".." in Path(output).parts):
        return config.problem(
            ("defaults", "output"),
            f"defaults.output: '{output}' leads outside the workspace",
            "name a folder inside the workspace, such as out; use --out for another place",
        )
    return None


def _check_defaults(inputs: Inputs) -> list[Problem]:
    problems: list[Problem] = []
    refused = output_problem(inputs.config)
    if refused is not None:
        problems.append(refused)
    edition = inputs.defaults.get("edition")
    readable = inputs.library.valid  # else the library's own errors say enough
    if isinstance(edition, str) and edition not in inputs.library.editions and readable:
        problems.append(
            inputs.library.edition_problem(edition, inputs.config, ("defaults", "edition"))
        )
    known = inputs.library.all_terms()
    for name, value in inputs.config.mapping("defaults", "terms").items():
        path = ("defaults", "terms", name)
        if name not in known:
            if inputs.library.complete:  # else the term may belong to a clause that failed to load
                problems.append(_unknown_term(inputs.config, path, name, known))
        else:
            problems += check_term_value(known[name], value, inputs.config, path)
    return problems


def _check_links(ws: Workspace) -> list[Problem]:
    """Folders that lead outside the workspace, and templates that lead outside ``templates/``."""
    problems = [
        refused
        for folder in (ws.agreements, ws.templates)
        if (refused := ws.outside(folder)) is not None
    ]
    if problems or not ws.templates.is_dir():
        return problems
    for folder, dirs, files in os.walk(ws.templates):
        for name in sorted(dirs + files):
            path = Path(folder) / name
            if path.is_symlink() and (link := outside_problem(path, ws.templates, "templates/")):
                problems.append(link)
    return problems


def _unknown_term(
    doc: YamlFile, path: tuple[Any, ...], name: str, known: dict[str, Any]
) -> Problem:
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"known terms: {', '.join(sorted(known))}"
    return doc.problem(path, f"unknown term '{name}'", hint, key=True)


def _load_agreement(
    inputs: Inputs, client: str, folder: Path
) -> tuple[AgreementInput | None, list[Problem]]:
    doc, problems = load_yaml(folder / "agreement.yaml", inputs.workspace.root)
    problems = validate_loaded(doc, problems, "agreement")
    if doc.data is None or not isinstance(doc.data, dict):
        return None, problems
    agreement = AgreementInput(client, doc)
    meta = doc.mapping("agreement")
    languages = meta.get("languages") or inputs.defaults.get("languages") or ["sv"]
    languages = languages if isinstance(languages, list) else ["sv"]
    agreement.languages = tuple(lang for lang in LANGUAGES if lang in languages)
    edition_id = meta.get("edition") or inputs.defaults.get("edition")
    library = inputs.library
    if not isinstance(edition_id, str):
        problems.append(
            doc.problem(
                ("agreement",),
                "no edition chosen",
                "set agreement.edition, or defaults.edition in dpagen.yaml",
            )
        )
    elif edition_id not in library.editions:
        # an unknown default is reported once, in dpagen.yaml; an unreadable library by itself
        if meta.get("edition") and library.valid:
            problems.append(library.edition_problem(edition_id, doc, ("agreement", "edition")))
    else:
        agreement.edition = library.editions[edition_id]
        problems += _resolve_variants(inputs, agreement)
        problems += _resolve_terms(inputs, agreement)
        problems += _check_deviations(inputs, agreement)
        problems += _load_annexes(agreement, folder, inputs)
    return agreement, problems


def _resolve_variants(inputs: Inputs, agreement: AgreementInput) -> list[Problem]:
    assert agreement.edition is not None
    problems: list[Problem] = []
    library = inputs.library
    in_edition = [clause_id for clause_id, _ in agreement.edition.clauses]
    chosen = agreement.doc.mapping("variants")
    for clause_id, variant in chosen.items():
        path = ("variants", clause_id)
        clause = library.clauses.get(clause_id)
        if clause_id not in in_edition or clause is None:
            close = difflib.get_close_matches(clause_id, in_edition, n=1)
            problems.append(
                agreement.doc.problem(
                    path,
                    f"clause '{clause_id}' is not in edition {agreement.edition.id}",
                    f"did you mean '{close[0]}'?" if close else "",
                    key=True,
                )
            )
        elif not clause.variants:
            problems.append(
                agreement.doc.problem(
                    path, f"clause '{clause_id}' has no variants", "remove this line", key=True
                )
            )
        elif not isinstance(variant, str) or variant not in clause.variants:
            problems.append(
                agreement.doc.problem(
                    path,
                    f"clause '{clause_id}' has no variant '{variant}'",
                    f"variants: {', '.join(clause.variants)}",
                )
            )
    for clause_id in in_edition:
        clause = library.clauses.get(clause_id)
        if clause is not None:
            wanted = chosen.get(clause_id)
            valid = isinstance(wanted, str) and wanted in clause.variants
            agreement.variants[clause_id] = wanted if valid else clause.default_variant()
    return problems


def _resolve_terms(inputs: Inputs, agreement: AgreementInput) -> list[Problem]:
    assert agreement.edition is not None
    problems: list[Problem] = []
    specs = inputs.library.edition_terms(agreement.edition)
    included = dict(agreement.clauses(inputs.library))  # a module's terms apply only with it
    given = agreement.doc.mapping("terms")
    defaults = inputs.config.mapping("defaults", "terms")
    for name, value in given.items():
        path = ("terms", name)
        if name not in specs:
            if inputs.library.complete:  # else the term may belong to a clause that failed to load
                problems.append(_unknown_term(agreement.doc, path, name, specs))
        else:
            problems += check_term_value(specs[name], value, agreement.doc, path)
            spec = specs[name]
            chosen = agreement.variants.get(spec.clause)
            if spec.clause not in included:
                problems.append(
                    agreement.doc.problem(
                        path,
                        f"term '{name}' has no effect: it belongs to '{spec.clause}', a sector "
                        f"module that agreements with a {agreement.sector} client do not include",
                        "remove it, or check client.sector",
                        key=True,
                        severity="warning",
                    )
                )
            elif spec.variants and chosen not in spec.variants:
                problems.append(
                    agreement.doc.problem(
                        path,
                        f"term '{name}' has no effect: it applies to the "
                        f"{' or '.join(spec.variants)} variant of '{spec.clause}', "
                        f"which uses {chosen}",
                        "remove it, or choose that variant under variants:",
                        key=True,
                        severity="warning",
                    )
                )
    for name, spec in specs.items():
        if spec.clause not in included:
            continue
        if spec.variants and agreement.variants.get(spec.clause) not in spec.variants:
            continue
        if name in given:
            agreement.terms[name] = given[name]
        elif name in defaults:
            agreement.terms[name] = defaults[name]
        elif spec.has_default:
            agreement.terms[name] = spec.default
        else:
            problems.append(
                agreement.doc.problem(
                    ("terms",) if "terms" in agreement.doc.data else (),
                    f"term '{name}' has no value",
                    f"add '{name}:' under terms: {spec.description}",
                )
            )
    return problems


def _check_deviations(inputs: Inputs, agreement: AgreementInput) -> list[Problem]:
    assert agreement.edition is not None
    problems: list[Problem] = []
    in_edition = [clause_id for clause_id, _ in agreement.edition.clauses]
    for index, deviation in enumerate(agreement.doc.sequence("deviations")):
        clause_id = deviation.get("clause") if isinstance(deviation, dict) else None
        if not isinstance(clause_id, str):
            continue
        path = ("deviations", index, "clause")
        if clause_id not in in_edition:
            close = difflib.get_close_matches(clause_id, in_edition, n=1)
            problems.append(
                agreement.doc.problem(
                    path,
                    f"deviation for clause '{clause_id}', which is not in edition "
                    f"{agreement.edition.id}",
                    f"did you mean '{close[0]}'?" if close else "",
                )
            )
            continue
        if clause_id not in dict(agreement.clauses(inputs.library)):
            problems.append(
                agreement.doc.problem(
                    path,
                    f"deviation for clause '{clause_id}', a sector module that agreements "
                    f"with a {agreement.sector} client do not include",
                    "remove the deviation, or check client.sector",
                )
            )
            continue
        if clause_id in agreement.deviations:
            problems.append(
                agreement.doc.problem(
                    path,
                    f"a second deviation for '{clause_id}'",
                    "merge the two deviations into one",
                )
            )
        if "text" not in deviation and "paragraphs" not in deviation:
            problems.append(
                agreement.doc.problem(
                    path,
                    f"deviation for '{clause_id}' has neither text nor paragraphs",
                    "give 'text:' to replace the whole clause, or 'paragraphs:' to replace, "
                    "delete or insert numbered paragraphs of the standard text",
                )
            )
        problems += _check_deviation_texts(agreement, index, clause_id, deviation)
        agreement.deviations[clause_id] = index
    return problems


def _check_deviation_texts(
    agreement: AgreementInput, index: int, clause_id: str, deviation: dict[str, Any]
) -> list[Problem]:
    """Every language's text of a deviation, and one operation per changed paragraph."""
    problems: list[Problem] = []
    texts = deviation.get("text")
    for lang in agreement.languages if isinstance(texts, dict) else ():  # else a type error
        if not (texts or {}).get(lang):
            problems.append(
                agreement.doc.problem(
                    ("deviations", index, "text"),
                    f"deviation for '{clause_id}' has no {lang} text",
                    f"add '{lang}: |' with the negotiated wording",
                )
            )
    changes = deviation.get("paragraphs")
    for number, change in enumerate(changes if isinstance(changes, list) else []):
        if not isinstance(change, dict):
            continue  # a type error
        where = ("deviations", index, "paragraphs", number)
        operations = [name for name in ("replace", "delete", "insert_after") if name in change]
        if len(operations) != 1:
            problems.append(
                agreement.doc.problem(
                    where,
                    f"deviation for '{clause_id}', change {number + 1}: give exactly one of "
                    "replace, delete and insert_after",
                    "replace: N or insert_after: N with text, or delete: N (N counts the "
                    "standard text's paragraphs from 1)",
                )
            )
            continue
        wants_text = operations[0] != "delete"
        if wants_text != ("text" in change):
            problems.append(
                agreement.doc.problem(
                    where,
                    f"deviation for '{clause_id}', change {number + 1}: "
                    + ("add the text" if wants_text else "delete takes no text"),
                )
            )
            continue
        paragraph_texts = change.get("text")
        for lang in agreement.languages if isinstance(paragraph_texts, dict) else ():
            if not (paragraph_texts or {}).get(lang):
                problems.append(
                    agreement.doc.problem(
                        (*where, "text"),
                        f"deviation for '{clause_id}', change {number + 1} has no {lang} text",
                        f"add '{lang}: ...' with the negotiated wording",
                    )
                )
    return problems


def _check_changelog(doc: YamlFile) -> list[Problem]:
    """The change log, when there is one, ends with the annex's current version."""
    entries = doc.sequence("changelog")
    versions = [entry["version"] for entry in entries]
    version = doc.data["version"]
    if not versions or versions[-1] == version and max(versions) == version:
        return []
    return [
        doc.problem(
            ("changelog",),
            f"the change log's last entry is for version "
            f"{versions[-1]}, but the annex is version {version}",
            "add an entry for the current version; 'dpagen annex bump' does both",
            key=True,
        )
    ]


def _check_identities(doc: YamlFile, kind: str) -> list[Problem]:
    """Two items of one annex list with the same ``id:``, which must name one item each.

    Items without an id are followed by their natural key; two with the same one (say two
    storage rules for the same data) are matched in their order.
    """
    problems: list[Problem] = []
    for items in NATURAL_KEYS.get(kind, {}):
        seen: dict[str, int] = {}
        for index, item in enumerate(doc.sequence(items)):
            if not isinstance(item, dict) or item.get("id") is None:
                continue
            if item["id"] not in seen:
                seen[item["id"]] = index
                continue
            problems.append(
                doc.problem(
                    (items, index, "id"),
                    f"{items}: item {index + 1} has the id '{item['id']}' of item "
                    f"{seen[item['id']] + 1}",
                    "ids within a list must differ",
                )
            )
    return problems


def _load_annexes(agreement: AgreementInput, folder: Path, inputs: Inputs) -> list[Problem]:
    assert agreement.edition is not None
    problems: list[Problem] = []
    annex_folder = folder / "annexes"
    refused = inputs.workspace.outside(annex_folder)
    if refused is not None:
        return [refused]
    for kind in agreement.edition.annexes:
        path = annex_folder / f"{kind}.yaml"
        if not path.is_file():
            problems.append(
                agreement.doc.problem(
                    (),
                    f"annex file annexes/{kind}.yaml is missing",
                    f"edition {agreement.edition.id} includes the {kind} annex; create the file",
                )
            )
            continue
        doc, loaded = load_yaml(path, inputs.workspace.root)
        found = validate_loaded(doc, loaded, f"annex_{kind}")
        if not has_errors(found):
            found += _check_changelog(doc)
        if kind == "subprocessors" and not has_errors(found):
            found += resolve_annex(doc, inputs.register, agreement.languages)
        if not has_errors(found):
            found += _check_identities(doc, kind)
        problems += found
        if not has_errors(found):
            agreement.annexes[kind] = doc
    if annex_folder.is_dir():
        for path in sorted(annex_folder.glob("*.yaml")):
            if path.stem not in agreement.edition.annexes:
                problems.append(
                    Problem(
                        path,
                        1,
                        1,
                        f"annex '{path.stem}' is not part of edition {agreement.edition.id}",
                        "remove the file or choose an edition that includes it",
                        "warning",
                    )
                )
    return problems
