"""Rule plot_playground_sweeps: final loss per swept value, decision maps and loss curves
of every sweep point."""

import pandas as pd

from aeflow.jobs import job_log
from aeflow.playground.plots import (
    boundaries_figure,
    save_figure,
    sweep_curves_figure,
    sweeps_figure,
)

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    records = list(sm.params.records)
    maps, curves = {}, {}
    for record, boundary, points, curve in zip(
        records, sm.input.boundaries, sm.input.points, sm.input.curves, strict=True
    ):
        losses = pd.read_csv(curve)
        maps.setdefault(record["sweep"], []).append(
            (
                record["label"],
                pd.read_csv(boundary),
                pd.read_csv(points),
                losses["test_loss"].iloc[-1],
            )
        )
        curves.setdefault(record["sweep"], []).append((record["label"], losses))
    save_figure(sweeps_figure(pd.read_csv(sm.input.table)), sm.output.losses, sm.params.dpi)
    save_figure(boundaries_figure(maps), sm.output.boundaries, sm.params.dpi)
    save_figure(sweep_curves_figure(curves), sm.output.curves, sm.params.dpi)
