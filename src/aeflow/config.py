"""Loading, validating and slicing the workflow configuration.

Rules receive only the slice of the config they use (through ``params:`` computed from
their wildcards), so Snakemake's params trigger reruns exactly what a change touches.
This module imports neither torch nor Lightning: the Snakefile imports it on every run.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from aeflow.playground import runs as pg
from aeflow.playground.settings import PlaygroundSpec

Config = dict[str, Any]


class ConfigError(ValueError):
    """The configuration is invalid; the message names every offending key."""


def _key_path(parts: Iterable[Any]) -> str:
    return ".".join(str(p) for p in parts) or "<top level>"


def load_schema(path: str | os.PathLike[str]) -> dict:
    with open(path) as handle:
        return yaml.safe_load(handle)


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
            where = ("playground", "sweeps", sweep, f"values[{i}]")
            invalid = schema_errors(value, setting_schema, at=where)
            messages += invalid
            if invalid:
                continue
            try:
                PlaygroundSpec.from_params(pg.with_setting(baseline, spec["key"], value))
            except ValueError as problem:
                messages.append(f"{_key_path(where)}: {problem}")
    return messages


def validate_config(config: Config, schema_path: str | os.PathLike[str]) -> None:
    """Raise ConfigError listing every problem; return quietly when the config is valid."""
    schema = load_schema(schema_path)
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
    return {
        "input_dim": shared["input_dim"],
        "latent_dim": variant.get("latent_dim", shared["latent_dim"]),
        "hidden": list(variant.get("hidden", [])) if not variant.get("linear") else [],
        "linear": bool(variant.get("linear", False)),
        "activation": variant.get("activation", shared.get("activation", "relu")),
    }


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
