"""Rule analyse: every analysis of one variant's trained replicas, its checkpoints read
once. Part (c): the first replica's code of every training point (embeddings) and over a
grid of the input rectangle (latent grid), every replica's codes (latent codes) and the
reference orders of many untrained networks (latent init). Part (d): the first replica's
decoder sweep, every replica's nearest-point bound and the first replica's
reconstructions."""

from aeflow.autoencoder.analysis import model_analyses
from aeflow.core.atomic import write_csv
from aeflow.core.jobs import job_log

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    tables = model_analyses(
        sm.input.samples,
        sm.input.init,
        sm.input.trained,
        sm.params.x_range,
        sm.params.y_range,
        sm.params.sweep,
        sm.params.seed,
        sm.params.draws,
    )
    for name, table in tables.items():
        write_csv(table, sm.output[name])
