# Config validation and the helpers that wire config slices to rules.
from pathlib import Path

from snakemake.exceptions import WorkflowError

from aeflow import config as cfg

try:
    cfg.validate_config(config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml")
except cfg.ConfigError as error:
    raise WorkflowError(str(error)) from None

RESULTS = "results"
VARIANTS = cfg.variant_names(config)
RUNS = cfg.training_runs(config)
NAME = "[A-Za-z][A-Za-z0-9_]*"


wildcard_constraints:
    variant=NAME,
    run=f"{NAME}(-{NAME})?",


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
