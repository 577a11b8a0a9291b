"""Sweeps over the autoencoders' settings (torch-free): which trials the top-level
``sweeps:`` section asks for, their settings, and the batches that train them.

A sweep names a base ``variant`` and varies its settings (``model.hidden``,
``model.activation``, ``model.latent_dim``, ``training.learning_rate``, ``training.epochs``,
``training.optimizer``, ``training.seed``, ``training.seeds``, ``loader.batch_size``,
``loader.shuffle``, ``loader.drop_last``) in one of the three forms of
``aeflow.core.sweeps``. Trials with the same architecture, optimiser, epochs, loader and
accelerator are trained together (``training.train_trial_batch``), at most
``sweep_batch_trials`` per job; each keeps its own learning rate and seeds.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from typing import Any

from aeflow.autoencoder import runs
from aeflow.autoencoder.settings import ModelSpec, TrainingSpec
from aeflow.core.config import NAME, key_path
from aeflow.core.sweeps import (
    SLUG,
    apply,
    assignments,
    point_label,
    point_slugs,
    spec_errors,
    sweep_form,
    sweep_keys,
)

Config = dict[str, Any]
SEPARATOR = "-"
TRIAL_PATTERN = f"{NAME}{SEPARATOR}{SLUG}"
LOADER_KEYS = ("batch_size", "shuffle", "drop_last")
MODEL_KEYS = ("hidden", "activation", "latent_dim")
TRAINING_KEYS = ("epochs", "optimizer", "learning_rate", "seed", "seeds")
DEFAULT_BATCH_TRIALS = 32


def sweeps(config: Config) -> dict:
    return config.get("sweeps", {})


def base_settings(config: Config, variant: str) -> dict:
    """A variant's settings as sections: model (``ModelSpec`` kwargs), training, loader."""
    training = runs.training_params(config, variant)
    return {
        "model": runs.model_params(config, variant),
        "training": {k: v for k, v in training.items() if k not in LOADER_KEYS},
        "loader": {k: v for k, v in training.items() if k in LOADER_KEYS},
    }


def specs(settings: dict) -> tuple[ModelSpec, TrainingSpec]:
    return ModelSpec(**settings["model"]), TrainingSpec(
        **settings["training"], **settings["loader"]
    )


def batch_key(settings: dict) -> str:
    """What trials trained in one job share: all but the learning rate and the seeds."""
    shared = copy.deepcopy(settings)
    for key in ("learning_rate", "seed", "seeds"):
        shared["training"].pop(key, None)
    return json.dumps(shared, sort_keys=True)


@functools.lru_cache(maxsize=8)
def _plan_of(config_json: str) -> dict:
    config = json.loads(config_json)
    settings: dict[str, dict] = {}
    trial_of: dict[str, str] = {}
    points: dict[str, list[dict]] = {}
    for sweep, spec in sweeps(config).items():
        base = base_settings(config, spec["variant"])
        drawn = assignments(spec)
        points[sweep] = []
        for assignment, slug in zip(drawn, point_slugs(spec, drawn), strict=True):
            trial_settings = apply(base, assignment)
            if trial_settings["loader"].get("batch_size") == "full":
                trial_settings["loader"]["batch_size"] = config["data"]["n_train"]
            key = json.dumps(trial_settings, sort_keys=True)
            trial = trial_of.setdefault(key, f"{sweep}{SEPARATOR}{slug}")
            settings.setdefault(trial, trial_settings)
            points[sweep].append({"trial": trial, **assignment})
    groups: dict[str, list[str]] = {}
    for trial, trial_settings in settings.items():
        groups.setdefault(batch_key(trial_settings), []).append(trial)
    size = config.get("sweep_batch_trials", DEFAULT_BATCH_TRIALS)
    batches = {}
    for trials in groups.values():
        for start in range(0, len(trials), size):
            chunk = trials[start : start + size]
            batches[chunk[0]] = chunk
    return {"settings": settings, "points": points, "batches": batches}


def _plan(config: Config) -> dict:
    relevant = {
        key: config[key]
        for key in (
            "sweeps",
            "sweep_batch_trials",
            "variants",
            "model",
            "training",
            "loader",
            "data",
        )
        if key in config
    }
    return _plan_of(json.dumps(relevant))


def sweep_trials(config: Config, sweep: str) -> list[dict]:
    """Per point of ``sweep``: its trial and its value of every varied setting."""
    return copy.deepcopy(_plan(config)["points"][sweep])


def trial_settings(config: Config, trial: str) -> dict:
    return copy.deepcopy(_plan(config)["settings"][trial])


def trial_batches(config: Config) -> dict[str, list[str]]:
    """batch name (its first trial) -> its trials."""
    return _plan(config)["batches"] if sweeps(config) else {}


def batch_settings(config: Config, batch: str) -> list[dict]:
    """What a batch job trains: per trial, its name and settings."""
    return [
        {"trial": trial, "settings": trial_settings(config, trial)}
        for trial in trial_batches(config)[batch]
    ]


def sweep_forms(config: Config) -> dict[str, str]:
    return {sweep: sweep_form(spec) for sweep, spec in sweeps(config).items()}


def varied_keys(config: Config, sweep: str) -> list[str]:
    return sweep_keys(sweeps(config)[sweep])


def config_errors(config: Config, schema: dict) -> list[str]:
    """Each sweep's base variant, spec (form, keys, values checked as the setting they
    replace) and every trial it makes."""
    if not sweeps(config):
        return []
    properties = schema["properties"]
    variant_schema = properties["variants"]["additionalProperties"]["properties"]
    sections = {
        "model": {
            "hidden": variant_schema["hidden"],
            "activation": properties["model"]["properties"]["activation"],
            "latent_dim": variant_schema["latent_dim"],
        },
        "training": {
            k: v for k, v in schema["$defs"]["training"]["properties"].items() if k in TRAINING_KEYS
        },
        "loader": schema["$defs"]["loader"]["properties"],
    }

    def setting_schema(key: str) -> dict | None:
        section, _, name = key.partition(".")
        return sections.get(section, {}).get(name)

    messages = []
    for sweep, spec in sweeps(config).items():
        where = ("sweeps", sweep)
        variant = spec.get("variant")
        if variant not in config["variants"]:
            messages.append(
                f"{key_path((*where, 'variant'))}: {variant!r} is not a variant; allowed: "
                + ", ".join(config["variants"])
            )
            continue
        body = {k: v for k, v in spec.items() if k != "variant"}
        problems = spec_errors(where, body, setting_schema)
        spec.update(body)  # numbers written as text, converted in place
        messages += problems
        if problems:
            continue
        base = base_settings(config, variant)
        for i, assignment in enumerate(assignments(spec)):
            try:
                settings = apply(base, assignment)
                if settings["loader"].get("batch_size") == "full":
                    settings["loader"]["batch_size"] = config["data"]["n_train"]
                _, training = specs(settings)
                if training.drop_last and training.batch_size > config["data"]["n_train"]:
                    raise ValueError(
                        f"batch_size {training.batch_size} exceeds data.n_train with drop_last"
                    )
            except (ValueError, TypeError) as problem:
                point = (
                    f"values[{i}]"
                    if sweep_form(spec) == "values"
                    else f"point {i} ({point_label(assignment)})"
                )
                messages.append(f"{key_path((*where, point))}: {problem}")
    if not messages:
        messages += [
            f"sweeps: trial name {trial!r} is not of the form {TRIAL_PATTERN}"
            for trial in _plan(config)["settings"]
            if not re.fullmatch(TRIAL_PATTERN, trial)
        ]
    return messages
