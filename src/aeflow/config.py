"""Loading, validating and slicing the workflow configuration.

Rules receive only the slice of the config they use (through ``params:`` computed from
their wildcards), so Snakemake's params trigger reruns exactly what a change touches.
This module imports neither torch nor Lightning: the Snakefile imports it on every run.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from aeflow.playground import runs as pg
from aeflow.playground.settings import PlaygroundSpec
from aeflow.settings import REPORTED_TRAINING

Config = dict[str, Any]


class ConfigError(ValueError):
    """The configuration is invalid; the message names every offending key."""


def _key_path(parts: Iterable[Any]) -> str:
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
        messages.append(f"{_key_path(path)}: {message}" + (f" (allowed: {hint})" if hint else ""))
    return messages


def semantic_errors(config: Config) -> list[str]:
    """Checks a JSON schema cannot express: orderings, cross-references, batch sizes."""
    messages = []
    for section, key in (("data", "x_range"), ("data", "y_range"), ("decoder_sweep", "z_range")):
        low, high = config[section][key]
        if not low < high:
            messages.append(f"{section}.{key}: min {low} must be less than max {high}")
    variants = config["variants"]
    for name, variant in variants.items():
        if variant.get("linear") and variant.get("hidden"):
            messages.append(f"variants.{name}: a linear variant takes no 'hidden' layers")
        if not variant.get("linear") and not variant.get("hidden"):
            messages.append(
                f"variants.{name}.hidden: must be a non-empty list of positive widths "
                "(or set linear: true for the bias-free linear autoencoder)"
            )
    for stage in ("retrain", "optimizer_comparison"):
        chosen = config[stage]["variant"]
        if chosen not in variants:
            messages.append(
                f"{stage}.variant: {chosen!r} is not a variant; allowed: {', '.join(variants)}"
            )
    if messages:
        return messages  # the run lookups below assume the references are valid
    for run in training_runs(config):
        loader = training_params(config, run)
        n_train = config["data"]["n_train"]
        if loader["drop_last"] and loader["batch_size"] > n_train:
            messages.append(
                f"{_run_key(config, run)}.loader.batch_size: {loader['batch_size']} is larger "
                f"than data.n_train={n_train}, so drop_last leaves no batch; "
                f"allowed: 1..{n_train} or 'full'"
            )
    return messages


def playground_errors(config: Config, schema: dict) -> list[str]:
    """The baseline as a whole, then each sweep value checked as the setting it replaces
    (a sweep over ``training.learning_rate`` takes positive numbers only) and as part of
    the trial it makes (e.g. a train ratio leaving no training point)."""
    if "playground" not in config:
        return []
    baseline = pg.baseline_settings(config)
    try:
        PlaygroundSpec.from_params(baseline)
    except ValueError as problem:
        return [f"playground: {problem}"]  # every trial would repeat it
    messages = []
    for sweep, spec in config["playground"].get("sweeps", {}).items():
        section, name = spec["key"].split(".")
        setting_schema = schema["$defs"][f"playground_{section}"]["properties"][name]
        for i, value in enumerate(spec["values"]):
            value = spec["values"][i] = coerce_numbers(value, setting_schema)
            where = ("playground", "sweeps", sweep, f"values[{i}]")
            invalid = schema_errors(value, setting_schema, at=where)
            messages += invalid
            if invalid:
                continue
            try:
                PlaygroundSpec.from_params(pg.with_setting(baseline, spec["key"], value))
            except ValueError as problem:
                messages.append(f"{_key_path(where)}: {problem}")
    # The workflow's wildcard constraint must match every trial: a name it rejects would
    # leave a sweep point without a rule, and Snakemake would silently keep old results.
    if not messages and pg.enabled(config):
        messages += [
            f"playground.sweeps: trial name {run!r} is not of the form {pg.TRIAL_PATTERN}"
            for run in pg.playground_runs(config)
            if not re.fullmatch(pg.TRIAL_PATTERN, run)
        ]
    return messages


def validate_config(config: Config, schema_path: str | os.PathLike[str]) -> None:
    """Raise ConfigError listing every problem; return quietly when the config is valid.

    Numbers written as YAML 1.1 strings (``1e-5``) become numbers in ``config`` first.
    """
    schema = load_schema(schema_path)
    coerce_numbers(config, schema)
    messages = schema_errors(config, schema)
    if not messages:
        messages = semantic_errors(config) + playground_errors(config, schema)
    if messages:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(messages))


def load_config(path: str | os.PathLike[str], schema_path: str | os.PathLike[str]) -> Config:
    with open(path) as handle:
        config = yaml.safe_load(handle)
    validate_config(config, schema_path)
    return config


# --- which trainings exist ---------------------------------------------------------------

COMPARISON_SEPARATOR = "-"  # variant names cannot contain it, so run names never collide


def variant_names(config: Config) -> list[str]:
    return list(config["variants"])


def comparison_runs(config: Config) -> list[str]:
    """Runs of the optimiser comparison, e.g. ``ae2-sgd`` and ``ae2-gd``."""
    comparison = config["optimizer_comparison"]
    return [f"{comparison['variant']}{COMPARISON_SEPARATOR}{key}" for key in comparison["runs"]]


def training_runs(config: Config) -> list[str]:
    """Every training the train rule performs: the variants, then the comparison runs."""
    return variant_names(config) + comparison_runs(config)


def _split_run(config: Config, run: str) -> tuple[str, dict | None]:
    variant, _, key = run.partition(COMPARISON_SEPARATOR)
    if variant not in config["variants"]:
        raise KeyError(f"unknown training run {run!r}")
    if not key:
        return variant, None
    comparison = config["optimizer_comparison"]
    if comparison["variant"] != variant or key not in comparison["runs"]:
        raise KeyError(f"unknown training run {run!r}")
    return variant, comparison["runs"][key]


def _run_key(config: Config, run: str) -> str:
    variant, override = _split_run(config, run)
    if override is None:
        return f"variants.{variant}"
    return f"optimizer_comparison.runs.{run.partition(COMPARISON_SEPARATOR)[2]}"


def model_params(config: Config, run: str) -> dict:
    """Architecture of a run, as keyword arguments of ``ModelSpec``."""
    variant_name, _ = _split_run(config, run)
    variant = config["variants"][variant_name]
    shared = config["model"]
    params = {
        "input_dim": shared["input_dim"],
        "latent_dim": variant.get("latent_dim", shared["latent_dim"]),
        "hidden": list(variant.get("hidden", [])) if not variant.get("linear") else [],
        "linear": bool(variant.get("linear", False)),
    }
    # A linear model has no activation: the setting must not rerun it.
    if not params["linear"]:
        params["activation"] = variant.get("activation", shared.get("activation", "relu"))
    return params


def training_params(config: Config, run: str) -> dict:
    """Training and loader settings of a run, as keyword arguments of ``TrainingSpec``.

    Layers, later ones winning: global ``training``/``loader``, the variant's own
    overrides, then the optimiser-comparison run's overrides.
    """
    variant_name, override = _split_run(config, run)
    layers = [config, config["variants"][variant_name]] + ([override] if override else [])
    merged: dict = {}
    for layer in layers:
        merged.update(copy.deepcopy(layer.get("training", {})))
        merged.update(copy.deepcopy(layer.get("loader", {})))
    if merged.get("batch_size") == "full":
        merged["batch_size"] = config["data"]["n_train"]
    merged.setdefault("accelerator", "cpu")
    return dict(sorted(merged.items()))


def reported_training(config: Config, run: str) -> dict:
    """The training settings the summary table shows for a run (and nothing else, so that
    other settings reach the summary only through the models they change)."""
    training = training_params(config, run)
    return {key: training[key] for key in REPORTED_TRAINING if key in training}


def run_role(config: Config, run: str) -> str:
    """'variant' for a configured variant, 'optimizer run' for a comparison run."""
    return "variant" if _split_run(config, run)[1] is None else "optimizer run"


def run_label(config: Config, run: str) -> str:
    _, override = _split_run(config, run)
    if override is None:
        return run
    return override.get("label", run)


def data_params(config: Config) -> dict:
    return copy.deepcopy(config["data"])


def default_config_path() -> Path:
    return Path(__file__).resolve().parents[2] / "config.yaml"


def retrain_init_params(config: Config) -> dict:
    """Encoder re-initialisation of part (g): N(init_mean, init_std), biases 0, seeded."""
    retrain = config["retrain"]
    return {
        "mean": retrain.get("init_mean", 0.0),
        "std": retrain["init_std"],
        "seed": retrain.get("seed", 1),
    }
