"""Sweeps over settings, shared by both parts (torch-free): the three forms a sweep takes
in the config, the points each form makes, readable file-name-safe names for them, and
clear errors for bad specs.

Forms (keys are dotted ``section.name`` settings of the part's base settings):

- one at a time: ``{key: K, values: [v1, v2, ...]}``, one point per value;
- grid: ``{grid: {K1: [...], K2: [...]}}``, the cartesian product (first key slowest);
- random: ``{random: {n: N, seed: S, space: {K: {log_uniform: [lo, hi]} | {uniform:
  [lo, hi]} | {int_uniform: [lo, hi]} | {int_log_uniform: [lo, hi]} | {choice: [...]}}}}``,
  N points; point i is drawn from its own generator seeded (S, i), so raising N keeps the
  first points. Settings that take integers only (epochs, batch sizes, seeds) are drawn
  with the ``int_`` distributions (both ends included) or ``choice``.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from aeflow.core.config import coerce_numbers, key_path, schema_errors

FORMS = ("values", "grid", "random")
DISTRIBUTIONS = ("uniform", "log_uniform", "int_uniform", "int_log_uniform", "choice")
INTEGER_DISTRIBUTIONS = ("int_uniform", "int_log_uniform")
SLUG = "[A-Za-z0-9_.+-]+"  # what value_slug returns: file-name safe, no slash or space
SLUG_MAX = 40  # longer slugs are cut and made unique with a digest
Assignment = dict[str, Any]  # setting key -> value


def sweep_form(spec: dict) -> str:
    """'values' (one key at a time), 'grid' or 'random'."""
    if "grid" in spec:
        return "grid"
    if "random" in spec:
        return "random"
    return "values"


def sweep_keys(spec: dict) -> list[str]:
    """The settings a sweep varies, in config order."""
    form = sweep_form(spec)
    if form == "grid":
        return list(spec["grid"])
    if form == "random":
        return list(spec["random"]["space"])
    return [spec["key"]]


def _draw(rng: np.random.Generator, distribution: dict) -> Any:
    (kind, argument), *_ = distribution.items()
    if kind == "choice":
        return copy.deepcopy(argument[int(rng.integers(len(argument)))])
    low, high = argument
    if kind == "int_uniform":
        return int(rng.integers(low, high + 1))
    if kind == "int_log_uniform":
        # Log-uniform over [low - 1/2, high + 1/2), rounded: every integer can come out.
        drawn = math.exp(rng.uniform(math.log(low - 0.5), math.log(high + 0.5)))
        return int(min(max(round(drawn), low), high))
    if kind == "log_uniform":
        return float(math.exp(rng.uniform(math.log(low), math.log(high))))
    return float(rng.uniform(low, high))


def _types(schema: dict) -> set[str]:
    """The JSON types a setting's schema admits, its oneOf/anyOf branches included."""
    types = schema.get("type", [])
    found = {types} if isinstance(types, str) else set(types)
    for branch in schema.get("oneOf", []) + schema.get("anyOf", []):
        found |= _types(branch)
    return found


def takes_integers_only(schema: dict) -> bool:
    """Whether a setting admits integers but no other numbers (epochs, a batch size)."""
    types = _types(schema)
    return "integer" in types and "number" not in types


def assignments(spec: dict) -> list[Assignment]:
    """The sweep's points, each as {setting key: value}, in a fixed order."""
    form = sweep_form(spec)
    if form == "values":
        return [{spec["key"]: copy.deepcopy(value)} for value in spec["values"]]
    if form == "grid":
        keys = list(spec["grid"])
        return [
            dict(zip(keys, copy.deepcopy(combination), strict=True))
            for combination in itertools.product(*spec["grid"].values())
        ]
    random = spec["random"]
    points = []
    for i in range(random["n"]):
        rng = np.random.default_rng([random.get("seed", 0), i])
        points.append({key: _draw(rng, dist) for key, dist in random["space"].items()})
    return points


def apply(settings: dict, assignment: Assignment) -> dict:
    """``settings`` (sections of settings) with each dotted key of ``assignment`` replaced."""
    changed = copy.deepcopy(settings)
    for key, value in assignment.items():
        section, name = key.split(".")
        changed[section][name] = copy.deepcopy(value)
    return changed


def value_text(value: Any) -> str:
    """A value as plain text: lists joined by 'x' (numbers) or '+' (names), floats by repr."""
    if isinstance(value, (list, tuple)):
        joiner = "+" if any(isinstance(v, str) for v in value) else "x"
        return joiner.join(value_text(v) for v in value) or "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same float: distinct values
        # never share a name (unlike '%g', which rounds to 6 digits).
        text = repr(value)
        return text.removesuffix(".0") if "e" not in text else text
    return str(value)


def value_slug(value: Any) -> str:
    """A readable, file-name-safe text for a swept value: 0.03 -> '0.03', 1e-05 -> '1e-05',
    [8, 8] -> '8x8', [x1, x2] -> 'x1+x2', [] -> 'none'. Characters outside ``SLUG`` are
    replaced, and a slug that was changed or is long ends in a digest of the value, so
    distinct values always get distinct names."""
    raw = value_text(value)
    if re.fullmatch(SLUG, raw) and len(raw) <= SLUG_MAX:
        return raw
    digest = hashlib.sha1(repr(value).encode()).hexdigest()[:8]
    return re.sub(r"[^A-Za-z0-9_.+-]", "_", raw)[: SLUG_MAX - 9] + "_" + digest


def point_slugs(spec: dict, points: list[Assignment]) -> list[str]:
    """Per point, the part of its trial name after the sweep's: the value's slug (one at a
    time), the values' slugs joined by '_' (grid; a digest where that is ambiguous or
    long), or the point's index (random: its values live in the tables)."""
    form = sweep_form(spec)
    if form == "random":
        width = len(str(max(len(points) - 1, 0)))
        return [f"{i:0{width}d}" for i in range(len(points))]
    slugs = ["_".join(value_slug(v) for v in point.values()) for point in points]
    if form == "grid" and (len(set(slugs)) < len(slugs) or max(map(len, slugs)) > SLUG_MAX):
        # Underscores inside values could make two points read alike: keep names unique.
        slugs = [
            s if len(s) <= SLUG_MAX and slugs.count(s) == 1
            else hashlib.sha1(repr(sorted(p.items())).encode()).hexdigest()[:10]
            for s, p in zip(slugs, points, strict=True)
        ]  # fmt: skip
    return slugs


def point_label(point: Assignment, label: Callable[[Any], str] = value_text) -> str:
    """How a point reads in a sentence: the value alone for one key, else 'k=v, k=v' with
    floats to 3 significant digits (the tables keep them whole)."""
    if len(point) == 1:
        return label(next(iter(point.values())))
    return ", ".join(
        f"{key.split('.')[-1]}={f'{value:.3g}' if isinstance(value, float) else label(value)}"
        for key, value in point.items()
    )


def spec_errors(
    where: tuple[str, ...], spec: dict, setting_schema: Callable[[str], dict | None]
) -> list[str]:
    """Problems of one sweep spec, each naming its key path and what is allowed. Values are
    checked (and numbers written as text converted, in place) against the schema of the
    setting they replace; ``setting_schema(key)`` is None for a key that cannot be swept."""
    forms = [form for form in ("key", "grid", "random") if form in spec]
    if len(forms) != 1:
        return [
            f"{key_path(where)}: give exactly one of 'key' with 'values' (one at a time), "
            f"'grid' or 'random'; got {sorted(spec) or 'nothing'}"
        ]
    form = sweep_form(spec)
    messages: list[str] = []

    def check_key(key: str, at: tuple[str, ...]) -> dict | None:
        schema = setting_schema(key) if isinstance(key, str) else None
        if schema is None:
            messages.append(f"{key_path(at)}: {key!r} is not a setting this sweep can vary")
        return schema

    def check_values(values: Any, schema: dict, at: tuple[str, ...]) -> None:
        if not isinstance(values, list) or not values:
            messages.append(f"{key_path(at)}: must be a non-empty list of values")
            return
        for i, value in enumerate(values):
            values[i] = coerce_numbers(value, schema)
            messages.extend(schema_errors(values[i], schema, at=(*at[:-1], f"{at[-1]}[{i}]")))

    if form == "values":
        if "values" not in spec:
            return [f"{key_path(where)}: 'key' needs 'values', a non-empty list"]
        schema = check_key(spec["key"], (*where, "key"))
        if schema is not None:
            check_values(spec["values"], schema, (*where, "values"))
    elif form == "grid":
        grid = spec["grid"]
        if not isinstance(grid, dict) or not grid:
            return [f"{key_path((*where, 'grid'))}: must map settings to lists of values"]
        for key, values in grid.items():
            schema = check_key(key, (*where, "grid", key))
            if schema is not None:
                check_values(values, schema, (*where, "grid", key))
    else:
        messages += _random_errors((*where, "random"), spec["random"], check_key)
    return messages


def _random_errors(where: tuple[str, ...], random: Any, check_key: Callable) -> list[str]:
    messages: list[str] = []
    if not isinstance(random, dict) or not isinstance(random.get("space"), dict):
        return [
            f"{key_path(where)}: needs 'n' (>= 1), 'seed' and 'space' (settings -> "
            "{uniform: [low, high]} | {log_uniform: [low, high]} | {int_uniform: [low, high]} "
            "| {int_log_uniform: [low, high]} | {choice: [...]})"
        ]
    n = random.get("n")
    if isinstance(n, str):
        n = random["n"] = coerce_numbers(n, {"type": "integer"})
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        messages.append(f"{key_path((*where, 'n'))}: must be an integer >= 1, got {n!r}")
    if not isinstance(random.get("seed", 0), int):
        messages.append(f"{key_path((*where, 'seed'))}: must be an integer")
    if not random["space"]:
        messages.append(f"{key_path((*where, 'space'))}: must name at least one setting")
    for key, distribution in random["space"].items():
        at = (*where, "space", key)
        schema = check_key(key, at)
        if not isinstance(distribution, dict) or len(distribution) != 1:
            messages.append(f"{key_path(at)}: must be one of {{{', '.join(DISTRIBUTIONS)}}}")
            continue
        (kind, argument), *_ = distribution.items()
        at = (*at, kind)
        if kind not in DISTRIBUTIONS:
            messages.append(
                f"{key_path(at)}: unknown distribution (allowed: {', '.join(DISTRIBUTIONS)})"
            )
            continue
        if kind == "choice":
            if not isinstance(argument, list) or not argument:
                messages.append(f"{key_path(at)}: must be a non-empty list of values")
            elif schema is not None:
                for i, value in enumerate(argument):
                    argument[i] = coerce_numbers(value, schema)
                    messages += schema_errors(argument[i], schema, at=(*at[:-1], f"{kind}[{i}]"))
            continue
        argument = distribution[kind] = coerce_numbers(
            argument, {"type": "array", "items": {"type": "number"}}
        )
        wanted = (int,) if kind in INTEGER_DISTRIBUTIONS else (int, float)
        if (
            not isinstance(argument, list)
            or len(argument) != 2
            or not all(isinstance(v, wanted) and not isinstance(v, bool) for v in argument)
        ):
            what = "integers" if kind in INTEGER_DISTRIBUTIONS else "numbers"
            messages.append(f"{key_path(at)}: must be a [low, high] pair of {what}")
        elif argument[0] > argument[1]:
            messages.append(f"{key_path(at)}: low {argument[0]} is above high {argument[1]}")
        elif kind in ("log_uniform", "int_log_uniform") and argument[0] <= 0:
            messages.append(f"{key_path(at)}: {kind} needs low > 0, got {argument[0]}")
        elif (
            schema is not None and kind not in INTEGER_DISTRIBUTIONS and takes_integers_only(schema)
        ):
            messages.append(
                f"{key_path(at)}: {key!r} takes integers only: draw it with int_uniform or "
                f"int_log_uniform (both ends included), or list values with choice"
            )
        elif schema is not None:
            for end, value in zip(("low", "high"), argument, strict=True):
                messages += schema_errors(value, schema, at=(*at, end))
    return messages
