"""Rule playground_train: one Playground classifier through Lightning; writes its data set
(with the trained network's output per point), loss curves, decision map, weights, model."""

import torch

from aeflow.core.atomic import write_csv
from aeflow.core.jobs import job_log
from aeflow.playground.settings import PlaygroundSpec
from aeflow.playground.training import train_classifier

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    torch.set_num_threads(sm.threads)
    spec = PlaygroundSpec.from_params(sm.params.settings)
    result = train_classifier(spec, run_name=sm.wildcards.trial, checkpoint=sm.output.model)
    write_csv(result.points, sm.output.points)
    write_csv(result.curves, sm.output.curves)
    write_csv(result.boundary, sm.output.boundary)
    write_csv(result.weights, sm.output.weights)
