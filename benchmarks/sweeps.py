"""Sweep-scale targets, measured on this machine (issue: sweeps at cluster scale).

  planning     snakemake --dry-run on a 1,000-trial, 5-seed playground grid      (< 20 s)
  throughput   that grid run with --cores N from scratch                        (< 30 min)
  scaling      a 100-trial, 5-seed grid against one lone trial, same epochs,
               both through snakemake                                           (<= 10x)
  default      `snakemake --cores N` on the default config from scratch, this
               checkout against another git revision (e.g. the single-seed one)  (<= 0.5x)

Usage: python benchmarks/sweeps.py planning scaling [--cores 2] [--baseline-rev REV]
       (or: make bench-sweeps). Every run happens in a fresh temporary copy of the workflow;
a table of what was measured is printed at the end, with the target and whether it is met,
and written to docs/generated/sweeps.md, labelled with the commit, date and CPU that made it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from generated import markdown_table, write_page

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
LEARNING_RATES = [round(0.001 * 1.2**i, 8) for i in range(40)]  # 40 values
NOISES = [round(0.02 * i, 4) for i in range(25)]  # 25 values: 40 x 25 = 1,000 points


def _copy_workflow(root: Path, source: Path = REPO) -> None:
    shutil.copy(source / "Snakefile", root / "Snakefile")
    for folder in ("workflow", "envs", "src"):
        shutil.copytree(
            source / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__")
        )


def _grid_config(learning_rates: list[float], noises: list[float], epochs: int) -> dict:
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    config["playground"]["training"]["epochs"] = epochs
    # The grid at its configured 5 seeds, as the goals were set: no pilot and plan, and a
    # block of exactly those seeds.
    config["claims"]["design"]["two_stage"] = False
    config["playground"]["seeds_per_job"] = config["playground"]["training"]["seeds"]
    config["playground"]["sweeps"] = {
        "grid": {"grid": {"training.learning_rate": learning_rates, "data.noise": noises}}
    }
    return config


def _snakemake(root: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([SNAKEMAKE, "--quiet", *args], cwd=root, check=True, capture_output=True)
    return time.perf_counter() - start


def _workspace(config: dict) -> Path:
    root = Path(tempfile.mkdtemp(prefix="aeflow-sweep-bench-"))
    _copy_workflow(root)
    (root / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return root


def planning(cores: int) -> list[tuple]:
    root = _workspace(_grid_config(LEARNING_RATES, NOISES, 500))
    seconds = _snakemake(root, "--dry-run", "--cores", str(cores), "playground")
    shutil.rmtree(root)
    return [("planning: dry run, 1,000-trial x 5-seed grid", seconds, "< 20 s", seconds < 20)]


def throughput(cores: int) -> list[tuple]:
    root = _workspace(_grid_config(LEARNING_RATES, NOISES, 500))
    seconds = _snakemake(root, "--cores", str(cores), "playground")
    trials = len(set(_read_trials(root)))
    shutil.rmtree(root)
    label = f"throughput: {trials:,}-trial x 5-seed grid, 500 epochs, {cores} cores"
    return [(label, seconds, "< 1800 s", seconds < 1800)]


def _read_trials(root: Path) -> list[str]:
    import pandas as pd

    return pd.read_csv(root / "results/playground/sweeps/grid/trials.csv")["trial"].tolist()


def scaling(cores: int) -> list[tuple]:
    grid = _workspace(_grid_config(LEARNING_RATES[:10], NOISES[:10], 500))
    grid_seconds = _snakemake(grid, "--cores", str(cores), "playground")
    shutil.rmtree(grid)
    lone_config = _grid_config([0.1], [0.0], 500)
    lone_config["playground"]["sweeps"] = {}
    lone = _workspace(lone_config)
    lone_seconds = _snakemake(lone, "--cores", str(cores), "playground")
    shutil.rmtree(lone)
    ratio = grid_seconds / lone_seconds
    return [
        ("scaling: one lone trial (5 seeds) with its figures and summary", lone_seconds, "", None),
        ("scaling: 100-trial x 5-seed grid with figures and summary", grid_seconds, "", None),
        ("scaling: grid / lone", ratio, "<= 10x", ratio <= 10),
    ]


def default(cores: int, baseline_rev: str) -> list[tuple]:
    rows = []
    times = {}
    for name, rev in (("this checkout", None), (f"revision {baseline_rev}", baseline_rev)):
        root = Path(tempfile.mkdtemp(prefix="aeflow-default-bench-"))
        if rev is None:
            _copy_workflow(root)
            shutil.copy(REPO / "config.yaml", root / "config.yaml")
        else:
            archive = subprocess.run(
                ["git", "archive", rev], cwd=REPO, check=True, capture_output=True
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
        env_path = f"{root / 'src'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"
        start = time.perf_counter()
        subprocess.run(
            [SNAKEMAKE, "--quiet", "--cores", str(cores)],
            cwd=root,
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONPATH": env_path},
        )
        times[name] = time.perf_counter() - start
        rows.append((f"default run from scratch: {name}", times[name], "", None))
        shutil.rmtree(root)
    ratio = times["this checkout"] / times[f"revision {baseline_rev}"]
    rows.append(("default run: this checkout / the other revision", ratio, "<= 0.5x", ratio <= 0.5))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "targets", nargs="+", choices=["planning", "throughput", "scaling", "default"]
    )
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--baseline-rev", default="241da7b", help="for 'default'")
    args = parser.parse_args()
    rows = []
    for target in args.targets:
        if target == "default":
            rows += default(args.cores, args.baseline_rev)
        else:
            rows += globals()[target](args.cores)
    print(f"\n{os.cpu_count()} CPUs visible, --cores {args.cores}")
    print(f"{'measurement':<66} {'value':>10}  {'target':<9} met")
    table = []
    for label, value, target, met in rows:
        unit = "x" if "/" in label else "s"
        mark = "" if met is None else ("yes" if met else "NO")
        print(f"{label:<66} {value:>9.2f}{unit}  {target:<9} {mark}")
        table.append((label, f"{value:.2f} {unit}", target, mark))
    path = write_page(
        "sweeps",
        "Sweep scale",
        "python benchmarks/sweeps.py " + " ".join(args.targets),
        [
            f"`snakemake --cores {args.cores}`, each measurement in a fresh temporary copy of "
            "the workflow"
            + (
                f"; the default run is compared with revision {args.baseline_rev}."
                if "default" in args.targets
                else "."
            ),
            "",
            *markdown_table(("measurement", "value", "target", "met"), table),
        ],
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
