"""What make_data draws: the data section, with one sample per replica of the autoencoder
run with the most seeds when ``data.per_replica_samples`` is on (torch-free). Apart from
``runs``, so that the run planners (runs, capacity, sweeps) import one another in one
direction only."""

from __future__ import annotations

import copy
from typing import Any

from aeflow.autoencoder import capacity, runs, sweeps

Config = dict[str, Any]


def most_replicas(config: Config) -> int:
    """The most seed replicas any autoencoder run trains (variants, optimiser runs,
    retraining, capacity runs, sweep trials): how many data samples per-replica samples
    need."""
    counts = [
        runs.training_params(config, run).get("seeds", 1) for run in runs.training_runs(config)
    ]
    counts += [
        capacity.training_params(config, run).get("seeds", 1)
        for run in capacity.trained_runs(config)
    ]
    if sweeps.sweeps(config):
        counts += [
            trial["settings"]["training"].get("seeds", 1)
            for chunk in sweeps.trial_chunks(config)
            for trial in sweeps.chunk_settings(config, chunk)
        ]
    return max(counts)


def data_params(config: Config) -> dict:
    """What make_data draws: the data section, with ``samples`` (one per replica of the
    autoencoder run with the most seeds) when ``per_replica_samples`` is on."""
    data = copy.deepcopy(config["data"])
    if data.pop("per_replica_samples", False):
        data["samples"] = most_replicas(config)
    return data
