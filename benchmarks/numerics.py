"""What portable numerics cost: training time of one autoencoder job and one Playground
batch under ``numerics: portable`` and ``native``, each in a fresh process (so import
costs count), alternating, repeated; the median of each.

Usage: python benchmarks/numerics.py [--epochs 1000] [--repeats 3]    (or: make bench-numerics)
Writes docs/generated/numerics.md, labelled with the commit, date and CPU that made it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from generated import markdown_table, write_page

REPO = Path(__file__).resolve().parents[1]

# One job's work, as the workflow's scripts do it (ae2 with its 5 seeds; the Playground
# baseline's batch): run in a child process whose environment holds the numerics.
JOB = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {tests!r})
    import torch
    torch.set_num_threads(1)
    from conftest import default_config, SCHEMA
    from aeflow.workflow import validate_config
    config = default_config()
    config["training"]["epochs"] = {epochs}
    config["playground"]["training"]["epochs"] = {epochs} // 2
    validate_config(config, SCHEMA)
    start = time.perf_counter()
    if {part!r} == "autoencoder":
        from aeflow.autoencoder import runs
        from aeflow.autoencoder.data import make_samples
        from aeflow.autoencoder.settings import ModelSpec, TrainingSpec
        from aeflow.autoencoder.training import train_replicas
        d = config["data"]
        s = make_samples(d["n_train"], d["n_test"], d["x_range"], d["y_range"], d["seed"])
        points = torch.tensor(s[s.split == "train"][["x", "y"]].to_numpy(), dtype=torch.float32)
        train_replicas(
            ModelSpec(**runs.model_params(config, "ae2")), points,
            TrainingSpec(**runs.training_params(config, "ae2")), run_name="ae2",
        )
    else:
        from aeflow.playground import runs
        from aeflow.playground.settings import PlaygroundSpec
        from aeflow.playground.training import train_groups
        chunk = next(iter(runs.trial_chunks(config)))
        trials = [
            (t["trial"], PlaygroundSpec.from_params(t["settings"]))
            for t in runs.chunk_settings(config, chunk, runs.chunk_blocks(config)[0])
        ]
        train_groups(trials, run_name=chunk, maps=set())
    print(time.perf_counter() - start)
    """
)


def _seconds(part: str, mode: str, epochs: int) -> tuple[float, float]:
    env = {k: v for k, v in os.environ.items() if k not in ("MKL_CBWR", "ATEN_CPU_CAPABILITY")}
    sys.path.insert(0, str(REPO / "src"))
    from aeflow.core import numerics

    numerics.apply(mode, env)
    code = JOB.format(tests=str(REPO / "tests"), epochs=epochs, part=part)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return time.perf_counter() - start, float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for part in ("autoencoder", "playground"):
        times: dict[str, list[tuple[float, float]]] = {"native": [], "portable": []}
        for _ in range(args.repeats):
            for mode in times:
                times[mode].append(_seconds(part, mode, args.epochs))
        medians = {
            m: [statistics.median(t[i] for t in v) for i in (0, 1)] for m, v in times.items()
        }
        rows.append((part, medians))
        print(part, medians, flush=True)
    table = []
    for part, m in rows:
        ratio = m["portable"][1] / m["native"][1]
        table.append((part, *(f"{s:.2f}" for s in (*m["native"], *m["portable"])), f"{ratio:.3f}"))
    header = (
        "job",
        "native: process s",
        "native: training s",
        "portable: process s",
        "portable: training s",
        "portable / native (training)",
    )
    path = write_page(
        "numerics",
        "Cost of portable numerics",
        "make bench-numerics",
        [
            f"One thread, median of {args.repeats} fresh processes per cell; autoencoder: ae2 "
            f"with its seeds, {args.epochs} epochs; playground: the first chunk, "
            f"{args.epochs // 2} epochs.",
            "",
            *markdown_table(header, table),
        ],
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
