"""The two stages of the seeds design (``core.twostage``) for the autoencoder part, as the
workflow plans them (torch-free, pandas only in ``seeds_table``).

With ``claims.design.two_stage`` on, every run first trains a pilot of ``pilot`` seeds (its
first replica blocks); the pilot is gathered, analysed and evaluated under
``results/pilot/``, and the checkpoint ``plan_seeds`` decides the pilot's claims and writes
``results/seeds.csv``: the seeds each run trains in the end. The final stage is the usual
workflow on a config whose runs carry those seeds (``with_seeds``): it trains only the
missing blocks, and every finished block stays as it is.

The seeds are planned per **run** (a key of ``seed_keys``): a training run (variant or
optimiser run; the variant's retraining follows its seeds), or ``capacity``, every
capacity width's runs together (one job trains a width's sizes). Each claim names the runs
its family compares (``Claim.runs``); a run trains the most seeds that any family it takes
part in plans for one of its comparisons, at least its configured seeds, rounded up to
whole blocks. Every run a family compares then has at least that many seeds, so its tables
pair at least the planned seeds; n is still a function of the pilot's spread alone.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping

from aeflow.autoencoder import capacity, runs
from aeflow.core.config import Config
from aeflow.core.twostage import CAP_REACHED, NOT_SIZED, PILOT_ENOUGH, SIZED, Design, seeds_per_run

CAPACITY = "capacity"  # the key of every capacity run's seeds
PILOT = "pilot"  # the pilot stage's folder under results/
CONFIGURED = "configured seeds"  # a run whose configured seeds exceed what the plan asks
# Which reason names a run's seeds when several claims plan the same number.
_STRENGTH = {NOT_SIZED: 0, PILOT_ENOUGH: 1, SIZED: 2, CAP_REACHED: 3}
COLUMNS = ["run", "pilot", "configured", "planned", "seeds", "reason", "planned_by"]


def design(config: Config) -> Design:
    return Design.from_config(config.get("claims", {}).get("design"))


def two_stage(config: Config) -> bool:
    """Whether the workflow runs a pilot first (the autoencoder part has claims to plan)."""
    return design(config).two_stage


def seed_keys(config: Config) -> list[str]:
    """The runs whose seeds the design plans: the training runs, then ``capacity``."""
    return runs.training_runs(config) + ([CAPACITY] if capacity.capacity_widths(config) else [])


def configured_seeds(config: Config, key: str) -> int:
    if key == CAPACITY:
        return int(capacity.training_params(config, capacity.trained_runs(config)[0])["seeds"])
    return int(runs.training_params(config, key)["seeds"])


def block_size(config: Config, key: str) -> int:
    if key == CAPACITY:
        return runs.seeds_per_job(config, config["capacity"]["variant"])
    return runs.seeds_per_job(config, key)


def with_seeds(config: Config, seeds: Mapping[str, int]) -> Config:
    """A copy of ``config`` whose runs train ``seeds`` (run -> seeds; runs not named keep
    theirs). The seeds go into each run's own training section, the layer read last."""
    config = copy.deepcopy(config)
    for key, n in seeds.items():
        if key == CAPACITY:
            section = config["capacity"]
        else:
            variant, _, comparison = key.partition(runs.COMPARISON_SEPARATOR)
            section = (
                config["optimizer_comparison"]["runs"][comparison]
                if comparison
                else config["variants"][variant]
            )
        section.setdefault("training", {})["seeds"] = int(n)
    return config


def pilot_config(config: Config) -> Config:
    """The config of the pilot stage: every run at the design's pilot seeds."""
    pilot = design(config).pilot
    return with_seeds(config, {key: pilot for key in seed_keys(config)})


def planned_config(config: Config, plan: Iterable[Mapping]) -> Config:
    """The config of the final stage: every run at the seeds ``plan`` (the rows of
    ``results/seeds.csv``) gives it."""
    return with_seeds(config, {str(row["run"]): int(row["seeds"]) for row in plan})


def seed_settings(config: Config) -> dict[str, dict[str, int]]:
    """Per run (``seed_keys``), what planning its seeds needs from config: its configured
    seeds and its block size (the checkpoint's params, so that only they rerun it)."""
    return {
        key: {"configured": configured_seeds(config, key), "block": block_size(config, key)}
        for key in seed_keys(config)
    }


def seeds_table(settings: Mapping[str, Mapping[str, int]], pilot: int, claims) -> list[dict]:
    """``results/seeds.csv``: per run of ``settings`` (``seed_settings``), the seeds the
    pilot's ``claims`` (``claims.frame`` rows: ``id``, ``runs``, ``planned_seeds``,
    ``seeds_reason``) plan for it (``twostage.seeds_per_run``: the most any claim naming
    it plans, at least the pilot), whole blocks of it, or its configured seeds where they
    are more; with the reason and the claim that asked for the most."""
    asking = [
        (str(c.runs).split(";"), int(c.planned_seeds), str(c.seeds_reason), str(c.id))
        for c in claims.itertuples()
        if isinstance(c.runs, str) and c.runs and isinstance(c.seeds_reason, str)
    ]
    planned_of = seeds_per_run([(runs_of, n) for runs_of, n, _, _ in asking], pilot)
    rows = []
    for key, setting in settings.items():
        planned = planned_of.get(key, pilot)
        offers = [(n, _STRENGTH[why], why, by) for runs_of, n, why, by in asking if key in runs_of]
        # The first claim (in the summary's order) that asks for the most.
        _, _, reason, by = max(offers, key=lambda o: o[:2], default=(pilot, 0, NOT_SIZED, ""))
        configured, block = int(setting["configured"]), int(setting["block"])
        seeds = -(-planned // block) * block  # whole blocks
        if configured > seeds:
            seeds, reason, by = configured, CONFIGURED, ""
        rows.append(
            {
                "run": key,
                "pilot": pilot,
                "configured": configured,
                "planned": planned,
                "seeds": seeds,
                "reason": reason,
                "planned_by": by,
            }
        )
    return rows


def config_errors(config: Config) -> list[str]:
    """A run cap (``claims.design.run_max_seeds``) naming no run whose seeds are planned
    (``capacity`` is always allowed: its cap stays valid with no widths configured)."""
    keys = list(dict.fromkeys([*seed_keys(config), CAPACITY]))
    caps = config.get("claims", {}).get("design", {}).get("run_max_seeds") or {}
    return [
        f"claims.design.run_max_seeds.{run}: no such run; allowed: {', '.join(keys)}"
        for run in caps
        if run not in keys
    ]
