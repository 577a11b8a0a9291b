"""Which Playground trainings the config asks for, the settings of each, and how they
are grouped into jobs (torch-free).

The baseline is one trial; each sweep varies one setting of the baseline over a list of
values, one trial per value. A sweep point whose settings equal the baseline's *is* the
baseline trial: it is trained once and shared. Every trial brings ``training.seeds``
replicas. Trials that can be trained together (same ``PlaygroundSpec.batch_key``) form
*batches* of at most ``playground.batch_trials`` trials, one job each, named after their
first trial.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import re
from typing import Any

from aeflow.core.config import NAME, coerce_numbers, key_path, schema_errors
from aeflow.playground.settings import PlaygroundSpec

Config = dict[str, Any]
BASELINE = "baseline"
SEPARATOR = "-"  # sweep names cannot contain it: run names never collide
SLUG = "[A-Za-z0-9_.+-]+"  # what value_slug returns: file-name safe, no slash or space
# Every trial name: the wildcard constraint of the workflow's ``trial`` and a check on it.
TRIAL_PATTERN = f"{NAME}({SEPARATOR}{SLUG})?"
SLUG_MAX = 40  # longer slugs are cut and made unique with a digest


def enabled(config: Config) -> bool:
    return bool(config.get("playground", {}).get("enabled", False))


def _raw_slug(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        joiner = "+" if any(isinstance(v, str) for v in value) else "x"
        return joiner.join(_raw_slug(v) for v in value) or "none"
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
    raw = _raw_slug(value)
    if re.fullmatch(SLUG, raw) and len(raw) <= SLUG_MAX:
        return raw
    digest = hashlib.sha1(repr(value).encode()).hexdigest()[:8]
    return re.sub(r"[^A-Za-z0-9_.+-]", "_", raw)[: SLUG_MAX - 9] + "_" + digest


SHORT_FEATURES = {
    "x1_squared": "x1²",
    "x2_squared": "x2²",
    "x1_x2": "x1·x2",
    "sin_x1": "sin x1",
    "sin_x2": "sin x2",
}


def value_label(value: Any) -> str:
    """How a swept value reads on an axis or in a sentence: [8, 8], x1, x2, sin x1."""
    if isinstance(value, (list, tuple)) and any(isinstance(v, str) for v in value):
        return ", ".join(SHORT_FEATURES.get(v, v) for v in value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(value_label(v) for v in value) + "]"
    return _raw_slug(value)


def with_setting(baseline: dict, key: str, value: Any) -> dict:
    """The baseline settings with one dotted ``section.name`` key replaced."""
    section, name = key.split(".")
    settings = copy.deepcopy(baseline)
    settings[section][name] = copy.deepcopy(value)
    return settings


def _sweeps(config: Config) -> dict:
    return config.get("playground", {}).get("sweeps", {})


def baseline_settings(config: Config) -> dict:
    """The baseline's settings; empty when the config has no playground section."""
    playground = config.get("playground")
    if playground is None:
        return {}
    return {
        section: copy.deepcopy(playground[section]) for section in ("data", "model", "training")
    }


def effective_settings(settings: dict) -> dict:
    """``settings`` less those that cannot change the training: the regularisation rate
    when there is no regularisation. Jobs get these, so such an edit reruns nothing."""
    settings = copy.deepcopy(settings)
    if settings["training"].get("regularization") == "none":
        settings["training"].pop("regularization_rate", None)
    return settings


def sweep_points(config: Config) -> dict[str, list[tuple[Any, str]]]:
    """sweep name -> [(value, run name)], in config order."""
    baseline = baseline_settings(config)
    same_as_baseline = effective_settings(baseline)
    points: dict[str, list[tuple[Any, str]]] = {}
    for sweep, spec in _sweeps(config).items():
        points[sweep] = [
            (
                value,
                BASELINE
                if effective_settings(with_setting(baseline, spec["key"], value))
                == same_as_baseline
                else f"{sweep}{SEPARATOR}{value_slug(value)}",
            )
            for value in spec["values"]
        ]
    return points


def playground_runs(config: Config) -> list[str]:
    """Every Playground training: the baseline first, then each new sweep point once."""
    if not enabled(config):
        return []
    runs = [BASELINE]
    for points in sweep_points(config).values():
        runs += [run for _, run in points if run not in runs]
    return runs


def run_settings(config: Config, run: str) -> dict:
    """Effective settings of one run: ``{"data": ..., "model": ..., "training": ...}``."""
    baseline = baseline_settings(config)
    if run == BASELINE:
        return effective_settings(baseline)
    sweep = run.partition(SEPARATOR)[0]
    spec = _sweeps(config).get(sweep)
    for value, name in sweep_points(config).get(sweep, []):
        if name == run:
            return effective_settings(with_setting(baseline, spec["key"], value))
    raise KeyError(f"unknown playground run {run!r}")


def sweep_table(config: Config) -> list[dict]:
    """One record per sweep point, for figures and the summary: sweep, key, label, run."""
    sweeps = _sweeps(config)
    return [
        {"sweep": sweep, "key": sweeps[sweep]["key"], "label": value_label(value), "run": run}
        for sweep, points in sweep_points(config).items()
        for value, run in points
    ]


def regularization_runs(config: Config) -> list[tuple[str, str]]:
    """(label, run) of the runs whose weights are compared: the points of every sweep over
    ``training.regularization``; the baseline alone when there is none."""
    found = [
        (record["label"], record["run"])
        for record in sweep_table(config)
        if record["key"] == "training.regularization"
    ]
    return found or [(BASELINE, BASELINE)]


@functools.lru_cache(maxsize=8)
def _batches(playground_json: str) -> dict[str, list[str]]:
    config = {"playground": json.loads(playground_json)}
    groups: dict[tuple, list[str]] = {}
    for run in playground_runs(config):
        spec = PlaygroundSpec.from_params(run_settings(config, run))
        groups.setdefault(spec.batch_key(), []).append(run)
    size = config["playground"].get("batch_trials", DEFAULT_BATCH_TRIALS)
    batches = {}
    for trials in groups.values():
        for start in range(0, len(trials), size):
            chunk = trials[start : start + size]
            batches[chunk[0]] = chunk
    return batches


DEFAULT_BATCH_TRIALS = 32


def trial_batches(config: Config) -> dict[str, list[str]]:
    """batch name -> its trials, in config order. Trials of one batch share the network
    shape, problem, set sizes and schedule; a batch is named after its first trial, so
    adding a trial to the end of a group reruns only that group's last batch."""
    if not enabled(config):
        return {}
    return _batches(json.dumps(config["playground"]))  # key order is the trial order


def batch_of(config: Config, trial: str) -> str:
    """The batch that trains ``trial``."""
    for batch, trials in trial_batches(config).items():
        if trial in trials:
            return batch
    raise KeyError(f"unknown playground trial {trial!r}")


def batch_settings(config: Config, batch: str) -> list[dict]:
    """What a batch job trains: per trial, its name and effective settings."""
    return [
        {"trial": trial, "settings": run_settings(config, trial)}
        for trial in trial_batches(config)[batch]
    ]


def describe(settings: dict) -> str:
    """One line naming a trial's main settings, for figure titles."""
    data, model, training = settings["data"], settings["model"], settings["training"]
    regularization = training["regularization"]
    if regularization != "none" and "regularization_rate" in training:
        regularization = f"{regularization} {training['regularization_rate']:g}"
    return (
        f"{data['dataset']} (noise {data['noise']:g}, {data['train_ratio']:.0%} train), "
        f"features {value_label(model['features'])}, hidden {model['hidden']} "
        f"{model['activation']}, lr {training['learning_rate']:g}, batch "
        f"{training['batch_size']}, {training['epochs']} epochs, regularization "
        f"{regularization}, {training.get('seeds', 1)} seeds"
    )


def weight_map_features(config: Config) -> list[str]:
    """Short names of the first layer's inputs in the weights figure (the baseline's)."""
    features = baseline_settings(config).get("model", {}).get("features", [])
    return [SHORT_FEATURES.get(name, name) for name in features]


def config_errors(config: Config, schema: dict) -> list[str]:
    """The baseline as a whole, then each sweep value checked as the setting it replaces
    (a sweep over ``training.learning_rate`` takes positive numbers only) and as part of
    the trial it makes (e.g. a train ratio leaving no training point)."""
    if "playground" not in config:
        return []

    baseline = baseline_settings(config)
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
                PlaygroundSpec.from_params(with_setting(baseline, spec["key"], value))
            except ValueError as problem:
                messages.append(f"{key_path(where)}: {problem}")
    # The workflow's wildcard constraint must match every trial: a name it rejects would
    # leave a sweep point without a rule, and Snakemake would silently keep old results.
    if not messages and enabled(config):
        messages += [
            f"playground.sweeps: trial name {run!r} is not of the form {TRIAL_PATTERN}"
            for run in playground_runs(config)
            if not re.fullmatch(TRIAL_PATTERN, run)
        ]
    return messages
