"""The seeds design on and off, side by side: what each default run decides and what it costs.

Runs `snakemake --cores N` from scratch twice, one after the other, each in a fresh
temporary copy of this working tree: the default config (claims.design.two_stage on: a
pilot, then the seeds results/seeds.csv and results/playground/seeds.csv plan) and the
same config with two_stage off (every run at its configured seeds). Counts the verdicts of
both summaries' claims.csv (the sheet's claims apart) and the replicas each run trained,
and times both.

Usage: python benchmarks/design.py [--cores 2]   (or: make bench-design)
       [--on DIR --off DIR]   (count finished runs instead; no timing)
Writes docs/generated/design.md, labelled with the commit, date and CPU that made it.
"""

from __future__ import annotations

import argparse
import collections
from pathlib import Path

import pandas as pd
import yaml
from generated import markdown_table, write_page
from verdicts import checkout, count, timed_run

GOAL = 1.5  # the budget: design on at most 1.5x the run with it off


def replicas(root: Path, folder: str) -> int:
    """Replicas trained for one summary's ``folder``: every block of every training,
    retraining and capacity run (results), or every trial's networks of every chunk's
    blocks (results/playground)."""
    if folder != "results":
        return sum(len(pd.read_csv(p)) for p in root.glob(f"{folder}/chunks/*/*/metrics.csv"))
    folders = [*root.glob("results/blocks/*/*"), *root.glob("results/retrain/*/blocks/*")]
    folders += root.glob("results/capacity/*/blocks/*")
    total = 0
    for block in folders:
        start, stop = (int(n) for n in block.name[1:].split("-"))
        total += stop - start
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--on", type=Path, help="a finished default run (design on)")
    parser.add_argument("--off", type=Path, help="a finished run with the design off")
    args = parser.parse_args()
    runs = {}
    for name, two_stage, given in (("off", False, args.off), ("on", True, args.on)):
        if given is not None:
            runs[name] = (given, float("nan"))
            continue
        root = checkout(None)
        config = yaml.safe_load((root / "config.yaml").read_text())
        config["claims"]["design"]["two_stage"] = two_stage
        (root / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
        runs[name] = (root, timed_run(root, args.cores))
    rows = []
    for name, (root, seconds) in runs.items():
        ratio = seconds / runs["off"][1]
        for folder, counter in count(root).items():
            compared = collections.Counter({k: v for k, v in counter.items() if "sheet" not in k})
            sheet = {k.split(": ")[1]: v for k, v in counter.items() if k.startswith("sheet")}
            rows.append(
                [
                    f"design {name}",
                    folder,
                    sum(compared.values()),
                    *(compared.get(v, 0) for v in ("winner", "equivalent", "undetermined")),
                    compared.get("not compared", 0),
                    ", ".join(f"{k} {v}" for k, v in sorted(sheet.items())),
                    replicas(root, folder),
                    f"{seconds:.1f}",
                    f"{ratio:.2f}",
                ]
            )
    plans = [runs["on"][0] / f"results/{part}seeds.csv" for part in ("", "playground/")]
    plan = pd.concat([pd.read_csv(p) for p in plans if p.exists()], ignore_index=True)
    body = [
        "Both runs from scratch, one after the other, `snakemake --cores "
        f"{args.cores}` on the default config with `claims.design.two_stage` on and off. "
        "Comparisons: the claims of each summary (the sheet's claims apart); replicas: "
        "every trained replica (the autoencoder's runs, retraining and capacity; the "
        "Playground's networks, a replica of one trial each). "
        f"The goal: design on at most {GOAL}x the wall time of design off, and fewer "
        "comparisons undetermined.",
        "",
        *markdown_table(
            [
                "run",
                "summary",
                "comparisons",
                "winner",
                "equivalent",
                "undetermined",
                "not compared",
                "the sheet's claims",
                "replicas",
                "wall s",
                "x off",
            ],
            rows,
        ),
        "",
        "The seeds the design planned (results/seeds.csv and results/playground/seeds.csv "
        "of the run with it on):",
        "",
        *markdown_table(list(plan.columns), plan.astype(str).values.tolist()),
    ]
    path = write_page("design", "The seeds design on and off", "python benchmarks/design.py", body)
    print("\n".join(body))
    print(f"written: {path}")


if __name__ == "__main__":
    main()
