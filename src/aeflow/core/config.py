"""Configuration machinery shared by both parts: YAML syntax check, numbers written as
strings, schema defaults, and schema errors as 'key.path: problem (allowed: ...)' lines.

Part-specific checks live with each part (``autoencoder.runs``, ``playground.runs``);
``aeflow.workflow`` runs them all. Imports neither torch nor Lightning: the Snakefile
imports it on every run.
"""

from __future__ import annotations

import copy
import functools
import math
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


class _DuplicateKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a mapping with the same key twice (PyYAML, and so
    Snakemake, silently keeps the last value)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        first_line: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if isinstance(key, (str, int, float, bool)) and key in first_line:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first at line {first_line[key]})",
                    key_node.start_mark,
                )
            first_line.setdefault(key, line)
        return super().construct_mapping(node, deep)


def check_yaml_syntax(path: str | os.PathLike[str]) -> None:
    """Raise ConfigError naming the file, line, column and problem of a YAML syntax error
    or of a key given twice in one mapping.

    Snakemake's own message for a broken config file names neither the line nor the problem.
    """
    text = Path(path).read_text()
    try:
        yaml.load(text, Loader=_DuplicateKeyLoader)  # a SafeLoader subclass: safe
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
            f"{path}, line {mark.line + 1}, column {mark.column + 1}: "
            f"{'YAML error' if 'duplicate key' in problem else 'YAML syntax error'}: "
            f"{problem}\n    {shown}\n    {' ' * mark.column}^"
        ) from None


# YAML 1.1 (PyYAML, Snakemake) reads 1e-5 and 1E+3 as strings: a float needs a dot there.
_NUMBER_TEXT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def _as_number(text: str | float, wanted: str | list) -> float | int | None:
    """``text`` (or an integral float such as ``20.0``) as the number the schema's ``type``
    wants, or None if it is not one."""
    wanted = [wanted] if isinstance(wanted, str) else wanted
    if isinstance(text, float):
        return int(text) if "integer" in wanted and text.is_integer() else None
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


@functools.cache
def _validator_class() -> type:
    """Draft 2020-12, except that an integer is an ``int``: JSON Schema counts ``20.0`` as
    an integer, which then reaches torch and Lightning as a float and fails there."""
    import jsonschema

    base = jsonschema.Draft202012Validator
    checker = base.TYPE_CHECKER.redefine(
        "integer", lambda _, value: isinstance(value, int) and not isinstance(value, bool)
    )
    return jsonschema.validators.extend(base, type_checker=checker)


def validator(schema: dict) -> Any:
    """A validator of ``schema`` with the project's integer rule."""
    return _validator_class()(schema)


def coerce_numbers(instance: Any, schema: dict) -> Any:
    """Replace, in place, each string the schema wants as a number by that number
    (``"1e-5"`` -> 1e-05), and each integral float where it wants an integer by that
    integer (``20.0`` -> 20); return ``instance`` (itself replaced if it is one of those)."""
    checker = validator(schema)
    for _ in range(100):  # each pass fixes at least one value; nesting is shallow
        changed = False
        for error in _type_errors(checker.iter_errors(instance)):
            if not isinstance(error.instance, (str, float)) or isinstance(error.instance, bool):
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
    messages = []
    errors = validator(schema).iter_errors(config)
    for error in sorted(errors, key=lambda e: list(map(str, e.path))):
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


def nonfinite_numbers(config: Any, at: tuple[Any, ...] = ()) -> list[str]:
    """'key.path: inf is not a finite number' for every NaN or infinity in ``config``.

    JSON Schema's bounds let NaN through (every comparison with it is false) and YAML
    writes both as ``.nan`` / ``.inf``; no setting of this workflow means either.
    """
    if isinstance(config, float) and not math.isfinite(config):
        return [f"{key_path(at)}: {config} is not a finite number (every number must be finite)"]
    if isinstance(config, dict):
        return [m for key, value in config.items() for m in nonfinite_numbers(value, (*at, key))]
    if isinstance(config, list):
        return [m for i, value in enumerate(config) for m in nonfinite_numbers(value, (*at, i))]
    return []


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
