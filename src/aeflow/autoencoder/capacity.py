"""Part (e) measured: one variant's architecture at increasing width, hidden [w, w], trained
on training sets of several sizes until the training MSE plateaus (torch-free).

The question is capacity (can the network memorise its training points, and what does the
held-out error do then), not the sheet's optimiser, so the experiment has a training
protocol of its own (``capacity.training`` and ``capacity.loader`` over the variant's
settings; by default full-batch Adam with a cosine schedule): each run trains until every
seed's training MSE has plateaued (``capacity.stopping``, ``core.plateau``) or until the
cap of ``epochs``, recording the whole-set MSEs every ``record_every`` epochs.

A training set of size n is the first n points of the training sample (``capacity.n_train``,
'all' for the whole sample):
the points are independent uniform draws, so the first n are a uniform sample themselves;
the sets are nested and share the held-out set, so sizes differ in the number of points
only, not in which draw they came from.

A run (one width at one size, all its seeds) is named ``<variant>-w<width>-n<size>``. One job
per width trains its sizes one after another (``width_job_runs``): a training process
spends seconds importing Lightning, more than most capacity runs train. Adding a width
trains only that width; adding or removing a size changes what every width's job writes,
so every width retrains.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from itertools import pairwise

from aeflow.autoencoder import runs
from aeflow.autoencoder.settings import REPORTED_TRAINING
from aeflow.core.config import Config

# A training set is memorised when its MSE is at most this share of the best constant
# reconstruction's (every point read as the training points' mean): an RMS error per
# coordinate of about 3% of the points' spread.
# The run whose seeds the seeds design plans for every capacity run (aeflow.stages): one
# job trains a width's sizes, so they grow together.
SEEDS_RUN = "capacity"
MEMORISED_SHARE = 1e-3


def mlp_parameters(input_dim: int, hidden: Sequence[int], latent_dim: int) -> int:
    """Parameters of the mirrored MLP autoencoder (``models.Autoencoder``): weights and
    biases of encoder input_dim -> hidden... -> latent_dim and decoder back.

    For hidden [w, w], 2-D input and a 1-D latent: 2 w^2 + 10 w + 3 (5,503 at w = 50).
    """
    encoder = [input_dim, *hidden, latent_dim]
    decoder = encoder[::-1]
    return sum(
        (n_in + 1) * n_out for widths in (encoder, decoder) for n_in, n_out in pairwise(widths)
    )


def memorised_level(constant_mse: float) -> float:
    """The training MSE at or below which a training set counts as memorised."""
    return MEMORISED_SHARE * constant_mse


def capacity_widths(config: Config) -> list[int]:
    return list(config["capacity"]["widths"])


def training_sizes(config: Config) -> list[int]:
    """The training-set sizes (``capacity.n_train``, 'all' read as ``data.n_train``, each
    once; default: the whole training set)."""
    n = config["data"]["n_train"]
    sizes = config["capacity"].get("n_train") or ["all"]
    return list(dict.fromkeys(n if size == "all" else int(size) for size in sizes))


def run_name(config: Config, width: int, n_train: int) -> str:
    return f"{config['capacity']['variant']}-w{width}-n{n_train}"


def width_job_runs(config: Config, width: int | str) -> list[str]:
    """The runs the ``train_capacity`` job of ``width`` trains, sizes in config order
    (KeyError for a width that is not configured)."""
    if int(width) not in capacity_widths(config):
        raise KeyError(f"unknown capacity width {width!r}: not in capacity.widths")
    return [run_name(config, int(width), size) for size in training_sizes(config)]


def width_job_fits(config: Config, width: int | str) -> list[dict]:
    """What the job of ``width`` trains, per run: its name, training-set size and
    ``TrainingSpec`` keyword arguments."""
    return [
        {"run": run, "n_train": n_train(config, run), "training": training_params(config, run)}
        for run in width_job_runs(config, width)
    ]


def parse_run(config: Config, run: str) -> tuple[int, int]:
    """(width, training-set size) of a capacity run name (KeyError for a name that is not
    one of the configured runs)."""
    variant = config["capacity"]["variant"]
    match = re.fullmatch(rf"{re.escape(variant)}-w(\d+)-n(\d+)", run)
    if not match:
        raise KeyError(f"unknown capacity run {run!r}")
    width, n_train = int(match.group(1)), int(match.group(2))
    if width not in capacity_widths(config):
        raise KeyError(f"unknown capacity run {run!r}: width {width} is not in capacity.widths")
    if n_train not in training_sizes(config):
        raise KeyError(f"unknown capacity run {run!r}: {n_train} is not in capacity.n_train")
    return width, n_train


def model_params(config: Config, run: str) -> dict:
    """The base variant's architecture with hidden layers [w, w] (``ModelSpec`` kwargs)."""
    width, _ = parse_run(config, run)
    return {**_variant_model(config), "hidden": [width, width]}


def n_train(config: Config, run: str) -> int:
    """The run's training-set size: it trains on the first this many training points."""
    return parse_run(config, run)[1]


def training_params(config: Config, run: str) -> dict:
    """``TrainingSpec`` keyword arguments: the global, the variant's and the capacity
    section's training and loader settings (later ones winning), a full batch resolved to
    the run's training-set size, and the recording interval and stopping rule."""
    _, size = parse_run(config, run)
    section = config["capacity"]
    merged = _merged_training(config)
    if merged.get("batch_size") == "full":
        merged["batch_size"] = size
    merged["record_every"] = section.get("record_every", 1)
    # Part (e) reads the held-out MSE at every record (where the validation points choose).
    merged["held_out_every"] = merged["record_every"]
    stopping = section.get("stopping")
    if stopping:
        merged["plateau_window"] = stopping["window"]
        merged["plateau_tolerance"] = stopping["tolerance"]
    merged.pop("seeds_per_job", None)  # the blocks are the rule's (a job per width and block)
    return dict(sorted(merged.items()))


def _merged_training(config: Config) -> dict:
    section = config["capacity"]
    merged: dict = {}
    for layer in (config, config["variants"].get(section["variant"], {}), section):
        merged.update(copy.deepcopy(layer.get("training", {})))
        merged.update(copy.deepcopy(layer.get("loader", {})))
    return merged


def cap_epochs(config: Config) -> int:
    """The capacity runs' epochs: where each stops at the latest."""
    return int(_merged_training(config)["epochs"])


def protocol(config: Config, run: str) -> dict:
    """What the summary states about how a capacity run trained, besides the reported
    training settings: its training-set size, schedule, recording interval and stopping
    rule (window 0: none)."""
    training = training_params(config, run)
    return {
        "n_train": n_train(config, run),
        "schedule": training.get("schedule", "constant"),
        "record_every": training["record_every"],
        "stop_window": training.get("plateau_window", 0),
        "stop_tolerance": training.get("plateau_tolerance", 0.0),
    }


def latent_dim(config: Config) -> int:
    """The capacity variant's latent size (1 when there is no capacity experiment)."""
    return int(_variant_model(config)["latent_dim"]) if capacity_widths(config) else 1


def _variant_model(config: Config) -> dict:
    return runs.model_params(config, config["capacity"]["variant"])


def capacity_runs(config: Config, results: str) -> list[dict]:
    """One record per configured size and width (sizes in config order, widths in config
    order within each): width, n_train, name (a run name, 'ae2-w400-n100'), parameters,
    and where its checkpoint, losses and curves are."""
    model = _variant_model(config) if capacity_widths(config) else {}
    records = []
    for size in training_sizes(config):
        for width in capacity_widths(config):
            name = run_name(config, width, size)
            folder = f"{results}/capacity/{name}"
            parameters = mlp_parameters(model["input_dim"], [width, width], model["latent_dim"])
            records.append(
                {
                    "width": width,
                    "n_train": size,
                    "name": name,
                    "parameters": parameters,
                    "checkpoint": f"{folder}/trained.ckpt",
                    "losses": f"{folder}/losses.csv",
                    "curves": f"{folder}/curves.csv",
                }
            )
    return records


def trained_runs(config: Config) -> list[str]:
    """Every capacity run (every width at every size)."""
    return [record["name"] for record in capacity_runs(config, "")]


def summarised_models(config: Config, results: str) -> list[dict]:
    """The capacity runs as the summary reads them (``runs.summarised_models``' format),
    role 'capacity', with their width and, under ``capacity``, their per-epoch curves
    and ``protocol``."""
    variant = config["capacity"]["variant"]
    models = []
    for record in capacity_runs(config, results):
        training = training_params(config, record["name"])
        models.append(
            {
                "name": record["name"],
                "role": "capacity",
                "label": f"{variant}, hidden [{record['width']}, {record['width']}], "
                f"{record['n_train']} training points",
                "training": {key: training[key] for key in REPORTED_TRAINING if key in training},
                "width": record["width"],
                "checkpoint": record["checkpoint"],
                "losses": record["losses"],
                "curves": "",  # part (h) compares the curves of its optimiser runs only
                "capacity": {"curves": record["curves"], **protocol(config, record["name"])},
            }
        )
    return models


def config_errors(config: Config) -> list[str]:
    """Checks of the capacity section a JSON schema cannot express (once its variant is
    known to be valid): sizes within the training sample, a batch no larger than the
    smallest size when drop_last, the cap and the stopping window multiples of the
    recording interval."""
    if not capacity_widths(config):
        return []
    messages = []
    n = config["data"]["n_train"]
    too_many = [size for size in training_sizes(config) if size > n]
    if too_many:
        messages.append(
            f"capacity.n_train: {too_many} exceed data.n_train={n}; allowed: 1..{n} (the "
            "first n training points)"
        )
        return messages
    smallest = min(training_sizes(config))
    training = training_params(config, run_name(config, capacity_widths(config)[0], smallest))
    if training["drop_last"] and training["batch_size"] > smallest:
        messages.append(
            f"capacity: batch_size {training['batch_size']} is larger than the smallest "
            f"training set (capacity.n_train: {smallest}), so drop_last leaves no batch; "
            f"allowed: 1..{smallest} or 'full'"
        )
    every = training["record_every"]
    if training["epochs"] % every:
        messages.append(
            f"capacity.record_every: {every} does not divide the capacity runs' epochs "
            f"({training['epochs']}); allowed: a divisor of it"
        )
    window = training.get("plateau_window", 0)
    if window and window % every:
        messages.append(
            f"capacity.stopping.window: {window} is not a multiple of capacity.record_every "
            f"({every})"
        )
    return messages
