"""Seeds that did not train: found from the cached tables by the summaries' rule, and kept
out of the figures' means and bands (drawn apart instead)."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection

from aeflow.autoencoder.failures import constant_mse, failed_seeds, failure_label
from aeflow.autoencoder.plots import capacity_figure, loss_curves_figure


def _curves(finals: dict[int, float], start: float = 1.0, epochs: int = 4) -> pd.DataFrame:
    rows = []
    for seed, end in finals.items():
        for epoch, loss in enumerate(np.linspace(start, end, epochs + 1)):
            rows.append(
                {
                    "epoch": epoch,
                    "examples_seen": 8 * epoch,
                    "train_loss": loss,
                    "test_loss": loss * 1.5,
                    "seed": seed,
                }
            )
    return pd.DataFrame(rows)


def test_constant_mse_is_the_training_points_mean_variance():
    samples = pd.DataFrame(
        {"x": [0.0, 2.0, 100.0], "y": [1.0, 1.0, -50.0], "split": ["train", "train", "test"]}
    )
    # var(x) = 1, var(y) = 0 over the two training points: their mean is 0.5.
    assert constant_mse(samples) == pytest.approx(0.5)


def test_failed_seeds_follow_the_rule():
    # constant 1.0, margin 0.1: a final loss above 0.9 (or not finite) did not train.
    curves = _curves({0: 0.2, 1: 0.95, 2: 0.89, 3: float("nan")})
    assert failed_seeds(curves, 1.0) == {1, 3}
    assert failed_seeds(curves, 1.0, margin=0.0) == {3}
    assert failure_label({3, 1}) == "seeds 1, 3 did not train"
    assert failure_label(set()) == ""


def test_the_capacity_figure_leaves_failed_seeds_out_of_the_mean_and_marks_them():
    curves = {5: _curves({0: 0.1, 1: 0.3, 2: 0.95}), 50: _curves({0: 0.05, 1: 0.07, 2: 0.06})}
    fig = capacity_figure(curves, {5: 40, 50: 2700}, "ae1", failed={5: {2}, 50: set()})
    final = fig.axes[0]
    train_line = next(line for line in final.get_lines() if "training set" in line.get_label())
    assert train_line.get_ydata()[0] == pytest.approx(0.2)  # mean of 0.1 and 0.3 only
    crosses = [c for c in final.collections if isinstance(c, PathCollection)]
    assert {round(float(c.get_offsets()[0, 1]), 3) for c in crosses} == {0.95, 1.425}
    assert any("did not train" in t.get_text() for t in final.get_legend().get_texts())


def test_the_loss_curves_figure_draws_a_failed_seed_apart():
    losses = _curves({0: 0.1, 1: 0.95}).rename(columns={"train_loss": "loss"})
    losses["step"] = losses["epoch"]
    fig = loss_curves_figure({"ae1": losses}, failed={"ae1": {1}})
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert "ae1: seed 1 did not train (dashed)" in labels
    mean = next(line for line in fig.axes[0].get_lines() if "epoch mean" in line.get_label())
    assert "over 1 seed;" in mean.get_label()
    assert mean.get_ydata()[-1] == pytest.approx(0.1)
