"""The work of each autoencoder training job, for sizing its cluster resources
(``core.resources``). Torch-free: the Snakefile calls it."""

from __future__ import annotations

import math

from aeflow.autoencoder import capacity, runs
from aeflow.autoencoder import sweeps as ae_sweeps
from aeflow.core import blocks
from aeflow.core.config import Config
from aeflow.core.resources import Work


def network_work(model: dict, training: dict, n_train: int) -> tuple[int, int, int]:
    """(optimiser steps, parameters, replicas) of one run's networks."""
    batch = training["batch_size"]
    per_epoch = n_train // batch if training.get("drop_last", True) else math.ceil(n_train / batch)
    if model.get("linear"):
        parameters = 2 * model["input_dim"] * model["latent_dim"]
    else:
        parameters = capacity.mlp_parameters(
            model["input_dim"], model["hidden"], model["latent_dim"]
        )
    return training["epochs"] * max(per_epoch, 1), parameters, training["seeds"]


def run_work(config: Config, run: str, block: str | None = None) -> Work:
    """A run of rule ``retrain_encoder`` (every replica), or one ``block`` of a run's
    replicas (rule ``train``, ``core.blocks``)."""
    training = runs.training_params(config, run)
    if block is not None:
        training = blocks.block_training(training, block)
    return Work.of([network_work(runs.model_params(config, run), training, _n(config))])


def capacity_work(config: Config, width: int | str, block: str | None = None) -> Work:
    """A job of rule ``train_capacity``: the width's runs, one per training-set size, each
    at its cap of epochs on its own training set (for one ``block`` of the replicas)."""
    model = capacity.model_params(config, capacity.width_job_runs(config, width)[0])
    return Work.in_sequence(
        Work.of([network_work(model, _block(fit["training"], block), fit["n_train"])])
        for fit in capacity.width_job_fits(config, width)
    )


def _block(training: dict, block: str | None) -> dict:
    return training if block is None else blocks.block_training(training, block)


def sweep_chunk_work(config: Config, chunk: str) -> Work:
    """A job of rule ``sweep_train``: every trial of the chunk, with its seeds."""
    return Work.of(
        network_work(
            t["settings"]["model"],
            {**t["settings"]["training"], **t["settings"]["loader"]},
            _n(config),
        )
        for t in ae_sweeps.chunk_settings(config, chunk)
    )


def _n(config: Config) -> int:
    return config["data"]["n_train"]
