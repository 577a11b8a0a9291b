"""Rule plot_playground_sweeps: final loss per swept value, output maps and loss curves
of every sweep point (mean and band over seeds)."""

from aeflow.core.figures import save_figure
from aeflow.core.jobs import job_log
from aeflow.core.tables import read_table
from aeflow.playground.plots import (
    boundaries_figure,
    read_sweep_points,
    sweep_curves_figure,
    sweeps_figure,
)
from aeflow.playground.summary import read_chunks, read_maps
from aeflow.playground.tables import CURVES, POINTS, SUMMARY

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    maps, curves = read_sweep_points(
        list(sm.params.records),
        read_maps(list(sm.input.boundaries)),
        read_chunks(list(sm.input.points), POINTS),
        read_chunks(list(sm.input.curves), CURVES, sm.params.seeds),
    )
    save_figure(sweeps_figure(read_table(sm.input.table, SUMMARY)), sm.output.losses, sm.params.dpi)
    save_figure(boundaries_figure(maps), sm.output.boundaries, sm.params.dpi)
    save_figure(sweep_curves_figure(curves), sm.output.curves, sm.params.dpi)
