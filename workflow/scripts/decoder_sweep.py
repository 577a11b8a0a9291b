"""Rule decoder_sweep (part d): per stage (before, after training), the first replica's
decoder sweep over the codes in use (or the configured range), every replica's
nearest-point bound against its encoder's error, and the first replica's reconstructions."""

from aeflow.autoencoder.analysis import decoder_fit
from aeflow.autoencoder.checkpoints import load_replicas
from aeflow.autoencoder.data import TEST, TRAIN, load_points
from aeflow.core.atomic import write_csv
from aeflow.core.jobs import job_log

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    stages = {"before": load_replicas(sm.input.init), "after": load_replicas(sm.input.trained)}
    points = {split: load_points(sm.input.samples, split) for split in (TRAIN, TEST)}
    sweep = sm.params.sweep
    sweeps, bounds, projected = decoder_fit(
        stages,
        points,
        [sm.params.seed + k for k in range(len(stages["after"]))],
        margin=sweep["margin"],
        grid_points=sweep["bound_points"],
        z_range=sweep["z_range"],
        n_points=sweep["n_points"],
    )
    write_csv(sweeps, sm.output.sweep)
    write_csv(bounds, sm.output.bounds)
    write_csv(projected[projected["stage"] == "after"], sm.output.reconstructions)
