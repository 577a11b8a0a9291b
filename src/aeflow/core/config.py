"""Configuration machinery shared by both parts: YAML syntax check, numbers written as
strings, schema defaults, and schema errors as 'key.path: problem (allowed: ...)' lines.

Part-specific checks live with each part (``autoencoder.runs``, ``playground.runs``);
``aeflow.workflow`` runs them all. Imports neither torch nor Lightning: the Snakefile
imports it on every run.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

Config = dict[str, Any]
# Variant, run and sweep names, as the schema's variant_name allows them (file-name safe).
NAME = "[A-Za-z][A-Za-z0-9_]*"


class ConfigError(ValueError):
    """The configuration is invalid; the message names every offending key."""


def key_path(parts: Iterable[Any]) -> str:
    return ".".join(str(p) for p in parts) or "<top level>"


def load_schema(path: str | os.PathLike[str]) -> dict:
    with open(path) as handle:
        return yaml.safe_load(handle)


def check_yaml_syntax(path: str | os.PathLike[str]) -> None:
    """Raise ConfigError naming the file, line, column and problem of a YAML syntax error.

    Snakemake's own message for a broken config file names neither the line nor the problem.
    """
    text = Path(path).read_text()
    try:
        yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if mark is None:
            raise ConfigError(f"{path}: YAML syntax error: {error}") from None
        problem = error.problem or error.context or "invalid YAML"
        if error.context and error.problem and error.context_mark is not None:
            start = error.context_mark
            problem += f" ({error.context} at line {start.line + 1}, column {start.column + 1})"
        lines = text.splitlines()
        shown = lines[mark.line] if mark.line < len(lines) else ""
        raise ConfigError(
            f"{path}, line {mark.line + 1}, column {mark.column + 1}: YAML syntax error: "
            f"{problem}\n    {shown}\n    {' ' * mark.column}^"
        ) from None


# YAML 1.1 (PyYAML, Snakemake) reads 1e-5 and 1E+3 as strings: a float needs a dot there.
_NUMBER_TEXT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def _as_number(text: str, wanted: str | list) -> float | int | None:
    """``text`` as the number the schema's ``type`` wants, or None if it is not one."""
    wanted = [wanted] if isinstance(wanted, str) else wanted
    if not _NUMBER_TEXT.fullmatch(text.strip()):
        return None
    value = float(text)
    if "integer" in wanted and value.is_integer():
        return int(value)
    return value if "number" in wanted else None


def _type_errors(errors: Iterable[Any]) -> Iterator[Any]:
    """Every 'type' error, also those inside a oneOf/anyOf's alternatives."""
    for error in errors:
        if error.validator == "type":
            yield error
        yield from _type_errors(error.context or ())


def coerce_numbers(instance: Any, schema: dict) -> Any:
    """Replace, in place, each string the schema wants as a number by that number
    (``"1e-5"`` -> 1e-05) and return ``instance`` (itself replaced if it is such a string)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    for _ in range(100):  # each pass fixes at least one string; nesting is shallow
        changed = False
        for error in _type_errors(validator.iter_errors(instance)):
            if not isinstance(error.instance, str):
                continue
            number = _as_number(error.instance, error.validator_value)
            if number is None:
                continue
            path = list(error.absolute_path)
            if not path:
                return number
            parent = instance
            for part in path[:-1]:
                parent = parent[part]
            if parent[path[-1]] == error.instance:
                parent[path[-1]] = number
                changed = True
        if not changed:
            break
    return instance


def schema_errors(config: Any, schema: dict, at: tuple[str, ...] = ()) -> list[str]:
    """Schema violations as 'key.path: what is wrong (what is allowed)' lines; ``at`` is
    the key path of ``config`` itself when it is a part of the whole configuration."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    messages = []
    for error in sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.path))):
        # For a oneOf, the description of the alternatives says what is allowed.
        hint = error.schema.get("description") if isinstance(error.schema, dict) else None
        path = [*at, *error.absolute_path]
        if error.validator == "propertyNames":
            message = f"invalid name {error.instance!r}"
        elif error.validator == "additionalProperties" and "unexpected" in error.message:
            allowed = sorted(error.schema.get("properties", {}))
            message = f"{error.message}; allowed keys: {', '.join(allowed)}"
            hint = None
        else:
            message = error.message
        if error.validator == "propertyNames" and error.context:
            hint = error.context[0].schema.get("description", hint)
        elif error.validator == "propertyNames":
            hint = error.schema.get("propertyNames", {}).get("description", hint)
        messages.append(f"{key_path(path)}: {message}" + (f" (allowed: {hint})" if hint else ""))
    return messages


def _resolve(schema: dict, root: dict) -> dict:
    """``schema`` with a local ``$ref`` (``#/$defs/name``) followed."""
    while "$ref" in schema:
        schema = root["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def apply_defaults(instance: Any, schema: dict, root: dict | None = None) -> Any:
    """Fill in, in place, every ``default`` the schema gives for an absent property, at any
    depth (objects, and every value of an object whose ``additionalProperties`` is a
    schema); so code reads ``config["figures"]["dpi"]``, never ``.get("dpi", 120)``."""
    root = schema if root is None else root
    schema = _resolve(schema, root)
    if not isinstance(instance, dict):
        return instance
    for name, sub in schema.get("properties", {}).items():
        sub = _resolve(sub, root)
        if name not in instance and "default" in sub:
            instance[name] = copy.deepcopy(sub["default"])
        if name in instance:
            apply_defaults(instance[name], sub, root)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        for name, value in instance.items():
            if name not in schema.get("properties", {}):
                apply_defaults(value, extra, root)
    return instance
