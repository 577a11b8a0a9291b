"""The trial planner shared by both parts (torch-free): which trials a config's sweeps
make, and which trials each training job trains.

Terms, in both parts:

- a *point* is one setting of a sweep's varied keys (``aeflow.core.sweeps``);
- a *trial* is one distinct set of settings, trained with all its seeds (its replicas).
  Points whose settings are equal are one trial, named after the first of them
  (``{sweep}-{slug}``, or a name the part gives, such as the Playground's ``baseline``);
- a *chunk* is the trials one job trains together: trials that share a chunk key (what
  must be equal to train them at once: the network's shape, the schedule) are grouped in
  the order they first appear and cut into chunks of at most ``trials_per_chunk``, each
  named after its first trial. (Not a "batch": batches are the mini-batches of training.)

Chunk names are stable: a trial added after the others of its group joins the group's last
chunk or starts a new one, and trials of other groups leave a group's chunks unchanged, so
such an edit retrains one chunk at most.

With ``pack_groups`` (the Playground's plan), a chunk may hold several groups, which its job
trains one after another: a *small* group (at most half of ``trials_per_chunk`` trials;
often one trial, as each value of a sweep over architectures makes) is not cut but packed
whole, in order, with the other small groups into shared chunks of at most
``trials_per_chunk`` trials; the other groups are cut as above, untouched by the packing.
A training process spends seconds importing Lightning, more than a small group trains.
An edit that grows or adds a small group retrains the shared chunk it lands in, and the
shared chunks after it if the packing shifts (a small group that grows past half a chunk
leaves the packing); edits to the other groups retrain as without packing.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from aeflow.core.sweeps import Assignment, assignments, point_slugs

SEPARATOR = "-"  # between a sweep's name and its point's slug; sweep names cannot contain it


def named_points(sweep: str, spec: dict) -> list[tuple[str, Assignment]]:
    """Per point of ``sweep``, in order: the name its trial gets if it is new
    (``{sweep}-{slug}``) and its assignment {setting key: value}."""
    drawn = assignments(spec)
    return [
        (f"{sweep}{SEPARATOR}{slug}", assignment)
        for slug, assignment in zip(point_slugs(spec, drawn), drawn, strict=True)
    ]


def settings_key(settings: dict) -> str:
    """What makes two trials' settings equal: their canonical JSON."""
    return json.dumps(settings, sort_keys=True)


@dataclass(frozen=True)
class TrialPlan:
    settings: dict[str, dict]  # trial -> its settings, in order of first appearance
    trial_of: list[str]  # per candidate, in the order given: the trial that trains it
    chunks: dict[str, list[str]]  # chunk name (its first trial) -> its trials
    chunk_of: dict[str, str]  # trial -> its chunk


def plan_trials(
    candidates: Iterable[tuple[str, dict]],
    chunk_key: Callable[[dict], Hashable],
    trials_per_chunk: int,
    pack_groups: bool = False,
) -> TrialPlan:
    """Dedupe ``candidates`` ((proposed trial name, settings), in config order) by their
    settings, group the trials by ``chunk_key(settings)`` and cut each group into chunks of
    at most ``trials_per_chunk`` trials, each named after its first trial; with
    ``pack_groups``, the groups' partial chunks are packed together (module docstring)."""
    if trials_per_chunk < 1:
        raise ValueError(f"trials_per_chunk must be >= 1, got {trials_per_chunk}")
    settings: dict[str, dict] = {}
    trial_with: dict[str, str] = {}  # settings key -> trial
    trial_of = []
    for name, candidate in candidates:
        key = settings_key(candidate)
        if key not in trial_with:
            if name in settings:
                raise ValueError(f"trial name {name!r} is given to two different settings")
            trial_with[key], settings[name] = name, candidate
        trial_of.append(trial_with[key])
    groups: dict[Hashable, list[str]] = {}
    for trial, trial_settings in settings.items():
        groups.setdefault(chunk_key(trial_settings), []).append(trial)
    cut, shared = [], []  # shared: the small groups' chunks, with pack_groups
    for trials in groups.values():
        if pack_groups and 2 * len(trials) <= trials_per_chunk:
            shared = _packed(shared, trials, trials_per_chunk)
        else:
            cut += [
                trials[start : start + trials_per_chunk]
                for start in range(0, len(trials), trials_per_chunk)
            ]
    chunks = {trials[0]: trials for trials in cut + shared}
    chunk_of = {trial: chunk for chunk, trials in chunks.items() for trial in trials}
    return TrialPlan(settings, trial_of, chunks, chunk_of)


def _packed(shared: list[list[str]], group: list[str], trials_per_chunk: int) -> list[list[str]]:
    """The shared chunks with ``group`` added whole: to the last one if it fits there,
    else as a new one."""
    if shared and len(shared[-1]) + len(group) <= trials_per_chunk:
        return [*shared[:-1], shared[-1] + group]
    return [*shared, list(group)]


def chunk_trials(plan: TrialPlan, chunk: str) -> list[dict[str, Any]]:
    """What one chunk's job trains: per trial, its name and (a copy of) its settings."""
    return [
        {"trial": trial, "settings": copy.deepcopy(plan.settings[trial])}
        for trial in plan.chunks[chunk]
    ]
