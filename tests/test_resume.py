"""A training killed mid-run leaves nothing that looks finished, resumes from the state it
saved (``core.state``) and ends with the bytes of an uninterrupted training: losses, curves,
both checkpoints. In process (a failure injected into the training step) for each kind of
training, and a real training job killed by SIGTERM or SIGKILL (the job or the whole run)
and rerun through Snakemake."""

import filecmp
import os
import re
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest
import torch

from aeflow.autoencoder import lit
from aeflow.autoencoder.data import make_samples
from aeflow.autoencoder.settings import ModelSpec, TrainingSpec
from aeflow.autoencoder.training import train_replicas, train_trial_chunk
from aeflow.core.state import TrainingState
from tests.conftest import WorkflowDir, tiny_config


class Killed(RuntimeError):
    """What the injected failure raises: the job's end, short of a signal."""


@pytest.fixture(scope="module")
def points() -> torch.Tensor:
    samples = make_samples(40, 0, (-2.0, 2.0), (-1.0, 1.0), seed=0)
    return torch.tensor(samples[["x", "y"]].to_numpy(), dtype=torch.float32)


def _killed_at(monkeypatch, step: int) -> None:
    """The next training dies in its Lightning step ``step`` (0-based), mid-epoch."""
    original = lit.AutoencoderModule.training_step

    def training_step(self, epochs, batch_idx):
        if self.current_epoch == step:
            monkeypatch.setattr(lit.AutoencoderModule, "training_step", original)
            raise Killed(f"killed in step {step}")
        return original(self, epochs, batch_idx)

    monkeypatch.setattr(lit.AutoencoderModule, "training_step", training_step)


def _playground_killed_at(monkeypatch, epoch: int, hidden: tuple | None = None) -> None:
    """The next Playground training (of networks with ``hidden`` layers, if given) dies in
    its Lightning step ``epoch`` (0-based)."""
    from aeflow.playground import lit as playground_lit

    original = playground_lit.ClassifierModule.training_step

    def training_step(self, epoch_steps, batch_idx):
        if self.current_epoch == epoch and hidden in (None, self.network.spec.hidden):
            monkeypatch.setattr(playground_lit.ClassifierModule, "training_step", original)
            raise Killed(f"killed in step {epoch}")
        return original(self, epoch_steps, batch_idx)

    monkeypatch.setattr(playground_lit.ClassifierModule, "training_step", training_step)


def _outputs(result, folder) -> dict[str, bytes]:
    result.losses.to_csv(folder / "losses.csv", index=False)
    if result.curves is not None:
        result.curves.to_csv(folder / "curves.csv", index=False)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


CAPACITY = {"epochs": 60, "record_every": 2, "schedule": "cosine", "plateau_window": 4,
            "plateau_tolerance": 0.05}  # fmt: skip
SGD = {"epochs": 6, "optimizer": "sgd", "batch_size": 12, "drop_last": False}
CASES = {
    # name: the training's settings, a state saved every ... Lightning steps, the step the
    # first attempt dies in (None: it dies after training, before its outputs are written),
    # the epoch the second attempt resumes after.
    "adam": ({"epochs": 12}, 5, 7, 5),
    "sgd, no drop_last, a state every step": (SGD, 1, 4, 4),
    # Part (e): 2 epochs per step, a cosine schedule, stopped by the plateau rule at step 13.
    "capacity": (CAPACITY, 3, 11, 18),
    # Killed after the plateau rule stopped it at step 13, before its outputs were written:
    # no state is saved at the step where EarlyStopping stopped the training, so it
    # resumes from step 12 and stops at 13 again.
    "capacity, killed after it stopped": (CAPACITY, 6, None, 24),
}


@pytest.mark.parametrize(("training", "every", "killed", "after"), CASES.values(), ids=list(CASES))
def test_a_killed_training_resumes_to_the_bytes_of_an_uninterrupted_one(
    tmp_path, points, monkeypatch, caplog, training, every, killed, after
):
    spec = TrainingSpec(seeds=2, learning_rate=0.01, **training)
    held_out, validation = points[:10] * 0.5, points[10:20] * 0.3

    def train(name: str, state: TrainingState | None = None):
        folder = tmp_path / name
        folder.mkdir(exist_ok=True)
        result = train_replicas(
            ModelSpec(hidden=(6,)), points, spec, "resume", folder / "init.ckpt",
            folder / "trained.ckpt", held_out, validation, state=state,
        )  # fmt: skip
        return result, _outputs(result, folder)

    whole, expected = train("whole")
    state = TrainingState(tmp_path / "state", "key", every)
    if killed is None:
        train("killed", state)  # the state is left: as if killed before the outputs
    else:
        _killed_at(monkeypatch, killed)
        with pytest.raises(Killed):
            train("killed", state)
        assert not (tmp_path / "killed/trained.ckpt").exists()
    assert state.last.is_file()
    with warnings.catch_warnings(record=True) as caught, caplog.at_level("INFO"):
        warnings.simplefilter("always")
        resumed, outputs = train("killed", state)
    assert [str(w.message) for w in caught] == []
    assert f"resumed from its saved state after epoch {after} of {spec.epochs}" in caplog.text
    assert outputs == expected
    assert resumed.global_step == whole.global_step
    state.clear()
    assert not state.folder.exists()


def test_no_state_is_saved_where_early_stopping_stopped_the_training(tmp_path, points):
    """A state saved at the step where the plateau rule held would resume into steps the
    training never took (Lightning resumes after a saved epoch without checking again):
    the saver, a Checkpoint that runs after EarlyStopping, saves nothing there."""
    spec = TrainingSpec(seeds=2, learning_rate=0.01, **CAPACITY)
    held_out, validation = points[:10] * 0.5, points[10:20] * 0.3
    state = TrainingState(tmp_path / "state", "key", 13)  # a save due at step 13
    result = train_replicas(
        ModelSpec(hidden=(6,)), points, spec, "stop", held_out=held_out, validation=validation,
        state=state,
    )  # fmt: skip
    assert result.curves["epoch"].max() == 26  # stopped at step 13 (2 epochs per step)
    assert not state.last.exists()


def test_a_killed_sweep_chunk_resumes_to_the_same_bytes(tmp_path, points, monkeypatch):
    trials = [
        (name, ModelSpec(hidden=(6,)), TrainingSpec(epochs=8, seeds=2, learning_rate=rate))
        for name, rate in (("slow", 0.003), ("fast", 0.03))
    ]

    def train(name: str, state: TrainingState | None = None):
        path = tmp_path / f"{name}.ckpt"
        result = train_trial_chunk(trials, points, points[:10], "chunk", path, state=state)
        return result, path.read_bytes()

    (whole, whole_bytes) = train("whole")
    state = TrainingState(tmp_path / "state", "key", 3)
    _killed_at(monkeypatch, 5)
    with pytest.raises(Killed):
        train("killed", state)
    resumed, resumed_bytes = train("killed", state)
    assert resumed_bytes == whole_bytes
    pd.testing.assert_frame_equal(resumed.curves, whole.curves, check_exact=True)
    pd.testing.assert_frame_equal(resumed.metrics, whole.metrics, check_exact=True)


@pytest.mark.parametrize("reshuffle", [False, True], ids=["fixed order", "reshuffled"])
def test_a_killed_playground_chunk_resumes_to_the_same_bytes(tmp_path, monkeypatch, reshuffle):
    """Two trials of different train ratios (so the networks' epochs differ in length) and a
    batch size that leaves points carried into the next epoch; the state saved after epoch
    3, the training killed in epoch 5."""
    from aeflow.playground.settings import DataSpec, FitSpec, NetworkSpec, PlaygroundSpec
    from aeflow.playground.training import train_chunk

    schedule = {"epochs": 9, "batch_size": 7, "seeds": 2, "reshuffle": reshuffle}
    # L1 switches links off for good: masks in the optimiser state, which resumes too.
    l1 = FitSpec(**schedule, learning_rate=0.3, regularization="l1", regularization_rate=0.03)
    trials = [
        (name, PlaygroundSpec(DataSpec(n_samples=60, train_ratio=ratio, noise=0.1),
                              NetworkSpec(hidden=(4,)), fit))
        for name, ratio, fit in (("half", 0.5, l1), ("most", 0.8, FitSpec(**schedule)))
    ]  # fmt: skip

    def train(name: str, state: TrainingState | None = None):
        path = tmp_path / f"{name}.ckpt"
        result = train_chunk(trials, "chunk", checkpoint=path, state=state)
        tables = (result.curves, result.metrics, result.weights, result.points, result.boundary)
        return path.read_bytes(), [t.to_csv(index=False) for t in tables], result.weights

    *whole, weights = train("whole")
    # Links L1 switched off before the state (epoch 3) and after it.
    assert weights.loc[weights["trial"] == "half", "dead"].sum() > 0
    state = TrainingState(tmp_path / "state", "key", 3)
    _playground_killed_at(monkeypatch, 5)
    with pytest.raises(Killed):
        train("killed", state)
    assert state.last.is_file()
    checkpoint = torch.load(state.last, weights_only=False)
    assert checkpoint["datamodule_hyper_parameters"]["data"]["most"]["train_ratio"] == 0.8
    assert checkpoint["PlaygroundData"]["epochs_started"] == 3
    assert any(s["dead"].any() for s in checkpoint["optimizer_states"][0]["state"].values())
    assert list(train("killed", state)[:2]) == whole


def test_a_killed_chunk_of_two_shape_groups_resumes_each_group_to_the_same_bytes(
    tmp_path, monkeypatch, caplog
):
    """A shared chunk (core.planner, pack_groups): killed in its second group, the rerun
    resumes the first from its own state at its end and the second mid-way."""
    from aeflow.playground.settings import DataSpec, FitSpec, NetworkSpec, PlaygroundSpec
    from aeflow.playground.training import train_groups

    fit = FitSpec(epochs=8, batch_size=7, seeds=2)
    trials = [
        (f"h{width}", PlaygroundSpec(DataSpec(n_samples=40), NetworkSpec(hidden=(width,)), fit))
        for width in (3, 5)
    ]

    def train(name: str, state: TrainingState | None = None):
        folder = tmp_path / name
        folder.mkdir(exist_ok=True)
        result = train_groups(trials, "h3", checkpoints=folder, state=state)
        tables = (result.curves, result.metrics, result.weights, result.points, result.boundary)
        files = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
        return files, [t.to_csv(index=False) for t in tables]

    whole = train("whole")
    assert sorted(whole[0]) == ["h3.ckpt", "h5.ckpt"]
    job = TrainingState(tmp_path / "state", "key", 2)
    _playground_killed_at(monkeypatch, 5, hidden=(5,))  # in the second group
    with pytest.raises(Killed):
        train("killed", job)
    assert job.part("h3").last.is_file() and job.part("h5").last.is_file()
    with caplog.at_level("INFO"):
        assert train("killed", job) == whole
    assert "h5: resumed from its saved state after epoch 4 of 8" in caplog.text
    assert "h3: resumed from its saved state" in caplog.text


def test_a_state_of_another_training_is_discarded(tmp_path, points, caplog):
    spec = TrainingSpec(epochs=6, seeds=2)
    first = TrainingState(tmp_path / "state", "first", 2)
    train_replicas(ModelSpec(hidden=(6,)), points, spec, "a", state=first)  # not cleared
    assert first.last.is_file()
    other = TrainingState(tmp_path / "state", "second", 2)
    assert other.resume_point(initial=False) is None
    assert not other.last.exists() and (other.folder / "key").read_text() == "second"
    # With its own key, a state without the untrained checkpoint the job writes: afresh.
    train_replicas(ModelSpec(hidden=(6,)), points, spec, "a", state=other)
    assert other.resume_point(initial=False) == other.last
    assert other.resume_point(initial=True) is None


def test_a_job_of_several_trainings_keeps_a_state_per_training(tmp_path, points):
    # A train_capacity job trains one width's sizes one after another: killed in the
    # second, its rerun resumes the first from its own last state, not the second's.
    spec = TrainingSpec(epochs=6, seeds=2)
    job = TrainingState(tmp_path / "state/train_capacity/w8", "job", 2)
    first, second = job.part("ae2-w8-n40"), job.part("ae2-w8-n20")
    assert first.folder == job.folder / "ae2-w8-n40" and first.key != second.key != job.key
    train_replicas(ModelSpec(hidden=(8, 8)), points, spec, "n40", state=first)
    train_replicas(ModelSpec(hidden=(8, 8)), points[:20], spec, "n20", state=second)
    assert first.resume_point(initial=False) == first.last
    assert second.resume_point(initial=False) == second.last
    assert not filecmp.cmp(first.last, second.last, shallow=False)
    # Under another job key (a changed setting) a part's state is discarded.
    assert TrainingState(job.folder, "changed", 2).part("ae2-w8-n40").resume_point(False) is None
    job.clear()
    assert not (tmp_path / "state").exists()


def test_the_checkpoints_hold_the_data_settings_and_the_batch_order(tmp_path, points):
    spec = TrainingSpec(epochs=3, seeds=2, seed=4, batch_size=12, drop_last=False)
    path = tmp_path / "trained.ckpt"
    train_replicas(ModelSpec(hidden=(6,)), points, spec, "data", final_checkpoint=path)
    checkpoint = torch.load(path, weights_only=True)
    assert checkpoint["datamodule_hyper_parameters"] == {
        "batch_size": 12,
        "shuffle": True,
        "drop_last": False,
        "seeds": [4, 5],
        "record_every": 1,
        "n_train": 40,
        "samples": "shared",
    }
    # Where each replica's shuffling stands: three epochs' draws from its seed.
    for seed, saved in zip((4, 5), checkpoint["ReplicaData"]["generators"], strict=True):
        generator = torch.Generator().manual_seed(seed)
        for _ in range(3):
            torch.randperm(40, generator=generator)
        assert torch.equal(saved, generator.get_state())
    # The records a resumed training needs are in the state's checkpoints only.
    assert "aeflow_resume" not in checkpoint


# --- a real job, killed and rerun through Snakemake ------------------------------------------

EPOCHS = 600  # 2 to 3 s of the tiny config's training, a state every 60 epochs
BLOCK = "blocks/ae2/s0-2"  # the train job of ae2's one block of replicas
TARGET = f"results/{BLOCK}/losses.csv"
OUTPUTS = [f"{BLOCK}/{name}" for name in ("losses.csv", "curves.csv", "init.ckpt", "trained.ckpt")]


def _config() -> dict:
    config = tiny_config()
    config["training"]["epochs"] = EPOCHS
    return config


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> WorkflowDir:
    wf = WorkflowDir(tmp_path_factory.mktemp("uninterrupted"), _config())
    wf.snakemake(TARGET)
    return wf


def _run_until_saved(wf: WorkflowDir, target: str, state: Path, stderr=subprocess.DEVNULL):
    """Start ``snakemake --cores 1 target`` in a session of its own and return it once the
    training has saved ``state`` (it is still running then)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "snakemake", "--cores", "1", target],
        cwd=wf.root,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        start_new_session=True,
    )
    deadline = time.monotonic() + 180
    while not state.exists():
        assert time.monotonic() < deadline, f"no state {state} saved"
        assert proc.poll() is None, f"snakemake exited before {state} was saved"
        time.sleep(0.02)
    return proc


def _training_pid(session: int) -> int | None:
    found = subprocess.run(
        ["pgrep", "-s", str(session), "-f", r"scripts/.*\.train\.py"],
        capture_output=True,
        text=True,
    ).stdout.split()
    return int(found[0]) if found else None


@pytest.mark.workflow
@pytest.mark.parametrize(
    ("signum", "victim"),
    [
        (signal.SIGTERM, "run"),  # Ctrl-C or a scheduler's cancel
        (signal.SIGTERM, "job"),  # scancel, preemption or a time limit reach the job only
        (signal.SIGKILL, "job"),  # the OOM killer takes the training process
        # The node dies (SIGKILL to the whole run: Snakemake cleans nothing up): the
        # capacity job's test below, which also resumes a second size.
    ],
    ids=["SIGTERM-run", "SIGTERM-job", "SIGKILL-job"],
)
def test_a_killed_training_job_leaves_nothing_finished_and_resumes_to_the_same_bytes(
    uninterrupted, tmp_path, signum, victim
):
    wf = WorkflowDir(tmp_path, _config())
    console = tmp_path / "console.txt"
    state = wf.results / "state/train/ae2/s0-2"
    proc = _run_until_saved(wf, TARGET, state / "last.ckpt", console.open("w"))
    if victim == "run":
        os.killpg(proc.pid, signum)
    else:
        os.kill(_training_pid(proc.pid), signum)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    log = wf.results / "logs/train/ae2/s0-2.log"
    if (signum, victim) == (signal.SIGTERM, "job"):
        # A failed job, not "completed successfully, but some output files are missing".
        assert "job terminated by SIGTERM" in log.read_text()
        assert "MissingOutputException" not in console.read_text()
        assert "Error in rule train" in console.read_text()
    # Nothing that looks finished; the state to resume from is there.
    finished = [name for name in OUTPUTS if (wf.results / name).exists()]
    assert finished == []
    assert (state / "last.ckpt").exists()
    wf.snakemake("--rerun-incomplete", TARGET)
    resumed = re.search(
        rf"ae2: resumed from its saved state after epoch (\d+) of {EPOCHS}", log.read_text()
    )
    assert resumed and 0 < int(resumed.group(1)) < EPOCHS, log.read_text()
    assert "epoch 1 started" not in log.read_text()
    for name in OUTPUTS:
        assert filecmp.cmp(wf.results / name, uninterrupted.results / name, shallow=False), name
    # The rerun removed what the killed attempt left half-written, and the finished job its
    # state.
    assert sorted(wf.results.rglob(".*.partial")) == []
    assert not (wf.results / "state").exists()


@pytest.mark.workflow
def test_a_capacity_job_killed_in_its_second_size_resumes_both_to_the_same_bytes(
    tmp_path, in_background
):
    """Rule train_capacity trains a width's sizes one after another. The node dies in the
    second (SIGKILL to the whole run: Snakemake removes nothing): no file of either size
    looks finished, and the rerun resumes each from its own state to an uninterrupted
    job's bytes."""
    config = tiny_config()
    capacity = config["capacity"]
    capacity.update(widths=[8], n_train=["all", 12])
    capacity["training"]["epochs"] = 1000  # about 2 s a size; a state every 100 epochs
    capacity["stopping"]["window"] = 1000  # no plateau stop before the cap
    target = "results/capacity/ae2-w8-n12/blocks/s0-2/losses.csv"
    (tmp_path / "whole").mkdir()
    whole = WorkflowDir(tmp_path / "whole", config)
    uninterrupted = in_background(whole, target)
    (tmp_path / "killed").mkdir()
    wf = WorkflowDir(tmp_path / "killed", config)
    job_state = wf.results / "state/train_capacity/w8/s0-2"
    # The second size is training once its first state is saved.
    proc = _run_until_saved(wf, target, job_state / "ae2-w8-n12/last.ckpt")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    outputs = [f"capacity/ae2-w8-n{n}/blocks/s0-2/{name}" for n in (24, 12) for name in
               ("init.ckpt", "trained.ckpt", "losses.csv", "curves.csv")]  # fmt: skip
    assert not [name for name in outputs if (wf.results / name).exists()]
    assert (job_state / "ae2-w8-n24/last.ckpt").exists()
    wf.snakemake("--unlock")  # a SIGKILLed Snakemake leaves its lock behind
    wf.snakemake("--rerun-incomplete", target)
    log = (wf.results / "logs/train_capacity/w8/s0-2.log").read_text()
    assert "ae2-w8-n24: resumed from its saved state" in log
    assert "ae2-w8-n12: resumed from its saved state" in log
    uninterrupted.wait()
    for name in outputs:
        assert filecmp.cmp(wf.results / name, whole.results / name, shallow=False), name
    assert sorted(wf.results.rglob(".*partial*")) == [] and not (wf.results / "state").exists()
