"""Wall time of the sheet's trainings three ways, on this machine, in one run.

1. notebook: as ../shared/seed/sheet06.md does it: Lightning's Trainer at its defaults, a
   DataLoader, ``loss.item()`` per step, one training after another in one process
   (ae1, ae2, pca, a fresh ae2 then its encoder retraining, ae2 with SGD, ae2 with GD);
2. plain: the same trainings as a plain PyTorch loop (no Lightning), torch's defaults;
3. workflow: ``snakemake --cores N`` from scratch on the default config (all figures, the
   summary) plus ``snakemake --report``, in a temporary copy of the workflow, for the target
   ``autoencoder`` (part 1; the notebook way has no counterpart of the playground bonus).

Also: ae2's training time with 1 and with 10 seed replicas (vectorised in one job).

Usage: python benchmarks/compare.py [--epochs 1000] [--cores 2]     (or: make bench)
Each way runs in a fresh process, so import costs count. Prints a table with ratios and
writes it to docs/generated/compare.md, labelled with the commit, date and CPU that made it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from generated import markdown_table, write_page

REPO = Path(__file__).resolve().parents[1]
# (name, hidden widths or None for the linear model, optimizer, batch size)
SHEET_TRAININGS = [
    ("ae1", [20, 10], "adam", 8),
    ("ae2", [50, 50], "adam", 8),
    ("pca", None, "adam", 8),
    ("ae2 for retraining", [50, 50], "adam", 8),
    ("ae2 encoder retrained", [50, 50], "adam", 8),
    ("ae2 sgd", [50, 50], "sgd", 8),
    ("ae2 gd", [50, 50], "sgd", 100),
]


def _sheet_data():
    import torch

    torch.manual_seed(0)
    data = torch.zeros(100, 2)
    data[:, 0] = torch.rand(100) * 4 - 2
    data[:, 1] = torch.rand(100) * 2 - 1
    return data


def _model(hidden):
    from aeflow.autoencoder.models import Autoencoder
    from aeflow.autoencoder.settings import ModelSpec

    return Autoencoder(ModelSpec(hidden=tuple(hidden)) if hidden else ModelSpec(linear=True))


def _freeze_decoder_reinit_encoder(model) -> None:
    from aeflow.autoencoder.analysis import reinitialise_encoder_freeze_decoder

    reinitialise_encoder_freeze_decoder(model, mean=0.0, std=1.0, seed=1)


def run_notebook(epochs: int) -> dict:
    """The sheet's way: default Trainer, DataLoader, per-step .item(), sequential."""
    import pytorch_lightning as pl
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    class SheetModule(pl.LightningModule):
        def __init__(self, autoencoder, optimizer):
            super().__init__()
            self.autoencoder, self.optimizer_name, self.loss_curve = autoencoder, optimizer, []

        def training_step(self, batch):
            x, _ = batch
            loss = nn.MSELoss()(self.autoencoder(x), x)
            self.loss_curve.append(loss.item())
            return loss

        def configure_optimizers(self):
            params = [p for p in self.parameters() if p.requires_grad]
            opt = torch.optim.Adam if self.optimizer_name == "adam" else torch.optim.SGD
            return opt(params)

    data = _sheet_data()
    steps_per_s, previous = {}, None
    for name, hidden, optimizer, batch_size in SHEET_TRAININGS:
        loader = DataLoader(
            TensorDataset(data, data), batch_size=batch_size, shuffle=True, drop_last=True
        )
        if name.endswith("retrained"):
            model = previous
            _freeze_decoder_reinit_encoder(model)
        else:
            model = _model(hidden)
        module = SheetModule(model, optimizer)
        start = time.perf_counter()
        pl.Trainer(max_epochs=epochs).fit(module, loader)
        steps_per_s[name] = len(module.loss_curve) / (time.perf_counter() - start)
        previous = model
    return {"ae2_steps_per_s": steps_per_s["ae2"]}


def run_plain(epochs: int) -> dict:
    """A plain PyTorch loop over in-memory batches, torch's default optimiser settings."""
    import torch
    from torch import nn

    data = _sheet_data()
    steps_per_s, previous = {}, None
    for name, hidden, optimizer, batch_size in SHEET_TRAININGS:
        if name.endswith("retrained"):
            model = previous
            _freeze_decoder_reinit_encoder(model)
        else:
            model = _model(hidden)
        params = [p for p in model.parameters() if p.requires_grad]
        opt = torch.optim.Adam(params) if optimizer == "adam" else torch.optim.SGD(params)
        losses = []
        start = time.perf_counter()
        for _ in range(epochs):
            order = torch.randperm(len(data))
            for first in range(0, len(data) - batch_size + 1, batch_size):
                batch = data[order[first : first + batch_size]]
                loss = nn.functional.mse_loss(model(batch), batch)
                opt.zero_grad()
                loss.backward()
                opt.step()
                losses.append(loss.detach())
        steps_per_s[name] = len(losses) / (time.perf_counter() - start)
        previous = model
    return {"ae2_steps_per_s": steps_per_s["ae2"]}


def run_workflow(epochs: int, cores: int) -> dict:
    """snakemake from scratch on the default config (epochs overridden) plus the report."""
    with tempfile.TemporaryDirectory(prefix="aeflow-bench-") as tmp:
        root = Path(tmp)
        shutil.copy(REPO / "Snakefile", root)
        for folder in ("workflow", "envs", "src"):
            shutil.copytree(REPO / folder, root / folder)
        config = yaml.safe_load((REPO / "config.yaml").read_text())
        config["training"]["epochs"] = epochs
        # Like for like with the notebook: the sheet's trainings, once each (no seed
        # replicas, no capacity experiment; both are defaults of the workflow now).
        config["training"]["seeds"] = 1
        config["capacity"]["widths"] = []
        (root / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
        # The notebook way has no counterpart of the bonus playground stages: the target
        # `autoencoder` builds (and reports) part 1 only.
        snakemake = [
            sys.executable,
            "-m",
            "snakemake",
            "autoencoder",
            "--cores",
            str(cores),
            "--quiet",
        ]
        subprocess.run(snakemake, cwd=root, check=True, capture_output=True)
        subprocess.run(
            [*snakemake, "--report", "report.html"], cwd=root, check=True, capture_output=True
        )
        log = (root / "results/logs/train/ae2.log").read_text()
    rate = float(re.search(r"trained ae2 in [\d.]+ s \((\d+) steps/s", log).group(1))
    return {"ae2_steps_per_s": rate}


def run_replicas(epochs: int) -> dict:
    """Training time of ae2 with 1 and with 10 seed replicas (one vectorised job each)."""
    import torch

    from aeflow.autoencoder.settings import ModelSpec, TrainingSpec
    from aeflow.autoencoder.training import train_replicas

    torch.set_num_threads(1)
    data = _sheet_data()
    seconds = {}
    for seeds in (1, 10):
        spec = TrainingSpec(epochs=epochs, seeds=seeds)
        seconds[seeds] = train_replicas(ModelSpec(hidden=(50, 50)), data, spec, "ae2").seconds
    return {"one_s": seconds[1], "ten_s": seconds[10]}


def _timed_subprocess(way: str, epochs: int, cores: int) -> dict:
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--way", way, "--epochs", str(epochs), "--cores", str(cores)],
        check=True,
        capture_output=True,
        text=True,
        cwd=tempfile.mkdtemp(prefix="aeflow-bench-"),
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall_s"] = time.perf_counter() - start
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--cores", type=int, default=2, help="snakemake --cores")
    parser.add_argument(
        "--way", choices=["notebook", "plain", "workflow", "replicas"], help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.way:  # child process: run one way, print its numbers as JSON
        runner = {
            "notebook": run_notebook,
            "plain": run_plain,
            "replicas": run_replicas,
            "workflow": lambda e: run_workflow(e, args.cores),
        }[args.way]
        print(json.dumps(runner(args.epochs)))
        return
    results = {
        way: _timed_subprocess(way, args.epochs, args.cores)
        for way in ("notebook", "plain", "workflow")
    }
    notebook, plain = results["notebook"], results["plain"]
    header = ("way", "wall s", "x notebook", "ae2 steps/s", "x plain loop")
    rows = [
        (
            way,
            f"{r['wall_s']:.1f}",
            f"{r['wall_s'] / notebook['wall_s']:.2f}",
            f"{r['ae2_steps_per_s']:.0f}",
            f"{r['ae2_steps_per_s'] / plain['ae2_steps_per_s']:.2f}",
        )
        for way, r in results.items()
    ]
    replicas = _timed_subprocess("replicas", args.epochs, args.cores)
    seeds_line = (
        f"Seed replicas, ae2's training alone: 1 seed {replicas['one_s']:.1f} s, 10 seeds "
        f"{replicas['ten_s']:.1f} s ({replicas['ten_s'] / replicas['one_s']:.2f}x)."
    )
    table = markdown_table(header, rows)
    print(f"epochs={args.epochs}, snakemake --cores {args.cores}, {os.cpu_count()} CPUs\n")
    print("\n".join(table), "", seeds_line, sep="\n")
    path = write_page(
        "compare",
        "The sheet's trainings: notebook way, plain loop, workflow",
        "make bench",
        [
            f"{args.epochs} epochs; the workflow ran `snakemake --cores {args.cores} "
            "autoencoder` from scratch with one seed and no capacity widths (the sheet's "
            "trainings, once each), plus its report. Wall times are of fresh processes, "
            "imports included; steps/s are of ae2's training.",
            "",
            *table,
            "",
            seeds_line,
        ],
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
