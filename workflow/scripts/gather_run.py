"""Rules gather_run, gather_retrain and gather_capacity: a run's first `seeds` replicas
from the blocks that trained them (core.blocks), as the run's checkpoints and tables: what
one job training them all would have written (for capacity runs, whose blocks stop at
plateaus of their own: weights and settings only), read by everything downstream (torch
and pandas, no Lightning). Inputs and outputs pair by name; an output may list several
runs (a capacity width's sizes), whose blocks the input lists run by run; params.tables
names each table's contract."""

from aeflow.autoencoder import tables
from aeflow.core.atomic import write_csv
from aeflow.core.checkpoints import gather_checkpoints, save_checkpoint
from aeflow.core.jobs import job_log
from aeflow.core.tables import read_stacked

CONTRACTS = {
    "losses": tables.LOSSES,
    "curves": tables.CURVES,
    "recorded_curves": tables.RECORDED_CURVES,
    "latent_shift": tables.LATENT_SHIFT,
}


def per_run(name: str) -> list[tuple[list[str], str]]:
    """(the run's block files, its output) for each run of the job's output ``name``."""
    outputs = getattr(sm.output, name)
    outputs = [outputs] if isinstance(outputs, str) else list(outputs)
    blocks = list(getattr(sm.input, name))
    size = len(blocks) // len(outputs)
    return [(blocks[i * size : (i + 1) * size], out) for i, out in enumerate(outputs)]


sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]) as log:
    keep, state = int(sm.params.seeds), bool(sm.params.get("training_state", True))
    seeds = None
    for name in sm.output.keys():  # noqa: SIM118 (iterating a Namedlist gives its paths)
        if name in sm.params.tables:
            continue
        for blocks, output in per_run(name):
            checkpoint = gather_checkpoints(blocks, keep, training_state=state)
            save_checkpoint(checkpoint, output)
            seeds = checkpoint["hyper_parameters"]["seeds"]
    for name, contract in sm.params.tables.items():
        for blocks, output in per_run(name):
            rows = read_stacked(blocks, CONTRACTS[contract])
            write_csv(rows[rows["seed"].isin(seeds)].reset_index(drop=True), output)
    log.info("seeds %s, each run from %d block(s)", seeds, len(per_run(name)[0][0]))
