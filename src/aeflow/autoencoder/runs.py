"""Which trainings part 1 performs, and the settings each rule receives (torch-free).

Rules receive only the slice of the config they use (through ``params:`` computed from
their wildcards), so Snakemake's params trigger reruns exactly what a change touches.
"""

from __future__ import annotations

import copy

from aeflow.autoencoder.settings import REPORTED_TRAINING
from aeflow.core.config import Config

COMPARISON_SEPARATOR = "-"  # variant names cannot contain it, so run names never collide


def variant_names(config: Config) -> list[str]:
    return list(config["variants"])


def comparison_runs(config: Config) -> list[str]:
    """Runs of the optimiser comparison, e.g. ``ae2-sgd`` and ``ae2-gd``."""
    comparison = config["optimizer_comparison"]
    return [f"{comparison['variant']}{COMPARISON_SEPARATOR}{key}" for key in comparison["runs"]]


def training_runs(config: Config) -> list[str]:
    """Every training the train rule performs: the variants, then the comparison runs."""
    return variant_names(config) + comparison_runs(config)


def _split_run(config: Config, run: str) -> tuple[str, dict | None]:
    variant, _, key = run.partition(COMPARISON_SEPARATOR)
    if variant not in config["variants"]:
        raise KeyError(f"unknown training run {run!r}")
    if not key:
        return variant, None
    comparison = config["optimizer_comparison"]
    if comparison["variant"] != variant or key not in comparison["runs"]:
        raise KeyError(f"unknown training run {run!r}")
    return variant, comparison["runs"][key]


def _run_key(config: Config, run: str) -> str:
    variant, override = _split_run(config, run)
    if override is None:
        return f"variants.{variant}"
    return f"optimizer_comparison.runs.{run.partition(COMPARISON_SEPARATOR)[2]}"


def model_params(config: Config, run: str) -> dict:
    """Architecture of a run, as keyword arguments of ``ModelSpec``."""
    variant_name, _ = _split_run(config, run)
    variant = config["variants"][variant_name]
    shared = config["model"]
    params = {
        "input_dim": shared["input_dim"],
        "latent_dim": variant.get("latent_dim", shared["latent_dim"]),
        "hidden": list(variant.get("hidden", [])) if not variant.get("linear") else [],
        "linear": bool(variant.get("linear", False)),
    }
    # A linear model has no activation: the setting must not rerun it.
    if not params["linear"]:
        params["activation"] = variant.get("activation", shared["activation"])
    return params


def training_params(config: Config, run: str) -> dict:
    """Training and loader settings of a run, as keyword arguments of ``TrainingSpec``.

    Layers, later ones winning: global ``training``/``loader``, the variant's own
    overrides, then the optimiser-comparison run's overrides.
    """
    variant_name, override = _split_run(config, run)
    layers = [config, config["variants"][variant_name]] + ([override] if override else [])
    merged: dict = {}
    for layer in layers:
        merged.update(copy.deepcopy(layer.get("training", {})))
        merged.update(copy.deepcopy(layer.get("loader", {})))
    if merged.get("batch_size") == "full":
        merged["batch_size"] = config["data"]["n_train"]
    merged.pop("seeds_per_job", None)  # how the replicas are split into jobs: seeds_per_job
    return dict(sorted(merged.items()))


def seeds_per_job(config: Config, run: str) -> int:
    """Replicas per training job of a run (its blocks, ``core.blocks``), the variant's or
    the comparison run's own if it sets one."""
    variant_name, override = _split_run(config, run)
    layers = [config, config["variants"][variant_name]] + ([override] if override else [])
    per_job = config["training"]["seeds_per_job"]
    for layer in layers[1:]:
        per_job = layer.get("training", {}).get("seeds_per_job", per_job)
    return int(per_job)


def reported_training(config: Config, run: str) -> dict:
    """The training settings the summary table shows for a run (and nothing else, so that
    other settings reach the summary only through the models they change)."""
    training = training_params(config, run)
    return {key: training[key] for key in REPORTED_TRAINING if key in training}


def run_role(config: Config, run: str) -> str:
    """'variant' for a configured variant, 'optimizer run' for a comparison run."""
    return "variant" if _split_run(config, run)[1] is None else "optimizer run"


def run_label(config: Config, run: str) -> str:
    _, override = _split_run(config, run)
    if override is None:
        return run
    return override.get("label", run)


def summarised_models(config: Config, results: str) -> list[dict]:
    """Every trained model the summary reports, in table order: name, role ('variant',
    'optimizer run', 'retrained'), label, the training settings it shows, and the
    checkpoint and loss files it reads (under ``results``)."""
    models = [
        {
            "name": run,
            "role": run_role(config, run),
            "label": run_label(config, run),
            "training": reported_training(config, run),
            "checkpoint": f"{results}/models/{run}/trained.ckpt",
            "losses": f"{results}/losses/{run}.csv",
            # Part (h) compares the optimiser runs on their full-set loss curves.
            "curves": f"{results}/curves/{run}.csv" if run in comparison_runs(config) else "",
        }
        for run in training_runs(config)
    ]
    retrained = config["retrain"]["variant"]
    models.append(
        {
            "name": retrained,
            "role": "retrained",
            "label": f"{retrained}, encoder retrained",
            "training": reported_training(config, retrained),
            "checkpoint": f"{results}/retrain/{retrained}/retrained.ckpt",
            "losses": f"{results}/retrain/{retrained}/losses.csv",
            "curves": "",
        }
    )
    return models


def retrain_init_params(config: Config) -> dict:
    """Encoder re-initialisation of part (g): N(init_mean, init_std), biases 0, seeded."""
    retrain = config["retrain"]
    return {
        "mean": retrain["init_mean"],
        "std": retrain["init_std"],
        "seed": retrain["seed"],
    }


def config_errors(config: Config) -> list[str]:
    """Checks a JSON schema cannot express: orderings, cross-references, batch sizes."""
    messages = []
    for section, key in (("data", "x_range"), ("data", "y_range"), ("decoder_sweep", "z_range")):
        if config[section][key] == "auto":  # decoder_sweep.z_range: from the codes in use
            continue
        low, high = config[section][key]
        if not low < high:
            messages.append(f"{section}.{key}: min {low} must be less than max {high}")
    variants = config["variants"]
    for name, variant in variants.items():
        if variant.get("linear") and variant.get("hidden"):
            messages.append(f"variants.{name}: a linear variant takes no 'hidden' layers")
        if not variant.get("linear") and not variant.get("hidden"):
            messages.append(
                f"variants.{name}.hidden: must be a non-empty list of positive widths "
                "(or set linear: true for the bias-free linear autoencoder)"
            )
    for stage in ("retrain", "optimizer_comparison"):
        chosen = config[stage]["variant"]
        if chosen not in variants:
            messages.append(
                f"{stage}.variant: {chosen!r} is not a variant; allowed: {', '.join(variants)}"
            )
    capacity = config["capacity"]
    if capacity["widths"]:  # with no widths the variant is never used
        chosen = capacity["variant"]
        if chosen not in variants:
            messages.append(
                f"capacity.variant: {chosen!r} is not a variant; allowed: {', '.join(variants)}"
            )
        elif variants[chosen].get("linear"):
            messages.append(
                f"capacity.variant: {chosen!r} is linear, with no hidden layers to widen; "
                "allowed: a variant with hidden layers"
            )
    if messages:
        return messages  # the run lookups below assume the references are valid
    for run in training_runs(config):
        loader = training_params(config, run)
        n_train = config["data"]["n_train"]
        if loader["drop_last"] and loader["batch_size"] > n_train:
            messages.append(
                f"{_run_key(config, run)}.loader.batch_size: {loader['batch_size']} is larger "
                f"than data.n_train={n_train}, so drop_last leaves no batch; "
                f"allowed: 1..{n_train} or 'full'"
            )
    return messages
