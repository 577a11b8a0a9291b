"""A bad config stops the run before any job, names the key, and changes no result."""

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.test_config import _set

pytestmark = pytest.mark.workflow

CASES = [
    ("training.epochs", 0, "training.epochs"),
    ("loader.batch_size", 500, "loader.batch_size"),
    ("variants.ae1.hidden", [], "variants.ae1.hidden"),
    ("training.optimizer", "lbfgs", "training.optimizer"),
    ("training.learning_rate", -1, "training.learning_rate"),
    ("model.latent_dim", 0, "model.latent_dim"),
    ("variants.no good", {"hidden": [2]}, "variants"),
    ("trainig", {"epochs": 3}, "<top level>"),
    ("data.x_range", [1.0, 0.0], "data.x_range"),
    ("retrain.variant", "ae7", "retrain.variant"),
    ("optimizer_comparison.variant", "ae7", "optimizer_comparison.variant"),
    ("playground.data.dataset", "moons", "playground.data.dataset"),
    ("playground.data.train_ratio", 1.5, "playground.data.train_ratio"),
    ("playground.model.features", ["x3"], "playground.model.features.0"),
    ("playground.training.regularization", "l3", "playground.training.regularization"),
    (
        "playground.sweeps.learning_rate",
        {"key": "training.learning_rate", "values": [0.1, -1]},
        "playground.sweeps.learning_rate.values[1]",
    ),
    (
        "playground.sweeps.depth",
        {"key": "model.depth", "values": [1]},
        "playground.sweeps.depth.key",
    ),
    (
        "playground.sweeps.tiny",
        {"key": "data.train_ratio", "values": [0.01]},
        "playground.sweeps.tiny.values[0]",
    ),
]


@pytest.mark.parametrize(("key", "value", "named"), CASES)
def test_bad_config_fails_naming_the_key_and_changes_nothing(finished_workflow, key, value, named):
    before = finished_workflow.snapshot()
    good = finished_workflow.read_config()
    bad = finished_workflow.read_config()
    _set(bad, key, value)
    finished_workflow.write_config(bad)
    try:
        result = finished_workflow.snakemake(check=False)
    finally:
        finished_workflow.write_config(good)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "invalid configuration" in output and f"{named}:" in output
    assert finished_workflow.snapshot() == before


def test_diverging_training_fails_naming_the_variant_and_leaves_no_output(workflow_dir):
    config = workflow_dir.read_config()
    config["variants"]["ae1"]["training"] = {
        "optimizer": "sgd",
        "learning_rate": 1.0e6,
        "epochs": 40,
    }
    workflow_dir.write_config(config)
    result = workflow_dir.snakemake(
        f"{workflow_dir.results}/losses/ae1.csv".removeprefix(f"{workflow_dir.root}/"),
        check=False,
    )
    assert result.returncode != 0
    log = (workflow_dir.results / "logs/train/ae1.log").read_text()
    assert "training of 'ae1' diverged" in log and "at step" in log
    assert not (workflow_dir.results / "losses/ae1.csv").exists()
    assert not (workflow_dir.results / "models/ae1/trained.ckpt").exists()


def _training_pid(session: int) -> int | None:
    """PID of the train.py job process in a process session, if it runs yet."""
    found = subprocess.run(
        ["pgrep", "-s", str(session), "-f", "scripts/.*train.py"], capture_output=True, text=True
    ).stdout.split()
    return int(found[0]) if found else None


@pytest.mark.parametrize(
    ("signum", "victim"),
    [
        (signal.SIGTERM, "run"),  # Ctrl-C or a scheduler's cancel
        (signal.SIGKILL, "job"),  # the OOM killer takes the training process
        (signal.SIGKILL, "run"),  # the node dies: Snakemake gets no chance to clean up
    ],
)
def test_killed_training_leaves_nothing_finished_and_resumes_identically(
    finished_workflow, workflow_dir, signum, victim
):
    config = workflow_dir.read_config()
    config["training"]["epochs"] = 400  # long enough to be caught mid-training
    workflow_dir.write_config(config)
    target = "results/losses/ae2.csv"
    proc = subprocess.Popen(
        [sys.executable, "-m", "snakemake", "--cores", "1", target],
        cwd=workflow_dir.root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    log = workflow_dir.results / "logs/train/ae2.log"
    deadline = time.monotonic() + 120
    while not (log.exists() and "training ae2" in log.read_text()):
        assert time.monotonic() < deadline, "training never started"
        assert proc.poll() is None, "snakemake exited before training started"
        time.sleep(0.2)
    time.sleep(1.0)
    assert proc.poll() is None, "training finished before it could be killed"
    if victim == "run":
        os.killpg(proc.pid, signum)
    else:
        os.kill(_training_pid(proc.pid), signum)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    models = workflow_dir.results / "models/ae2"
    assert not (workflow_dir.results / "losses/ae2.csv").exists()
    assert not (models / "trained.ckpt").exists() and not (models / "init.ckpt").exists()
    workflow_dir.write_config(finished_workflow.read_config())
    workflow_dir.snakemake("--unlock")  # a SIGKILLed Snakemake leaves its lock behind
    workflow_dir.snakemake("--rerun-incomplete", target)
    assert (workflow_dir.results / "losses/ae2.csv").read_bytes() == (
        finished_workflow.results / "losses/ae2.csv"
    ).read_bytes()
