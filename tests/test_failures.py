"""Seeds still stuck near the constant reconstruction: found from the cached tables, kept
in the figures' means and bands (as in the summaries) and drawn apart too."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection

from aeflow.autoencoder.failures import constant_mse, failed_seeds, failure_label
from aeflow.autoencoder.plots import loss_curves_figure
from aeflow.autoencoder.plots_training import capacity_figure, optimizer_comparison_figure


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
    assert failure_label({3, 1}) == "seeds 1, 3 still near the constant's loss"
    assert failure_label(set()) == ""


def test_the_capacity_figure_keeps_stuck_seeds_in_the_mean_and_marks_them():
    curves = {
        (100, 5): _curves({0: 0.1, 1: 0.3, 2: 0.95}),
        (100, 50): _curves({0: 0.05, 1: 0.07, 2: 0.06}),
    }
    failed = {(100, 5): {2}, (100, 50): set()}
    fig = capacity_figure(curves, {5: 40, 50: 2700}, "ae1", failed=failed, cap=4)
    final, history = fig.axes[0], fig.axes[1]
    train_line = next(line for line in final.get_lines() if "training set" in line.get_label())
    assert train_line.get_ydata()[0] == pytest.approx(0.45)  # every seed: 0.1, 0.3, 0.95
    crosses = [c for c in final.collections if isinstance(c, PathCollection)]
    assert {round(float(c.get_offsets()[0, 1]), 3) for c in crosses} == {0.95, 1.425}
    assert any("constant" in t.get_text() for t in final.get_legend().get_texts())
    # The training curves: the stuck seed drawn apart (dotted), and in w=5's mean.
    labels = [line.get_label() for line in history.get_lines()]
    assert "w=5: seed 2 still near the constant's loss (dotted)" in labels
    mean = next(line for line in history.get_lines() if line.get_label() == "w=5")
    assert mean.get_ydata()[-1] == pytest.approx(0.45)


def test_the_loss_curves_figure_draws_a_stuck_seed_apart():
    losses = _curves({0: 0.1, 1: 0.95}).rename(columns={"train_loss": "loss"})
    losses["step"] = losses["epoch"]
    fig = loss_curves_figure({"ae1": losses}, failed={"ae1": {1}})
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert "ae1: seed 1 still near the constant's loss (dashed)" in labels
    mean = next(line for line in fig.axes[0].get_lines() if "epoch mean" in line.get_label())
    assert "over 2 seeds;" in mean.get_label()
    assert mean.get_ydata()[-1] == pytest.approx((0.1 + 0.95) / 2)


def _batch_losses(seeds: list[int], per_epoch: int, epochs: int = 4) -> pd.DataFrame:
    steps = np.arange(epochs * per_epoch)
    return pd.concat(
        pd.DataFrame(
            {
                "step": steps,
                "epoch": steps // per_epoch,
                "examples_seen": 8 * (steps + 1),
                "loss": 1.0 - 0.01 * steps,
                "seed": seed,
            }
        )
        for seed in seeds
    )


def test_the_optimizer_figure_shows_both_axes_and_says_what_the_band_is():
    curves = {"SGD": _curves({0: 0.1, 1: 0.3}), "GD": _curves({0: 0.2, 1: 0.95})}
    losses = {"SGD": _batch_losses([0, 1], 3), "GD": _batch_losses([0, 1], 1)}
    fig = optimizer_comparison_figure(curves, losses, failed={"GD": {1}})
    by_examples, by_updates, held_out, batch = fig.axes
    assert "examples seen" in by_examples.get_xlabel()
    assert by_updates.get_xscale() == "log" and "updates taken" in by_updates.get_xlabel()
    assert "held-out" in held_out.get_ylabel()
    # Updates: SGD takes 3 per epoch, GD 1 (from the first epoch on: a log axis).
    sgd, gd = (line for line in by_updates.get_lines() if line.get_linestyle() != ":")
    assert list(sgd.get_xdata()) == [3, 6, 9, 12] and list(gd.get_xdata()) == [1, 2, 3, 4]
    # The legend names the band; GD's stuck seed stays in its mean and is drawn dotted.
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "band: lowest to highest seed" in texts
    assert "GD (mean of 2 seeds; seed 1 still near the constant's loss: dotted)" in texts
    assert gd.get_ydata()[-1] == pytest.approx((0.2 + 0.95) / 2)  # every seed
    # The full-batch line of the mini-batch panel is drawn bold, above the noisy one.
    noisy, full = batch.get_lines()
    assert full.get_linewidth() > noisy.get_linewidth() and full.get_zorder() > noisy.get_zorder()
