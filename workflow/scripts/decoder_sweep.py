"""Rule decoder_sweep (part d): per stage (before, after training), the first replica's
decoder sweep over the codes in use (or the configured range), every replica's
nearest-point bound against its encoder's error, and the first replica's reconstructions."""

from aeflow.autoencoder.analysis import stored_decoder_fit
from aeflow.core.atomic import write_csv
from aeflow.core.jobs import job_log

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    stages = {"before": sm.input.init, "after": sm.input.trained}
    sweeps, bounds, projected = stored_decoder_fit(stages, sm.input.samples, sm.params.sweep)
    write_csv(sweeps, sm.output.sweep)
    write_csv(bounds, sm.output.bounds)
    write_csv(projected[projected["stage"] == "after"], sm.output.reconstructions)
