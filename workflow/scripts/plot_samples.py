"""Rule plot_samples: scatter of the training (and held-out) points."""

import pandas as pd

from aeflow.autoencoder.plots import samples_figure
from aeflow.core.figures import save_figure
from aeflow.core.jobs import job_log

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    save_figure(samples_figure(pd.read_csv(sm.input[0])), sm.output[0], sm.params.dpi)
