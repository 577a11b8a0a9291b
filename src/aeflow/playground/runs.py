"""Which Playground trainings the config asks for, the settings of each, and how they
are grouped into jobs (torch-free).

The baseline is one trial; each sweep (one key at a time, a grid, or a random search: see
``aeflow.core.sweeps``) makes one trial per point. A point whose settings equal those of an
earlier trial (the baseline, or a point of another sweep) *is* that trial: it is trained
once and shared. Every trial brings ``training.seeds`` replicas. Trials that can be trained
together (same ``PlaygroundSpec.chunk_key``: a *group*) form *chunks* of at most
``playground.trials_per_chunk`` trials, named after their first trial; the groups' small
remainders are packed together, and a job trains its chunk's groups one after another
(``aeflow.core.planner``, ``pack_groups``). A chunk's replicas are trained a block of
``playground.seeds_per_job`` at a time (``aeflow.core.blocks``): one job per chunk and
block, so raising the seeds adds blocks and never retrains one. Everything is computed
once per config (``_plan``): planning a 1,000-trial grid is cheap.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from aeflow.core import blocks
from aeflow.core.config import NAME, Config, key_path
from aeflow.core.planner import SEPARATOR, TrialPlan, chunk_trials, named_points, plan_trials
from aeflow.core.resources import Work
from aeflow.core.sweeps import (
    SLUG,
    SLUG_MAX,
    apply,
    assignments,
    point_label,
    spec_errors,
    sweep_form,
    sweep_keys,
    value_slug,
    value_text,
)
from aeflow.playground.settings import PlaygroundSpec

__all__ = ["SLUG", "SLUG_MAX", "value_slug"]  # re-exported: trial names are built from them
BASELINE = "baseline"
# The run whose seeds the seeds design plans (claims.design): every trial's together, as
# every family compares its trials with the baseline and all trials share their blocks.
SEEDS_RUN = "playground"
# Every trial name: the wildcard constraint of the workflow's ``trial`` and a check on it.
TRIAL_PATTERN = f"{NAME}({SEPARATOR}{SLUG})?"


def enabled(config: Config) -> bool:
    return bool(config.get("playground", {}).get("enabled", False))


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
    return value_text(value)


def _sweeps(config: Config) -> dict:
    return config["playground"]["sweeps"] if "playground" in config else {}


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


@dataclass(frozen=True)
class SweepPoint:
    sweep: str
    form: str  # values | grid | random
    assignment: dict  # setting key -> value
    label: str  # how the point reads: the value, or 'name=value, ...'
    trial: str  # the trial that trains it (shared when its settings repeat)


@dataclass(frozen=True)
class Plan:
    trials: TrialPlan  # trial -> effective settings (baseline first), the chunks
    points: dict[str, list[SweepPoint]]  # sweep -> its points, in order


def _chunk_key(settings: dict) -> tuple:
    return PlaygroundSpec.from_params(settings).chunk_key()


@functools.lru_cache(maxsize=8)
def _plan_of(playground_json: str) -> Plan:
    playground = json.loads(playground_json)
    baseline = baseline_settings({"playground": playground})
    candidates = [(BASELINE, effective_settings(baseline))]
    named = {sweep: named_points(sweep, spec) for sweep, spec in playground["sweeps"].items()}
    for points in named.values():
        candidates += [(name, effective_settings(apply(baseline, a))) for name, a in points]
    plan = plan_trials(candidates, _chunk_key, playground["trials_per_chunk"], pack_groups=True)
    trials = iter(plan.trial_of[1:])
    points = {
        sweep: [
            SweepPoint(
                sweep,
                sweep_form(playground["sweeps"][sweep]),
                assignment,
                point_label(assignment, value_label),
                next(trials),
            )
            for _, assignment in drawn
        ]
        for sweep, drawn in named.items()
    }
    return Plan(plan, points)


def _plan(config: Config) -> Plan:
    # Key order of the sweeps is the trial order: json keeps it.
    return _plan_of(json.dumps(config["playground"]))


def sweep_points(config: Config) -> dict[str, list[SweepPoint]]:
    """sweep name -> its points, in config order."""
    if "playground" not in config:
        return {}
    return _plan(config).points


def playground_trials(config: Config) -> list[str]:
    """Every Playground trial: the baseline first, then each new sweep point once."""
    if not enabled(config):
        return []
    return list(_plan(config).trials.settings)


def trial_settings(config: Config, trial: str) -> dict:
    """Effective settings of one trial: ``{"data": ..., "model": ..., "training": ...}``."""
    try:
        return copy.deepcopy(_plan(config).trials.settings[trial])
    except KeyError:
        raise KeyError(f"unknown playground trial {trial!r}") from None


def sweep_table(config: Config, forms: tuple[str, ...] = ("values",)) -> list[dict]:
    """One record per point of the sweeps of ``forms`` (by default those that vary one key
    at a time, whose points the figures draw): sweep, key, label and, as ``run``, the
    trial that trains it (``common.smk`` reads that key; it becomes ``trial`` with the
    rules' switch to the new names below)."""
    return [
        {
            "sweep": point.sweep,
            "key": ", ".join(point.assignment),
            "label": point.label,
            "trial": point.trial,
        }
        for points in sweep_points(config).values()
        for point in points
        if point.form in forms
    ]


def search_sweeps(config: Config) -> dict[str, list[str]]:
    """Grid and random sweeps (drawn as a heat map or against each setting): name -> keys."""
    return {
        sweep: sweep_keys(spec)
        for sweep, spec in _sweeps(config).items()
        if sweep_form(spec) != "values"
    }


def sweep_form_of(config: Config, sweep: str) -> str:
    """'values', 'grid' or 'random'."""
    return sweep_form(_sweeps(config)[sweep])


def sweep_trials(config: Config, sweep: str) -> list[dict]:
    """Per point of ``sweep``: its trial and its value of every varied setting."""
    return [{"trial": p.trial, **p.assignment} for p in sweep_points(config)[sweep]]


def mapped_trials(config: Config, chunk: str) -> list[str]:
    """The trials of ``chunk`` whose data and output maps the figures draw: the baseline
    and the points of one-at-a-time sweeps (grid and random sweeps get numbers only)."""
    drawn = {BASELINE} | {record["trial"] for record in sweep_table(config)}
    return [trial for trial in trial_chunks(config)[chunk] if trial in drawn]


def regularization_trials(config: Config) -> list[tuple[str, str]]:
    """(label, trial) of the trials whose weights are compared: the points of every sweep
    over ``training.regularization``; the baseline alone when there is none."""
    found = [
        (record["label"], record["trial"])
        for record in sweep_table(config)
        if record["key"] == "training.regularization"
    ]
    return found or [(BASELINE, BASELINE)]


def trial_chunks(config: Config) -> dict[str, list[str]]:
    """chunk name -> its trials, in config order: whole chunks of one group (network
    shape, problem and schedule), and the groups' remainders packed together; a chunk is
    named after its first trial."""
    if not enabled(config):
        return {}
    return _plan(config).trials.chunks


def chunk_of(config: Config, trial: str) -> str:
    """The chunk that trains ``trial``."""
    try:
        return _plan(config).trials.chunk_of[trial]
    except KeyError:
        raise KeyError(f"unknown playground trial {trial!r}") from None


def trial_seeds(config: Config) -> int:
    """The replicas of every trial (``playground.training.seeds``)."""
    return int(config["playground"]["training"].get("seeds", 1))


def seeds_per_job(config: Config) -> int:
    """The replicas of a chunk one job trains (``playground.seeds_per_job``)."""
    return int(config["playground"].get("seeds_per_job", 5))


def chunk_blocks(config: Config) -> list[str]:
    """The blocks of replicas (``s0-5``, ...) that hold every trial's seeds: one job per
    chunk and block."""
    return blocks.blocks(trial_seeds(config), seeds_per_job(config))


def chunk_settings(config: Config, chunk: str, block: str) -> list[dict]:
    """What the job of a chunk's ``block`` trains: per trial, its name and effective
    settings, with the block's replicas in place of the trial's seeds (a block's settings
    do not change when the seeds grow)."""
    return [
        {
            **trial,
            "settings": {
                **trial["settings"],
                "training": blocks.block_training(trial["settings"]["training"], block),
            },
        }
        for trial in chunk_trials(_plan(config).trials, chunk)
    ]


def chunk_work(config: Config, chunk: str, block: str) -> Work:
    """The work of one chunk's block job, for sizing its cluster resources: per trial its
    optimiser steps, its network's weights and biases, and the block's seeds."""
    groups: dict[tuple, list] = {}  # trained one after another, each group's trials at once
    for trial in chunk_settings(config, chunk, block):
        spec = PlaygroundSpec.from_params(trial["settings"])
        widths = [len(spec.network.features), *spec.network.hidden, 1]
        parameters = sum((n_in + 1) * n_out for n_in, n_out in pairwise(widths))
        steps = spec.fit.epochs * math.ceil(spec.data.n_train / spec.fit.batch_size)
        groups.setdefault(spec.chunk_key(), []).append((steps, parameters, spec.fit.seeds))
    return Work.in_sequence(Work.of(networks) for networks in groups.values())


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
    """The baseline as a whole, then each sweep's spec (form, keys, values checked as the
    setting they replace: a sweep over ``training.learning_rate`` takes positive numbers
    only) and each trial it makes (e.g. a train ratio leaving no training point)."""
    if "playground" not in config:
        return []

    baseline = baseline_settings(config)
    try:
        PlaygroundSpec.from_params(baseline)
    except ValueError as problem:
        return [f"playground: {problem}"]  # every trial would repeat it

    def setting_schema(key: str) -> dict | None:
        section, _, name = key.partition(".")
        properties = schema["$defs"].get(f"playground_{section}", {}).get("properties", {})
        return properties.get(name) if name else None

    messages = []
    for sweep, spec in _sweeps(config).items():
        where = ("playground", "sweeps", sweep)
        problems = spec_errors(where, spec, setting_schema)
        messages += problems
        if problems:
            continue
        for i, assignment in enumerate(assignments(spec)):
            try:
                PlaygroundSpec.from_params(apply(baseline, assignment))
            except ValueError as problem:
                point = (
                    f"values[{i}]"
                    if sweep_form(spec) == "values"
                    else f"point {i} ({point_label(assignment)})"
                )
                at = key_path((*where, point))
                messages.append(f"{at}: {problem}")
    # The workflow's wildcard constraint must match every trial: a name it rejects would
    # leave a sweep point without a rule, and Snakemake would silently keep old results.
    if not messages and enabled(config):
        messages += [
            f"playground.sweeps: trial name {trial!r} is not of the form {TRIAL_PATTERN}"
            for trial in playground_trials(config)
            if not re.fullmatch(TRIAL_PATTERN, trial)
        ]
    return messages
