"""Shared fixtures: the repository, a tiny config, and Snakemake runs in temp dirs."""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "workflow/schemas/config.schema.yaml"


def default_config() -> dict:
    return yaml.safe_load((REPO / "config.yaml").read_text())


def tiny_config() -> dict:
    """The default config shrunk to seconds: few points, few epochs, short sweep."""
    config = default_config()
    config["data"].update(n_train=24, n_test=40)
    config["training"]["epochs"] = 3
    config["decoder_sweep"]["n_points"] = 16
    config["figures"]["dpi"] = 50
    return config


class WorkflowDir:
    """A copy of the workflow in a temporary directory, driven through Snakemake's CLI."""

    def __init__(self, root: Path, config: dict) -> None:
        self.root = root
        shutil.copy(REPO / "Snakefile", root / "Snakefile")
        shutil.copytree(REPO / "workflow", root / "workflow")
        shutil.copytree(REPO / "envs", root / "envs")
        self.write_config(config)

    @property
    def results(self) -> Path:
        return self.root / "results"

    def write_config(self, config: dict) -> None:
        (self.root / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))

    def read_config(self) -> dict:
        return yaml.safe_load((self.root / "config.yaml").read_text())

    def snakemake(self, *args: str, check: bool = True, timeout: float = 600):
        command = [sys.executable, "-m", "snakemake", "--cores", "2", *args]
        result = subprocess.run(
            command, cwd=self.root, capture_output=True, text=True, timeout=timeout
        )
        if check and result.returncode != 0:
            raise AssertionError(f"{command} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def planned_jobs(self) -> set[tuple[str, str]]:
        """(rule, wildcards) of every job a dry run would execute now."""
        result = self.snakemake("--dry-run")
        jobs, rule = set(), None
        for line in (result.stdout + result.stderr).splitlines():
            if match := re.match(r"^(?:local)?rule (\w+):$", line.strip()):
                rule = match.group(1)
                jobs.add((rule, ""))
            elif rule and (match := re.match(r"^wildcards: (.*)$", line.strip())):
                jobs.discard((rule, ""))
                jobs.add((rule, match.group(1)))
        return {job for job in jobs if job[0] != "all"}

    def snapshot(self) -> dict[str, bytes]:
        """Contents of every file under results/ (logs excluded)."""
        return {
            str(path.relative_to(self.results)): path.read_bytes()
            for path in sorted(self.results.rglob("*"))
            if path.is_file() and "logs" not in path.parts
        }


@pytest.fixture
def tiny() -> dict:
    return tiny_config()


@pytest.fixture
def workflow_dir(tmp_path: Path) -> WorkflowDir:
    return WorkflowDir(tmp_path, tiny_config())


@pytest.fixture(scope="session")
def finished_workflow(tmp_path_factory: pytest.TempPathFactory) -> WorkflowDir:
    """The tiny workflow run once to completion, shared by read-only tests."""
    wf = WorkflowDir(tmp_path_factory.mktemp("finished"), tiny_config())
    wf.snakemake()
    return wf


def copy_config(config: dict) -> dict:
    return copy.deepcopy(config)
