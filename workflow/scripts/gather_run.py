"""Rules gather_run, gather_retrain and gather_capacity: a run's first `seeds` replicas
from the blocks that trained them (core.blocks), as the run's checkpoints and tables: what
one job training them all would have written (capacity runs joined from several blocks,
which stop at plateaus of their own: weights and settings only), read by everything
downstream. A run
held whole by one block is that block's files, copied (no torch import); otherwise torch
(no Lightning) joins the checkpoints and pandas the tables. Inputs and outputs pair by
name; an output may list several runs (a capacity width's sizes), whose blocks the input
lists run by run; params.tables names each table's contract."""

import shutil
from pathlib import Path

from aeflow.autoencoder import tables
from aeflow.core.atomic import atomic_path, write_csv
from aeflow.core.blocks import block_range
from aeflow.core.jobs import job_log
from aeflow.core.tables import read_stacked

CONTRACTS = {
    "losses": tables.LOSSES,
    "capacity_losses": tables.CAPACITY_LOSSES,
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


def copied(blocks: list[str], output: str, keep: int) -> bool:
    """Copy a run held whole by one block (each block file sits in its block's folder)."""
    start, stop = block_range(Path(blocks[0]).parent.name)
    if len(blocks) != 1 or (start, stop - start) != (0, keep):
        return False
    with atomic_path(output) as partial:
        shutil.copyfile(blocks[0], partial)
    return True


sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]) as log:
    keep, state = int(sm.params.seeds), bool(sm.params.get("training_state", True))
    joined = 0
    for name in sm.output.keys():  # noqa: SIM118 (iterating a Namedlist gives its paths)
        for blocks, output in per_run(name):
            if copied(blocks, output, keep):
                continue
            joined += 1
            if name in sm.params.tables:
                rows = read_stacked(blocks, CONTRACTS[sm.params.tables[name]])
                first = sorted(rows["seed"].unique())[:keep]  # seed + k: the first replicas
                write_csv(rows[rows["seed"].isin(first)].reset_index(drop=True), output)
            else:
                from aeflow.core.checkpoints import gather_checkpoints, save_checkpoint

                checkpoint = gather_checkpoints(blocks, keep, training_state=state)
                save_checkpoint(checkpoint, output)
    log.info("first %d replica(s); %d file(s) joined from blocks, the rest copied", keep, joined)
