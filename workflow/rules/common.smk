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

from aeflow.autoencoder import capacity
from aeflow.autoencoder import runs as ae
from aeflow.autoencoder import sweeps as ae_sweeps
from aeflow.autoencoder import work as ae_work
from aeflow.core import codehash, numerics, resources
from aeflow.core.config import NAME, ConfigError, check_yaml_syntax
from aeflow.core.params import digested
from aeflow.playground import runs as pg
from aeflow.playground.link import playground_url
from aeflow.workflow import validate_config

CONFIG_FILE = "config.yaml"
try:
    # Snakemake's own message for a YAML syntax error names no line, and it keeps the last
    # of two equal keys silently: check config.yaml and every --configfile first. (Snakemake
    # reads a --configfile before this runs: a syntax error there gets its own message.)
    for path in [CONFIG_FILE, *workflow.config_settings.configfiles]:
        if Path(path).exists():
            check_yaml_syntax(path)
except ConfigError as error:
    raise WorkflowError(str(error)) from None


configfile: CONFIG_FILE


try:
    validate_config(config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml")
except ConfigError as error:
    raise WorkflowError(str(error)) from None

# Every job inherits the numerics environment; torch reads it when it loads.
numerics.apply(config["numerics"])

RESULTS = "results"
TORCH_ENV = "../../envs/torch.yaml"
PLOT_ENV = "../../envs/plot.yaml"
VARIANTS = ae.variant_names(config)
PLAYGROUND = f"{RESULTS}/playground"
PLAYGROUND_TRIALS = pg.playground_runs(config)  # empty when playground.enabled is false
SWEEP_TRIALS = list(dict.fromkeys(record["run"] for record in pg.sweep_table(config)))
PLAYGROUND_SWEEPS = list(pg.sweep_points(config)) if PLAYGROUND_TRIALS else []
AE_SWEEPS = list(ae_sweeps.sweeps(config))
AE_CHUNKS = list(ae_sweeps.trial_chunks(config))  # the jobs of sweep_train


wildcard_constraints:
    variant=NAME,
    run=f"{NAME}(-{NAME}){{0,2}}",  # a variant, an optimiser run, a capacity run
    trial=pg.TRIAL_PATTERN,
    chunk=f"({pg.TRIAL_PATTERN})|({ae_sweeps.TRIAL_PATTERN})",
    sweep=NAME,


# Seconds-long jobs run on the submitting host, not as cluster jobs: those without torch,
# the summary, and the one part-(g) bound (a second of torch after the retraining).
localrules:
    all,
    plot_samples,
    plot_loss_curves,
    plot_latent_maps,
    plot_decoder_sweeps,
    plot_retrain,
    retrain_bound,
    plot_optimizer_comparison,
    plot_capacity,
    summarise,
    summarise_playground,
    plot_playground_baseline,
    plot_playground_sweeps,
    plot_playground_weights,
    plot_playground_search,
    summarise_sweeps,
    plot_sweep,
    sweeps,
    autoencoder,
    playground,


def code(script):
    """Digest of the aeflow code ``script`` imports: editing that code reruns the rule's jobs
    (Snakemake itself tracks only the script file)."""
    return codehash.code_digest(Path(workflow.basedir) / "workflow/scripts" / script)


def gpus(training):
    """GPUs a training job asks the scheduler for: 1 with accelerator gpu, else 0."""
    return int(training["accelerator"] == "gpu")


def runtime(work_of):
    """A training rule's ``runtime`` (minutes) from its job's work, doubled per attempt."""
    return lambda w, attempt: resources.runtime_minutes(work_of(w), config["cluster"], attempt)


def mem_mb(work_of):
    """A training rule's ``mem_mb`` from its job's work, doubled per attempt."""
    return lambda w, attempt: resources.memory_mb(work_of(w), config["cluster"], attempt)


def summary_figures():
    """The figures the summary page shows beside its sections."""
    names = ["loss_curves", "latent_maps", "decoder_sweeps", "retrain_losses", "sgd_vs_gd"]
    return [figure(n) for n in names] + (
        [figure("capacity")] if capacity.capacity_widths(config) else []
    )


def get_margins():
    """claims.margins (defaults in aeflow.core.margins): a param of both summaries, so a
    changed margin reruns the summaries only."""
    return config.get("claims", {}).get("margins", {})


def figure(name):
    return f"{RESULTS}/figures/{name}.{config['figures']['format']}"


def all_targets():
    return autoencoder_targets() + playground_targets() + sweep_targets()


def outputs(rule, **wildcards):
    """Every output file of ``rule`` for each value of its wildcard: the cached
    intermediates are targets too, so a plain run rebuilds one that was deleted."""
    return expand(list(rule.output), **wildcards)


def sweep_targets():
    """The autoencoder sweeps' chunks, summary and figures; nothing without sweeps."""
    if not AE_SWEEPS:
        return []
    return (
        outputs(rules.sweep_train, chunk=AE_CHUNKS)
        + [figure(f"sweep_{sweep}") for sweep in AE_SWEEPS]
        + [
            f"{RESULTS}/sweeps/summary.csv",
            f"{RESULTS}/sweeps/summary.md",
            f"{RESULTS}/sweeps/summary.html",
        ]
    )


def autoencoder_targets():
    """Everything of part 1 (the autoencoders): its intermediates, figures and summary."""
    return [
        rules.make_data.output[0],
        *outputs(rules.train, run=ae.training_runs(config)),
        *outputs(rules.train_capacity, run=capacity.trained_runs(config)),
        *outputs(rules.embed, variant=VARIANTS),
        *outputs(rules.decoder_sweep, variant=VARIANTS),
        *outputs(rules.retrain_encoder, variant=[config["retrain"]["variant"]]),
        *outputs(rules.retrain_bound, variant=[config["retrain"]["variant"]]),
        figure("samples"),
        figure("loss_curves"),
        figure("latent_maps"),
        figure("decoder_sweeps"),
        figure("reconstructions"),
        figure("retrain_latent_shift"),
        figure("retrain_losses"),
        figure("sgd_vs_gd"),
        *([figure("capacity")] if capacity.capacity_widths(config) else []),
        f"{RESULTS}/summary.csv",
        f"{RESULTS}/summary.md",
        f"{RESULTS}/summary.html",
    ]


def playground_targets():
    """Everything of part 2 (the Playground bonus); nothing when it is disabled."""
    if not PLAYGROUND_TRIALS:
        return []
    figures = ["playground_baseline", "playground_weights"]
    if pg.sweep_table(config):
        figures += ["playground_sweeps", "playground_boundaries", "playground_curves"]
    figures += [f"playground_sweep_{sweep}" for sweep in pg.search_sweeps(config)]
    chunks = outputs(rules.playground_train, chunk=list(pg.trial_chunks(config)))
    return (
        chunks
        + [figure(name) for name in figures]
        + [
            f"{PLAYGROUND}/summary.csv",
            f"{PLAYGROUND}/summary.md",
            f"{PLAYGROUND}/summary.html",
        ]
    )


def chunk_files(name, trials):
    """The ``name`` table of every chunk that trains one of ``trials`` (each chunk once)."""
    if not PLAYGROUND_TRIALS:
        return []
    chunks = dict.fromkeys(pg.chunk_of(config, trial) for trial in trials)
    return [f"{PLAYGROUND}/chunks/{chunk}/{name}.csv" for chunk in chunks]


def playground_links(trials):
    """(trial, URL opening its settings on the Playground's page), for figure captions."""
    if not PLAYGROUND_TRIALS:
        return []
    return [(trial, playground_url(pg.run_settings(config, trial))) for trial in trials]


def summarised():
    """Every trained model the summary reports: the runs, then the capacity runs."""
    return ae.summarised_models(config, RESULTS) + capacity.summarised_models(config, RESULTS)


def summary_checkpoints():
    return [model["checkpoint"] for model in summarised()]


def summary_losses():
    return [model["losses"] for model in summarised()]


def summary_curves():
    return [m["curves"] for m in summarised() if m["curves"]] + [
        m["capacity"]["curves"] for m in summarised() if "capacity" in m
    ]


def summary_models():
    """What the summary states about each model (its files travel as inputs too)."""
    keys = ("name", "role", "label", "training", "curves", "width", "capacity")
    return [{key: model[key] for key in keys if key in model} for model in summarised()]


def first_replicas():
    """Per variant, which replica its latent map and decoder sweep show, e.g. 'seed 0,
    first of 5 replicas' (they show one network, not a mean over seeds)."""
    return [
        f"seed {t['seed']}" + (f", first of {t['seeds']} replicas" if t["seeds"] > 1 else "")
        for t in (ae.training_params(config, variant) for variant in VARIANTS)
    ]
