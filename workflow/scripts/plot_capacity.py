"""Rule plot_capacity: part (e) measured, per training-set size: the MSE at the end against
parameters, and the training and held-out MSE during training of every width."""

from aeflow.autoencoder.capacity import memorised_level
from aeflow.autoencoder.failures import constant_mse, failed_seeds, replica_constants
from aeflow.autoencoder.pca import projection_mse
from aeflow.autoencoder.plots import note_first_sample
from aeflow.autoencoder.plots_training import capacity_figure
from aeflow.autoencoder.samples import first_sample, read_samples, sample_count
from aeflow.autoencoder.tables import RECORDED_CURVES
from aeflow.core.figures import save_figure
from aeflow.core.jobs import job_log
from aeflow.core.tables import read_table

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    samples = read_samples(sm.input.samples)
    first = first_sample(samples)  # the reference levels drawn: sample 0's
    train, test = first[first["split"] == "train"], first[first["split"] == "test"]
    runs = list(sm.params.runs)
    curves = {
        (run["n_train"], run["width"]): read_table(path, RECORDED_CURVES)
        for run, path in zip(runs, sm.input.curves, strict=True)
    }
    references, failed = {}, {}
    for n in dict.fromkeys(run["n_train"] for run in runs):
        points = train.head(n)  # a run of size n trains on the first n training points
        constant = constant_mse(points)
        xy = points[["x", "y"]].to_numpy()
        references[n] = {
            "memorised": memorised_level(constant),
            "pca": projection_mse(xy, test[["x", "y"]].to_numpy(), sm.params.latent_dim),
        }
        for key, table in curves.items():
            if key[0] == n:
                failed[key] = failed_seeds(table, replica_constants(samples, n))
    parameters = {run["width"]: run["parameters"] for run in runs}
    fig = capacity_figure(
        curves, parameters, sm.params.variant, failed, references, cap=sm.params.cap
    )
    save_figure(note_first_sample(fig, sample_count(samples)), sm.output[0], sm.params.dpi)
