"""Rule playground_train: one chunk of Playground trials (each with its seed replicas),
a group of trials that share a network shape trained together through Lightning, several
groups one after another; writes per trial and seed the loss curves, metrics and weights,
the data with the trained outputs and the output maps of the trials figures draw, and a
checkpoint per group in the folder ``models``. A killed attempt's rerun resumes from the
state it saved (core.state)."""

import torch

from aeflow.core.atomic import atomic_folder, write_csv
from aeflow.core.jobs import job_log
from aeflow.core.state import TrainingState
from aeflow.playground.settings import PlaygroundSpec
from aeflow.playground.training import train_groups

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]), atomic_folder(sm.output.models) as models:
    state = TrainingState.of_job(sm)
    torch.set_num_threads(sm.threads)
    trials = [(t["trial"], PlaygroundSpec.from_params(t["settings"])) for t in sm.params.trials]
    result = train_groups(
        trials,
        run_name=sm.wildcards.chunk,
        checkpoints=models,
        maps=set(sm.params.maps),
        loss_level=sm.params.loss_level,
        state=state,
    )
    write_csv(result.curves, sm.output.curves)
    write_csv(result.metrics, sm.output.metrics)
    write_csv(result.weights, sm.output.weights)
    write_csv(result.points, sm.output.points)
    write_csv(result.boundary, sm.output.boundary)
state.clear()  # once every output, the models folder too, is in place
