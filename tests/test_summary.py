import html

import numpy as np
import pandas as pd
import pytest

from aeflow.autoencoder.observations import observations
from aeflow.autoencoder.summary import (
    LEVEL_MARGIN,
    batch_noise,
    compare_optimizers,
    per_seed_table,
    shown_table,
    summary_table,
)
from aeflow.core.report import to_html, to_markdown

SEEDS = [0, 1, 2]


def _rows(model, role, test_mse, train_mse, **extra):
    """One row per seed; list-valued arguments give each seed its own value."""

    def pick(value, k):
        return value[k] if isinstance(value, list) else value

    rows = []
    for k, seed in enumerate(SEEDS):
        test, train = pick(test_mse, k), pick(train_mse, k)
        rows.append(
            {
                "model": model,
                "role": role,
                "label": extra.get("label", model),
                "seed": seed,
                "train_mse": train,
                "test_mse": test,
                "generalisation_gap": test - train,
                "final_train_loss": train,
                **{key: pick(value, k) for key, value in extra.items() if key != "label"},
            }
        )
    return rows


def _variants():
    return [
        *_rows("ae1", "variant", [0.30, 0.32, 0.31], [0.10, 0.11, 0.12]),
        *_rows("ae2", "variant", [0.20, 0.21, 0.19], [0.05, 0.06, 0.05]),
        *_rows(
            "pca",
            "variant",
            [0.40, 0.41, 0.40],
            [0.102, 0.101, 0.103],
            pca_optimum_mse=0.1,
            pca_ratio=[1.02, 1.01, 1.03],
            pca_angle_deg=[3.0, 2.0, 4.0],
        ),
    ]


def _optimizer_runs():
    return [
        *_rows(
            "ae2-sgd",
            "optimizer run",
            0.2,
            0.1,
            label="SGD",
            loss_roughness=[0.5, 0.6, 0.4],
            matched_examples=96000,
            full_train_loss=[0.10, 0.11, 0.12],
            full_test_loss=[0.20, 0.21, 0.22],
            examples_to_level=[3000, 3100, 2900],
            full_loss_roughness=[0.001, 0.0012, 0.0011],
            batch_scatter=[0.05, 0.06, 0.04],
            epoch_change=0.001,
            noise_ratio=[50.0, 60.0, 40.0],
        ),
        *_rows(
            "ae2-gd",
            "optimizer run",
            0.9,
            0.9,
            label="GD",
            loss_roughness=[0.005, 0.004, 0.006],
            matched_examples=96000,
            full_train_loss=[0.90, 0.91, 0.89],
            full_test_loss=[0.95, 0.96, 0.94],
            examples_to_level=[90000, 91000, 89000],
            full_loss_roughness=[0.004, 0.0041, 0.0042],
        ),
    ]


def _retrained(swaps):
    return [
        *_rows(
            "ae2",
            "retrained",
            [0.5, 0.6, 0.55],
            [0.2, 0.25, 0.22],
            order_swaps=[0, 0, 0],
            order_swap_fraction=swaps,
        )
    ]


def _capacity():
    return [
        *_rows("ae2-w5", "capacity", [0.30, 0.35, 0.32], [0.20, 0.22, 0.21], width=5),
        *_rows("ae2-w50", "capacity", [0.12, 0.13, 0.12], [0.03, 0.03, 0.04], width=50),
        *_rows("ae2-w400", "capacity", [0.16, 0.17, 0.18], [0.01, 0.01, 0.02], width=400),
    ]


@pytest.fixture
def rows():
    capacity = _capacity()
    for row in capacity:
        width = row["width"]
        row.update(parameters=2 * width**2 + 10 * width + 3, label=f"ae2, hidden [{width}]")
    return _variants() + _optimizer_runs() + _retrained([0.0, 0.0, 0.0]) + capacity


@pytest.fixture
def notes(rows):
    return "\n".join(observations(per_seed_table(rows)))


def test_rankings_say_in_how_many_seeds_they_hold_with_their_spread(notes):
    assert (
        "Ranking by held-out reconstruction MSE (lower is better; mean ± std over 3 seeds): "
        "ae2 < ae1 in held-out MSE in 3 of 3 seeds (0.2 ± 0.0082 vs 0.31 ± 0.0082); "
        "ae1 < pca in held-out MSE in 3 of 3 seeds" in notes
    )
    assert "Lowest: ae2." in notes


def test_pca_gap_and_retraining_observations_follow_the_numbers(notes):
    assert "pca reaches the PCA optimum within 5% in 3 of 3 seeds" in notes
    assert "MSE / optimum 1.02 ± 0.0082, range 1.01 to 1.03" in notes
    assert "3 ± 0.82, range 2 to 4 degrees" in notes
    # Relative gaps of ae2: 0.15 / 0.05, 0.15 / 0.06, 0.14 / 0.05 = 300%, 250%, 280%.
    assert "ae2 +0.147 ± 0.0047 (+277% ± 21% of its training MSE; positive in 3 of 3" in notes
    # pca's relative gap (298%, 310%, 278%) beats ae2's in 2 of 3 seeds only.
    assert (
        "Largest relative gap: pca vs ae2 in relative gap: not resolved (pca > ae2 in 2 of 3 "
        "seeds; +295% ± 8% vs +277% ± 21%" in notes
    )
    assert "the new latent is a monotone rescaling of the old in 3 of 3 replicas" in notes
    # Retrained loss 0.22 ± 0.02 against the original's 0.053 ± 0.0047, in every replica.
    assert "original < retrained in final training loss in 3 of 3 replicas" in notes


def test_optimizer_observations_compare_at_equal_examples_with_seed_agreement(notes):
    assert "after 96,000 training examples seen by each run (mean ± std over 3 seeds)" in notes
    assert '"SGD" < "GD" in training-set loss in 3 of 3 seeds (0.11 ± 0.0082 vs 0.9 ±' in notes
    assert '"SGD" < "GD" in examples needed in 3 of 3 seeds (3,000 ± 82 vs 90,000 ± 816)' in notes
    # Roughness is judged on the whole-training-set curves (SGD's is the smoother here),
    # not on the mini-batch curves, which are reported apart (GD's would look smoother).
    assert "Roughness of the loss over the whole training set" in notes
    assert '"SGD" < "GD" in roughness in 3 of 3 seeds (0.0011 ± 8.2e-05 vs 0.0041 ±' in notes
    assert 'have roughness "SGD" 0.5 ± 0.082; "GD" 0.005 ± 0.00082.' in notes
    assert "50 ± 8.2, range 40 to 60 times as much (at least 2x in 3 of 3 seeds)" in notes
    assert (
        'so the mini-batch curve of "SGD" is noisy mainly because each batch is a different '
        "sample of the training points" in notes
    )


def test_capacity_observation_is_computed_from_the_numbers(notes):
    assert "w=5 (103 parameters) training 0.21 ± 0.0082, held-out 0.323 ± 0.021" in notes
    assert "w=400 < w=5 in training MSE in 3 of 3 seeds" in notes
    assert "held-out MSE is lowest (by the mean) at w=50; against the largest width" in notes
    assert "w=50 < w=400 in held-out MSE in 3 of 3 seeds" in notes
    assert "so held-out MSE rises from w=50 to w=400 in this run" in notes


def test_observations_change_when_the_numbers_do(rows):
    for row in rows:
        if row["model"] == "pca":
            row["pca_ratio"] = 1.5
        if row["role"] == "retrained":
            row["order_swap_fraction"] = 0.3
        if row["model"] == "ae2-w400":  # now as good as w=50 in one seed
            row["test_mse"] = {0: 0.11, 1: 0.17, 2: 0.18}[row["seed"]]
    notes = "\n".join(observations(per_seed_table(rows)))
    assert "pca stays more than 5% above the PCA optimum in 3 of 3 seeds" in notes
    assert "the new latent is not a monotone rescaling of the old in 3 of 3 replicas" in notes
    assert "w=50 vs w=400 in held-out MSE: not resolved (w=50 < w=400 in 2 of 3 seeds" in notes
    assert "the run does not resolve whether held-out MSE rises beyond w=50" in notes


def test_indistinguishable_variants_are_reported_as_not_resolved(rows):
    # A second variant with ae2's settings trains to the same numbers, seed by seed.
    twin = [
        {**row, "model": "ae2_twin", "label": "ae2_twin"} for row in rows if row["model"] == "ae2"
    ]
    notes = "\n".join(observations(per_seed_table(rows + twin)))
    assert (
        "ae2 vs ae2_twin in held-out MSE: not resolved (ae2 < ae2_twin in 0 of 3 seeds, " in notes
    )
    assert "equal in 3" in notes
    assert "The run does not resolve which of ae2 and ae2_twin is lowest." in notes
    assert "Lowest: ae2." not in notes


def test_disagreeing_seeds_name_no_winner(rows):
    for row in rows:  # ae1 beats ae2 in seed 2 only
        if row["model"] == "ae1" and row["seed"] == 2:
            row["test_mse"] = 0.18
    notes = "\n".join(observations(per_seed_table(rows)))
    assert "ae2 vs ae1 in held-out MSE: not resolved (ae2 < ae1 in 2 of 3 seeds;" in notes
    assert "The run does not resolve which of ae2 and ae1 is lowest." in notes


def test_one_seed_claims_nothing_for_certain(rows):
    one = per_seed_table([row for row in rows if row["seed"] == 0])
    notes = observations(one)
    assert "1 seed, so no spread" in notes[0]
    assert "ae2 < ae1 in held-out MSE (0.2 vs 0.3) from 1 seed only; not resolved" in notes[0]
    assert "Lowest:" not in "\n".join(notes)
    # Every sentence that compares or judges says that one seed does not resolve it.
    for note in notes:
        if " < " in note or " > " in note or " in 1 of " in note:
            assert "not resolved" in note, note
    assert not any(" of 1 seed" in note for note in notes)


def test_summary_table_gives_mean_std_and_range_of_every_number(rows):
    table = summary_table(rows)
    ae2 = table[(table["model"] == "ae2") & (table["role"] == "variant")].iloc[0]
    assert ae2["seeds"] == 3
    assert ae2["test_mse"] == pytest.approx(0.2)
    assert ae2["test_mse_std"] == pytest.approx(np.std([0.20, 0.21, 0.19]))
    assert (ae2["test_mse_min"], ae2["test_mse_max"]) == (0.19, 0.21)
    sgd = table[table["model"] == "ae2-sgd"].iloc[0]
    assert sgd["noise_ratio_min"] == 40.0 and sgd["examples_to_level_max"] == 3100
    assert table.set_index("model")["width"].dropna().to_dict() == {
        "ae2-w5": 5,
        "ae2-w50": 50,
        "ae2-w400": 400,
    }
    per_seed = per_seed_table(rows)
    assert len(per_seed) == len(rows) and per_seed["seed"].tolist()[:3] == SEEDS


def test_markdown_and_html_show_every_measured_column(rows):
    table = summary_table(rows)
    notes = observations(per_seed_table(rows))
    shown = shown_table(table)
    assert not any(c.endswith(("_min", "_max")) for c in shown)
    markdown, page = to_markdown(shown, notes), to_html(shown, notes)
    assert "| model | role | label |" in markdown and "order_swaps" in markdown
    assert "pca_ratio" in page and "<li>" in page and "test_mse_std" in markdown
    assert "<NA>" not in markdown and "<NA>" not in page
    # Every measured number of the table reaches both pages (the markdown row of pca).
    pca = table[table["model"] == "pca"].iloc[0]
    row = next(line for line in markdown.splitlines() if line.startswith("| pca |"))
    assert f"{pca['test_mse']:.4g}" in row and f"{pca['pca_ratio']:.4g}" in row
    assert all(note in page for note in map(html.escape, notes))


def _curve(per_epoch, epochs, rate, seed=0):
    seen = np.arange(epochs + 1) * per_epoch
    loss = np.exp(-rate * seen)
    return pd.DataFrame(
        {
            "epoch": np.arange(epochs + 1),
            "examples_seen": seen,
            "train_loss": loss,
            "test_loss": 2 * loss,
            "seed": seed,
        }
    )


def test_optimizers_are_compared_on_one_grid_of_examples_seen():
    # SGD: 96 examples per epoch, 100 epochs; GD: 100 per epoch, 100 epochs, slower decay.
    result = compare_optimizers({"sgd": _curve(96, 100, 1e-3), "gd": _curve(100, 100, 1e-4)})
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


def test_batch_noise_sets_the_scatter_within_an_epoch_against_the_models_change():
    # 4 epochs of 3 batches; the whole-set loss falls 1.0, 0.9, 0.8, 0.7, 0.6.
    losses = pd.DataFrame(
        {
            "epoch": np.repeat(np.arange(4), 3),
            "loss": [1, 1, 1, 1, 1, 1, 0.5, 0.8, 1.1, 0.4, 0.7, 1.0],
        }
    )
    curves = pd.DataFrame({"epoch": np.arange(5), "train_loss": [1.0, 0.9, 0.8, 0.7, 0.6]})
    noise = batch_noise(losses, curves)  # second half: epochs 2 and 3
    assert noise["batch_scatter"] == pytest.approx(np.std([0.5, 0.8, 1.1]))
    assert noise["epoch_change"] == pytest.approx(0.1)
    assert noise["noise_ratio"] == pytest.approx(np.std([0.5, 0.8, 1.1]) / 0.1)
    # One batch per epoch (full-batch GD): no scatter to explain.
    single = pd.DataFrame({"epoch": np.arange(4), "loss": [1.0, 0.9, 0.8, 0.7]})
    assert np.isnan(batch_noise(single, curves)["noise_ratio"])
