"""Playground summary: every sweep value against the baseline, diverged values counted and
kept out of the ranking, and the sweep figure drawing them as diverged (issue 26, item 6)."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PolyCollection

from aeflow.core.report import Section
from aeflow.playground.plots import sweep_curves_figure, sweeps_figure
from aeflow.playground.summary import observations, summary_table, trial_statistics

# Test loss per seed (5 seeds) of a default run's learning-rate sweep: 0.1 is the baseline.
LOSSES = {
    "baseline": [0.023379, 0.026821, 0.007702, 0.009000, 0.078627],
    "lr-0.001": [0.423351, 0.445851, 0.321003, 0.457111, 0.454507],
    "lr-0.03": [0.043824, 0.020342, 0.010260, 0.046970, 0.045069],
    "lr-1000": [np.nan] * 5,  # diverged in every seed (dataset plane, learning rate 1000)
}
VALUES = {"baseline": "0.1", "lr-0.001": "0.001", "lr-0.03": "0.03", "lr-1000": "1000"}


def _per_seed(losses=LOSSES):
    rows = []
    for trial, values in losses.items():
        for seed, loss in enumerate(values):
            rows.append(
                {
                    "trial": trial,
                    "seed": seed,
                    "parameters": 145,
                    "epochs": 500,
                    "diverged": bool(np.isnan(loss)),
                    "train_loss": loss / 2,
                    "test_loss": loss,
                    "gap": loss / 2,
                    "train_accuracy": np.nan,
                    "test_accuracy": np.nan,
                    "near_zero_weights": 0.0,
                    "dead_weights": 0.0,
                    "mean_abs_weight": 0.5,
                }
            )
    return pd.DataFrame(rows)


def _table(per_seed):
    records = [
        {"sweep": "learning_rate", "key": "training.learning_rate", "label": VALUES[t], "run": t}
        for t in ("lr-0.001", "lr-0.03", "baseline", "lr-1000")
    ]
    links = {t: f"https://playground.tensorflow.org/#{t}" for t in LOSSES}
    return summary_table(records, trial_statistics(per_seed), links, {})


def test_every_value_is_set_against_the_baseline_and_diverged_ones_are_not_ranked():
    per_seed = _per_seed()
    found = observations(_table(per_seed), per_seed, _baseline())
    section = next(f for f in found if isinstance(f, Section))
    text = "\n".join(section.notes)
    assert section.title == "Sweep learning_rate (training.learning_rate)"
    # The clear contrast is stated, with its interval (Holm over the 2 tested values).
    assert "0.1 (baseline) < 0.001 in test loss by 0.39 (adjusted 95% CI" in text
    assert "not resolved: 0.1 (baseline) vs 0.03 in test loss differ by 0.0042" in text
    # The diverged value: counted, not compared, not ranked, and no 'nan ± nan'.
    assert "1000 diverged in 5 of 5 seeds: not compared in test loss." in text
    assert "Not ranked (diverged): 1000 in 5 of 5 seeds." in text
    assert "Lowest mean test loss: 0.1 (baseline)" in text
    assert "nan" not in text.lower()
    table = section.table.set_index("value")
    assert table.loc["1000", "diverged"] == 5 and table.loc["1000", "test loss"] == "diverged"


def test_a_value_diverged_in_some_seeds_only_is_not_ranked_either():
    losses = {**LOSSES, "lr-1000": [0.001, np.nan, 0.001, 0.001, 0.001]}  # best where finite
    per_seed = _per_seed(losses)
    section = next(
        f for f in observations(_table(per_seed), per_seed, _baseline()) if isinstance(f, Section)
    )
    text = "\n".join(section.notes)
    assert "Lowest mean test loss: 0.1 (baseline)" in text
    assert "1000 diverged in 1 of 5 seeds: not compared" in text


def test_the_sweep_figure_draws_diverged_values_as_diverged():
    per_seed = _per_seed()
    fig = sweeps_figure(_table(per_seed))
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"  # the finite values still get their log axis
    assert any(t.get_text() == "diverged\n5/5" for t in ax.texts)
    # Nothing finite at all: a linear axis, no "Data cannot be log-scaled".
    only = _per_seed({"baseline": [np.nan] * 5, "lr-1000": [np.nan] * 5})
    records = [
        {
            "sweep": "learning_rate",
            "key": "training.learning_rate",
            "label": "1000",
            "run": "lr-1000",
        },
        {
            "sweep": "learning_rate",
            "key": "training.learning_rate",
            "label": "0.1",
            "run": "baseline",
        },
    ]
    links = {"baseline": "https://x", "lr-1000": "https://y"}
    fig = sweeps_figure(summary_table(records, trial_statistics(only), links, {}))
    fig.canvas.draw()
    assert fig.axes[0].get_yscale() == "linear"


def _baseline():
    return {
        "data": {"dataset": "spiral", "noise": 0.0, "train_ratio": 0.5},
        "model": {"features": ["x1", "x2"], "hidden": [8, 8], "activation": "relu"},
        "training": {
            "regularization": "none",
            "learning_rate": 0.1,
            "batch_size": 10,
            "epochs": 500,
            "seeds": 5,
        },
    }


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
