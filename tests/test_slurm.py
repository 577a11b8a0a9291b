"""The workflow on SLURM: resources per rule (dry run, no cluster) and a real run.

The real run needs a cluster: `tests/slurm/start_cluster.sh` starts a single-node one
(root, Debian). Without `sinfo` answering, that test is skipped; CI starts the cluster.
"""

import re
import shutil
import subprocess

import pandas as pd
import pytest

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
    batch = next(iter(pg.trial_batches(config)))
    expected = {
        "playground_train": pg.batch_work(config, next(iter(pg.trial_batches(config)))),
        "sweep_train": ae_work.sweep_batch_work(
            config, next(iter(ae_sweeps.trial_batches(config)))
        ),
    }
    for rule, work in expected.items():
        minutes, mb = resources.runtime_minutes(work, sizing), resources.memory_mb(work, sizing)
        assert f"runtime={minutes}" in blocks[rule] and f"mem_mb={mb}" in blocks[rule], rule
    assert "gpu=1" in blocks["playground_train"]
    # A batch of playground trials is one SLURM job, so is a batch of sweep trials.
    assert "Group job playground" not in result.stdout + result.stderr
    assert batch in result.stdout
    trains = dict(
        re.findall(
            r"rule train:.*?wildcards: run=([\w-]+).*?resources: ([^\n]*)", result.stdout, re.S
        )
    )
    for run, line in trains.items():
        work = ae_work.run_work(config, run)
        assert f"runtime={resources.runtime_minutes(work, sizing)}," in line, (run, line)
    # A fixed size in the config wins over every estimate.
    config = workflow_dir.read_config()
    config["cluster"] = {"runtime": 9, "mem_mb": 1500}
    workflow_dir.write_config(config)
    fixed = _job_blocks(workflow_dir.snakemake("--workflow-profile", PROFILE, "--dry-run").stdout)
    for rule in ("train", "retrain_encoder", "train_capacity", "sweep_train", "playground_train"):
        assert "runtime=9" in fixed[rule] and "mem_mb=1500" in fixed[rule], rule
    assert "runtime=10" in blocks["embed"] and "mem_mb=1000" in blocks["embed"]
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
def test_workflow_runs_through_slurm_and_matches_a_local_run(finished_workflow, tmp_path):
    wf = WorkflowDir(tmp_path, tiny_config())
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
        timeout=900,
    )
    output = result.stdout + result.stderr
    submitted = re.findall(r"submitted with SLURM jobid (\d+)", output)
    assert submitted, output[-3000:]
    # Every training ran as its own SLURM job, with a SLURM log of its own.
    slurm_logs = list((tmp_path / ".snakemake/slurm_logs").rglob("*.log"))
    train_logs = [p for p in slurm_logs if "rule_train" in p.parts]
    assert len(train_logs) == 5
    # make_data, 5 trainings, the retraining, the capacity training of width 8 (width 50 is
    # ae2's own) and one group job for all the analyses.
    assert len(submitted) == 9
    assert {p.stem for p in slurm_logs} <= set(submitted)
    # Figures and the summary are localrules: no SLURM job of theirs.
    assert not [p for p in slurm_logs if any(part.startswith("rule_plot") for part in p.parts)]
    for name in [
        "data/samples.csv",
        "losses/ae1.csv",
        "losses/ae2-gd.csv",
        "retrain/ae2/losses.csv",
        "embeddings/pca.csv",
        "decoder_sweep/ae2.csv",
    ]:
        assert (wf.results / name).read_bytes() == (finished_workflow.results / name).read_bytes()
    assert wf.planned_jobs() == set()


@pytest.mark.slurm
@pytest.mark.workflow
@pytest.mark.skipif(not _cluster_up(), reason="no SLURM cluster (tests/slurm/start_cluster.sh)")
def test_a_playground_grid_submits_one_slurm_job_per_trial_batch(tmp_path):
    from aeflow.playground import runs as pg
    from aeflow.workflow import validate_config
    from tests.conftest import SCHEMA, tiny_playground_config

    config = tiny_playground_config()
    config["playground"]["batch_trials"] = 8
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
    batches = pg.trial_batches(config)
    assert len(pg.playground_runs(config)) == 21  # the baseline and 20 grid points
    result = wf.snakemake(
        "playground",
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
    # One sbatch per batch of (up to 8) trials, not one per trial; the summary and the
    # figures are local jobs.
    assert len(submitted) == len(batches) == 3, output[-3000:]
    for jobid in submitted:
        shown = subprocess.run(
            ["scontrol", "show", "job", jobid], capture_output=True, text=True
        ).stdout
        if shown:  # still known to the controller (MinJobAge)
            assert "TimeLimit=00:07:00" in shown
    trials = pd.read_csv(wf.results / "playground/sweeps/grid/trials.csv")
    assert trials["trial"].nunique() == 20 and len(trials) == 20 * 2
