import html

import pytest

from aeflow.autoencoder.summary import observations, summary_table
from aeflow.core.report import to_html, to_markdown


def _row(model, role, test_mse, train_mse=0.1, **extra):
    return {
        "model": model,
        "role": role,
        "label": extra.pop("label", model),
        "train_mse": train_mse,
        "test_mse": test_mse,
        "generalisation_gap": test_mse - train_mse,
        "final_train_loss": train_mse,
        **extra,
    }


@pytest.fixture
def table():
    return summary_table(
        [
            _row("ae1", "variant", 0.3),
            _row("ae2", "variant", 0.2, train_mse=0.05),
            _row(
                "pca",
                "variant",
                0.4,
                train_mse=0.102,
                pca_optimum_mse=0.1,
                pca_ratio=1.02,
                pca_angle_deg=3.0,
            ),
            _row(
                "ae2-sgd",
                "optimizer run",
                0.2,
                loss_roughness=0.5,
                label="SGD",
                matched_examples=96000,
                full_train_loss=0.1,
                full_test_loss=0.2,
                examples_to_level=3000,
                full_loss_roughness=0.01,
            ),
            _row(
                "ae2-gd",
                "optimizer run",
                0.9,
                train_mse=0.9,
                loss_roughness=0.005,
                label="GD",
                matched_examples=96000,
                full_train_loss=0.9,
                full_test_loss=0.95,
                examples_to_level=90000,
                full_loss_roughness=0.004,
            ),
            _row("ae2", "retrained", 0.5, train_mse=0.2, order_swaps=0, order_swap_fraction=0.0),
        ]
    )


def test_observations_follow_the_numbers(table):
    notes = "\n".join(observations(table))
    assert "ae2 (0.2) < ae1 (0.3) < pca (0.4)" in notes
    assert "reaches the PCA optimum within 2.00%" in notes and "3.0 degrees" in notes
    assert "a monotone rescaling of the old" in notes and "not a monotone" not in notes
    # Part (h) on the full training set at equal examples seen, not on mini-batch losses.
    assert "after 96,000 training examples seen by each run" in notes
    assert "SGD: 0.1 (held-out 0.2); GD: 0.9 (held-out 0.95). Lowest: SGD." in notes
    assert "SGD: 3,000; GD: 90,000. Fastest: SGD." in notes
    assert 'mini-batch loss of "SGD" has roughness 0.5, 50 times the roughness' in notes
    assert "each batch is a different sample" in notes


def test_observations_change_when_the_numbers_do(table):
    table.loc[table["model"] == "pca", "pca_ratio"] = 1.5
    table.loc[table["role"] == "retrained", ["order_swaps", "order_swap_fraction"]] = [40, 0.3]
    notes = "\n".join(observations(table))
    assert "stays 50.0% above the PCA optimum" in notes
    assert "not a monotone rescaling" in notes


def test_markdown_and_html_show_every_measured_column(table):
    notes = observations(table)
    markdown, page = to_markdown(table, notes), to_html(table, notes)
    assert "| model | role | label |" in markdown and "order_swaps" in markdown
    assert "pca_ratio" in page and "<li>" in page
    # Every measured number of the table reaches both pages (the markdown row of pca).
    pca = table[table["model"] == "pca"].iloc[0]
    row = next(line for line in markdown.splitlines() if line.startswith("| pca |"))
    assert f"{pca['test_mse']:.4g}" in row and f"{pca['pca_ratio']:.4g}" in row
    assert all(note in page for note in map(html.escape, notes))


def test_optimizers_are_compared_on_one_grid_of_examples_seen():
    import numpy as np
    import pandas as pd

    from aeflow.autoencoder.summary import LEVEL_MARGIN, compare_optimizers

    def curve(per_epoch, epochs, rate):
        seen = np.arange(epochs + 1) * per_epoch
        loss = np.exp(-rate * seen)
        return pd.DataFrame(
            {
                "epoch": np.arange(epochs + 1),
                "examples_seen": seen,
                "train_loss": loss,
                "test_loss": 2 * loss,
                "seed": 0,
            }
        )

    # SGD: 96 examples per epoch, 100 epochs; GD: 100 per epoch, 100 epochs, slower decay.
    result = compare_optimizers({"sgd": curve(96, 100, 1e-3), "gd": curve(100, 100, 1e-4)})
    sgd, gd = result[("sgd", 0)], result[("gd", 0)]
    # The grid: steps of the larger epoch (100) up to the smaller total (9,600).
    assert sgd["matched_examples"] == gd["matched_examples"] == 9600
    assert sgd["full_train_loss"] == pytest.approx(np.exp(-9.6), rel=1e-2)
    assert gd["full_train_loss"] == pytest.approx(np.exp(-0.96), rel=1e-6)
    assert gd["full_test_loss"] == pytest.approx(2 * np.exp(-0.96), rel=1e-6)
    level = LEVEL_MARGIN * np.exp(-0.96)
    assert sgd["level"] == pytest.approx(level, rel=1e-6)
    # First grid point at or below the level: SGD long before GD.
    assert sgd["examples_to_level"] == 100 * np.ceil(-np.log(level) / 1e-3 / 100)
    assert sgd["examples_to_level"] < gd["examples_to_level"] <= 9600
