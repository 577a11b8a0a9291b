"""Rule plot_decoder_sweeps: decoded latent sweeps before | after training per variant."""

import pandas as pd

from aeflow.autoencoder.plots import decoder_sweeps_figure
from aeflow.core.figures import read_tables, save_figure
from aeflow.core.jobs import job_log

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    samples = pd.read_csv(sm.input.samples)
    sweeps = read_tables(list(sm.input.sweeps), list(sm.params.labels))
    fig = decoder_sweeps_figure(sweeps, samples[samples["split"] == "train"], list(sm.params.shown))
    save_figure(fig, sm.output[0], sm.params.dpi)
