"""Rule retrain_encoder: part (g), per seed replica of one block of the variant's replicas
(core.blocks): its own trained decoder frozen, its encoder re-initialised and retrained.
A killed attempt's rerun resumes from the state it saved (core.state)."""

import torch

from aeflow.autoencoder.checkpoints import load_replicas
from aeflow.autoencoder.data import load_points
from aeflow.autoencoder.settings import TrainingSpec
from aeflow.autoencoder.training import retrain_encoder
from aeflow.core.atomic import write_csv
from aeflow.core.jobs import job_log
from aeflow.core.state import TrainingState

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    state = TrainingState.of_job(sm)
    torch.set_num_threads(sm.threads)
    spec = TrainingSpec(**sm.params.training)
    replicas = (spec.first_replica, spec.first_replica + spec.seeds)
    result, shift = retrain_encoder(
        load_replicas(sm.input.model),
        load_points(sm.input.samples, replicas=replicas),
        sm.params.init,
        spec,
        run_name=f"{sm.wildcards.variant} (encoder retrained)",
        final_checkpoint=sm.output.model,
        state=state,
    )
    write_csv(result.losses, sm.output.losses)
    write_csv(shift, sm.output.shift)
    state.clear()
