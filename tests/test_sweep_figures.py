"""The grid and random-search figures draw the numbers of the trials table: a 2-key grid
as a heat map of the mean over seeds, cells in config order; a search as the mean and the
seed range of every trial against each varied setting."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.font_manager import FontProperties

from aeflow.core.sweep_figures import search_figure, sweep_axis, sweep_figure

RATES = [0.3, 0.01, 0.1]  # config order, not sorted
NOISES = [0.0, 0.25]


def _grid_trials() -> pd.DataFrame:
    rows = []
    for point, (rate, noise) in enumerate((r, n) for r in RATES for n in NOISES):
        for seed in (0, 1):
            loss = rate * (1 + noise) * (1 + 0.5 * seed)  # seed 1: 1.5x seed 0
            rows.append({"point": point, "seed": seed, "training.learning_rate": rate,
                         "data.noise": noise, "test_loss": loss})  # fmt: skip
    return pd.DataFrame(rows)


def test_a_two_key_grid_is_a_heat_map_of_the_seed_mean_in_config_order():
    fig = search_figure(_grid_trials(), "grid", "test_loss")
    ax = fig.axes[0]
    (image,) = ax.get_images()
    expected = np.array([[r * (1 + n) * 1.25 for n in NOISES] for r in RATES])
    np.testing.assert_allclose(image.get_array(), np.log10(expected), rtol=1e-12)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0.3", "0.01", "0.1"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.0", "0.25"]
    assert ax.get_ylabel() == "training.learning_rate" and ax.get_xlabel() == "data.noise"
    cells = sorted(float(t.get_text()) for t in ax.texts)
    assert cells == pytest.approx(sorted(float(f"{v:.3g}") for v in expected.ravel()))
    assert "over 2 seeds" in fig._suptitle.get_text()
    plt.close(fig)


def test_a_random_search_draws_each_trial_mean_and_seed_range_against_each_setting():
    trials = _grid_trials()
    fig = search_figure(trials, "random", "test_loss")
    assert len(fig.axes) == 2  # one panel per varied setting
    ax = fig.axes[0]
    points, _, _ = ax.containers[0].lines  # the markers of the errorbar
    x, y = (np.asarray(values, dtype=float) for values in points.get_data())
    means = trials.groupby("point")["test_loss"].mean().to_numpy()
    np.testing.assert_allclose(y, means)
    np.testing.assert_allclose(x, [r for r in RATES for _ in NOISES])
    assert ax.get_yscale() == "log" and ax.get_xscale() == "log"  # 0.01 to 0.3: 30x
    (bars,) = ax.containers[0].lines[2]
    spans = [segment[:, 1] for segment in bars.get_segments()]
    low = trials.groupby("point")["test_loss"].min().to_numpy()
    high = trials.groupby("point")["test_loss"].max().to_numpy()
    np.testing.assert_allclose([s.min() for s in spans], low)
    np.testing.assert_allclose([s.max() for s in spans], high)
    assert "6 trials" in fig._suptitle.get_text()
    plt.close(fig)


def test_a_sweeps_figure_is_the_search_figure_titled_with_the_sweep():
    """Both parts' sweep figures (plot_sweep, plot_playground_search) are this one."""
    fig = sweep_figure(_grid_trials(), "rate_by_noise", "grid", "test_loss")
    plain = search_figure(_grid_trials(), "grid", "test_loss")
    assert fig.get_suptitle() == f"Sweep rate_by_noise: {plain.get_suptitle()}"
    assert fig._suptitle.get_fontsize() == FontProperties(size="medium").get_size_in_points()
    plt.close(fig)
    plt.close(plain)


def test_swept_values_lie_on_a_log_axis_when_positive_and_spread_and_else_in_order():
    positions, numeric, log_axis = sweep_axis(["0.001", "0.01", "0.1"])  # as a CSV has them
    np.testing.assert_allclose(positions, [0.001, 0.01, 0.1])
    assert numeric and log_axis
    assert sweep_axis([1, 2, 4])[1:] == (True, False)  # a span under 20x
    positions, numeric, log_axis = sweep_axis(["relu", "tanh"])
    np.testing.assert_allclose(positions, [0, 1])
    assert not numeric and not log_axis
