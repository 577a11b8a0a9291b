"""Rule plot_samples: scatter of the training (and held-out) points."""

from aeflow.autoencoder.plots import note_first_sample, samples_figure
from aeflow.autoencoder.samples import first_sample, read_samples, sample_count
from aeflow.core.figures import save_figure
from aeflow.core.jobs import job_log

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    samples = read_samples(list(sm.input))
    fig = note_first_sample(samples_figure(first_sample(samples)), sample_count(samples))
    save_figure(fig, sm.output[0], sm.params.dpi)
