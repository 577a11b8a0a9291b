"""The two stages of the seeds design (``core.twostage``) for both parts, as the workflow
plans them (torch-free, pandas only in ``seeds_table``).

With ``claims.design.two_stage`` on, every run first trains a pilot of ``pilot`` seeds (its
first replica blocks); the pilot is gathered, analysed and evaluated (or tabulated) under
``results/pilot/``, and a checkpoint per part decides the pilot's claims and writes the
seeds each run trains in the end: ``plan_seeds`` (``results/seeds.csv``, the autoencoder's
runs) and ``plan_playground_seeds`` (``results/playground/seeds.csv``). The final stage is
the usual workflow on a config whose runs carry those seeds (``with_seeds``): it trains
only the missing blocks, and every finished block stays as it is.

The seeds are planned per **run** (a key of ``seed_keys``): a training run (variant or
optimiser run; the variant's retraining follows its seeds); ``capacity``, every capacity
width's runs together (one job trains a width's sizes); and ``playground``, every
Playground trial together (each family compares its trials with the baseline, and a job
trains a chunk's trials in the same block). Each claim names the runs its family compares
(``Claim.runs``); a run trains the most seeds that any family it takes part in plans for
one of its comparisons, at least its configured seeds, rounded up to whole blocks. Every
run a family compares then has at least that many seeds, so its tables pair at least the
planned seeds; n is still a function of the pilot's spread alone.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping

from aeflow.autoencoder import capacity, runs
from aeflow.core.config import Config
from aeflow.core.twostage import CAP_REACHED, NOT_SIZED, PILOT_ENOUGH, SIZED, Design, seeds_per_run
from aeflow.playground import runs as pg

AUTOENCODER, PLAYGROUND = "autoencoder", "playground"  # the parts, each planned on its own

CAPACITY = capacity.SEEDS_RUN  # the key of every capacity run's seeds
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


def seed_keys(config: Config, part: str = AUTOENCODER) -> list[str]:
    """The runs of ``part`` whose seeds the design plans: the training runs, then
    ``capacity``; the Playground's one run (none when it is disabled)."""
    if part == PLAYGROUND:
        return [pg.SEEDS_RUN] if pg.enabled(config) else []
    return runs.training_runs(config) + ([CAPACITY] if capacity.capacity_widths(config) else [])


def configured_seeds(config: Config, key: str) -> int:
    if key == pg.SEEDS_RUN:
        return pg.trial_seeds(config)
    if key == CAPACITY:
        return int(capacity.training_params(config, capacity.trained_runs(config)[0])["seeds"])
    return int(runs.training_params(config, key)["seeds"])


def block_size(config: Config, key: str) -> int:
    if key == pg.SEEDS_RUN:
        return pg.seeds_per_job(config)
    if key == CAPACITY:
        return runs.seeds_per_job(config, config["capacity"]["variant"])
    return runs.seeds_per_job(config, key)


def with_seeds(config: Config, seeds: Mapping[str, int]) -> Config:
    """A copy of ``config`` whose runs train ``seeds`` (run -> seeds; runs not named keep
    theirs). The seeds go into each run's own training section, the layer read last."""
    config = copy.deepcopy(config)
    for key, n in seeds.items():
        if key == pg.SEEDS_RUN:
            section = config["playground"]
        elif key == CAPACITY:
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
    """The config of the pilot stage: every run of both parts at the design's pilot seeds."""
    pilot = design(config).pilot
    keys = seed_keys(config) + seed_keys(config, PLAYGROUND)
    return with_seeds(config, {key: pilot for key in keys})


def planned_config(config: Config, plan: Iterable[Mapping]) -> Config:
    """The config of the final stage: every run at the seeds ``plan`` (the rows of
    ``results/seeds.csv``) gives it."""
    return with_seeds(config, {str(row["run"]): int(row["seeds"]) for row in plan})


def seed_settings(config: Config, part: str = AUTOENCODER) -> dict[str, dict[str, int]]:
    """Per run of ``part`` (``seed_keys``), what planning its seeds needs from config: its
    configured seeds and its block size (the checkpoint's params, so that only they rerun
    it)."""
    return {
        key: {"configured": configured_seeds(config, key), "block": block_size(config, key)}
        for key in seed_keys(config, part)
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
        # Claims that size nothing (the sheet's, which restate sections' claims) are out.
        if isinstance(c.runs, str) and c.runs and isinstance(c.seeds_reason, str) and c.seeds_reason
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
    (``capacity`` and ``playground`` are always allowed: their caps stay valid when the
    part is off)."""
    keys = list(dict.fromkeys([*seed_keys(config), CAPACITY, pg.SEEDS_RUN]))
    caps = config.get("claims", {}).get("design", {}).get("run_max_seeds") or {}
    return [
        f"claims.design.run_max_seeds.{run}: no such run; allowed: {', '.join(keys)}"
        for run in caps
        if run not in keys
    ]
