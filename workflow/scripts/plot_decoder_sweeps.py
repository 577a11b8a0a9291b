"""Rule plot_decoder_sweeps (part d): decoded latent sweeps before | after training per
variant, and each point with its reconstruction on the trained decoder's curve."""

from aeflow.autoencoder.plots import (
    decoder_sweeps_figure,
    note_first_sample,
    reconstructions_figure,
)
from aeflow.autoencoder.samples import first_sample, read_samples, sample_count
from aeflow.autoencoder.tables import DECODER_SWEEP, RECONSTRUCTIONS
from aeflow.core.figures import save_figure
from aeflow.core.jobs import job_log
from aeflow.core.tables import read_tables

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    labels, shown = list(sm.params.labels), list(sm.params.shown)
    samples = read_samples(sm.input.samples)
    first = first_sample(samples)  # the first replica's sweeps: its sample, sample 0
    sweeps = read_tables(list(sm.input.sweeps), DECODER_SWEEP, labels)
    fig = decoder_sweeps_figure(sweeps, first[first["split"] == "train"], shown)
    save_figure(note_first_sample(fig, sample_count(samples)), sm.output.sweeps, sm.params.dpi)
    reconstructions = read_tables(list(sm.input.reconstructions), RECONSTRUCTIONS, labels)
    fig = reconstructions_figure(reconstructions, sweeps, shown)
    save_figure(fig, sm.output.reconstructions, sm.params.dpi)
