"""A training job's state between attempts: where it is kept, and whether it still fits.

A training killed by a time limit, preemption or the OOM killer would otherwise start again
from epoch 0. While it trains, ``core.trainer.fit`` saves Lightning's checkpoint of the
training so far (weights, optimiser and schedule, loop counters, the loader's shuffling
generators, the loss records) every few epochs into the job's **state folder**, and a rerun
resumes from it (``trainer.fit(ckpt_path=...)``): the outputs are byte-identical to an
uninterrupted run's. The folder is no output (Snakemake neither creates, checks nor removes
it); the job removes it once its outputs are written (``TrainingState.clear``).

A state is only resumed by the training that saved it: the folder holds the **key** of that
training (a digest of the job's params, code digest included, wildcards, thread count,
input files and the versions of torch and Lightning); under another key (a changed setting,
code or input) the state is discarded and the training starts afresh.

Standard library only: job scripts build their ``TrainingState`` before importing torch.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aeflow.core.atomic import write_text

LAST = "last.ckpt"  # Lightning's checkpoint of the training so far
INITIAL = "init.ckpt"  # the checkpoint of the untrained module, as the job's output has it
KEY = "key"  # the key of the training that saved the state
STATE_SAVES = 10  # states saved per training by default: every tenth of its epochs
VERSIONED = ("torch", "pytorch-lightning")


@dataclass(frozen=True)
class TrainingState:
    """The state folder of one training job (``folder``, the job's own), the ``key`` of its
    training, and how often a state is saved: every ``every`` Lightning epochs (None: a
    tenth of the epochs, at least one)."""

    folder: Path
    key: str
    every: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "folder", Path(self.folder))
        if self.every is not None and self.every < 1:
            raise ValueError(f"every must be >= 1, got {self.every}")

    @property
    def last(self) -> Path:
        return self.folder / LAST

    @property
    def initial(self) -> Path:
        return self.folder / INITIAL

    def interval(self, epochs: int) -> int:
        """Lightning epochs between two saves of a training of ``epochs``."""
        return self.every or max(1, epochs // STATE_SAVES)

    def resume_point(self, initial: bool) -> Path | None:
        """The checkpoint to resume from (None: start afresh), and the folder made ready:
        a state saved under another key is discarded and this key written. ``initial``:
        whether the job writes the untrained module's checkpoint (the state must hold it)."""
        key_file = self.folder / KEY
        if key_file.is_file() and key_file.read_text() == self.key:
            complete = self.last.is_file() and (not initial or self.initial.is_file())
            return self.last if complete else None
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)
        write_text(key_file, self.key)
        return None

    def part(self, name: str) -> TrainingState:
        """The state of training ``name`` of a job that runs several one after another:
        a sub-folder with a key of its own (this key and the name). The job's ``clear``
        removes them all."""
        return TrainingState(self.folder / name, f"{self.key}/{name}", self.every)

    def clear(self) -> None:
        """Remove the state (the job's outputs are written), and the folders above it up to
        ``state/`` (``state/<rule>/<run>/``) when nothing else is left in them."""
        shutil.rmtree(self.folder, ignore_errors=True)
        for parent in self.folder.parents:
            if "state" not in parent.parts:
                break
            try:
                parent.rmdir()
            except OSError:  # not empty (another job's state), or gone
                break
            if parent.name == "state":
                break

    @classmethod
    def of_job(cls, job: Any, every: int | None = None) -> TrainingState:
        """The state of a Snakemake job (a script's ``snakemake`` object): its folder is the
        job's ``params.state``; its key covers every param, wildcard, input file, the
        thread count and the versions of torch and Lightning."""
        return cls(
            Path(job.params.state),
            training_key(
                {
                    "params": dict(job.params.items()),
                    "wildcards": dict(job.wildcards.items()),
                    "threads": job.threads,
                    "versions": {name: _version(name) for name in VERSIONED},
                },
                job.input,
            ),
            every,
        )


def training_key(settings: Mapping[str, Any], inputs: Iterable[str | os.PathLike[str]]) -> str:
    """SHA-256 of the ``repr`` of ``settings`` and of the contents of the ``inputs``."""
    digest = hashlib.sha256(repr(sorted(settings.items())).encode())
    for path in inputs:
        with open(path, "rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None
