"""Rule plot_playground_sweeps: final loss per swept value, decision maps and loss curves
of every sweep point."""

import pandas as pd

from aeflow.core.figures import save_figure
from aeflow.core.jobs import job_log
from aeflow.playground.plots import (
    boundaries_figure,
    read_sweep_points,
    sweep_curves_figure,
    sweeps_figure,
)

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    maps, curves = read_sweep_points(
        list(sm.params.records),
        list(sm.input.boundaries),
        list(sm.input.points),
        list(sm.input.curves),
    )
    save_figure(sweeps_figure(pd.read_csv(sm.input.table)), sm.output.losses, sm.params.dpi)
    save_figure(boundaries_figure(maps), sm.output.boundaries, sm.params.dpi)
    save_figure(sweep_curves_figure(curves), sm.output.curves, sm.params.dpi)
