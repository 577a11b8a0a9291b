"""One name for each thing: names retired from the package and the workflow stay retired.

A chunk of trials is never a "batch" (a batch is the points of one optimiser update), a
Playground trial is never a "run" (a run is one training of the autoencoder part), and the
epochs between two records are ``record_every`` everywhere, as the config key says. Each
retired identifier is listed with the commit and file it stood in, so that the list holds
real names (a misspelt one would pass the grep for ever), and the grep itself is checked
to find a name where one stands.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEARCHED = ("src", "workflow")  # the package, the rules and the job scripts
TEXT_SUFFIXES = {".py", ".smk", ".yaml", ".yml", ".rst", ".md", ".json", ".txt", ""}
BEFORE = "fb8549d"  # the last commit before the renames

# Every retired identifier -> (the file it stood in at BEFORE, what stands for it now).
NAMES = {
    "epochs_per_item": ("src/aeflow/autoencoder/batches.py", "record_every"),
    "varied_keys": ("src/aeflow/autoencoder/sweeps.py", "nothing: it had no caller"),
    "_sweep_axis": ("src/aeflow/playground/plots.py", "core.sweep_figures.sweep_axis"),
    "TRAIN_SPLIT": ("src/aeflow/autoencoder/analysis.py", "data.TRAIN"),
    "_split_failed": ("src/aeflow/autoencoder/plots.py", "plots.split_failed"),
    "playground_runs": ("src/aeflow/playground/runs.py", "playground_trials"),
    "run_settings": ("src/aeflow/playground/runs.py", "trial_settings"),
    "regularization_runs": ("src/aeflow/playground/runs.py", "regularization_trials"),
    "TrialBatchResult": ("src/aeflow/autoencoder/training.py", "a chunk's result"),
    "epochs_per_step": ("src/aeflow/autoencoder/lit.py", "record_every"),
    "BatchResult": ("src/aeflow/playground/training.py", "ChunkResult"),
}
RETIRED = sorted(NAMES)


def _files(root: Path) -> list[Path]:
    return sorted(
        path
        for folder in SEARCHED
        for path in (root / folder).rglob("*")
        if path.is_file()
        and path.suffix in TEXT_SUFFIXES
        and "__pycache__" not in path.parts
        and ".egg-info" not in str(path)
    )


def hits(name: str, root: Path = REPO) -> list[str]:
    """'file:line' of every place ``name`` stands as a whole word under ``root``."""
    word = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
    return [
        f"{path.relative_to(root)}:{number}"
        for path in _files(root)
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1)
        if word.search(line)
    ]


@pytest.mark.parametrize("name", RETIRED)
def test_retired_names_are_gone(name):
    found = hits(name)
    assert not found, f"{name} is retired ({NAMES[name][1]} instead), still at {found}"


@pytest.mark.parametrize("name", sorted(NAMES))
def test_each_name_is_an_identifier_that_stood_in_the_code(name):
    assert name.isidentifier(), name
    path = NAMES[name][0]
    shown = subprocess.run(
        ["git", "show", f"{BEFORE}:{path}"], cwd=REPO, capture_output=True, text=True
    )
    if shown.returncode != 0:
        pytest.skip(f"no git history with {BEFORE} here")
    assert re.search(rf"(?<!\w){re.escape(name)}(?!\w)", shown.stdout), (
        f"{name} never stood in {path} at {BEFORE}: not a retired identifier"
    )


def test_the_search_finds_a_name_where_one_stands(tmp_path):
    for folder in SEARCHED:
        (tmp_path / folder).mkdir()
    (tmp_path / "src/module.py").write_text(
        "x = 1\nbatches = ReplicaEpochBatches(p, epochs_per_item=2)\n"
    )
    (tmp_path / "workflow/rules.smk").write_text("params:\n    every=epochs_per_item_x,\n")
    assert hits("epochs_per_item", tmp_path) == ["src/module.py:2"]
    assert hits("varied_keys", tmp_path) == []
