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
            _row("ae2-sgd", "optimizer run", 0.2, loss_roughness=0.5, label="SGD"),
            _row("ae2-gd", "optimizer run", 0.9, train_mse=0.9, loss_roughness=0.005, label="GD"),
            _row("ae2", "retrained", 0.5, train_mse=0.2, order_swaps=0, order_swap_fraction=0.0),
        ]
    )


def test_observations_follow_the_numbers(table):
    notes = "\n".join(observations(table))
    assert "ae2 (0.2) < ae1 (0.3) < pca (0.4)" in notes
    assert "reaches the PCA optimum within 2.00%" in notes and "3.0 degrees" in notes
    assert "a monotone rescaling of the old" in notes and "not a monotone" not in notes
    assert '"GD" loss curve is 100 times smoother than the "SGD" one' in notes
    assert "Lowest: SGD." in notes


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
