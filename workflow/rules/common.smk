# Config validation and the helpers that wire config slices to rules.
import csv
import functools
import os
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError

# This process imports the aeflow package of this checkout (sys.path), and so do the jobs
# it starts without conda, on this host or on cluster nodes (PYTHONPATH, inherited), where
# aeflow need not be pip-installed. PYTHONPATH cannot reach conda jobs (--sdm conda):
# Snakemake removes it from them, and envs/*.yaml install aeflow itself (-e ..).
_SRC = Path(workflow.basedir) / "src"
if (_SRC / "aeflow").is_dir():
    sys.path.insert(0, str(_SRC))
    os.environ.update(
        PYTHONPATH=os.pathsep.join(p for p in (str(_SRC), os.environ.get("PYTHONPATH")) if p)
    )

from aeflow import stages
from aeflow.autoencoder import capacity, draws
from aeflow.autoencoder import runs as ae
from aeflow.autoencoder import sweeps as ae_sweeps
from aeflow.autoencoder import work as ae_work
from aeflow.core import blocks, codehash, numerics, resources
from aeflow.core.config import NAME, ConfigError, check_yaml_syntax
from aeflow.core.params import digested
from aeflow.playground import runs as pg
from aeflow.playground.link import playground_url
from aeflow.workflow import shown_replicas, validate_config

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

# A rerun trigger: the rules whose numbers depend on the math libraries' code paths (those
# that compute with torch) take it as a param, so their jobs rerun when it changes; no
# script reads it. Every job inherits the numerics environment; torch reads it when it
# loads.
NUMERICS = config["numerics"]
numerics.apply(NUMERICS)

RESULTS = "results"
# The seeds design's pilot stage (aeflow.stages): every run's first seeds,
# gathered, analysed and evaluated here; results/seeds.csv then plans the final stage.
PILOT = f"{RESULTS}/{stages.PILOT}"
TWO_STAGE = stages.two_stage(config)
PILOT_CONFIG = stages.pilot_config(config)
TORCH_ENV = "../../envs/torch.yaml"
PLOT_ENV = "../../envs/plot.yaml"
VARIANTS = ae.variant_names(config)
PLAYGROUND = f"{RESULTS}/playground"
PLAYGROUND_TRIALS = pg.playground_trials(config)  # empty when playground.enabled is false
SWEEP_TRIALS = list(dict.fromkeys(record["trial"] for record in pg.sweep_table(config)))
PLAYGROUND_SWEEPS = list(pg.sweep_points(config)) if PLAYGROUND_TRIALS else []
AE_SWEEPS = list(ae_sweeps.sweeps(config))
AE_CHUNKS = list(ae_sweeps.trial_chunks(config))  # the jobs of sweep_train


wildcard_constraints:
    variant=NAME,
    run=f"{NAME}(-{NAME})?",  # a variant or an optimiser run
    width=r"\d+",  # a capacity width
    block=r"shared|s\d+-\d+",  # replicas [start, stop) (aeflow.core.blocks), or the data's one
    chunk=f"({pg.TRIAL_PATTERN})|({ae_sweeps.TRIAL_PATTERN})",
    sweep=NAME,


# Seconds-long jobs run on the submitting host, not as cluster jobs: those without torch,
# the evaluation and the summaries, the one part-(g) bound (a second of torch after the
# retraining) and the gathering of replica blocks (a copy of tensors).
localrules:
    all,
    evaluate,
    gather_run,
    gather_retrain,
    gather_capacity,
    pilot_gather_run,
    pilot_gather_retrain,
    pilot_gather_capacity,
    pilot_evaluate,
    pilot_retrain_bound,
    plan_seeds,
    plan_playground_seeds,
    pilot_tabulate_playground,
    tabulate_playground,
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


# What parsing each module gave, by its exact bytes: a dry run parses only what changed.
CODE_DIGESTS = codehash.DigestCache(".snakemake/aeflow/code-digests.json")


def code(script):
    """Digest of the aeflow code ``script`` imports: editing that code reruns the rule's jobs
    (Snakemake itself tracks only the script file)."""
    return codehash.code_digest(
        Path(workflow.basedir) / "workflow/scripts" / script, cache=CODE_DIGESTS
    )


def gpus(training):
    """GPUs a training job asks the scheduler for: 1 with accelerator gpu, else 0."""
    return int(training["accelerator"] == "gpu")


def runtime(work_of):
    """A training rule's ``runtime`` (minutes) from its job's work, ``work_of(wildcards)``,
    doubled per attempt."""

    def get_runtime(wildcards, attempt):
        return resources.runtime_minutes(work_of(wildcards), config["cluster"], attempt)

    return get_runtime


def mem_mb(work_of):
    """A training rule's ``mem_mb`` from its job's work, ``work_of(wildcards)``, doubled
    per attempt."""

    def get_mem_mb(wildcards, attempt):
        return resources.memory_mb(work_of(wildcards), config["cluster"], attempt)

    return get_mem_mb


# Params and resources that depend on a job's wildcards, one function each. Those given
# directly are plain values, computed once.


@functools.lru_cache(maxsize=4)
def _planned_config(seeds_csv, modified):
    with open(seeds_csv, newline="") as table:
        return stages.planned_config(config, list(csv.DictReader(table)))


def planned(part=stages.AUTOENCODER):
    """The config of the final stage of ``part``: each of its runs' seeds as its checkpoint
    wrote them (plan_seeds: results/seeds.csv; plan_playground_seeds:
    results/playground/seeds.csv), or config itself without a two-stage design. Input
    functions that call it wait for that checkpoint."""
    if not TWO_STAGE:
        return config
    plan = (
        checkpoints.plan_playground_seeds if part == stages.PLAYGROUND else checkpoints.plan_seeds
    )
    seeds_csv = plan.get().output.seeds
    return _planned_config(seeds_csv, os.stat(seeds_csv).st_mtime_ns)


def stage_config(stage, part=stages.AUTOENCODER):
    """The config of a stage of ``part``: "pilot" (every run at the pilot's seeds) or
    "final"."""
    return PILOT_CONFIG if stage == "pilot" else planned(part)


def get_training_params(wildcards):
    return ae.training_params(config, wildcards.run)


def get_training_priority(wildcards):
    """Above the Playground's chunks; the retrained variant's blocks first of all (its
    retraining, and the summary, wait on them)."""
    return 2 if wildcards.run == config["retrain"]["variant"] else 1


def get_model_params(wildcards):
    return ae.model_params(config, wildcards.run)


def get_training_gpu(wildcards):
    return gpus(get_training_params(wildcards))


def run_of(wildcards):
    """The run a block job's wildcards name: ``{run}``, or a retraining's ``{variant}``."""
    return wildcards.get("run", wildcards.get("variant"))


def get_block_training_params(wildcards):
    """A block's training settings (rules train and retrain_encoder)."""
    return blocks.block_training(ae.training_params(config, run_of(wildcards)), wildcards.block)


def get_block_work(wildcards):
    return ae_work.run_work(config, run_of(wildcards), wildcards.block)


def get_block_data(wildcards):
    """The data blocks that hold the replicas of a run's block."""
    return data_files(*blocks.block_range(wildcards.block))


def run_seeds(stage="final"):
    """Params function: the seeds a run (or a variant's retraining) keeps in ``stage``."""

    def seeds(wildcards):
        return ae.training_params(stage_config(stage), run_of(wildcards))["seeds"]

    return seeds


def block_files(pattern, stage="final"):
    """Input function: ``pattern`` (under results/, with {block} and the job's {run} or
    {variant}) for every block of that run's replicas in ``stage``, in order."""

    def files(wildcards):
        run = run_of(wildcards)
        return [
            f"{RESULTS}/{pattern.format(run=run, variant=run, block=block)}"
            for block in draws.run_blocks(stage_config(stage), run)
        ]

    return files


def get_data_params(wildcards):
    return draws.data_params(config, wildcards.block)


def data_files(start=0, stop=None, stage="final"):
    """The samples of replicas [start, stop) (all of ``stage``, by default), as data block
    files. With ``stop`` given, config alone names them: a training block's data must not
    wait on the seeds plan."""
    blocks_of = draws.data_blocks(config if stop is not None else stage_config(stage), start, stop)
    return [f"{RESULTS}/data/samples/{b}.csv" for b in blocks_of]


def all_data(stage="final"):
    """Input function: every data block a stage reads."""
    return lambda wildcards: data_files(stage=stage)


def get_variant_training_params(wildcards):
    return ae.training_params(config, wildcards.variant)


def get_variant_seed(wildcards):
    return get_variant_training_params(wildcards)["seed"]


def variant_data(stage="final"):
    """Input function: the data of a variant's replicas in ``stage`` (its analyses and
    retraining read all of them)."""

    def files(wildcards):
        return data_files(0, ae.training_params(stage_config(stage), wildcards.variant)["seeds"])

    return files


def capacity_outputs(name, gathered=False, root=RESULTS):
    """One output file ``name`` per run of a ``train_capacity`` job (one per training-set
    size), in the order of ``capacity.width_job_runs``: the job's block of replicas, or
    (``gathered``) the runs' gathered files under ``root``."""
    variant = config["capacity"]["variant"]
    where = "" if gathered else "blocks/{block}/"
    return [
        f"{root}/capacity/{variant}-w{{width}}-n{size}/{where}{name}"
        for size in capacity.training_sizes(config)
    ]


def capacity_block_files(name, stage="final"):
    """Input function: file ``name`` of every block of each of a width's capacity runs in
    ``stage`` (run by run, each run's blocks in order)."""

    def files(wildcards):
        return [
            f"{RESULTS}/capacity/{run}/blocks/{block}/{name}"
            for run in capacity.width_job_runs(config, wildcards.width)
            for block in draws.capacity_blocks(stage_config(stage))
        ]

    return files


def capacity_seeds(stage="final"):
    """Params function: the seeds a width's capacity runs keep in ``stage``."""

    def seeds(wildcards):
        run = capacity.width_job_runs(config, wildcards.width)[0]
        return capacity.training_params(stage_config(stage), run)["seeds"]

    return seeds


def get_capacity_model_params(wildcards):
    return capacity.model_params(config, capacity.width_job_runs(config, wildcards.width)[0])


def get_capacity_fits(wildcards):
    return [
        {**fit, "training": blocks.block_training(fit["training"], wildcards.block)}
        for fit in capacity.width_job_fits(config, wildcards.width)
    ]


def get_capacity_gpu(wildcards):
    return gpus(get_capacity_fits(wildcards)[0]["training"])


def get_capacity_work(wildcards):
    return ae_work.capacity_work(config, wildcards.width, wildcards.block)


def get_sweep_chunk_trials(wildcards):
    return digested(ae_sweeps.chunk_settings(config, wildcards.chunk), "trial settings")


def get_sweep_chunk_data(wildcards):
    trials = ae_sweeps.chunk_settings(config, wildcards.chunk)
    return data_files(0, max(trial["settings"]["training"].get("seeds", 1) for trial in trials))


def get_sweep_chunk_gpu(wildcards):
    return gpus(ae_sweeps.chunk_settings(config, wildcards.chunk)[0]["settings"]["training"])


def get_sweep_chunk_work(wildcards):
    return ae_work.sweep_chunk_work(config, wildcards.chunk)


def get_sweep_form(wildcards):
    return ae_sweeps.sweep_forms(config)[wildcards.sweep]


def get_playground_chunk_trials(wildcards):
    """A chunk block's trials: config alone names them (a block's settings do not change
    when the seeds grow)."""
    return digested(pg.chunk_settings(config, wildcards.chunk, wildcards.block), "trial settings")


def get_playground_chunk_maps(wildcards):
    return digested(pg.mapped_trials(config, wildcards.chunk), "mapped trials")


def get_playground_chunk_gpu(wildcards):
    # One shape group or several.
    trials = pg.chunk_settings(config, wildcards.chunk, wildcards.block)
    return max(gpus(trial["settings"]["training"]) for trial in trials)


def get_playground_chunk_work(wildcards):
    return pg.chunk_work(config, wildcards.chunk, wildcards.block)


def get_playground_sweep_form(wildcards):
    return pg.sweep_form_of(config, wildcards.sweep)


# Digested lists ignore their wildcards but still come through a function: Snakemake
# rebuilds a list given directly as a param, which loses its digest (aeflow.core.params).


def get_playground_trials(wildcards):
    return digested(PLAYGROUND_TRIALS, "trials")


def get_playground_sweep_records(wildcards):
    return digested(pg.sweep_table(config), "sweep points")


def get_playground_sweep_links(wildcards):
    return digested(playground_links(SWEEP_TRIALS), "links")


def summary_figures():
    """The figures the summary page shows beside its sections."""
    names = ["loss_curves", "latent_maps", "decoder_sweeps", "retrain_losses", "sgd_vs_gd"]
    return [figure(n) for n in names] + (
        [figure("capacity")] if capacity.capacity_widths(config) else []
    )


def playground_summary_figures():
    """The figures the Playground's summary page shows (the sweeps figure where there are
    one-at-a-time sweeps)."""
    names = ["playground_baseline"]
    if pg.sweep_table(config):
        names.append("playground_sweeps")
    return [figure(name) for name in names]


def get_margins():
    """claims.margins (defaults in aeflow.core.margins): a param of both summaries, so a
    changed margin reruns the summaries only."""
    return config.get("claims", {}).get("margins", {})


def get_design():
    """claims.design (aeflow.core.twostage): a param of both summaries, so a changed design
    reruns the summaries only."""
    return config.get("claims", {}).get("design", {})


def figure(name):
    return f"{RESULTS}/figures/{name}.{config['figures']['format']}"


def outputs(rule, **wildcards):
    """Every output file of ``rule`` for each value of its wildcard: the cached
    intermediates are targets too, so a plain run rebuilds one that was deleted."""
    return expand(list(rule.output), **wildcards)


def retrain_block_targets():
    """Every block of the retrained variant's replicas (rule retrain_encoder)."""
    variant = config["retrain"]["variant"]
    blocks_of = draws.run_blocks(planned(), variant)
    return expand(list(rules.retrain_encoder.output), variant=variant, block=blocks_of)


def train_block_targets():
    """Every block of every run's replicas (rule train)."""
    return [
        path
        for run in ae.training_runs(config)
        for path in expand(
            list(rules.train.output), run=run, block=draws.run_blocks(planned(), run)
        )
    ]


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
        *data_files(),
        *train_block_targets(),
        *outputs(rules.gather_run, run=ae.training_runs(config)),
        *expand(
            list(rules.train_capacity.output),
            width=capacity.capacity_widths(config),
            block=draws.capacity_blocks(planned()),
        ),
        *outputs(rules.gather_capacity, width=capacity.capacity_widths(config)),
        *outputs(rules.analyse, variant=VARIANTS),
        *retrain_block_targets(),
        *outputs(rules.gather_retrain, variant=[config["retrain"]["variant"]]),
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


def get_playground_targets(wildcards):
    """Everything of part 2 (the Playground bonus): every chunk's blocks of the final
    stage, the figures and the summary; nothing when it is disabled."""
    if not PLAYGROUND_TRIALS:
        return []
    figures = ["playground_baseline", "playground_weights"]
    if pg.sweep_table(config):
        figures += ["playground_sweeps", "playground_boundaries", "playground_curves"]
    figures += [f"playground_sweep_{sweep}" for sweep in pg.search_sweeps(config)]
    chunks = outputs(
        rules.playground_train,
        chunk=list(pg.trial_chunks(config)),
        block=pg.chunk_blocks(planned(stages.PLAYGROUND)),
    )
    return (
        chunks
        + [figure(name) for name in figures]
        + [
            f"{PLAYGROUND}/summary.csv",
            f"{PLAYGROUND}/summary.md",
            f"{PLAYGROUND}/summary.html",
        ]
    )


def chunk_files(name, trials, stage="final"):
    """Input function: the ``name`` table of every block in ``stage`` ("pilot", "final",
    or "first": the first block alone) of every chunk that trains one of ``trials`` (each
    chunk once)."""

    def files(wildcards):
        if not PLAYGROUND_TRIALS:
            return []
        chunks = dict.fromkeys(pg.chunk_of(config, trial) for trial in trials)
        if stage == "first":
            blocks_of = pg.chunk_blocks(config)[:1]
        else:
            blocks_of = pg.chunk_blocks(stage_config(stage, stages.PLAYGROUND))
        return [
            f"{PLAYGROUND}/chunks/{chunk}/{block}/{name}.csv"
            for chunk in chunks
            for block in blocks_of
        ]

    return files


def playground_seeds(stage="final"):
    """Params function: the replicas each Playground trial keeps in ``stage``."""

    def seeds(wildcards):
        return pg.trial_seeds(stage_config(stage, stages.PLAYGROUND))

    return seeds


def get_playground_baseline_settings(wildcards):
    """The baseline's settings with the seeds its figure shows (the final stage's)."""
    return pg.trial_settings(planned(stages.PLAYGROUND), pg.BASELINE)


def playground_links(trials):
    """(trial, URL opening its settings on the Playground's page), for figure captions."""
    if not PLAYGROUND_TRIALS:
        return []
    return [(trial, playground_url(pg.trial_settings(config, trial))) for trial in trials]


def summarised(root=RESULTS):
    """Every trained model the summary reports (its files under ``root``: results/, or the
    pilot's folder): the runs, then the capacity runs."""
    return ae.summarised_models(config, root) + capacity.summarised_models(config, root)


def summary_checkpoints(root=RESULTS):
    return [model["checkpoint"] for model in summarised(root)]


def summary_losses(root=RESULTS):
    return [model["losses"] for model in summarised(root)]


def summary_curves(root=RESULTS):
    return [m["curves"] for m in summarised(root) if m["curves"]] + [
        m["capacity"]["curves"] for m in summarised(root) if "capacity" in m
    ]


def summary_models(root=RESULTS):
    """What the summary states about each model (its files travel as inputs too)."""
    keys = ("name", "role", "label", "training", "curves", "width", "capacity")
    return [{key: model[key] for key in keys if key in model} for model in summarised(root)]


def get_autoencoder_targets(wildcards):
    return autoencoder_targets()


def seeds_plan(wildcards):
    """results/seeds.csv where the seeds design plans (an input of the rules whose params
    read it: Snakemake resolves a checkpoint in params only through an input)."""
    return [checkpoints.plan_seeds.get().output.seeds] if TWO_STAGE else []


def get_shown_replicas(wildcards):
    """Per variant, which replica its latent map and decoder sweep show (caption text,
    built in the package: aeflow.workflow.shown_replicas)."""
    return shown_replicas(planned(), VARIANTS)
