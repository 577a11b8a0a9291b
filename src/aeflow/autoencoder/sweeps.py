"""Sweeps over the autoencoders' settings (torch-free): which trials the top-level
``sweeps:`` section asks for, their settings, and the chunks that train them.

A sweep names a base ``variant`` and varies its settings (``model.hidden``,
``model.activation``, ``model.latent_dim``, ``training.learning_rate``, ``training.epochs``,
``training.optimizer``, ``training.seed``, ``training.seeds``, ``loader.batch_size``,
``loader.shuffle``, ``loader.drop_last``) in one of the three forms of
``aeflow.core.sweeps``. Trials with the same architecture, optimiser, epochs, loader and
accelerator are trained together (``training.train_trial_chunk``), in chunks of at most
``sweep_trials_per_chunk`` per job (``aeflow.core.planner``); each keeps its own learning
rate and seeds.
"""

from __future__ import annotations

import copy
import functools
import json
import re

from aeflow.autoencoder import runs
from aeflow.autoencoder.settings import ModelSpec, TrainingSpec
from aeflow.core.config import NAME, Config, key_path
from aeflow.core.planner import SEPARATOR, TrialPlan, chunk_trials, named_points, plan_trials
from aeflow.core.sweeps import (
    SLUG,
    apply,
    assignments,
    point_label,
    spec_errors,
    sweep_form,
)

TRIAL_PATTERN = f"{NAME}{SEPARATOR}{SLUG}"
LOADER_KEYS = ("batch_size", "shuffle", "drop_last")
MODEL_KEYS = ("hidden", "activation", "latent_dim")
TRAINING_KEYS = ("epochs", "optimizer", "learning_rate", "seed", "seeds")


def sweeps(config: Config) -> dict:
    return config["sweeps"]


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


def chunk_key(settings: dict) -> str:
    """What trials trained in one job share: all but the learning rate and the seeds."""
    shared = copy.deepcopy(settings)
    for key in ("learning_rate", "seed", "seeds"):
        shared["training"].pop(key, None)
    return json.dumps(shared, sort_keys=True)


def _point_settings(base: dict, assignment: dict, n_train: int) -> dict:
    """A point's settings: ``base`` with its assignment, batch size 'full' as a number."""
    settings = apply(base, assignment)
    if settings["loader"].get("batch_size") == "full":
        settings["loader"]["batch_size"] = n_train
    return settings


@functools.lru_cache(maxsize=8)
def _plan_of(config_json: str) -> tuple[TrialPlan, dict[str, list[dict]]]:
    config = json.loads(config_json)
    candidates: list[tuple[str, dict]] = []
    named = {sweep: named_points(sweep, spec) for sweep, spec in config["sweeps"].items()}
    for sweep, points in named.items():
        base = base_settings(config, config["sweeps"][sweep]["variant"])
        candidates += [
            (name, _point_settings(base, assignment, config["data"]["n_train"]))
            for name, assignment in points
        ]
    plan = plan_trials(candidates, chunk_key, config["sweep_trials_per_chunk"])
    trials = iter(plan.trial_of)
    points = {
        sweep: [{"trial": next(trials), **assignment} for _, assignment in drawn]
        for sweep, drawn in named.items()
    }
    return plan, points


def _plan(config: Config) -> tuple[TrialPlan, dict[str, list[dict]]]:
    relevant = {
        key: config[key]
        for key in (
            "sweeps",
            "sweep_trials_per_chunk",
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
    return copy.deepcopy(_plan(config)[1][sweep])


def trial_settings(config: Config, trial: str) -> dict:
    return copy.deepcopy(_plan(config)[0].settings[trial])


def trial_chunks(config: Config) -> dict[str, list[str]]:
    """chunk name (its first trial) -> its trials."""
    return _plan(config)[0].chunks if sweeps(config) else {}


def chunk_settings(config: Config, chunk: str) -> list[dict]:
    """What a chunk's job trains: per trial, its name and settings."""
    return chunk_trials(_plan(config)[0], chunk)


def sweep_forms(config: Config) -> dict[str, str]:
    return {sweep: sweep_form(spec) for sweep, spec in sweeps(config).items()}


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
                _, training = specs(_point_settings(base, assignment, config["data"]["n_train"]))
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
            for trial in _plan(config)[0].settings
            if not re.fullmatch(TRIAL_PATTERN, trial)
        ]
    return messages
