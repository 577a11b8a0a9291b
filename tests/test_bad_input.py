"""A bad config stops the run before any job, names the key, and changes no result."""

import os
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.workflow

# Validation itself is tested case by case in test_config.py, in-process; here the whole
# run: a bad config.yaml stops Snakemake before any job and leaves every result as it was.
BROKEN_FILES = [
    ("schema", lambda text: text.replace("epochs: 3", "epochs: 0", 1), "training.epochs:"),
    (
        "yaml syntax",
        lambda text: text.replace("n_train: 24", "n_train: [24", 1),
        "config.yaml, line ",
    ),
    (
        "duplicate key",
        lambda text: text.replace("n_train: 24", "n_train: 24\n  n_train: 30", 1),
        "duplicate key 'n_train'",
    ),
    ("infinity", lambda text: text.replace("n_test: 40", "n_test: .inf", 1), "data.n_test:"),
]


@pytest.fixture(scope="module")
def own_run(finished_workflow, tmp_path_factory):
    """A private copy of the finished tiny run for this module's broken configs: the
    shared finished run is never edited."""
    from tests.conftest import private_copy

    return private_copy(finished_workflow, tmp_path_factory.mktemp("bad-input"))


@pytest.mark.parametrize(
    ("kind", "break_it", "named"), BROKEN_FILES, ids=[c[0] for c in BROKEN_FILES]
)
def test_bad_config_stops_the_run_naming_the_problem_and_changes_nothing(
    own_run, kind, break_it, named
):
    before = own_run.snapshot()
    config_file = own_run.root / "config.yaml"
    good = config_file.read_text()
    broken = break_it(good)
    assert broken != good
    config_file.write_text(broken)
    try:
        result = own_run.snakemake(check=False)
    finally:
        config_file.write_text(good)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert named in output, output
    if kind == "yaml syntax":
        assert "YAML syntax error" in output and "column" in output
    assert own_run.snapshot() == before


def test_a_key_given_twice_in_a_configfile_stops_the_run_naming_its_line(
    finished_workflow, tmp_path
):
    extra = tmp_path / "extra.yaml"
    extra.write_text("training:\n  epochs: 3\n  epochs: 5\n")
    result = finished_workflow.snakemake("--configfile", str(extra), "--dry-run", check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "extra.yaml, line 3" in output and "duplicate key 'epochs'" in output


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
        (signal.SIGTERM, "job"),  # scancel, preemption or a time limit reach the job only
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
    console = workflow_dir.root / "console.txt"
    proc = subprocess.Popen(
        [sys.executable, "-m", "snakemake", "--cores", "1", target],
        cwd=workflow_dir.root,
        stdout=subprocess.DEVNULL,
        stderr=console.open("w"),
        start_new_session=True,
    )
    log = workflow_dir.results / "logs/train/ae2.log"
    deadline = time.monotonic() + 120
    # Killed only once the optimiser is stepping (not while Python still imports Lightning).
    while not (log.exists() and "ae2: epoch 1 started" in log.read_text()):
        assert time.monotonic() < deadline, "training never started"
        assert proc.poll() is None, "snakemake exited before training started"
        time.sleep(0.1)
    time.sleep(0.3)
    assert proc.poll() is None, "training finished before it could be killed"
    assert "trained ae2" not in log.read_text(), "training finished before it could be killed"
    if victim == "run":
        os.killpg(proc.pid, signum)
    else:
        os.kill(_training_pid(proc.pid), signum)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    if (signum, victim) == (signal.SIGTERM, "job"):
        # A failed job, not "completed successfully, but some output files are missing".
        assert "job terminated by SIGTERM" in log.read_text()
        assert "MissingOutputException" not in console.read_text()
        assert "Error in rule train" in console.read_text()
    models = workflow_dir.results / "models/ae2"
    assert not (workflow_dir.results / "losses/ae2.csv").exists()
    assert not (models / "trained.ckpt").exists() and not (models / "init.ckpt").exists()
    workflow_dir.write_config(finished_workflow.read_config())
    workflow_dir.snakemake("--unlock")  # a SIGKILLed Snakemake leaves its lock behind
    workflow_dir.snakemake("--rerun-incomplete", target)
    assert (workflow_dir.results / "losses/ae2.csv").read_bytes() == (
        finished_workflow.results / "losses/ae2.csv"
    ).read_bytes()
    # The rerun removed what the killed attempt left half-written; the state the killed
    # 400-epoch training saved (another key) was discarded, and the finished job's removed.
    assert sorted(workflow_dir.results.rglob(".*.partial")) == []
    assert not (workflow_dir.results / "state").exists()
