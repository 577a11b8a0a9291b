"""The lean Trainer's warning filters match messages Lightning still emits, and nothing
else is left: each filter is checked against a bare Lightning fit (a Lightning upgrade that
renames or drops a warning fails here, and its filter goes), and a fit through
``core.trainer.fit`` raises no warning at all."""

import os
import re
import stat
import warnings

import pytest
import pytorch_lightning as pl
import torch

from aeflow.autoencoder.batches import ReplicaEpochBatches, ShuffledBatches
from aeflow.autoencoder.lit import AutoencoderModule
from aeflow.autoencoder.settings import ModelSpec
from aeflow.core import trainer as lean


@pytest.fixture
def srun_on_path(tmp_path, monkeypatch):
    """A SLURM login node: ``srun`` on PATH, not running under it."""
    srun = tmp_path / "srun"
    srun.write_text("#!/bin/sh\nexit 0\n")
    srun.chmod(srun.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    for name in ("SLURM_NTASKS", "SLURM_JOB_NAME", "SLURM_JOB_ID"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def _setup():
    points = torch.randn(40, 2, generator=torch.Generator().manual_seed(0))
    module = AutoencoderModule(ModelSpec(hidden=(4,)).to_dict())
    return module, ReplicaEpochBatches([ShuffledBatches(points, 8, seed=0)])


def _bare_fit() -> list[str]:
    """The messages of every warning a plain Lightning fit with the lean settings emits."""
    module, loader = _setup()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        trainer = pl.Trainer(
            max_epochs=1, logger=False, enable_checkpointing=False, enable_progress_bar=False,
            enable_model_summary=False, deterministic=True,
        )  # fmt: skip
        trainer.fit(module, train_dataloaders=loader)
    return [str(w.message) for w in caught]


def test_lightning_still_emits_every_warning_the_trainer_filters(srun_on_path):
    messages = _bare_fit()
    for pattern in lean.LIGHTNING_NOISE:
        assert any(re.match(pattern, m, re.DOTALL) for m in messages), (
            f"Lightning no longer emits a warning matching {pattern!r}: drop its filter"
        )


def test_a_lean_fit_emits_no_warning(srun_on_path):
    module, loader = _setup()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lean.fit(module, loader, epochs=2, accelerator="cpu")
    assert [str(w.message) for w in caught] == []
