"""The workflow against the notebook's single pass, side by side on this machine, in one run.

1. notebook: as ../shared/seed/sheet06.md does it: Lightning's Trainer at its defaults, a
   DataLoader, ``loss.item()`` per step, one training after another in one process
   (ae1, ae2, pca, a fresh ae2 then its encoder retraining, ae2 with SGD, ae2 with GD);
2. plain: the same trainings as a plain PyTorch loop (no Lightning), torch's defaults;
3. same work: ``snakemake autoencoder`` from scratch with one seed and no capacity widths
   (the sheet's trainings once each, with the analyses, figures and summary) plus its
   report, in a temporary copy of the workflow;
4. whole run: ``snakemake`` from scratch on the default config (both parts, figures,
   summaries) plus ``snakemake --report``;
5. one-variant rerun: in that finished run, ae1's hidden layers changed: the jobs it plans
   and the seconds they take;
6. replicas: ae2 trained with 1, 5 and 30 seed replicas in one process (seconds of the fit),
   and with 5 replicas the share of the per-epoch evaluation (the whole training and
   held-out sets' MSE, what ``make run``'s trainings record) in a fit's seconds;
7. imports: what a training job's imports cost (``python -X importtime``), by package.

Usage: python benchmarks/compare.py [--epochs 1000] [--cores 2]     (or: make bench)
Each way runs in a fresh process, so import costs count. Prints the table and writes it to
docs/generated/compare.md, labelled with the commit, date and CPU that made it; the goals
are those of the issue "Answers faster than the notebook".
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
REPLICAS = (1, 5, 30)
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


def _workflow_copy(root: Path, config: dict) -> None:
    shutil.copy(REPO / "Snakefile", root)
    for folder in ("workflow", "envs", "src", "profiles"):
        shutil.copytree(
            REPO / folder, root / folder, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__")
        )
    (root / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


def _snakemake(root: Path, cores: int, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "snakemake", "--cores", str(cores), *args]
    return subprocess.run(command, cwd=root, check=True, capture_output=True, text=True)


def run_same_work(epochs: int, cores: int) -> dict:
    """The sheet's trainings once each (one seed, no capacity widths), part 1's analyses,
    figures and summary, and the report: ``snakemake autoencoder`` from scratch."""
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    config["training"]["epochs"] = epochs
    config["training"].update(seeds=1, seeds_per_job=1)  # one replica, in a block of its own
    config["capacity"]["widths"] = []
    with tempfile.TemporaryDirectory(prefix="aeflow-bench-") as tmp:
        root = Path(tmp)
        _workflow_copy(root, config)
        _snakemake(root, cores, "autoencoder", "--quiet")
        _snakemake(root, cores, "autoencoder", "--quiet", "--report", "report.html")
        log = (root / "results/logs/train/ae2/s0-1.log").read_text()
    rate = float(re.search(r"trained ae2 in [\d.]+ s \((\d+) steps/s", log).group(1))
    return {"ae2_steps_per_s": rate}


def run_whole(epochs: int, cores: int) -> dict:
    """The default config from scratch (both parts) plus the report, then the rerun after
    one variant's hidden layers change: its seconds and its jobs."""
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    config["training"]["epochs"] = epochs
    with tempfile.TemporaryDirectory(prefix="aeflow-bench-") as tmp:
        root = Path(tmp)
        _workflow_copy(root, config)
        start = time.perf_counter()
        _snakemake(root, cores, "--quiet")
        _snakemake(root, cores, "--quiet", "--report", "report.html")
        whole = time.perf_counter() - start
        config["variants"]["ae1"]["hidden"] = [*config["variants"]["ae1"]["hidden"], 4]
        (root / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
        planned = _snakemake(root, cores, "--dry-run").stdout
        jobs = int(re.search(r"^total\s+(\d+)", planned, re.MULTILINE).group(1))
        start = time.perf_counter()
        _snakemake(root, cores, "--quiet")
        rerun = time.perf_counter() - start
    return {"whole_s": whole, "rerun_s": rerun, "rerun_jobs": jobs}


def run_replicas(epochs: int) -> dict:
    """ae2's fit with 1, 5 and 30 seed replicas (one vectorised training each), and with 5
    evaluated after every epoch on the default config's 1,000 held-out points."""
    import torch

    from aeflow.autoencoder.settings import ModelSpec, TrainingSpec
    from aeflow.autoencoder.training import train_replicas

    torch.set_num_threads(1)
    data = _sheet_data()
    fits = {
        str(seeds): train_replicas(
            ModelSpec(hidden=(50, 50)), data, TrainingSpec(epochs=epochs, seeds=seeds), "ae2"
        ).seconds
        for seeds in REPLICAS
    }
    held_out = torch.rand(1000, 2) * torch.tensor([4.0, 2.0]) - torch.tensor([2.0, 1.0])
    fits["5 evaluated"] = train_replicas(
        ModelSpec(hidden=(50, 50)),
        data,
        TrainingSpec(epochs=epochs, seeds=5),
        "ae2",
        held_out=held_out,
    ).seconds
    return fits


# What a training job (workflow/scripts/train.py) imports, and the packages its time is
# told by: each one's cumulative import time where it is first imported.
TRAINING_IMPORTS = "aeflow.autoencoder.training, aeflow.autoencoder.lit, aeflow.core.trainer"
IMPORTED_PACKAGES = (
    "torch",
    "pandas",
    "pytorch_lightning",
    "lightning_fabric",
    "torch._dynamo",
    "torchmetrics.functional",
    "scipy.signal",
    "scipy.stats",
    "matplotlib.pyplot",
    "sympy",
)


def run_imports(epochs: int) -> dict:
    """A fresh interpreter importing what a training job does: its wall seconds, and each
    package's cumulative import seconds (``-X importtime``) where it is first imported."""
    start = time.perf_counter()
    found = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {TRAINING_IMPORTS}"],
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = {"total": time.perf_counter() - start}
    for line in found.stderr.splitlines():
        fields = [field.strip() for field in line.removeprefix("import time:").split("|")]
        if len(fields) == 3 and fields[2] in IMPORTED_PACKAGES and fields[2] not in seconds:
            seconds[fields[2]] = int(fields[1]) / 1e6
    return seconds


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


def _row(measure: str, value: str, ratio: float | None, goal: float | None) -> tuple:
    """A table row; ``goal``: the most the ratio may be (None: no goal)."""
    shown = "" if ratio is None else f"{ratio:.2f}"
    if goal is None:
        return (measure, value, shown, "", "")
    return (measure, value, shown, f"<= {goal:g}", "yes" if ratio <= goal else "no")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--cores", type=int, default=2, help="snakemake --cores")
    parser.add_argument(
        "--way",
        choices=["notebook", "plain", "same_work", "whole", "replicas", "imports"],
        help=argparse.SUPPRESS,
    )
    args = parser.parse_args()
    if args.way:  # child process: run one way, print its numbers as JSON
        runner = {
            "notebook": run_notebook,
            "plain": run_plain,
            "replicas": run_replicas,
            "imports": run_imports,
            "same_work": lambda e: run_same_work(e, args.cores),
            "whole": lambda e: run_whole(e, args.cores),
        }[args.way]
        print(json.dumps(runner(args.epochs)))
        return
    # One after another, never side by side: each has the machine's cores to itself.
    r = {
        way: _timed_subprocess(way, args.epochs, args.cores)
        for way in ("notebook", "plain", "same_work", "whole", "replicas", "imports")
    }
    notebook = r["notebook"]["wall_s"]
    whole, same = r["whole"], r["same_work"]
    one, five, thirty = (r["replicas"][str(n)] for n in REPLICAS)
    header = ("measure", "seconds", "ratio", "goal", "met")
    rerun = whole["rerun_s"]
    rows = [
        _row("notebook's single pass (the sheet's 7 trainings)", f"{notebook:.1f}", None, None),
        _row(
            "whole default run (both parts, figures, summaries, report) / notebook",
            f"{whole['whole_s']:.1f}",
            whole["whole_s"] / notebook,
            1.0,
        ),
        _row(
            "autoencoder part doing the notebook's work (1 seed, no capacity) / notebook",
            f"{same['wall_s']:.1f}",
            same["wall_s"] / notebook,
            0.33,
        ),
        _row(
            f"one variant's hidden layers changed, rerun ({whole['rerun_jobs']} jobs) / 15 s",
            f"{rerun:.1f}",
            rerun / 15,
            1.0,
        ),
        _row("ae2, 5 replicas / 1 replica, one fit", f"{five:.1f} / {one:.1f}", five / one, None),
        _row("ae2, 30 replicas / 1 replica, one fit", f"{thirty:.1f} / {one:.1f}", thirty / one, 2),
    ]
    steps = [
        (way, f"{r[way]['ae2_steps_per_s']:.0f}") for way in ("notebook", "plain", "same_work")
    ]
    evaluated = r["replicas"]["5 evaluated"]
    costs = [
        (
            "ae2, 5 replicas: a fit evaluated after every epoch / one not evaluated",
            f"{evaluated:.1f} / {five:.1f}",
            f"{evaluated / five:.2f}",
        )
    ]
    imports = r["imports"]
    costs += [
        (f"a training job's imports: `{package}`", f"{imports[package]:.2f}", "")
        for package in IMPORTED_PACKAGES
        if package in imports
    ]
    total = imports["total"]
    costs.append(("a training job's imports, in a fresh interpreter", f"{total:.2f}", ""))
    table = markdown_table(header, rows)
    rates = markdown_table(("way", "ae2 steps/s"), steps)
    where = markdown_table(("cost", "seconds", "ratio"), costs)
    print(f"epochs={args.epochs}, snakemake --cores {args.cores}, {os.cpu_count()} CPUs\n")
    print("\n".join(table), "", "\n".join(rates), "", "\n".join(where), sep="\n")
    path = write_page(
        "compare",
        "The workflow against the notebook's single pass",
        "make bench",
        [
            f"{args.epochs} epochs per training; `snakemake --cores {args.cores}`; each "
            "measure in a fresh process, one after another, imports included. The notebook "
            "pass trains the sheet's 7 models the sheet's way (default Trainer, DataLoader, "
            "`loss.item()` per step). Replica fits are in-process seconds of ae2's training "
            "(one thread).",
            "",
            *table,
            "",
            "ae2's training speed, each way:",
            "",
            *rates,
            "",
            "Where a training job's seconds go: the per-epoch evaluation (the training and "
            "held-out sets' MSE after every epoch, as the workflow's trainings record them), "
            "and its imports (each package's cumulative `-X importtime` where it is first "
            "imported; Lightning's own imports are nested in `pytorch_lightning`).",
            "",
            *where,
        ],
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
