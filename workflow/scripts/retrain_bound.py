"""Rule retrain_bound (part g): per replica, the nearest-point bound of the frozen decoder
over the codes either encoder (original, retrained) uses, beside both encoders' MSE."""

from aeflow.autoencoder.analysis import stored_decoder_fit
from aeflow.core.atomic import write_csv
from aeflow.core.jobs import job_log

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    stages = {"original": sm.input.model, "retrained": sm.input.retrained}
    # One grid per replica spans both encoders' codes: the stages share the decoder.
    _, bounds, _ = stored_decoder_fit(stages, sm.input.samples, sm.params.sweep, shared_grid=True)
    write_csv(bounds, sm.output[0])
