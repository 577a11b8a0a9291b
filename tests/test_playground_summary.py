"""Playground summary: every one-at-a-time sweep value against the baseline as claim rows
(``playground.findings``), diverged values not compared, sweeps that draw their own test
sets not ranked on it, and the sweep figures drawing diverged values as diverged."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PolyCollection
from scipy import stats

from aeflow.core.claims import NOT_COMPARED, UNDETERMINED, WINNER, split_values
from aeflow.core.sheet import SHEET_VERDICTS
from aeflow.core.sweep_tables import trials_table
from aeflow.playground.findings import EXTRA, findings
from aeflow.playground.metrics import METRICS
from aeflow.playground.plots import sweep_curves_figure, sweeps_figure
from aeflow.playground.summary import (
    header,
    read_chunks,
    read_maps,
    summarise,
    summary_table,
    trial_statistics,
)
from aeflow.playground.tables import CURVES

EPOCHS = 500
# Test loss per seed (5 seeds) of a default run's sweeps; the baseline is lr 0.1, no
# regularisation, noise 0.
LOSSES = {
    "baseline": [0.023379, 0.026821, 0.007702, 0.009000, 0.078627],
    "lr-0.001": [0.423351, 0.445851, 0.321003, 0.457111, 0.454507],
    "lr-0.03": [0.043824, 0.020342, 0.010260, 0.046970, 0.045069],
    "lr-1000": [np.nan] * 5,  # diverged in every seed (dataset plane, learning rate 1000)
    "noise-25": [0.2, 0.25, 0.22, 0.21, 0.23],
    "reg-l1": [0.03, 0.02, 0.01, 0.012, 0.07],
    "reg-l2": [0.025, 0.03, 0.008, 0.01, 0.08],
}
SWEEPS = {  # sweep: key, {trial: value}
    "learning_rate": ("training.learning_rate", {"lr-0.001": "0.001", "lr-0.03": "0.03"}),
    "noise": ("data.noise", {"noise-25": "25"}),
    "regularization": ("training.regularization", {"reg-l1": "l1", "reg-l2": "l2"}),
}
SWEEPS["learning_rate"][1].update({"baseline": "0.1", "lr-1000": "1000"})
SWEEPS["noise"][1]["baseline"] = "0"
SWEEPS["regularization"][1]["baseline"] = "none"
# Per trial, metrics other than the losses (a list: per seed).
METRIC_VALUES = {
    "baseline": {
        "epochs_to_level": [50, 60, 40, 55, 45],
        "mean_abs_weight": [0.5, 0.52, 0.48, 0.51, 0.49],
    },
    "lr-0.001": {"epochs_to_level": np.nan},  # never reaches the level: counted at 500
    "lr-0.03": {"epochs_to_level": [150, 160, 140, 155, 150]},
    "reg-l1": {"near_zero_weights": [0.4, 0.5, 0.45, 0.42, 0.48], "dead_network": [1, 0, 0, 0, 0]},
    "reg-l2": {"mean_abs_weight": [0.2, 0.21, 0.19, 0.2, 0.22], "redundant_pairs": 0.05},
}


def _per_seed(losses=LOSSES, values=METRIC_VALUES):
    rows = []
    for trial, per_seed in losses.items():
        for seed, loss in enumerate(per_seed):
            row = dict.fromkeys(METRICS, 0.0)
            row.update(trial=trial, seed=seed, parameters=145, epochs=EPOCHS)
            row.update(diverged=bool(np.isnan(loss)), test_loss=loss, train_loss=loss / 2)
            row.update(gap=loss / 2, train_accuracy=np.nan, test_accuracy=np.nan)
            row.update(epochs_to_level=30, mean_abs_weight=0.5, redundant_pairs=0.3)
            for metric, value in values.get(trial, {}).items():
                row[metric] = value[seed] if isinstance(value, list) else value
            rows.append(row)
    return pd.DataFrame(rows)


def _table(per_seed, searches=None):
    records = [
        {"sweep": sweep, "key": key, "label": value, "trial": trial}
        for sweep, (key, points) in SWEEPS.items()
        for trial, value in points.items()
    ]
    links = {t: f"https://playground.tensorflow.org/#{t}" for t in per_seed["trial"].unique()}
    return summary_table(records, trial_statistics(per_seed), links, searches or {})


def _findings(per_seed):
    return findings(_table(per_seed), per_seed, EPOCHS)


def _section(sections, sweep):
    return next(s for s in sections if s.title.startswith(f"Sweep {sweep} "))


def test_every_value_is_set_against_the_baseline_in_test_loss():
    per_seed = _per_seed()
    sections, _ = _findings(per_seed)
    section = _section(sections, "learning_rate")
    assert section.title == "Sweep learning_rate (training.learning_rate)"
    test_loss = [c for c in section.claims if c.metric == "test loss"]
    assert [(c.subject, c.reference) for c in test_loss] == [
        ("0.001", "0.1 (baseline)"),
        ("0.03", "0.1 (baseline)"),
        ("1000", "0.1 (baseline)"),
    ]
    tested = [c for c in section.claims if c.verdict != NOT_COMPARED]
    assert {c.family_size for c in section.claims} == {len(tested)}
    for c, trial in zip(test_loss[:2], ["lr-0.001", "lr-0.03"], strict=True):
        d = np.subtract(LOSSES[trial], LOSSES["baseline"])
        half = stats.t.ppf(1 - 0.05 / (2 * len(tested)), 4) * d.std(ddof=1) / np.sqrt(5)
        assert c.level == pytest.approx(1 - 0.05 / len(tested))
        assert c.effect == pytest.approx(d.mean()) and c.seeds == 5
        assert (c.ci_low, c.ci_high) == pytest.approx((d.mean() - half, d.mean() + half))
        assert c.margin == pytest.approx(0.1 * np.mean(LOSSES["baseline"]))
    slow, close, diverged = test_loss
    assert slow.verdict == WINNER and slow.winner == "0.1 (baseline)"
    assert close.verdict == UNDETERMINED and close.seeds_needed > 5
    # The diverged value: not compared, its diverged seeds counted; the table says so.
    assert diverged.verdict == NOT_COMPARED and diverged.diverged == 5
    assert "diverged" in diverged.sentence and np.isnan(diverged.effect)
    assert all("nan" not in b.lower() for b in section.bullets())
    table = section.table.set_index("value")
    assert table.loc["1000", "diverged"] == 5
    # Epochs to reach the level: a seed that never does counts at the run's length.
    epochs = [c for c in section.claims if c.metric == EXTRA["epochs_to_level"][0]]
    assert split_values(epochs[0].subject_values) == pytest.approx([EPOCHS] * 5)
    assert epochs[0].winner == epochs[1].winner == "0.1 (baseline)"
    assert any(f"counts as {EPOCHS}" in n for n in section.notes)


def test_a_value_diverged_in_some_seeds_only_is_not_compared_either():
    losses = {**LOSSES, "lr-1000": [0.001, np.nan, 0.001, 0.001, 0.001]}  # best where finite
    sections, _ = _findings(_per_seed(losses))
    rows = [c for c in _section(sections, "learning_rate").claims if c.subject == "1000"]
    assert {c.verdict for c in rows} == {NOT_COMPARED}
    test_loss = next(c for c in rows if c.metric == "test loss")
    assert test_loss.diverged == 1 and "1 seed with a non-finite value" in test_loss.sentence


def test_sweeps_that_draw_their_own_test_sets_are_not_ranked_on_it():
    sections, claims = _findings(_per_seed())
    noise = _section(sections, "noise")
    assert noise.claims == [] and not [c for c in claims if c.family == "Sweep noise"]
    assert any("its own test set" in n for n in noise.notes)
    # The sheet's train-ratio claim is not measured, for that reason.
    ratio = next(c for c in claims if "share of training points" in c.subject)
    assert ratio.verdict == "not measured" and "own test set" in ratio.sentence


def test_the_regularisation_family_compares_weights_and_redundancy():
    sections, claims = _findings(_per_seed())
    section = _section(sections, "regularization")
    metrics = {c.metric for c in section.claims}
    words = {EXTRA[m][0] for m in ("mean_abs_weight", "near_zero_weights", "redundant_pairs")}
    assert metrics == {"test loss"} | words
    by = {(c.subject, c.metric): c for c in section.claims}
    l2 = by[("l2", EXTRA["mean_abs_weight"][0])]
    assert l2.winner == "l2" and l2.effect == pytest.approx(
        np.mean([0.2, 0.21, 0.19, 0.2, 0.22]) - 0.5
    )
    l1 = by[("l1", EXTRA["near_zero_weights"][0])]
    assert l1.lower_is_better is False and l1.winner == "l1"
    redundant = by[("l2", EXTRA["redundant_pairs"][0])]
    assert redundant.effect == pytest.approx(0.05 - 0.3) and redundant.verdict == WINNER
    # l1's dead seed is set aside in its rows (and only there); its effect with it in is given.
    assert {c.set_aside for c in section.claims if c.subject == "l1"} == {1}
    assert {c.set_aside for c in section.claims if c.subject == "l2"} == {0}
    assert "with them in" in l1.sentence
    verdicts = {c.subject: c.verdict for c in claims if c.family == "sheet"}
    assert verdicts["bonus (b): L2 shrinks the weights"] == "supported"
    assert verdicts["bonus (b): L1 sets weights to zero"] == "supported"


def test_seeds_split_into_modes_are_named():
    values = {**METRIC_VALUES, "lr-0.03": {"train_loss": [0.01, 0.012, 0.011, 0.009, 0.5]}}
    sections, claims = _findings(_per_seed(values=values))
    notes = _section(sections, "learning_rate").notes
    assert any(n.startswith("0.03: seeds split, 1 of 5 seeds stuck") for n in notes)
    # The stuck seed stays in its comparisons.
    assert {c.seeds for c in claims if c.subject == "0.03"} == {5}


def test_the_sheet_rows_come_first_and_rest_on_existing_rows():
    sections, claims = _findings(_per_seed())
    assert sections[0].title.startswith("The sheet's claims")
    sheet = [c for c in claims if c.family == "sheet"]
    assert sheet and claims[: len(sheet)] == sheet and len(sections[0].table) == len(sheet)
    ids = {c.id for c in claims if c.family != "sheet"}
    for c in sheet:
        assert c.verdict in SHEET_VERDICTS
        assert set(filter(None, c.reference.split(";"))) <= ids
    slower = next(c for c in sheet if "below 0.1 train slower" in c.subject)
    assert slower.verdict == "supported"


def test_summarise_adds_each_grid_sweep_as_a_family_of_its_own():
    grid = [
        {"trial": t, "training.learning_rate": rate}
        for t, rate in (("lr-0.03", 0.03), ("baseline", 0.1), ("lr-0.001", 0.001))
    ]
    per_seed = _per_seed()
    searches = {"grid": trials_table(per_seed, grid)}
    table = _table(per_seed, {"grid": grid})
    sections, claims = summarise(table, per_seed, searches, EPOCHS)
    (row,) = [c for c in claims if c.family == "Sweep grid"]
    assert row.subject == "learning_rate=0.1" and row.reference == "learning_rate=0.03"
    assert row.effect == pytest.approx(np.mean(np.subtract(LOSSES["baseline"], LOSSES["lr-0.03"])))
    assert sections[-1].title == "Sweep grid" and row.id
    assert [c.id for c in claims].count(row.id) == 1
    assert "Rule:" in header(per_seed)[1] and "Replicas: 5 per trial" in header(per_seed)[0]


def test_the_sweep_figure_draws_diverged_values_as_diverged():
    per_seed = _per_seed()
    table = _table(per_seed)
    fig = sweeps_figure(table[table["sweep"].isin(["baseline", "learning_rate"])])
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"  # the finite values still get their log axis
    assert any(t.get_text() == "diverged\n5/5" for t in ax.texts)
    # Nothing finite at all: a linear axis, no "Data cannot be log-scaled".
    only = _per_seed({"baseline": [np.nan] * 5, "lr-1000": [np.nan] * 5})
    records = [
        {"sweep": "learning_rate", "key": "training.learning_rate", "label": v, "trial": t}
        for t, v in (("lr-1000", "1000"), ("baseline", "0.1"))
    ]
    links = {"baseline": "https://x", "lr-1000": "https://y"}
    fig = sweeps_figure(summary_table(records, trial_statistics(only), links, {}))
    fig.canvas.draw()
    assert fig.axes[0].get_yscale() == "linear"


def test_the_loss_curves_figure_draws_no_bands_that_hide_each_other():
    # Three values of one sweep, 3 seeds each: one colour per value, the spread over seeds
    # as one bar per value beside the last epoch, not as overlapping filled bands.
    def curves(scale):
        epochs = np.arange(11)
        return pd.concat(
            pd.DataFrame(
                {
                    "epoch": epochs,
                    "seed": seed,
                    "train_loss": scale * (1 + seed) * np.exp(-epochs / 5),
                    "test_loss": scale * (1.2 + seed) * np.exp(-epochs / 5),
                }
            )
            for seed in range(3)
        )

    fig = sweep_curves_figure({"rate": [("0.01", curves(1)), ("0.1", curves(2)), ("1", curves(3))]})
    ax = fig.axes[0]
    assert not [c for c in ax.collections if isinstance(c, PolyCollection)]  # no bands
    bars = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(bars) == 3
    # Each bar spans the lowest to the highest seed's final test loss, right of epoch 10.
    segments = [bar.get_segments()[0] for bar in bars]
    assert all(segment[0, 0] > 10 for segment in segments)
    assert sorted({round(s[0, 0], 6) for s in segments}) == sorted(s[0, 0] for s in segments)
    final = np.exp(-2.0) * np.array([1.2, 3.2])
    assert segments[0][:, 1] == pytest.approx(final)
    named = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert [line.get_label() for line in named] == ["0.01", "0.1", "1"]
    assert len({tuple(line.get_color()) for line in named}) == 3
    assert "lowest to highest final test loss of the 3 seeds" in fig._suptitle.get_text()


def test_the_blocks_maps_pool_into_the_mean_and_sd_of_all_their_replicas(tmp_path):
    rng = np.random.default_rng(0)
    outputs = rng.normal(size=(7, 3))  # 7 replicas, 3 grid points
    paths = []
    for name, rows in (("s0-5", slice(0, 5)), ("s5-10", slice(5, 7))):
        block = outputs[rows]
        table = pd.DataFrame(
            {
                "trial": "baseline",
                "x1": [0.0, 0.5, 1.0],
                "x2": 0.0,
                "output": block.mean(axis=0),
                "output_std": block.std(axis=0),
                "seeds": len(block),
            }
        )
        paths.append(tmp_path / f"{name}.csv")
        table.to_csv(paths[-1], index=False)
    pooled = read_maps(paths)
    assert list(pooled["seeds"]) == [7, 7, 7]
    np.testing.assert_allclose(pooled["output"], outputs.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(pooled["output_std"], outputs.std(axis=0), rtol=1e-9)


def test_a_trial_keeps_its_first_seeds_of_the_blocks_read(tmp_path):
    """Replica k has seed training.seed + k: the first ``seeds`` of each trial are its
    lowest, whatever its training seed."""
    paths = []
    for block, replicas in (("s0-2", (0, 1)), ("s2-4", (2, 3))):
        rows = [
            {"trial": trial, "seed": first + k, "epoch": epoch, "examples_seen": 10 * epoch,
             "train_loss": 1.0, "test_loss": 1.0}
            for trial, first in (("baseline", 0), ("seed-7", 7))
            for k in replicas
            for epoch in (0, 1)
        ]  # fmt: skip
        paths.append(tmp_path / f"{block}.csv")
        pd.DataFrame(rows).to_csv(paths[-1], index=False)
    kept = read_chunks(paths, CURVES, seeds=3)
    assert kept.groupby("trial")["seed"].unique().map(list).to_dict() == {
        "baseline": [0, 1, 2],
        "seed-7": [7, 8, 9],
    }
    assert len(read_chunks(paths, CURVES)) == 16  # all the blocks hold
