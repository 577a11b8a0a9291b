"""How the summaries' comparisons end, this checkout against another revision, side by side.

Runs `snakemake --cores N` on each one's own default config from scratch in a fresh
temporary copy (or reads finished results with --results/--baseline-results), then counts
the verdicts of both summaries: from claims.csv where the revision writes one (winner,
equivalent, undetermined, not compared; the sheet's claims apart), else from the summary
pages' sentences ("not resolved" against resolved comparisons, before claims.csv existed).
Also: the wall time of each run.

Usage: python benchmarks/verdicts.py [--baseline-rev 4cf915a] [--cores 2]
       [--results DIR --baseline-results DIR]   (reuse finished runs; no timing)
Writes docs/generated/verdicts.md, labelled with the commit, date and CPU that made it.
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from generated import markdown_table, write_page

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
SUMMARIES = ("results", "results/playground")


def checkout(rev: str | None) -> Path:
    """A fresh copy of the workflow: this working tree (rev None) or a git revision."""
    root = Path(tempfile.mkdtemp(prefix="aeflow-verdicts-"))
    if rev is None:
        for name in ("Snakefile", "config.yaml"):
            shutil.copy(REPO / name, root / name)
        for folder in ("workflow", "envs", "src", "profiles", "config"):
            if (REPO / folder).exists():
                shutil.copytree(
                    REPO / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__")
                )
        return root
    subprocess.run(["git", "clone", "-q", str(REPO), str(root / "tree")], check=True)
    subprocess.run(["git", "checkout", "-q", rev], cwd=root / "tree", check=True)
    return root / "tree"


def timed_run(root: Path, cores: int) -> float:
    """Seconds `snakemake --cores N --quiet` takes in ``root`` from where it stands."""
    start = time.perf_counter()
    subprocess.run(
        [SNAKEMAKE, "--cores", str(cores), "--quiet"], cwd=root, check=True, capture_output=True
    )
    return time.perf_counter() - start


def count(root: Path) -> dict[str, collections.Counter]:
    """Per summary: the verdicts of its comparisons (and, apart, of the sheet's claims)."""
    found = {}
    for folder in SUMMARIES:
        where = root / folder
        if (where / "claims.csv").exists():
            claims = pd.read_csv(where / "claims.csv")
            sheet = claims["family"] == "sheet"
            counter = collections.Counter(claims.loc[~sheet, "verdict"]) + collections.Counter(
                f"sheet: {v}" for v in claims.loc[sheet, "verdict"]
            )
        else:  # before claims.csv: every sentence with an interval is a comparison
            bullets = [
                line
                for line in (where / "summary.md").read_text().splitlines()
                if line.startswith("- ") and re.search(r"95% CI|adjusted 95% CI", line)
            ]
            unresolved = sum("not resolved" in line for line in bullets)
            counter = collections.Counter(
                {"not resolved": unresolved, "resolved": len(bullets) - unresolved}
            )
        found[folder] = counter
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline-rev", default="4cf915a")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--results", type=Path, help="a finished run of this checkout")
    parser.add_argument("--baseline-results", type=Path, help="a finished baseline run")
    args = parser.parse_args()
    runs = {}
    for name, rev, given in (
        ("this checkout", None, args.results),
        (f"baseline {args.baseline_rev}", args.baseline_rev, args.baseline_results),
    ):
        if given is not None:
            runs[name] = (given, float("nan"))
            continue
        root = checkout(rev)
        runs[name] = (root, timed_run(root, args.cores))
    rows = []
    for name, (root, seconds) in runs.items():
        for folder, counter in count(root).items():
            total = sum(v for k, v in counter.items() if not k.startswith("sheet"))
            verdicts = ", ".join(f"{k}: {v}" for k, v in sorted(counter.items()))
            rows.append([name, folder, total, verdicts, f"{seconds:.1f}"])
    body = [
        "Comparisons of each summary and how they end; the sheet's claims are counted apart "
        "('sheet: ...'). Wall time: the whole default run from scratch, "
        f"`snakemake --cores {args.cores}` (nan: results reused, not timed).",
        "",
        *markdown_table(["run", "summary", "comparisons", "verdicts", "wall s"], rows),
    ]
    path = write_page("verdicts", "Verdicts side by side", "python benchmarks/verdicts.py", body)
    print("\n".join(body))
    print(f"written: {path}")


if __name__ == "__main__":
    main()
