"""Rules train and train_capacity: training runs through Lightning; writes per run the
Lightning checkpoints before and after training, the mini-batch losses and the per-epoch
(or per-record) losses over the whole training and held-out sets. A train job trains one
block of a run's seed replicas (core.blocks); a train_capacity job (params fits) trains one
width's runs one after another, each on the first n training points, and also records the
validation points' MSE (NaN without them; recorded only, they steer nothing). A killed
attempt's rerun resumes from the state it saved (core.state), removed once the outputs are
written."""

import contextlib

import torch

from aeflow.autoencoder.data import TEST, load_optional_points, load_points
from aeflow.autoencoder.settings import ModelSpec, TrainingSpec
from aeflow.autoencoder.training import train_replicas, with_validation_column
from aeflow.core.atomic import atomic_path, write_csv
from aeflow.core.jobs import job_log
from aeflow.core.state import TrainingState

KINDS = ("init", "trained", "losses", "curves")  # the rule's outputs, one of each per run


def per_run(files) -> list[str]:
    """A rule's output of one run (a path) or of several (a list), as a list."""
    return [files] if isinstance(files, str) else list(files)


sm = snakemake  # noqa: F821 (injected by Snakemake)
# Every output under a temporary name until the last run is trained: a job killed between
# two runs leaves nothing that looks finished.
with job_log(sm.log[0]), contextlib.ExitStack() as finished:
    state = TrainingState.of_job(sm)
    torch.set_num_threads(sm.threads)
    fits = sm.params.get("fits")  # train_capacity: one per training-set size, in order
    records_validation = bool(sm.params.get("validation", False))
    if fits is None:
        fits = [{"run": sm.wildcards.run, "training": sm.params.training, "n_train": None}]
    for fit, *paths in zip(fits, *(per_run(getattr(sm.output, k)) for k in KINDS), strict=True):
        init, trained, losses, curves = (finished.enter_context(atomic_path(p)) for p in paths)
        n_train = fit["n_train"]  # a capacity run: the first n points (per replica)
        spec = TrainingSpec(**fit["training"])
        replicas = (spec.first_replica, spec.first_replica + spec.seeds)  # a train job: a block
        points = load_points(sm.input.samples, replicas=replicas)
        result = train_replicas(
            ModelSpec(**sm.params.model),
            points[..., :n_train, :] if n_train else points,
            spec,
            run_name=fit["run"],
            initial_checkpoint=init,
            final_checkpoint=trained,
            held_out=load_points(sm.input.samples, TEST, replicas),
            validation=(
                load_optional_points(sm.input.samples, replicas=replicas)
                if records_validation
                else None
            ),
            state=state if len(fits) == 1 else state.part(fit["run"]),
        )
        write_csv(result.losses, losses)
        write_csv(with_validation_column(result.curves) if records_validation else result.curves,
                  curves)  # fmt: skip
state.clear()  # once every output is in place
