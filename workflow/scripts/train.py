"""Rules train and train_capacity: one training run (all its seed replicas) through
Lightning; writes the Lightning checkpoints before and after training, the mini-batch losses
and the per-epoch (or per-record) losses over the whole training and held-out sets. A
capacity run (params n_train, validation) trains on the first n training points and also
records the validation points' MSE (NaN without them; recorded only, they steer nothing).
A killed attempt's rerun resumes from the state it saved (core.state), removed once the
outputs are written."""

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
    points = load_points(sm.input.samples)
    n_train = sm.params.get("n_train")  # a capacity run: the first n points (per replica)
    records_validation = bool(sm.params.get("validation", False))
    result = train_replicas(
        ModelSpec(**sm.params.model),
        points[..., :n_train, :] if n_train else points,
        TrainingSpec(**sm.params.training),
        run_name=sm.wildcards.run,
        initial_checkpoint=sm.output.init,
        final_checkpoint=sm.output.trained,
        held_out=load_points(sm.input.samples, TEST),
        validation=load_optional_points(sm.input.samples) if records_validation else None,
        state=state,
    )
    write_csv(result.losses, sm.output.losses)
    curves = with_validation_column(result.curves) if records_validation else result.curves
    write_csv(curves, sm.output.curves)
    state.clear()
