"""Rule make_data: one block of samples (draws.data_blocks) of training and held-out points
from the rectangle: the one shared sample, or per replica (data.per_replica_samples: sample
k drawn with data seed + k); and in each sample data.n_validation validation points from a
stream of their own (data.py validation_seed)."""

from aeflow.autoencoder.data import make_replica_samples
from aeflow.core.atomic import write_csv
from aeflow.core.jobs import job_log

with job_log(snakemake.log[0]) as log:  # noqa: F821 (injected by Snakemake)
    data = snakemake.params.data  # noqa: F821
    count = data.get("samples", 1)
    n_validation = data.get("n_validation", 0)
    samples = make_replica_samples(
        data["n_train"],
        data["n_test"],
        tuple(data["x_range"]),
        tuple(data["y_range"]),
        data["seed"],
        count,
        n_validation,
        data.get("first_sample", 0),
    )
    write_csv(samples, snakemake.output[0])  # noqa: F821
    log.info(
        "wrote %d sample(s) of %d train + %d test + %d validation points (data seed %d + k)",
        count,
        data["n_train"],
        data["n_test"],
        n_validation,
        data["seed"],
    )
