# Config validation and the helpers that wire config slices to rules.
import os
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError

# Jobs import the aeflow package of this checkout, also inside conda envs and on cluster
# nodes where it is not pip-installed.
_SRC = Path(workflow.basedir) / "src"
if (_SRC / "aeflow").is_dir():
    sys.path.insert(0, str(_SRC))
    os.environ.update(
        PYTHONPATH=os.pathsep.join(p for p in (str(_SRC), os.environ.get("PYTHONPATH")) if p)
    )

from aeflow import config as cfg

try:
    cfg.validate_config(config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml")
except cfg.ConfigError as error:
    raise WorkflowError(str(error)) from None

RESULTS = "results"
TORCH_ENV = "../../envs/torch.yaml"
PLOT_ENV = "../../envs/plot.yaml"
VARIANTS = cfg.variant_names(config)
RUNS = cfg.training_runs(config)
NAME = "[A-Za-z][A-Za-z0-9_]*"


wildcard_constraints:
    variant=NAME,
    run=f"{NAME}(-{NAME})?",


# Seconds-long jobs without torch run on the submitting host, not as cluster jobs.
localrules:
    all,
    plot_samples,
    plot_loss_curves,
    plot_latent_maps,
    plot_decoder_sweeps,
    plot_retrain,
    plot_optimizer_comparison,
    summarise,


def gpus(run):
    """GPUs a training job asks the scheduler for: 1 with accelerator gpu, else 0."""
    return int(cfg.training_params(config, run)["accelerator"] == "gpu")


def figure(name):
    return f"{RESULTS}/figures/{name}.{config['figures']['format']}"


def all_targets():
    return [
        figure("samples"),
        figure("loss_curves"),
        figure("latent_maps"),
        figure("decoder_sweeps"),
        figure("retrain_latent_shift"),
        figure("retrain_losses"),
        figure("sgd_vs_gd"),
        f"{RESULTS}/summary.csv",
        f"{RESULTS}/summary.md",
        f"{RESULTS}/summary.html",
    ]


def _summarised():
    """(name, role, checkpoint, losses) of every trained model the summary reports."""
    retrained = config["retrain"]["variant"]
    return [
        (run, cfg.run_role(config, run), f"{RESULTS}/models/{run}/trained.ckpt",
         f"{RESULTS}/losses/{run}.csv")
        for run in RUNS
    ] + [
        (retrained, "retrained", f"{RESULTS}/retrain/{retrained}/retrained.ckpt",
         f"{RESULTS}/retrain/{retrained}/losses.csv")
    ]


def summary_checkpoints():
    return [checkpoint for _, _, checkpoint, _ in _summarised()]


def summary_losses():
    return [losses for _, _, _, losses in _summarised()]


def summary_models():
    """What the summary states about each model: its role, label and training settings."""
    return [
        {
            "name": name,
            "role": role,
            "label": f"{name}, encoder retrained" if role == "retrained" else cfg.run_label(config, name),
            "training": cfg.training_params(config, name),
        }
        for name, role, _, _ in _summarised()
    ]
