"""The workflow on SLURM: resources per rule (dry run, no cluster) and a real run.

The real run needs a cluster: `tests/slurm/start_cluster.sh` starts a single-node one
(root, Debian). Without `sinfo` answering, that test is skipped; CI starts the cluster.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
import torch

from aeflow.autoencoder import sweeps as ae_sweeps
from aeflow.autoencoder import work as ae_work
from aeflow.core import resources
from aeflow.playground import runs as pg
from aeflow.workflow import validate_config
from tests.conftest import SCHEMA, WorkflowDir, tiny_config

PROFILE = "profiles/slurm"


def _job_blocks(output: str) -> dict[str, str]:
    """rule name -> its 'resources:' line, from a dry run's job listing."""
    blocks, rule = {}, None
    for line in output.splitlines():
        line = line.strip()
        if match := re.match(r"^(local)?rule (\w+):$", line):
            rule = ("local " if match.group(1) else "") + match.group(2)
            blocks.setdefault(rule, "")
        elif rule and line.startswith("resources:"):
            blocks[rule] = line
    return blocks


@pytest.mark.workflow
def test_slurm_profile_resolves_resources_without_a_cluster(workflow_dir):
    config = workflow_dir.read_config()
    config["variants"]["ae2"]["training"] = {"accelerator": "gpu"}
    config["playground"]["enabled"] = True
    config["playground"]["training"]["accelerator"] = "gpu"
    config["sweeps"] = {"rate": {"variant": "ae1", "key": "training.learning_rate",
                                 "values": [0.003, 0.01]}}  # fmt: skip
    workflow_dir.write_config(config)
    result = workflow_dir.snakemake("--workflow-profile", PROFILE, "--dry-run")
    blocks = _job_blocks(result.stdout + result.stderr)
    # Each training job's runtime and memory come from its work (core.resources).
    validate_config(config, SCHEMA)
    sizing = config["cluster"]
    chunk = next(iter(pg.trial_chunks(config)))
    expected = {
        "playground_train": pg.chunk_work(config, chunk, pg.chunk_blocks(config)[0]),
        "sweep_train": ae_work.sweep_chunk_work(config, next(iter(ae_sweeps.trial_chunks(config)))),
    }
    for rule, work in expected.items():
        minutes, mb = resources.runtime_minutes(work, sizing), resources.memory_mb(work, sizing)
        assert f"runtime={minutes}" in blocks[rule] and f"mem_mb={mb}" in blocks[rule], rule
    assert "gpu=1" in blocks["playground_train"]
    # A chunk of playground trials is one SLURM job, so is a chunk of sweep trials.
    assert "Group job playground" not in result.stdout + result.stderr
    assert chunk in result.stdout
    trains = dict(
        re.findall(
            r"rule train:.*?wildcards: run=([\w-]+).*?resources: ([^\n]*)", result.stdout, re.S
        )
    )
    assert set(trains) == {"ae1", "ae2", "pca", "ae2-sgd", "ae2-gd", "ae2-gd_scaled"}
    for run, line in trains.items():
        # The documented sizing, by hand: start-up plus per-step and per-parameter-step
        # seconds, times the safety factor, in whole minutes, at least the minimum.
        work = ae_work.run_work(config, run, "s0-2")  # the run's one block of replicas
        seconds = (
            sizing["startup_seconds"]
            + work.steps * sizing["seconds_per_step"]
            + work.parameter_steps * sizing["seconds_per_parameter_step"]
        )
        minutes = max(sizing["min_runtime"], -(-sizing["safety_factor"] * seconds // 60))
        assert f"runtime={int(minutes)}," in line, (run, line)
    # A fixed size in the config wins over every estimate.
    config = workflow_dir.read_config()
    config["cluster"] = {"runtime": 9, "mem_mb": 1500}
    workflow_dir.write_config(config)
    fixed = _job_blocks(workflow_dir.snakemake("--workflow-profile", PROFILE, "--dry-run").stdout)
    for rule in ("train", "retrain_encoder", "train_capacity", "sweep_train", "playground_train"):
        assert "runtime=9" in fixed[rule] and "mem_mb=1500" in fixed[rule], rule
    assert "runtime=10" in blocks["analyse"] and "mem_mb=1000" in blocks["analyse"]
    # The seconds-long analyses are submitted together, as one group job.
    assert "Group job analysis" in result.stdout + result.stderr
    # Only the GPU variant's training asks for a GPU.
    dry = workflow_dir.snakemake(
        "--workflow-profile",
        PROFILE,
        "--dry-run",
        "results/losses/ae2.csv",
        "results/losses/ae1.csv",
    ).stdout
    train_blocks = re.findall(
        r"rule train:.*?wildcards: run=(\w+).*?resources: ([^\n]*)", dry, re.S
    )
    gpus = {run: "gpu=1" in resources for run, resources in train_blocks}
    assert gpus == {"ae1": False, "ae2": True}


def _cluster_up() -> bool:
    if not shutil.which("sinfo"):
        return False
    state = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True)
    return state.returncode == 0 and any(
        s.startswith(("idle", "mixed", "alloc")) for s in state.stdout.split()
    )


@pytest.mark.slurm
@pytest.mark.workflow
@pytest.mark.skipif(not _cluster_up(), reason="no SLURM cluster (tests/slurm/start_cluster.sh)")
def test_workflow_runs_through_slurm_and_matches_a_local_run(tmp_path, in_background):
    (tmp_path / "slurm").mkdir()
    wf = WorkflowDir(tmp_path / "slurm", tiny_config())
    # The data, two trainings, the retraining, two analyses (as one group job) and part
    # (g)'s bound and figure (local rules); the rest of the workflow adds more of the same
    # kinds of jobs.
    targets = [
        "results/figures/retrain_latent_shift.png",
        "results/losses/ae1.csv",
        "results/embeddings/ae1.csv",
        "results/decoder_sweep/ae2.csv",
    ]
    # The local run of the same targets, to compare bytes with: it runs while this test
    # waits on the cluster.
    (tmp_path / "local").mkdir()
    local = WorkflowDir(tmp_path / "local", tiny_config())
    local_run = in_background(local, *targets)
    result = wf.snakemake(
        "--workflow-profile",
        PROFILE,
        "--jobs",
        "4",
        "--slurm-keep-successful-logs",
        # Tiny jobs: poll sooner than the plugin's defaults, which suit real trainings.
        "--slurm-init-seconds-before-status-checks",
        "5",
        "--seconds-between-status-checks",
        "3",
        *targets,
        timeout=900,
    )
    output = result.stdout + result.stderr
    submitted = re.findall(r"submitted with SLURM jobid (\d+)", output)
    assert submitted, output[-3000:]
    # Every training ran as its own SLURM job, with a SLURM log of its own.
    slurm_logs = list((wf.root / ".snakemake/slurm_logs").rglob("*.log"))
    train_logs = [p for p in slurm_logs if "rule_train" in p.parts]
    assert len(train_logs) == 2
    # make_data, 2 trainings (ae1, ae2), the retraining, one group job for the two analyses.
    assert len(submitted) == 5, output[-3000:]
    assert {p.stem for p in slurm_logs} <= set(submitted)
    # The bound and the figure are localrules: they ran here, no SLURM job of theirs.
    assert (wf.results / "figures/retrain_latent_shift.png").is_file()
    assert not [p for p in slurm_logs if {"rule_plot_retrain", "rule_retrain_bound"} & set(p.parts)]
    # The same bytes as a local run of the same targets.
    local_run.wait()
    for name in [
        "data/samples/shared.csv",
        "losses/ae1.csv",
        "models/ae2/trained.ckpt",
        "retrain/ae2/losses.csv",
        "retrain/ae2/bounds.csv",
        "embeddings/ae1.csv",
        "decoder_sweep/ae2.csv",
    ]:
        assert (wf.results / name).read_bytes() == (local.results / name).read_bytes(), name
    assert wf.planned_jobs(*targets) == set()


@pytest.mark.slurm
@pytest.mark.workflow
@pytest.mark.skipif(not _cluster_up(), reason="no SLURM cluster (tests/slurm/start_cluster.sh)")
def test_a_playground_grid_submits_one_slurm_job_per_trial_chunk(tmp_path):
    from aeflow.playground import runs as pg
    from aeflow.workflow import validate_config
    from tests.conftest import SCHEMA, tiny_playground_config

    config = tiny_playground_config()
    config["playground"]["trials_per_chunk"] = 8
    config["cluster"] = {"runtime": 7, "mem_mb": 900}
    config["playground"]["sweeps"] = {
        "grid": {
            "grid": {
                "training.learning_rate": [0.003, 0.01, 0.03, 0.3, 1.0],
                "data.noise": [0.05, 0.1, 0.2, 0.3],
            }
        }
    }
    wf = WorkflowDir(tmp_path, config)
    validate_config(config, SCHEMA)
    chunks = pg.trial_chunks(config)
    assert len(pg.playground_trials(config)) == 21  # the baseline and 20 grid points
    result = wf.snakemake(
        "results/playground/sweeps/grid/trials.csv",  # the trainings and their table
        "--workflow-profile",
        PROFILE,
        "--jobs",
        "4",
        "--slurm-init-seconds-before-status-checks",
        "5",
        "--seconds-between-status-checks",
        "3",
        timeout=900,
    )
    output = result.stdout + result.stderr
    submitted = re.findall(r"submitted with SLURM jobid (\d+)", output)
    # One sbatch per chunk of (up to 8) trials, not one per trial; the summary and the
    # figures are local jobs.
    assert len(submitted) == len(chunks) == 3, output[-3000:]
    for jobid in submitted:
        shown = subprocess.run(
            ["scontrol", "show", "job", jobid], capture_output=True, text=True
        ).stdout
        if shown:  # still known to the controller (MinJobAge)
            assert "TimeLimit=00:07:00" in shown
    trials = pd.read_csv(wf.results / "playground/sweeps/grid/trials.csv")
    assert trials["trial"].nunique() == 20 and len(trials) == 20 * 2


def _slurm_jobs() -> dict[str, tuple[str, str]]:
    """SLURM job id -> (state, comment) of every job the controller still knows."""
    shown = subprocess.run(
        ["squeue", "-h", "-t", "all", "-o", "%i|%T|%k"], capture_output=True, text=True
    ).stdout
    return {
        i: (state, comment) for i, state, comment in (line.split("|") for line in shown.split())
    }


def _job_field(jobid: str, field: str) -> str:
    shown = subprocess.run(["scontrol", "show", "job", jobid], capture_output=True, text=True)
    match = re.search(rf"\b{field}=(\S+)", shown.stdout)
    return match.group(1) if match else ""


def _training_process(jobid: str) -> int | None:
    """PID of the training script that SLURM job ``jobid`` runs, once it runs."""
    found = subprocess.run(
        ["pgrep", "-f", r"scripts/tmp.*train\.py"], capture_output=True, text=True
    )
    for pid in found.stdout.split():
        try:
            with open(f"/proc/{pid}/environ", "rb") as handle:
                environ = handle.read().split(b"\0")
        except OSError:
            continue
        if f"SLURM_JOB_ID={jobid}".encode() in environ:
            return int(pid)
    return None


@pytest.mark.slurm
@pytest.mark.workflow
@pytest.mark.skipif(not _cluster_up(), reason="no SLURM cluster (tests/slurm/start_cluster.sh)")
def test_a_timed_out_and_a_cancelled_training_come_back_and_finish_identically(
    tmp_path, in_background
):
    """Two trainings on SLURM: SLURM kills one at its (1-minute) time limit, the other is
    cancelled from outside as preemption does; both are resubmitted, the first with twice
    the time, and the results equal a local run byte for byte."""
    config = tiny_config()
    config["training"]["epochs"] = 800  # ~5 s of training: still running when hit
    config["cluster"] = {"runtime": 1}  # attempt 1: 1 minute, attempt 2: 2 minutes
    targets = ["results/losses/ae1.csv", "results/losses/ae2.csv"]
    (tmp_path / "slurm").mkdir()
    wf = WorkflowDir(tmp_path / "slurm", config)
    # The uninterrupted local run to compare with, while this test waits on the cluster.
    (tmp_path / "local").mkdir()
    local = WorkflowDir(tmp_path / "local", config)
    local_run = in_background(local, *targets)
    console = tmp_path / "console.txt"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "snakemake",
            "--workflow-profile",
            PROFILE,
            "--jobs",
            "4",
            "--slurm-init-seconds-before-status-checks",
            "5",
            "--seconds-between-status-checks",
            "3",
            *targets,
        ],
        cwd=wf.root,
        stdout=console.open("w"),
        stderr=subprocess.STDOUT,
    )
    hit: dict[str, str] = {}  # run -> the SLURM job id of its first attempt
    deadline = time.monotonic() + 240
    while len(hit) < 2:
        assert time.monotonic() < deadline, console.read_text()[-3000:]
        assert proc.poll() is None, console.read_text()[-3000:]
        for jobid, (state, comment) in _slurm_jobs().items():
            match = re.fullmatch(r"rule_train_wildcards_([\w-]+?)_s\d+-\d+", comment)
            run = match.group(1) if match else None
            if run not in ("ae1", "ae2") or run in hit or state != "RUNNING":
                continue
            log = wf.results / f"logs/train/{run}/s0-2.log"
            pid = _training_process(jobid)
            if pid is None or not (log.exists() and "epoch 1 started" in log.read_text()):
                continue
            if run == "ae1":
                # A node far slower than the estimate: the training stands still until
                # SLURM's time limit (1 minute) ends the job.
                os.kill(pid, signal.SIGSTOP)
            else:
                subprocess.run(["scancel", jobid], check=True)  # as preemption does
            hit[run] = jobid
        time.sleep(0.5)
    # How each first attempt ended, read while SLURM still knows the job (MinJobAge).
    limit = _job_field(hit["ae1"], "TimeLimit")
    ended = {}
    while set(ended) != {"ae1", "ae2"} and time.monotonic() < deadline + 180:
        for run, jobid in hit.items():
            state = _job_field(jobid, "JobState")
            if state not in ("", "RUNNING", "PENDING", "COMPLETING", "SUSPENDED"):
                ended.setdefault(run, state)
        time.sleep(1)
    assert proc.wait(timeout=600) == 0, console.read_text()[-3000:]
    output = console.read_text()
    assert ended == {"ae1": "TIMEOUT", "ae2": "CANCELLED"}, ended
    assert limit == "00:01:00"
    # The retries, read from Snakemake's own log of what it submitted: SLURM forgets a
    # finished job after MinJobAge, which a loaded machine can outlast.
    submitted = []
    for block in output.split("rule train:")[1:]:
        run = re.search(r"wildcards: run=([\w-]+)", block)
        runtime = re.search(r"runtime=(\d+)", block)
        jobid = re.search(r"submitted with SLURM jobid (\d+)", block)
        if run and runtime and jobid:
            submitted.append((run.group(1), int(runtime.group(1)), jobid.group(1)))
    retried = [
        (run, runtime)
        for run, runtime, jobid in submitted
        if jobid not in hit.values() and int(jobid) > min(map(int, hit.values()))
    ]
    assert sorted(retried) == [("ae1", 2), ("ae2", 2)], output[-3000:]  # time escalated
    # The same numbers as a local run, and nothing half-written left behind.
    local_run.wait()
    for name in ("losses/ae1.csv", "losses/ae2.csv", "curves/ae1.csv", "curves/ae2.csv"):
        assert (wf.results / name).read_bytes() == (local.results / name).read_bytes(), name
    for run in ("ae1", "ae2"):
        for stage in ("init", "trained"):
            path = f"models/{run}/{stage}.ckpt"
            mine = torch.load(wf.results / path, weights_only=False)["state_dict"]
            theirs = torch.load(local.results / path, weights_only=False)["state_dict"]
            assert mine.keys() == theirs.keys()
            assert all(torch.equal(mine[k], theirs[k]) for k in mine), path
    assert sorted(wf.results.rglob(".*.partial")) == []
    assert "job terminated by SIGTERM" in (output + "".join(
        p.read_text() for p in (wf.root / ".snakemake/slurm_logs").rglob("*.log")
    ))  # fmt: skip
    assert wf.planned_jobs(*targets) == set()
