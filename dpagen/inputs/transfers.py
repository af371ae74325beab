"""The structured transfer basis of a recipient outside the EU/EEA, and what each basis needs.

A transfer entry names its basis under GDPR Chapter V (an adequacy decision, the standard
contractual clauses of Decision (EU) 2021/914, binding corporate rules or an Art. 49 derogation);
each basis needs its own particulars, checked here so the annex never states a basis without them.
"""

from __future__ import annotations

from typing import Any

from dpagen.errors import Problem
from dpagen.inputs.yaml_positions import YamlFile

# what each basis must state, and how to say it
NEEDED = {
    "adequacy": ("adequacy_decision", "the Commission's adequacy decision, e.g. '(EU) 2023/1795'"),
    "scc": (
        "scc_module",
        "the module of Decision (EU) 2021/914 (1 to 4; processor to processor: 3)",
    ),
    "bcr": ("bcr_approved_by", "the supervisory authority that approved the rules"),
    "derogation": ("derogation", "the point of Art. 49(1), a to g"),
}


def transfer_problems(
    doc: YamlFile, path: tuple[Any, ...], transfer: Any, location: Any
) -> list[Problem]:
    """What the transfer at ``path`` lacks for its basis (only a schema-valid mapping is read)."""
    if not isinstance(transfer, dict) or transfer.get("basis") not in NEEDED:
        return []
    basis = transfer["basis"]
    field, what = NEEDED[basis]
    problems = []
    if transfer.get(field) in (None, ""):
        problems.append(
            doc.problem(
                (*path, "basis"),
                f"a transfer on basis '{basis}' needs '{field}'",
                f"add '{field}:' with {what}",
            )
        )
    if basis == "adequacy" and location == "US" and transfer.get("dpf_certified") is not True:
        problems.append(
            doc.problem(
                (*path, "basis"),
                "the adequacy decision for the United States (EU-US Data Privacy Framework) covers "
                "only organisations certified under it",
                "set 'dpf_certified: true' with 'dpf_checked_on:' after checking the Data Privacy "
                "Framework List, or give another basis such as 'scc'",
            )
        )
    if transfer.get("dpf_certified") is not None and "dpf_checked_on" not in transfer:
        problems.append(
            doc.problem(
                (*path, "dpf_certified"),
                "the Data Privacy Framework status has no date",
                "add 'dpf_checked_on:' with the date the Data Privacy Framework List was checked",
                key=True,
            )
        )
    return problems


def chain_problems(doc: YamlFile, path: tuple[Any, ...], entry: Any) -> list[Problem]:
    """The transfer particulars of a sub-processor and of each of its own sub-processors."""
    if not isinstance(entry, dict):
        return []
    problems = transfer_problems(
        doc, (*path, "transfer"), entry.get("transfer"), entry.get("location")
    )
    for index, further in enumerate(entry.get("further_subprocessors") or []):
        if isinstance(further, dict):
            where = (*path, "further_subprocessors", index, "transfer")
            problems += transfer_problems(
                doc, where, further.get("transfer"), further.get("location")
            )
    return problems
