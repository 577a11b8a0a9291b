"""Rule retrain_bound (part g): per replica, the nearest-point bound of the frozen decoder
over the codes either encoder (original, retrained) uses, beside both encoders' MSE."""

from aeflow.autoencoder.analysis import decoder_fit
from aeflow.autoencoder.checkpoints import load_replicas
from aeflow.autoencoder.data import TEST, TRAIN, load_points
from aeflow.core.atomic import write_csv
from aeflow.core.jobs import job_log

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    stages = {
        "original": load_replicas(sm.input.model),
        "retrained": load_replicas(sm.input.retrained),
    }
    points = {split: load_points(sm.input.samples, split) for split in (TRAIN, TEST)}
    sweep = sm.params.sweep
    _, bounds, _ = decoder_fit(
        stages,
        points,
        [sm.params.seed + k for k in range(len(stages["original"]))],
        margin=sweep["margin"],
        grid_points=sweep["bound_points"],
        shared_grid=True,
    )
    write_csv(bounds, sm.output[0])
