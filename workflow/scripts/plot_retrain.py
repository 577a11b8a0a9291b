"""Rule plot_retrain: latent shift and loss curves of the frozen-decoder retraining."""

from aeflow.autoencoder.plots import loss_curves_figure
from aeflow.autoencoder.plots_training import latent_shift_figure
from aeflow.autoencoder.tables import BOUNDS, LATENT_SHIFT, LOSSES
from aeflow.core.figures import save_figure
from aeflow.core.jobs import job_log
from aeflow.core.tables import read_table

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    variant = sm.params.variant
    save_figure(
        latent_shift_figure(read_table(sm.input.shift, LATENT_SHIFT), variant),
        sm.output.shift,
        sm.params.dpi,
    )
    curves = {
        f"{variant}, original": read_table(sm.input.original, LOSSES),
        f"{variant}, encoder retrained (decoder frozen)": read_table(sm.input.retrained, LOSSES),
    }
    bounds = read_table(sm.input.bounds, BOUNDS)
    bound = bounds[(bounds["stage"] == "retrained") & (bounds["split"] == "train")]["bound_mse"]
    seeds = f"mean of {len(bound)} seeds" if len(bound) > 1 else "1 seed"
    levels = {f"frozen decoder's nearest-point bound (training set, {seeds})": bound.mean()}
    fig = loss_curves_figure(
        curves,
        x="step",
        title="Original training vs encoder retraining",
        levels=levels if bound.notna().all() else None,
    )
    save_figure(fig, sm.output.losses, sm.params.dpi)
