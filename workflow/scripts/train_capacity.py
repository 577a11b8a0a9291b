"""Rule train_capacity: one capacity run of part (e), all its seed replicas, on the first
n training points, to a plateau of the training MSE or the cap; writes the Lightning
checkpoints before and after training, the mini-batch losses and the whole-set losses
recorded every record_every epochs (training, held-out and validation points: the last all
NaN without validation points, data.n_validation 0; recorded only, they steer nothing). A
killed attempt's rerun resumes from the state it saved (core.state)."""

import torch

from aeflow.autoencoder.data import TEST, load_optional_points, load_points
from aeflow.autoencoder.settings import ModelSpec, TrainingSpec
from aeflow.autoencoder.training import train_replicas, with_validation_column
from aeflow.core.atomic import write_csv
from aeflow.core.jobs import job_log
from aeflow.core.state import TrainingState

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    state = TrainingState.of_job(sm)
    torch.set_num_threads(sm.threads)
    result = train_replicas(
        ModelSpec(**sm.params.model),
        load_points(sm.input.samples)[..., : sm.params.n_train, :],  # (per replica)
        TrainingSpec(**sm.params.training),
        run_name=sm.wildcards.run,
        initial_checkpoint=sm.output.init,
        final_checkpoint=sm.output.trained,
        held_out=load_points(sm.input.samples, TEST),
        validation=load_optional_points(sm.input.samples),  # (per replica); None: none
        state=state,
    )
    write_csv(result.losses, sm.output.losses)
    write_csv(with_validation_column(result.curves), sm.output.curves)
    state.clear()
