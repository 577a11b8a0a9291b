"""Replica blocks (core.blocks): a run's replicas train a whole block per job, raising
``seeds`` trains only new blocks, and the replicas already trained keep their bytes."""

import pandas as pd
import pytest
import torch

from aeflow.autoencoder import draws
from aeflow.autoencoder.findings import observations
from aeflow.core import blocks
from aeflow.core.checkpoints import gather_checkpoints
from aeflow.core.claims import frame
from aeflow.core.twostage import Design
from aeflow.workflow import validate_config
from tests.conftest import SCHEMA, default_config, private_copy

RUNS = ("ae1", "ae2", "pca", "ae2-sgd", "ae2-gd", "ae2-gd_scaled")


def test_blocks_are_whole_and_named_by_their_replicas():
    assert blocks.blocks(5, 5) == ["s0-5"]
    assert blocks.blocks(7, 5) == ["s0-5", "s5-10"]  # the last block is trained whole
    assert blocks.blocks(10, 5)[:1] == blocks.blocks(5, 5)  # growing keeps the first
    assert blocks.block_range("s5-10") == (5, 10)
    with pytest.raises(ValueError, match="not a replica block"):
        blocks.block_range("s5")
    training = {"seed": 3, "seeds": 7, "seeds_per_job": 5, "epochs": 10}
    assert blocks.block_training(training, "s5-10") == {
        "epochs": 10,
        "first_replica": 5,
        "seed": 3,
        "seeds": 5,
    }


def test_data_blocks_follow_the_replicas():
    config = default_config()
    config["training"].update(seeds=7, seeds_per_job=5)
    assert draws.run_blocks(config, "ae2") == ["s0-5", "s5-10"]
    assert draws.data_blocks(config, 5, 10) == ["s5-10"]
    assert draws.data_blocks(config, 0, 7) == ["s0-5", "s5-10"]
    assert draws.data_params(config, "s5-10")["first_sample"] == 5
    config["data"]["per_replica_samples"] = False
    assert draws.data_blocks(config) == [draws.SHARED]


def _planned(jobs, rule):
    return {wildcards for name, wildcards in jobs if name == rule}


@pytest.mark.workflow
def test_raising_seeds_plans_only_the_new_blocks(finished_workflow, tmp_path):
    """With the seeds fixed (no design): the new blocks, and no old one (what they train,
    and that the old bytes stay: the next test)."""
    done = private_copy(finished_workflow, tmp_path)
    config = done.read_config()
    assert config["training"]["seeds"] == config["training"]["seeds_per_job"] == 2
    config["training"]["seeds"] = 4
    done.write_config(config)

    # A dry run plans the new block of every training, and no old one.
    jobs = done.planned_jobs()
    assert _planned(jobs, "train") == {f"run={run}, block=s2-4" for run in RUNS}
    assert _planned(jobs, "retrain_encoder") == {"variant=ae2, block=s2-4"}
    widths = config["capacity"]["widths"]
    assert _planned(jobs, "train_capacity") == {f"width={w}, block=s2-4" for w in widths}
    assert not _planned(jobs, "make_data")  # one shared sample: nothing new to draw


PILOT_STAGE = {
    "pilot_gather_run",
    "pilot_gather_retrain",
    "pilot_gather_capacity",
    "pilot_analyse",
    "pilot_retrain_bound",
    "pilot_evaluate",
    "plan_seeds",
}


@pytest.mark.workflow
def test_the_pilot_plans_each_runs_seeds_and_only_missing_blocks_train(finished_workflow, tmp_path):
    """The seeds design switched on over a finished two-seed run: its blocks are the pilot,
    the checkpoint plans the seeds, and the final stage trains only the blocks the plan
    adds."""
    done = private_copy(finished_workflow, tmp_path)
    before = done.snapshot()
    config = done.read_config()
    # Every run but ae2 keeps the pilot (caps of their own): the variants' families take
    # ae1's and pca's cap, and only part (g)'s family, of ae2 alone, grows ae2, so the
    # variants' tables pair ae2's 4 seeds with the others' 2.
    kept = {"ae1", "pca", "ae2-sgd", "ae2-gd", "ae2-gd_scaled", "capacity"}
    config["claims"]["design"].update(
        two_stage=True, pilot=2, max_seeds=4, run_max_seeds=dict.fromkeys(kept, 2)
    )
    done.write_config(config)

    # The pilot's blocks are the finished ones: planning the seeds trains nothing.
    assert {rule for rule, _ in done.planned_jobs("results/seeds.csv")} == PILOT_STAGE
    done.snakemake("results/seeds.csv")
    plan = pd.read_csv(done.results / "seeds.csv").set_index("run")
    assert set(plan.index) == {*RUNS, "capacity"}
    assert set(plan["pilot"]) == {2} and set(plan["seeds"]) <= {2, 4}
    grown = set(plan.index[plan["seeds"] == 4])
    # Two seeds size part (g)'s comparisons beyond the cap (or not at all).
    assert grown == {"ae2"} and set(plan.loc[list(kept), "seeds"]) == {2}
    assert plan.loc["ae2", "planned_by"].startswith("g")
    assert plan.loc["ae2", "reason"] in ("sized to n", "cap reached")
    pilot_claims = pd.read_csv(done.results / "pilot/claims.csv")
    assert (pilot_claims.loc[pilot_claims["family"] != "sheet", "runs"].str.len() > 0).all()

    # The final stage: ae2's second block and its retraining's, nothing of the pilot.
    jobs = done.planned_jobs()
    assert not {rule for rule, _ in jobs} & PILOT_STAGE
    assert _planned(jobs, "train") == {"run=ae2, block=s2-4"}
    assert _planned(jobs, "retrain_encoder") == {"variant=ae2, block=s2-4"}
    assert _planned(jobs, "gather_run") == {"run=ae2"}  # the runs that did not grow stay
    assert not _planned(jobs, "train_capacity")
    # The trainings and the evaluation; the claims as the summary decides them (its own
    # job, with the figures, is the three-replica workflow test's: tests/test_workflow.py).
    done.snakemake("results/summary_per_seed.csv")
    after = done.snapshot()
    trained_before = [p for p in before if "/blocks/" in p or p.startswith("blocks/")]
    assert trained_before and all(after[p] == before[p] for p in trained_before)
    per_seed = pd.read_csv(done.results / "summary_per_seed.csv")
    validate_config(config, SCHEMA)
    design = Design.from_config(config["claims"]["design"])
    claims = frame(observations(per_seed, config["claims"]["margins"], design)[1])
    compared = claims[claims["family"] != "sheet"]
    # The pilot's two seeds, or all where they do not differ (nothing to size by).
    by_pilot = compared["pilot_seeds"] == 2
    assert by_pilot.any() and (compared.loc[~by_pilot, "pilot_sd"] == 0).all()
    # Each family compares at least the seeds it planned, on the runs' shared replicas:
    # part (g) ae2's four, the variants' sections the two all three variants have.
    assert (compared["seeds"] + compared["set_aside"] >= compared["planned_seeds"]).all()
    assert set(compared.loc[compared["family"].str.startswith("Part (g)"), "seeds"]) == {4}
    variants = compared[compared["runs"] == "ae1;ae2;pca"]
    assert len(variants) and set(variants["seeds"] + variants["set_aside"]) == {2}
    seeds = per_seed[per_seed["role"] != "capacity"].groupby("model")["seed"].nunique()
    assert {run: seeds[run] for run in RUNS} == plan.loc[list(RUNS), "seeds"].to_dict()
    # ae2's first replicas are the two-seed run's, to the last bit.
    old = torch.load(finished_workflow.results / "models/ae2/trained.ckpt", weights_only=True)
    new = torch.load(done.results / "models/ae2/trained.ckpt", weights_only=True)
    assert new["hyper_parameters"]["seeds"] == [0, 1, 2, 3]
    for name, tensor in old["state_dict"].items():
        assert torch.equal(new["state_dict"][name][:2], tensor)
    losses = pd.read_csv(done.results / "losses/ae2.csv")
    pd.testing.assert_frame_equal(
        losses[losses["seed"] < 2], pd.read_csv(finished_workflow.results / "losses/ae2.csv")
    )
    shift = pd.read_csv(done.results / "retrain/ae2/latent_shift.csv")
    old_shift = pd.read_csv(finished_workflow.results / "retrain/ae2/latent_shift.csv")
    pd.testing.assert_frame_equal(shift[shift["seed"] < 2], old_shift)
    # A higher cap replans without rerunning the pilot: the Playground's test (the same
    # aeflow.stages code behind its own checkpoint).


def test_gathering_blocks_cuts_to_the_seeds_and_checks_they_agree(tmp_path):
    def block(seeds, epoch=3):
        state = {"w": torch.arange(len(seeds) * 2.0).reshape(len(seeds), 2) + seeds[0]}
        return {
            "pytorch-lightning_version": "x",
            "epoch": epoch,
            "state_dict": state,
            "hyper_parameters": {"seeds": seeds, "model": {"hidden": [4]}},
            "optimizer_states": [{"state": {0: {"step": torch.tensor(9.0), "m": state["w"]}}}],
        }

    paths = []
    for i, seeds in enumerate(([0, 1], [2, 3])):
        paths.append(tmp_path / f"b{i}.ckpt")
        torch.save(block(seeds), paths[-1])
    gathered = gather_checkpoints(paths, keep=3)
    assert gathered["hyper_parameters"]["seeds"] == [0, 1, 2]
    assert gathered["state_dict"]["w"].tolist() == [[0, 1], [2, 3], [2, 3]]
    assert gathered["optimizer_states"][0]["state"][0]["m"].shape == (3, 2)
    assert gathered["optimizer_states"][0]["state"][0]["step"].item() == 9.0
    torch.save(block([2, 3], epoch=5), paths[1])
    with pytest.raises(ValueError, match=r"differ in '\.epoch'"):
        gather_checkpoints(paths, keep=4)
    assert gather_checkpoints(paths, keep=4, training_state=False)["state_dict"]["w"].shape[0] == 4
