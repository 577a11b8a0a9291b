"""The playground stages end to end on a tiny sweep, their incremental reruns and errors."""

import shutil

import pandas as pd
import pytest
import torch

from aeflow.playground import runs as pg
from aeflow.playground.checkpoints import load_classifier
from aeflow.playground.runs import playground_trials
from aeflow.playground.summary import read_chunks, read_maps
from aeflow.workflow import validate_config
from tests.conftest import SCHEMA, private_copy, tiny_playground_config

pytestmark = pytest.mark.workflow


# tiny config: learning_rate [0.03, 0.1] (0.1 is the baseline's), regularization none/l1/l2,
# a 2 x 2 grid over learning rate and noise, a random search of 2 points, and
# near_duplicate [0.1, 0.1000001]; 2 seeds per trial, at most 2 trials per chunk.
def _plan():
    config = tiny_playground_config()
    validate_config(config, SCHEMA)
    return config


CHUNKS = pg.trial_chunks(_plan())
LAST_CHUNK = list(CHUNKS)[-1]
FIGURES = [
    "playground_sweep_grid",
    "playground_sweep_search",
    "playground_baseline",
    "playground_sweeps",
    "playground_boundaries",
    "playground_curves",
    "playground_weights",
]


def test_trials_are_trained_in_chunks_and_their_outputs_parse(finished_playground):
    root = finished_playground.results / "playground" / "chunks"
    assert sorted(p.name for p in root.iterdir()) == sorted(CHUNKS)
    assert all([p.name for p in (root / chunk).iterdir()] == ["s0-2"] for chunk in CHUNKS)
    assert len(CHUNKS) == 5 and all(len(trials) <= 2 for trials in CHUNKS.values())
    mapped = {
        "baseline",
        "learning_rate-0.03",
        "regularization-l1",
        "regularization-l2",
        "near_duplicate-0.1000001",
    }
    for chunk, trials in CHUNKS.items():
        metrics = pd.read_csv(root / chunk / "s0-2" / "metrics.csv")
        assert sorted(zip(metrics["trial"], metrics["seed"], strict=True)) == sorted(
            (trial, seed) for trial in trials for seed in (0, 1)
        )
        curves = pd.read_csv(root / chunk / "s0-2" / "curves.csv")
        assert curves.groupby(["trial", "seed"])["epoch"].apply(list).tolist() == [
            [0, 1, 2, 3, 4]
        ] * (2 * len(trials))
        points = pd.read_csv(root / chunk / "s0-2" / "points.csv")
        assert list(points.columns) == ["trial", "seed", "x1", "x2", "label", "split", "output"]
        # Data and maps only for the trials the figures draw.
        assert set(points["trial"]) == set(trials) & mapped
        for trial in set(trials) & mapped:
            for seed in (0, 1):
                network = load_classifier(root / chunk / "s0-2" / "models", trial, seed)
                mine = points[(points["trial"] == trial) & (points["seed"] == seed)]
                assert len(mine) == 40
                inputs = torch.tensor(mine[["x1", "x2"]].to_numpy(), dtype=torch.float32)
                with torch.no_grad():
                    # The saved output column is the saved model's output.
                    assert (network(inputs).numpy() - mine["output"].to_numpy()).max() < 1e-6
    for figure in FIGURES:
        assert (finished_playground.results / f"figures/{figure}.png").read_bytes()[
            :4
        ] == b"\x89PNG"
    # Only the playground target ran: no autoencoder job.
    assert not (finished_playground.results / "models").exists()


def test_every_sweep_has_a_tidy_trials_table(finished_playground):
    root = finished_playground.results / "playground" / "sweeps"
    grid = pd.read_csv(root / "grid" / "trials.csv")
    assert len(grid) == 4 * 2  # points x seeds
    assert list(grid.columns[:4]) == ["point", "trial", "training.learning_rate", "data.noise"]
    assert {"test_loss", "train_loss", "test_accuracy", "dead_weights"} <= set(grid.columns)
    assert grid["trial"].iloc[0] == "learning_rate-0.03"  # (0.03, 0): the shared trial
    search = pd.read_csv(root / "search" / "trials.csv")
    assert search["trial"].unique().tolist() == ["search-0", "search-1"]
    assert search["training.learning_rate"].between(0.01, 1.0).all()


def test_summary_gives_mean_and_spread_and_says_what_the_seeds_resolve(finished_playground):
    root = finished_playground.results / "playground"
    table = pd.read_csv(root / "summary.csv")
    assert table["sweep"].tolist() == (
        ["baseline"]
        + ["learning_rate"] * 2
        + ["regularization"] * 3
        + ["near_duplicate"] * 2
        + ["grid"] * 4
        + ["search"] * 2
    )
    # Points equal to the baseline share its training and its numbers.
    shared = table[table["trial"] == "baseline"]
    assert len(shared) == 4 and shared["test_loss"].nunique() == 1
    assert (table["parameters"] == 145).all() and (table["seeds"] == 2).all()
    per_seed = pd.read_csv(root / "summary_per_seed.csv")
    assert len(per_seed) == 10 * 2  # 10 distinct trials x 2 seeds
    means = per_seed.groupby("trial")["test_loss"].mean()
    assert table.set_index("trial")["test_loss"].to_dict() == pytest.approx(means.to_dict())
    markdown = (root / "summary.md").read_text()
    # One section per sweep: every value against the baseline in the one-at-a-time sweeps,
    # the best against the runner-up in the grid and random ones.
    sections = [line for line in markdown.splitlines() if line.startswith("## Sweep")]
    assert len(sections) == 5
    assert "Rule: Comparisons are paired by seed" in markdown
    claims = pd.read_csv(root / "claims.csv")
    near = claims[claims["family"] == "Sweep near_duplicate"]
    # A learning rate 1e-7 from the baseline's: whatever the verdict, its effect is of
    # that size, and with 2 seeds and a 10% margin it cannot be a real difference.
    row = near[near["subject"].str.startswith("0.1000001")].iloc[0]
    assert abs(row["effect"]) < 1e-5 and row["seeds"] == 2
    assert row["verdict"] in ("winner", "equivalent", "undetermined")
    assert row["sentence"] + "." in markdown
    assert "playground.tensorflow.org/#activation=relu" in markdown
    # What L1 does to the weights: a row against the baseline, from these per-seed values.
    near_zero = claims[claims["metric"] == "share of weights below 1e-3"]
    l1 = near_zero[near_zero["subject"] == "l1"].iloc[0]
    measured = per_seed[per_seed["trial"] == "regularization-l1"].sort_values("seed")
    assert l1["subject_values"] == ";".join(repr(v) for v in measured["near_zero_weights"])


def _edit(wf, change, *targets):
    """Apply ``change`` to the config; the jobs a dry run (of ``targets``) then plans."""
    config = wf.read_config()
    change(config)
    wf.write_config(config)
    return wf.planned_jobs(*targets)


@pytest.fixture
def done_playground(finished_playground, tmp_path):
    """A private copy of the finished tiny playground run."""
    return private_copy(finished_playground, tmp_path)


SUMMARY_AND_SWEEPS = {("summarise_playground", ""), ("plot_playground_sweeps", "")}


def test_adding_a_trial_at_the_end_retrains_only_the_last_chunk(done_playground):
    def add_value(config):
        config["playground"]["sweeps"]["near_duplicate"]["values"].append(0.5)

    jobs = _edit(done_playground, add_value, "playground")
    # The group's last chunk was full: the new trial starts a chunk of its own, and no
    # other chunk trains.
    assert len(CHUNKS[LAST_CHUNK]) == 2
    assert {job for job in jobs if job[0] == "playground_train"} == {
        ("playground_train", "chunk=near_duplicate-0.5, block=s0-2")
    }
    assert jobs >= SUMMARY_AND_SWEEPS


def test_changing_the_baseline_retrains_every_chunk(done_playground):
    jobs = _edit(
        done_playground, lambda c: c["playground"]["training"].update(epochs=5), "playground"
    )
    trained = {job for job in jobs if job[0] == "playground_train"}
    assert trained == {("playground_train", f"chunk={chunk}, block=s0-2") for chunk in CHUNKS}
    assert len(trained) == 5


def test_disabling_the_playground_drops_its_jobs_from_the_default_run(done_playground):
    def longer(config):
        config["playground"]["training"]["epochs"] = 5

    def longer_but_disabled(config):
        longer(config)
        config["playground"]["enabled"] = False

    enabled = _edit(done_playground, longer)
    assert ("playground_train", "chunk=baseline, block=s0-2") in enabled
    assert ("train", "run=ae1, block=s0-2") in enabled
    disabled = _edit(done_playground, longer_but_disabled)
    assert disabled == {job for job in enabled if "playground" not in job[0]}


def test_a_regularization_rate_without_regularization_reruns_nothing(done_playground):
    def new_rate(config):
        config["playground"]["training"]["regularization_rate"] = 0.01

    jobs = _edit(done_playground, new_rate, "playground")
    # Only the trials that regularise use the rate: their chunk alone retrains.
    assert {job for job in jobs if job[0] == "playground_train"} == {
        ("playground_train", "chunk=regularization-l1, block=s0-2")
    }


@pytest.mark.parametrize("written", ["1e-5", 1.0e-05, "1.0e-05"])
def test_a_sweep_value_in_scientific_notation_becomes_a_trial(done_playground, written):
    def add_value(config):
        config["playground"]["sweeps"]["near_duplicate"]["values"].append(written)

    jobs = _edit(done_playground, add_value)
    # The new trial starts a chunk of its own (the group's last one is full).
    assert ("playground_train", "chunk=near_duplicate-1e-05, block=s0-2") in jobs
    config = done_playground.read_config()
    validate_config(config, SCHEMA)
    assert "near_duplicate-1e-05" in playground_trials(config)


@pytest.mark.parametrize("output", ["weights.csv", "boundary.csv", "models"])
def test_a_deleted_chunk_file_is_planned_again(done_playground, output):
    chunk = next(iter(CHUNKS))
    path = done_playground.results / f"playground/chunks/{chunk}/s0-2/{output}"
    shutil.rmtree(path) if path.is_dir() else path.unlink()
    assert ("playground_train", f"chunk={chunk}, block=s0-2") in done_playground.planned_jobs(
        "playground"
    )


@pytest.mark.workflow
def test_a_shared_chunk_trains_its_shape_groups_in_one_job(workflow_dir):
    # The baseline and two architectures, one trial each: small groups, one chunk.
    config = tiny_playground_config()
    config["playground"]["trials_per_chunk"] = 4
    config["playground"]["sweeps"] = {"architecture": {"key": "model.hidden", "values": [[3], [5]]}}
    workflow_dir.write_config(config)
    trials = ["baseline", "architecture-3", "architecture-5"]
    assert pg.trial_chunks(config) == {"baseline": trials}
    folder = workflow_dir.results / "playground/chunks/baseline/s0-2"
    workflow_dir.snakemake(str(folder.relative_to(workflow_dir.root) / "metrics.csv"))
    assert sorted(p.name for p in (folder / "models").glob("*.ckpt")) == sorted(
        f"{trial}.ckpt" for trial in trials
    )
    metrics = pd.read_csv(folder / "metrics.csv")
    assert list(zip(metrics["trial"], metrics["seed"], strict=True)) == [
        (trial, seed) for trial in trials for seed in (0, 1)
    ]
    network = load_classifier(folder / "models", "architecture-5", 1)
    assert [layer.out_features for layer in network.layers] == [5, 1]
    # Nothing half-written, no state left.
    assert not list(folder.parent.glob(".*")) and not (workflow_dir.results / "state").exists()


def _trainings(jobs) -> set[str]:
    return {wildcards for rule, wildcards in jobs if rule == "playground_train"}


def test_the_playground_pilot_plans_its_seeds_and_only_new_blocks_train(done_playground):
    """Blocks of replicas on the Playground: raising the seeds plans only the new blocks;
    with the seeds design on over a finished two-seed run, its blocks are the pilot, the
    checkpoint plans every trial's seeds, and the final stage trains only the new blocks
    while every block trained before keeps its bytes."""
    before = done_playground.snapshot()
    config = done_playground.read_config()
    assert config["playground"]["training"]["seeds"] == config["playground"]["seeds_per_job"]
    grown = {f"chunk={chunk}, block=s2-4" for chunk in CHUNKS}
    config["playground"]["training"]["seeds"] = 4
    done_playground.write_config(config)
    assert _trainings(done_playground.planned_jobs("playground")) == grown

    config["playground"]["training"]["seeds"] = 2
    config["claims"]["design"].update(two_stage=True, pilot=2, max_seeds=4)
    done_playground.write_config(config)
    pilot = {"pilot_tabulate_playground", "plan_playground_seeds"}
    planning = done_playground.planned_jobs("results/playground/seeds.csv")
    assert {rule for rule, _ in planning} == pilot  # the pilot is the finished blocks
    done_playground.snakemake("results/playground/seeds.csv")
    plan = pd.read_csv(done_playground.results / "playground/seeds.csv")
    # One run, every trial: two seeds and one degree of freedom decide almost nothing.
    assert list(plan["run"]) == ["playground"] and list(plan["seeds"]) == [4]
    assert plan.loc[0, "reason"] in ("sized to n", "cap reached")

    jobs = done_playground.planned_jobs("playground")
    assert _trainings(jobs) == grown and not {rule for rule, _ in jobs} & pilot
    # One chunk's new block (the dry run above planned every chunk's): it joins the old.
    done_playground.snakemake("results/playground/chunks/baseline/s2-4/metrics.csv")
    after = done_playground.snapshot()
    trained_before = [path for path in before if "/s0-2/" in path]
    assert trained_before and all(after[path] == before[path] for path in trained_before)
    blocks = sorted(done_playground.results.glob("playground/chunks/baseline/s*"))
    assert [b.name for b in blocks] == ["s0-2", "s2-4"]
    metrics = read_chunks([b / "metrics.csv" for b in blocks], seeds=4)
    assert set(metrics.groupby("trial")["seed"].apply(list).map(tuple)) == {(0, 1, 2, 3)}
    assert len(read_chunks([b / "metrics.csv" for b in blocks], seeds=3)) == 3 * len(
        CHUNKS["baseline"]
    )
    claims = pd.read_csv(done_playground.results / "pilot/playground/claims.csv")
    compared = claims[claims["family"] != "sheet"]
    assert set(compared["runs"]) == {"playground"} and set(compared["pilot_seeds"]) == {2}
    # The maps pool both blocks.
    maps = read_maps([b / "boundary.csv" for b in blocks])
    assert set(maps["seeds"]) == {4}

    # A higher cap replans alone, then plans the third blocks only.
    config["claims"]["design"]["max_seeds"] = 6
    done_playground.write_config(config)
    replanning = done_playground.planned_jobs("results/playground/seeds.csv")
    assert {rule for rule, _ in replanning} == {"plan_playground_seeds"}
    done_playground.snakemake("results/playground/seeds.csv")
    jobs = done_playground.planned_jobs("playground")
    untrained = {f"chunk={chunk}, block=s2-4" for chunk in CHUNKS if chunk != "baseline"}
    third = {f"chunk={chunk}, block=s4-6" for chunk in CHUNKS}
    assert _trainings(jobs) == third | untrained
    assert not {rule for rule, _ in jobs} & pilot
