"""Rule make_data: training and held-out points from the rectangle."""

from aeflow.autoencoder.data import make_samples
from aeflow.core.atomic import write_csv
from aeflow.core.jobs import job_log

with job_log(snakemake.log[0]) as log:  # noqa: F821 (injected by Snakemake)
    data = snakemake.params.data  # noqa: F821
    samples = make_samples(
        data["n_train"],
        data["n_test"],
        tuple(data["x_range"]),
        tuple(data["y_range"]),
        data["seed"],
    )
    write_csv(samples, snakemake.output[0])  # noqa: F821
    log.info("wrote %d train + %d test points", data["n_train"], data["n_test"])
