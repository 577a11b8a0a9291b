"""Rule plot_loss_curves: training loss of every variant in one plot, seeds that did not
train drawn apart, and the PCA optimum of the training points as a line."""

from aeflow.autoencoder.failures import TRAIN, failed_seeds, replica_constants
from aeflow.autoencoder.pca import pca_optimum_mse
from aeflow.autoencoder.plots import loss_curves_figure, note_first_sample
from aeflow.autoencoder.samples import first_sample, read_samples, sample_count
from aeflow.autoencoder.tables import CURVES, LOSSES
from aeflow.core.figures import save_figure
from aeflow.core.jobs import job_log
from aeflow.core.tables import read_tables

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    labels = list(sm.params.labels)
    samples = read_samples(sm.input.samples)
    constant = replica_constants(samples)  # replica k's: its own data sample's
    first = first_sample(samples)  # the PCA level drawn: sample 0's
    points = first.loc[first["split"] == TRAIN, ["x", "y"]].to_numpy()
    optimum = pca_optimum_mse(points, sm.params.latent_dim)
    curves = read_tables(list(sm.input.curves), CURVES, labels)
    failed = {label: failed_seeds(table, constant) for label, table in curves.items()}
    fig = loss_curves_figure(
        read_tables(list(sm.input.losses), LOSSES, labels),
        x="step",
        title="Training loss of each autoencoder",
        failed=failed,
        levels={
            f"PCA optimum: best bias-free linear map to {sm.params.latent_dim} code"
            f"{'s' * (sm.params.latent_dim > 1)}, training set ({optimum:.3g})": optimum
        },
    )
    save_figure(note_first_sample(fig, sample_count(samples)), sm.output[0], sm.params.dpi)
