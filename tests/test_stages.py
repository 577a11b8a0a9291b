"""The seeds design's two stages (aeflow.stages): which runs the pilot's claims
grow, by how much, and the configs of the pilot and the final stage."""

import re

import pandas as pd
import pytest

from aeflow import stages
from aeflow.autoencoder import capacity, draws, runs
from aeflow.autoencoder.findings.common import paired
from aeflow.core.config import ConfigError
from aeflow.core.margins import Margins
from aeflow.core.twostage import CAP_REACHED, PILOT_ENOUGH, SIZED, Design
from aeflow.playground import runs as pg
from aeflow.workflow import validate_config
from tests.conftest import SCHEMA, default_config

SETTINGS = {
    "ae1": {"configured": 5, "block": 5},
    "ae2": {"configured": 5, "block": 5},
    "ae2-sgd": {"configured": 12, "block": 5},
    "capacity": {"configured": 5, "block": 3},
}


def _claims(rows):
    columns = ["id", "family", "runs", "planned_seeds", "seeds_reason"]
    return pd.DataFrame(rows, columns=columns)


def test_a_family_plans_its_largest_need_for_every_run_it_compares():
    claims = _claims(
        [
            ("b1.1", "b", "ae1;ae2", 5, PILOT_ENOUGH),
            ("b1.2", "b", "ae1;ae2", 8, SIZED),
            ("e1.1", "e", "capacity", 7, SIZED),
            ("e1.2", "e", "capacity", 10, CAP_REACHED),
            ("sheet.1", "sheet", None, 0, None),  # the sheet's claims plan nothing
        ]
    )
    plan = {row["run"]: row for row in stages.seeds_table(SETTINGS, 5, claims)}
    # b's largest need (8) for both of its runs, rounded up to whole blocks of 5.
    assert plan["ae1"]["planned"] == plan["ae2"]["planned"] == 8
    assert plan["ae1"]["seeds"] == plan["ae2"]["seeds"] == 10
    assert plan["ae1"]["reason"] == SIZED and plan["ae1"]["planned_by"] == "b1.2"
    # Blocks of 3: 10 -> 12.
    assert (plan["capacity"]["seeds"], plan["capacity"]["reason"]) == (12, CAP_REACHED)
    # A run no claim names keeps the pilot; configured seeds above the plan are kept.
    assert plan["ae2-sgd"]["seeds"] == 12 and plan["ae2-sgd"]["reason"] == stages.CONFIGURED
    assert all(row["pilot"] == 5 for row in plan.values())


def test_a_run_the_pilot_settles_keeps_the_pilot():
    claims = _claims([("b1.1", "b", "ae1;ae2", 5, PILOT_ENOUGH)])
    plan = {row["run"]: row for row in stages.seeds_table(SETTINGS, 5, claims)}
    assert plan["ae1"]["seeds"] == 5 and plan["ae1"]["reason"] == PILOT_ENOUGH


def test_the_stage_configs_give_each_run_its_seeds():
    config = {**default_config(), "sweeps": {}}  # the schema's default
    keys = stages.seed_keys(config)
    assert keys == [*runs.training_runs(config), stages.CAPACITY]
    pilot = stages.pilot_config(config)
    assert {stages.configured_seeds(pilot, key) for key in keys} == {5}
    final = stages.planned_config(
        config,
        [
            {"run": "ae2", "seeds": 10},
            {"run": "ae2-gd", "seeds": 15},
            {"run": "capacity", "seeds": 10},
        ],
    )
    assert runs.training_params(final, "ae2")["seeds"] == 10
    assert runs.training_params(final, "ae2-sgd")["seeds"] == 10  # on top of its variant
    assert runs.training_params(final, "ae2-gd")["seeds"] == 15  # its own, read last
    assert runs.training_params(final, "ae1")["seeds"] == 5
    assert draws.run_blocks(final, "ae2-gd") == ["s0-5", "s5-10", "s10-15"]
    run = capacity.trained_runs(final)[0]
    assert capacity.training_params(final, run)["seeds"] == 10
    assert draws.most_replicas(final) == 15
    assert runs.training_params(config, "ae2")["seeds"] == 5  # the config is not changed


def test_the_playground_is_one_run_whose_blocks_do_not_change_as_it_grows():
    config = default_config()
    assert stages.seed_keys(config, stages.PLAYGROUND) == [pg.SEEDS_RUN]
    # By default one block holds the pilot and the second stage up to the cap.
    assert stages.seed_settings(config, stages.PLAYGROUND) == {
        pg.SEEDS_RUN: {"configured": 5, "block": 10}
    }
    assert pg.chunk_blocks(stages.pilot_config(config)) == ["s0-10"]
    config["playground"]["seeds_per_job"] = 5
    assert pg.trial_seeds(stages.pilot_config(config)) == 5
    final = stages.planned_config(config, [{"run": pg.SEEDS_RUN, "seeds": 10}])
    assert pg.trial_seeds(final) == 10 and pg.chunk_blocks(final) == ["s0-5", "s5-10"]
    assert runs.training_params(final, "ae2")["seeds"] == 5  # the other part's runs stay
    more = stages.planned_config(config, [{"run": pg.SEEDS_RUN, "seeds": 15}])
    chunk = next(iter(pg.trial_chunks(config)))
    # A block's job trains the same networks whatever the seeds: no rerun when they grow.
    assert pg.chunk_settings(final, chunk, "s5-10") == pg.chunk_settings(more, chunk, "s5-10")
    fit = pg.chunk_settings(final, chunk, "s5-10")[0]["settings"]["training"]
    assert (fit["first_replica"], fit["seeds"]) == (5, 5)
    assert stages.seed_keys({**config, "playground": {"enabled": False}}, stages.PLAYGROUND) == []


def test_the_settings_the_checkpoint_reads_are_per_run():
    config = default_config()
    config["variants"]["ae1"]["training"] = {"seeds_per_job": 2}
    settings = stages.seed_settings(config)
    assert settings["ae1"] == {"configured": 5, "block": 2}
    assert settings["capacity"] == {"configured": 5, "block": 5}


def test_tables_pair_only_the_replicas_every_run_has():
    rows = pd.DataFrame(
        {
            "model": ["a"] * 4 + ["b"] * 2,
            "seed": [0, 1, 2, 3, 0, 1],
            "mse": [1.0, float("nan"), 3.0, 4.0, 5.0, 6.0],
        }
    )
    table = paired(rows, "mse")
    assert list(table.columns) == ["a", "b"] and len(table) == 2
    assert table["a"].isna().tolist() == [False, True]  # a missing value stays (diverged)


@pytest.mark.parametrize("two_stage", [True, False])
def test_the_design_switch_is_read_from_config(two_stage):
    config = default_config()
    config["claims"]["design"]["two_stage"] = two_stage
    assert stages.two_stage(config) is two_stage


def test_a_family_takes_the_lowest_cap_of_its_runs():
    design = Design.from_config({"pilot": 5, "max_seeds": 10, "run_max_seeds": {"capacity": 5}})
    assert design.for_runs(["ae1", "ae2"]).max_seeds == 10
    assert design.for_runs(["capacity"]).max_seeds == 5
    assert design.for_runs(["ae1", "capacity"]).max_seeds == 5
    assert Design.from_config({"run_max_seeds": {"ae1": 20}}).for_runs(["ae1"]).max_seeds == 10


@pytest.mark.parametrize(
    ("caps", "message"),
    [
        ({"ae9": 10}, "claims.design.run_max_seeds.ae9: no such run; allowed: ae1, ae2, pca"),
        ({"capacity": 3}, "claims.design.run_max_seeds.capacity: 3 is below claims.design.pilot"),
    ],
)
def test_a_bad_run_cap_is_named(caps, message):
    config = default_config()
    config["claims"]["design"]["run_max_seeds"] = caps
    with pytest.raises(ConfigError, match=re.escape(message)):
        validate_config(config, SCHEMA)


def test_a_relative_margin_is_set_by_the_pilot_alone():
    """The second stage's seeds cannot move a margin decided against (nor the seeds the
    pilot planned with it)."""
    reference = [1.0, 3.0, 100.0, 100.0]  # two pilot seeds, then the second stage
    staged = Margins({"mse": {"relative": 0.5}}, Design(pilot=2, max_seeds=4))
    assert staged.of("mse", reference) == pytest.approx(1.0)
    fixed = Margins({"mse": {"relative": 0.5}}, Design(pilot=2, max_seeds=4, two_stage=False))
    assert fixed.of("mse", reference) == pytest.approx(0.5 * 51.0)
