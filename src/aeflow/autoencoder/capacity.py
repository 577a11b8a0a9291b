"""Part (e) measured: one variant's architecture at increasing width, hidden [w, w],
trained with the variant's own training settings and seeds (torch-free).

A width whose [w, w] is the variant's own hidden layers reuses the variant's training:
same settings and seeds give the same networks, so it is not trained twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from aeflow.autoencoder import runs

Config = dict[str, Any]

SEPARATOR = "-w"  # run names 'ae2-w400'; the width is the part after it


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


def capacity_widths(config: Config) -> list[int]:
    return list(config["capacity"]["widths"])


def run_name(config: Config, width: int) -> str:
    return f"{config['capacity']['variant']}{SEPARATOR}{width}"


def width_of(config: Config, run: str) -> int:
    """The width of a capacity run name (KeyError for a name that is not one)."""
    variant, separator, width = run.rpartition(SEPARATOR)
    if not separator or variant != config["capacity"]["variant"] or not width.isdigit():
        raise KeyError(f"unknown capacity run {run!r}")
    if int(width) not in capacity_widths(config):
        raise KeyError(f"unknown capacity run {run!r}: width {width} is not in capacity.widths")
    return int(width)


def model_params(config: Config, run: str) -> dict:
    """The base variant's architecture with hidden layers [w, w] (``ModelSpec`` kwargs)."""
    width = width_of(config, run)
    return {**_variant_model(config), "hidden": [width, width]}


def training_params(config: Config, run: str) -> dict:
    """The base variant's own training and loader settings (seeds included)."""
    width_of(config, run)
    return runs.training_params(config, config["capacity"]["variant"])


def _variant_model(config: Config) -> dict:
    return runs.model_params(config, config["capacity"]["variant"])


def is_base(config: Config, width: int) -> bool:
    """Whether hidden [w, w] is the base variant itself (then its training is reused)."""
    return list(_variant_model(config)["hidden"]) == [width, width]


def capacity_runs(config: Config, results: str) -> list[dict]:
    """One record per configured width, in config order: width, name (a run name,
    'ae2-w400'), parameters, and where its checkpoint, losses and curves are (the base
    variant's own files when [w, w] is its architecture)."""
    variant = config["capacity"]["variant"]
    model = _variant_model(config) if capacity_widths(config) else {}
    records = []
    for width in capacity_widths(config):
        name = run_name(config, width)
        folder = f"{results}/capacity/{name}"
        files = (
            {
                "checkpoint": f"{results}/models/{variant}/trained.ckpt",
                "losses": f"{results}/losses/{variant}.csv",
                "curves": f"{results}/curves/{variant}.csv",
            }
            if is_base(config, width)
            else {
                "checkpoint": f"{folder}/trained.ckpt",
                "losses": f"{folder}/losses.csv",
                "curves": f"{folder}/curves.csv",
            }
        )
        parameters = mlp_parameters(model["input_dim"], [width, width], model["latent_dim"])
        records.append({"width": width, "name": name, "parameters": parameters, **files})
    return records


def trained_runs(config: Config) -> list[str]:
    """The capacity runs the ``train_capacity`` rule trains (the base width is reused)."""
    return [
        run_name(config, width) for width in capacity_widths(config) if not is_base(config, width)
    ]


def summarised_models(config: Config, results: str) -> list[dict]:
    """The capacity runs as the summary reads them (``runs.summarised_models``' format),
    role 'capacity', with their width."""
    variant = config["capacity"]["variant"]
    return [
        {
            "name": record["name"],
            "role": "capacity",
            "label": f"{variant}, hidden [{record['width']}, {record['width']}]",
            "training": runs.reported_training(config, variant),
            "width": record["width"],
            "checkpoint": record["checkpoint"],
            "losses": record["losses"],
            "curves": "",
        }
        for record in capacity_runs(config, results)
    ]
