"""Schema validation of loaded YAML files with cerberus, reported as positioned problems.

The schemas are data (``dpagen/schemas/*.yaml``). This module adds the value checks cerberus
lacks (Swedish organisation numbers, e-mail addresses, country codes, bilingual text) and turns
cerberus' error tree into :class:`~dpagen.errors.Problem` records that point at the exact key or
value, with a suggestion for misspelt keys.
"""

from __future__ import annotations

import datetime as dt
import difflib
from functools import cache
from typing import Any

import cerberus
from cerberus import errors as cerrors

from dpagen.errors import Problem
from dpagen.inputs.yaml_positions import YamlFile, load_package_yaml

LANGUAGES = ("sv", "en")

_TYPE_NAMES = {
    "string": "a text",
    "integer": "a whole number",
    "boolean": "true or false",
    "date": "a date (YYYY-MM-DD)",
    "list": "a list",
    "dict": "a mapping of keys to values",
    "text": "a text, or a mapping with 'sv' and 'en' texts",
}


@cache
def requirements() -> dict[str, dict[str, str]]:
    """The legal requirement tags a clause may declare in ``covers``."""
    data: dict[str, dict[str, str]] = load_package_yaml("requirements.yaml")
    return data


@cache
def _registry() -> cerberus.schema.SchemaRegistry:
    registry = cerberus.schema.SchemaRegistry()
    for name, schema in load_package_yaml("schemas/common.yaml").items():
        registry.add(name, _strict(schema))
    return registry


def _strict(schema: Any) -> Any:
    """Forbid empty strings unless a rule says otherwise; check the shape of bilingual texts."""
    if isinstance(schema, dict):
        result = {key: _strict(value) for key, value in schema.items()}
        if result.get("type") in ("string", "text") and "empty" not in result:
            result["empty"] = False
        if result.get("type") == "text" and "check_with" not in result:
            result["check_with"] = "text"
        return result
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    return schema


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The schema ``dpagen/schemas/<name>.yaml`` with registry references resolved lazily."""
    schema: dict[str, Any] = _strict(load_package_yaml(f"schemas/{name}.yaml"))
    return schema


def is_valid_orgnr(value: str) -> bool:
    """True for a valid Swedish organisation number (check digit included)."""
    from stdnum.se import orgnr

    return bool(orgnr.is_valid(value))


def is_valid_email(value: str) -> bool:
    """True for a syntactically valid e-mail address (no network look-up)."""
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def is_country(value: str) -> bool:
    """True for an ISO 3166-1 alpha-2 country code in capitals."""
    import pycountry

    return (
        len(value) == 2 and value.isupper() and pycountry.countries.get(alpha_2=value) is not None
    )


class _Validator(cerberus.Validator):  # type: ignore[misc]
    types_mapping = {
        **cerberus.Validator.types_mapping,
        "text": cerberus.TypeDefinition("text", (str, dict), ()),
        # a date and time is a date to Python; a release lock could not read it back
        "date": cerberus.TypeDefinition("date", (dt.date,), (dt.datetime,)),
    }

    def _check_with_text(self, field: str, value: Any) -> None:
        if isinstance(value, dict):
            wrong = [str(key) for key in value if key not in LANGUAGES]
            if wrong or not value:
                self._error(field, "a bilingual text needs the keys 'sv' and/or 'en' only")
            elif not all(isinstance(text, str) and text.strip() for text in value.values()):
                self._error(field, "each language needs a non-empty text")

    def _check_with_orgnr(self, field: str, value: Any) -> None:
        if isinstance(value, str) and value and not is_valid_orgnr(value):
            self._error(field, f"'{value}' is not a valid Swedish organisation number")

    def _check_with_email(self, field: str, value: Any) -> None:
        if isinstance(value, str) and value and not is_valid_email(value):
            self._error(field, f"'{value}' is not a valid e-mail address")

    def _check_with_country(self, field: str, value: Any) -> None:
        if isinstance(value, str) and value and not is_country(value):
            self._error(field, f"'{value}' is not an ISO 3166 country code")

    def _check_with_requirement(self, field: str, value: Any) -> None:
        if isinstance(value, str) and value not in requirements():
            self._error(field, f"unknown requirement tag '{value}'")


_HINTS = {
    "orgnr": "write it as NNNNNN-NNNN and check the digits; the last digit is a check digit",
    "e-mail": "write an address like name@example.se",
    "ISO 3166": "use two capital letters, e.g. SE, DE, US",
    "requirement": "see the list of requirement tags in the clause author's guide",
    "bilingual": "write a text, or a mapping like {sv: Text på svenska, en: English text}",
    "each language": "fill in the text for every language",
}


def validate(doc: YamlFile, schema_name: str) -> list[Problem]:
    """Validate ``doc`` against the named schema; every problem is returned, positioned."""
    if doc.data is None:
        return [doc.problem((), "file is empty", "see the documentation for what it must contain")]
    if not isinstance(doc.data, dict):
        return [doc.problem((), "the file must be a mapping of keys to values")]
    schema = load_schema(schema_name)
    validator = _Validator(schema, schema_registry=_registry(), allow_unknown=False)
    # no normalising: dpagen's schemas have no defaults or coercions, and cerberus' normaliser
    # fails on a list where a mapping with a registered schema belongs
    validator.validate(doc.data, normalize=False)
    errors = _leaves(validator._errors)
    suggested: set[tuple[Any, ...]] = (
        set()
    )  # a misspelt key is not reported a second time as missing
    for error in errors:
        if error.code == cerrors.UNKNOWN_FIELD.code:
            path = tuple(error.document_path)
            close = difflib.get_close_matches(str(path[-1]), _known_keys(schema, path[:-1]), n=1)
            suggested.update((*path[:-1], key) for key in close)
    return [
        _problem(doc, error, schema)
        for error in errors
        if not (
            error.code == cerrors.REQUIRED_FIELD.code and tuple(error.document_path) in suggested
        )
    ]


def validate_loaded(doc: YamlFile, problems: list[Problem], schema_name: str) -> list[Problem]:
    """Loading problems plus schema problems, when the file was parsed far enough to check."""
    if doc.data is None and problems:
        return problems
    return problems + validate(doc, schema_name)


def _leaves(errors: Any) -> list[cerrors.ValidationError]:
    result: list[cerrors.ValidationError] = []
    for error in errors:
        if error.code == cerrors.ONEOF.code or error.code == cerrors.ANYOF.code:
            result.append(error)  # one message for the alternatives, not one per branch
        elif error.is_group_error and error.child_errors:
            result.extend(_leaves(error.child_errors))
        else:
            result.append(error)
    return result


def _problem(doc: YamlFile, error: cerrors.ValidationError, schema: dict[str, Any]) -> Problem:
    path = tuple(error.document_path)
    name = ".".join(str(step) for step in path)
    code = error.code
    if code == cerrors.REQUIRED_FIELD.code:
        parent = ".".join(str(step) for step in path[:-1]) or "the file"
        return doc.problem(
            path[:-1],
            f"missing required key '{path[-1]}' in {parent}",
            f"add '{path[-1]}:' with a value",
            key=True,
        )
    if code == cerrors.UNKNOWN_FIELD.code:
        known = _known_keys(schema, path[:-1])
        close = difflib.get_close_matches(str(path[-1]), known, n=1)
        hint = (
            f"did you mean '{close[0]}'?"
            if close
            else (f"known keys here: {', '.join(known)}" if known else "remove it")
        )
        where = ".".join(str(step) for step in path[:-1]) or "the top level"
        return doc.problem(path, f"unknown key '{path[-1]}' in {where}", hint, key=True)
    if code == cerrors.BAD_TYPE.code:
        wanted = error.constraint if isinstance(error.constraint, str) else error.constraint[0]
        return doc.problem(
            path,
            f"{name}: expected {_TYPE_NAMES.get(wanted, wanted)}, found {_describe(error.value)}",
            _type_hint(wanted, error.value),
        )
    if code == cerrors.EMPTY_NOT_ALLOWED.code:
        return doc.problem(path, f"{name}: value is empty", "fill in this value")
    if code == cerrors.NOT_NULLABLE.code:
        return doc.problem(path, f"{name}: value is missing", "fill in this value")
    if code == cerrors.UNALLOWED_VALUE.code:
        allowed = ", ".join(str(v) for v in error.constraint)
        return doc.problem(
            path, f"{name}: '{error.value}' is not allowed", f"use one of: {allowed}"
        )
    if code == cerrors.MIN_VALUE.code:
        return doc.problem(path, f"{name}: {error.value} is less than {error.constraint}")
    if code == cerrors.MAX_VALUE.code:
        return doc.problem(path, f"{name}: {error.value} is more than {error.constraint}")
    if code == cerrors.MIN_LENGTH.code:
        return doc.problem(
            path,
            f"{name}: needs at least {error.constraint} "
            f"entr{'y' if error.constraint == 1 else 'ies'}",
        )
    if code == cerrors.MAX_LENGTH.code:
        return doc.problem(path, f"{name}: allows at most {error.constraint} entries")
    if code == cerrors.REGEX_MISMATCH.code:
        return doc.problem(
            path,
            f"{name}: '{error.value}' has the wrong form",
            f"it must match the pattern {error.constraint}",
        )
    if code in (cerrors.ONEOF.code, cerrors.ANYOF.code):
        return doc.problem(
            path, f"{name}: value has the wrong form", "see the annex guide for the accepted forms"
        )
    if code == cerrors.CUSTOM.code:
        message = str(error.info[0]) if error.info else "invalid value"
        hint = next((h for key, h in _HINTS.items() if key in message), "")
        if "organisation number" in message:
            hint = _HINTS["orgnr"]
        return doc.problem(path, f"{name}: {message}", hint)
    return doc.problem(path, f"{name}: invalid value ({error.rule})")


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text '{value}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, dt.datetime):
        return f"the date and time {value.isoformat(sep=' ')}"
    if isinstance(value, float):
        return f"the number {value}"
    return type(value).__name__


def _type_hint(wanted: str, value: Any) -> str:
    if wanted == "string" and isinstance(value, int):
        return "put the value in quotes"
    if wanted == "list":
        return "write one '- item' per line"
    if wanted == "date":
        return "write the date as YYYY-MM-DD without quotes"
    return ""


def _known_keys(schema: dict[str, Any], path: tuple[Any, ...]) -> list[str]:
    """The keys the schema allows at ``path`` (a mapping inside the document)."""
    current: Any = {"type": "dict", "schema": schema}
    for step in path:
        current = _resolve(current)
        if isinstance(step, int):
            current = current.get("schema", {})
        else:
            inner = _resolve(current).get("schema", {})
            inner = _registry().get(inner) if isinstance(inner, str) else inner
            current = inner.get(step, {}) if isinstance(inner, dict) else {}
            if not current and "valuesrules" in _resolve(current):
                current = _resolve(current)["valuesrules"]
    inner = _resolve(current).get("schema", {})
    inner = _registry().get(inner) if isinstance(inner, str) else inner
    return sorted(inner) if isinstance(inner, dict) else []


def _resolve(rules: Any) -> dict[str, Any]:
    return rules if isinstance(rules, dict) else {}
