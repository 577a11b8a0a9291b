"""Shared fixtures: the repository, a tiny config, and Snakemake runs in temp dirs."""

from __future__ import annotations

import os
import re
import shutil
import signal
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
    # One shared sample (the default draws one per replica; tests switch it on).
    config["data"].update(n_train=24, n_test=40, per_replica_samples=False)
    config["training"].update(epochs=3, seeds=2, seeds_per_job=2)
    # Seeds fixed (no pilot stage): the seeds design's tests switch it on.
    config["claims"]["design"]["two_stage"] = False
    # Two widths at two training-set sizes (the whole 24 points and the first 12), each
    # recorded every 2 of its 6 epochs, a stopping window of 2 records.
    capacity = config["capacity"]
    capacity.update(widths=[8, 50], n_train=["all", 12], record_every=2)
    capacity["training"]["epochs"] = 6
    capacity["stopping"]["window"] = 4
    config["decoder_sweep"]["n_points"] = 16
    config["figures"]["dpi"] = 50
    # The playground part is shrunk too, but off: its own tests switch it on.
    playground = config["playground"]
    playground["enabled"] = False
    playground["data"]["n_samples"] = 40
    playground["training"].update(epochs=4, seeds=2)
    playground.update(trials_per_chunk=2, seeds_per_job=2)
    playground["sweeps"] = {
        "learning_rate": {"key": "training.learning_rate", "values": [0.03, 0.1]},
        "regularization": {"key": "training.regularization", "values": ["none", "l1", "l2"]},
        "grid": {"grid": {"training.learning_rate": [0.03, 0.3], "data.noise": [0.0, 0.1]}},
        "search": {
            "random": {
                "n": 2,
                "seed": 0,
                "space": {"training.learning_rate": {"log_uniform": [0.01, 1.0]}},
            }
        },
        # Two settings no run can tell apart: the summary must say so.
        "near_duplicate": {"key": "training.learning_rate", "values": [0.1, 0.1000001]},
    }
    return config


def tiny_playground_config() -> dict:
    """The tiny config with only the playground part switched on."""
    config = tiny_config()
    config["playground"]["enabled"] = True
    return config


class WorkflowDir:
    """A copy of the workflow in a temporary directory, driven through Snakemake's CLI."""

    def __init__(self, root: Path, config: dict) -> None:
        self.root = root
        shutil.copy(REPO / "Snakefile", root / "Snakefile")
        for folder in ("workflow", "profiles", "envs", "src"):
            # The copy's own package: tests may edit it (code-change reruns).
            shutil.copytree(
                REPO / folder,
                root / folder,
                ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"),
            )
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

    def snakemake_in_background(self, *args: str) -> BackgroundRun:
        """Start ``snakemake --cores 2 args`` and return at once (a test overlaps it with
        its waits on the SLURM cluster); ``.wait()`` checks that it succeeded."""
        console = (self.root / "background-console.txt").open("w")
        command = [sys.executable, "-m", "snakemake", "--cores", "2", *args]
        process = subprocess.Popen(
            command,
            cwd=self.root,
            stdout=console,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its jobs too can be stopped (BackgroundRun.stop)
        )
        return BackgroundRun(process, command, console)

    def planned_jobs(self, *targets: str) -> set[tuple[str, str]]:
        """(rule, wildcards) of every job a dry run (of ``targets``) would execute now."""
        result = self.snakemake("--dry-run", *targets)
        jobs, rule = set(), None
        for line in (result.stdout + result.stderr).splitlines():
            if match := re.match(r"^(?:local)?(?:rule|checkpoint) (\w+):$", line.strip()):
                rule = match.group(1)
                jobs.add((rule, ""))
            elif rule and (match := re.match(r"^wildcards: (.*)$", line.strip())):
                jobs.discard((rule, ""))
                jobs.add((rule, match.group(1)))
        return {job for job in jobs if job[0] not in ("all", *targets)}

    def snapshot(self) -> dict[str, bytes]:
        """Contents of every file under results/ (logs and benchmark timings excluded)."""
        return {
            str(path.relative_to(self.results)): path.read_bytes()
            for path in sorted(self.results.rglob("*"))
            if path.is_file() and not {"logs", "benchmarks"} & set(path.parts)
        }


class BackgroundRun:
    """A Snakemake run started by ``WorkflowDir.snakemake_in_background``."""

    def __init__(self, process: subprocess.Popen, command: list[str], console) -> None:
        self.process, self.command, self.console = process, command, console

    def wait(self, timeout: float = 600) -> None:
        try:
            code = self.process.wait(timeout=timeout)
        finally:
            self.stop()
        if code != 0:
            text = Path(self.console.name).read_text()
            raise AssertionError(f"{self.command} failed:\n{text[-5000:]}")

    def stop(self) -> None:
        """End the run and its jobs if they still run (a test that failed or timed out
        leaves nothing behind to load the machine)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.console.close()


@pytest.fixture
def in_background():
    """``in_background(wf, *args)`` starts ``wf.snakemake_in_background(*args)``; every run
    started so is stopped when the test ends, passed or failed."""
    started: list[BackgroundRun] = []

    def start(wf: WorkflowDir, *args: str) -> BackgroundRun:
        started.append(wf.snakemake_in_background(*args))
        return started[-1]

    yield start
    for run in started:
        run.stop()


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


@pytest.fixture(scope="session")
def finished_playground(tmp_path_factory: pytest.TempPathFactory) -> WorkflowDir:
    """The tiny playground stages (target ``playground``) run once to completion."""
    wf = WorkflowDir(tmp_path_factory.mktemp("playground"), tiny_playground_config())
    wf.snakemake("playground")
    return wf


def private_copy(finished: WorkflowDir, root: Path) -> WorkflowDir:
    """A copy of a finished run (results and Snakemake's metadata) with nothing to do:
    copytree keeps every file's mtime, so the copy is as up to date as the original
    (tests/test_workflow.py checks it once, for both parts)."""
    wf = WorkflowDir(root, finished.read_config())
    for name in ("results", ".snakemake"):
        shutil.copytree(finished.root / name, root / name, symlinks=True)
    shutil.rmtree(root / ".snakemake/locks", ignore_errors=True)
    return wf


# Fixtures that build a run once per worker; the tests that read one share a worker.
RUN_GROUPS = {
    "finished_workflow": "finished-autoencoder",
    "finished_playground": "finished-playground",
    "finished_sweeps": "sweeps-plan",  # test_planner.py
    "uninterrupted": "resumed-job",  # test_resume.py
}
# Parametrised fixtures that stand for one run per parameter (and request only that one,
# through request.getfixturevalue): the parameter names the run fixture.
RUN_PARAMETERS = {
    "finished": {"autoencoder": "finished_workflow", "playground": "finished_playground"},
}


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`--dist loadgroup`, `make test`), the tests that read a run built
    by a fixture go to one worker, so each run is built once per session; the SLURM tests
    (minutes of waiting on the cluster) go to another."""
    for item in items:
        if item.get_closest_marker("slurm"):
            item.add_marker(pytest.mark.xdist_group("slurm"))
            continue
        used = set(getattr(item, "fixturenames", ())) & RUN_GROUPS.keys()
        params = getattr(getattr(item, "callspec", None), "params", {})
        for fixture, runs in RUN_PARAMETERS.items():
            if fixture in params:
                used.add(runs[params[fixture]])
        if used:  # no test reads runs of two groups; one would join the first
            item.add_marker(pytest.mark.xdist_group(min(RUN_GROUPS[name] for name in used)))
