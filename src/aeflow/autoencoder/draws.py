"""What make_data draws: the data section, in blocks of samples (``core.blocks``): with
``data.per_replica_samples`` on, replica k of every autoencoder run trains on sample k
(data seed + k), and block 's5-10' of the data holds samples 5 to 9, so that a run's new
replicas add data blocks without redrawing (or rerunning anything that reads) the old
ones; with it off, one shared sample (block 'shared'). Torch-free. Apart from ``runs``,
so that the run planners (runs, capacity, sweeps) import one another in one direction
only."""

from __future__ import annotations

import copy
from typing import Any

from aeflow.autoencoder import capacity, runs, sweeps
from aeflow.core import blocks

Config = dict[str, Any]
SHARED = "shared"  # the one data block when every replica shares the sheet's sample


def most_replicas(config: Config) -> int:
    """The most seed replicas any autoencoder run trains (variants, optimiser runs,
    retraining, capacity runs, sweep trials, whole blocks): how many data samples
    per-replica samples need."""
    counts = [trained_replicas(config, run) for run in runs.training_runs(config)]
    if capacity.trained_runs(config):
        counts.append(blocks.block_range(capacity_blocks(config)[-1])[1])
    if sweeps.sweeps(config):
        counts += [
            trial["settings"]["training"].get("seeds", 1)
            for chunk in sweeps.trial_chunks(config)
            for trial in sweeps.chunk_settings(config, chunk)
        ]
    return max(counts)


def run_blocks(config: Config, run: str) -> list[str]:
    """The replica blocks a ``train`` run trains (whole blocks over its seeds)."""
    seeds = runs.training_params(config, run)["seeds"]
    return blocks.blocks(seeds, runs.seeds_per_job(config, run))


def capacity_blocks(config: Config) -> list[str]:
    """The replica blocks of every capacity run (its variant's seeds and block size)."""
    variant, trained = config["capacity"]["variant"], capacity.trained_runs(config)
    if not trained:
        return []
    seeds = capacity.training_params(config, trained[0])["seeds"]
    return blocks.blocks(seeds, runs.seeds_per_job(config, variant))


def trained_replicas(config: Config, run: str) -> int:
    """Replicas a ``train`` run trains: its seeds rounded up to whole blocks."""
    return blocks.block_range(run_blocks(config, run)[-1])[1]


def data_blocks(config: Config, start: int = 0, stop: int | None = None) -> list[str]:
    """The data blocks that hold replicas [start, stop) (all of every run's by default)."""
    if not config["data"].get("per_replica_samples", False):
        return [SHARED]
    stop = most_replicas(config) if stop is None else stop
    size = int(config["training"]["seeds_per_job"])  # data blocks: the global block size
    first = start // size * size
    return [blocks.block_name(s, s + size) for s in range(first, stop, size)]


def data_params(config: Config, block: str) -> dict:
    """What make_data draws for one data block: the data section with the block's first
    sample and its count (one sample for the shared block)."""
    data = copy.deepcopy(config["data"])
    data.pop("per_replica_samples", None)
    if block == SHARED:
        return {**data, "first_sample": 0, "samples": 1}
    start, stop = blocks.block_range(block)
    return {**data, "first_sample": start, "samples": stop - start}
