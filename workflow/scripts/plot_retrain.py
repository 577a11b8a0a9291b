"""Rule plot_retrain: latent shift and loss curves of the frozen-decoder retraining."""

import pandas as pd

from aeflow.autoencoder.plots import latent_shift_figure, loss_curves_figure
from aeflow.core.figures import save_figure
from aeflow.core.jobs import job_log

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    variant = sm.params.variant
    save_figure(
        latent_shift_figure(pd.read_csv(sm.input.shift), variant), sm.output.shift, sm.params.dpi
    )
    curves = {
        f"{variant}, original": pd.read_csv(sm.input.original),
        f"{variant}, encoder retrained (decoder frozen)": pd.read_csv(sm.input.retrained),
    }
    fig = loss_curves_figure(curves, x="step", title="Original training vs encoder retraining")
    save_figure(fig, sm.output.losses, sm.params.dpi)
