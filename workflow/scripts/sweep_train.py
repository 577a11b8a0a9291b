"""Rule sweep_train: one chunk of autoencoder sweep trials (each with its seed replicas)
trained together through Lightning; writes per-epoch losses and final metrics per trial and
seed, and the chunk's checkpoint. A killed attempt's rerun resumes from the state it saved
(core.state)."""

import torch

from aeflow.autoencoder.data import TEST, load_points
from aeflow.autoencoder.sweeps import specs
from aeflow.autoencoder.training import train_trial_chunk
from aeflow.core.atomic import write_csv
from aeflow.core.jobs import job_log
from aeflow.core.state import TrainingState

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    state = TrainingState.of_job(sm)
    torch.set_num_threads(sm.threads)
    trials = [(t["trial"], *specs(t["settings"])) for t in sm.params.trials]
    result = train_trial_chunk(
        trials,
        load_points(sm.input.samples),
        load_points(sm.input.samples, TEST),
        run_name=sm.wildcards.chunk,
        checkpoint=sm.output.model,
        state=state,
    )
    write_csv(result.curves, sm.output.curves)
    write_csv(result.metrics, sm.output.metrics)
    state.clear()
