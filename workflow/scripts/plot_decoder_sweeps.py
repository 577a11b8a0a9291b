"""Rule plot_decoder_sweeps: decoded latent sweeps before | after training per variant."""

from aeflow.autoencoder.plots import decoder_sweeps_figure
from aeflow.autoencoder.tables import DECODER_SWEEP, SAMPLES
from aeflow.core.figures import save_figure
from aeflow.core.jobs import job_log
from aeflow.core.tables import read_table, read_tables

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    samples = read_table(sm.input.samples, SAMPLES)
    sweeps = read_tables(list(sm.input.sweeps), DECODER_SWEEP, list(sm.params.labels))
    fig = decoder_sweeps_figure(sweeps, samples[samples["split"] == "train"], list(sm.params.shown))
    save_figure(fig, sm.output[0], sm.params.dpi)
