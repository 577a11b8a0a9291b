"""Rule embed: latent codes before and after training. The first replica's code of every
training point (embeddings) and over a grid of the input rectangle (latent grid, part c);
every replica's code of every training point (latent codes); and the reference: the order
of the training points (of sample 0) under many untrained networks of the variant
(``initial_orders``, seeds apart from the replicas')."""

from aeflow.autoencoder.analysis import embedding_table, latent_codes, latent_grid
from aeflow.autoencoder.checkpoints import load_replica_seeds, load_replicas
from aeflow.autoencoder.data import load_points, replica_points
from aeflow.autoencoder.initial import initial_orders
from aeflow.core.atomic import write_csv
from aeflow.core.jobs import job_log

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    points = load_points(sm.input.samples)
    stages = {"before": load_replicas(sm.input.init), "after": load_replicas(sm.input.model)}
    seeds = load_replica_seeds(sm.input.model)
    write_csv(embedding_table(stages["after"][0], replica_points(points, 0)), sm.output.embedding)
    first = {stage: replicas[0] for stage, replicas in stages.items()}
    write_csv(latent_grid(first, sm.params.x_range, sm.params.y_range), sm.output.grid)
    write_csv(latent_codes(stages, points, seeds), sm.output.codes)
    spec = stages["after"][0].spec
    write_csv(initial_orders(spec, points, sm.params.seed, sm.params.draws), sm.output.initial)
