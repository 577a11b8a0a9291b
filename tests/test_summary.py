"""The autoencoder summary: the table's numbers, part (h)'s matched comparisons and the
pages; and the hand-built per-seed rows that ``test_ae_findings`` (the findings as claim
rows) and ``test_pages`` use."""

import html

import numpy as np
import pandas as pd
import pytest

from aeflow.autoencoder.findings import header, observations
from aeflow.autoencoder.optimizer_runs import (
    LEVELS,
    batch_noise,
    compare_optimizers,
    updates_per_epoch,
)
from aeflow.autoencoder.summary import (
    full_table,
    per_seed_table,
    shown_table,
    summary_table,
)
from aeflow.core.report import COMPACT_COLUMNS, NUMBERS, to_html, to_markdown

SEEDS = [0, 1, 2]
HELD_OUT = "Part (b): held-out reconstruction error of the variants"
TEST = {"ae1": [0.30, 0.32, 0.31], "ae2": [0.20, 0.21, 0.19], "pca": [0.40, 0.41, 0.40]}
TRAIN = {"ae1": [0.10, 0.11, 0.12], "ae2": [0.05, 0.06, 0.05], "pca": [0.102, 0.101, 0.103]}
PCA = {"pca_optimum_mse": 0.1, "pca_ratio": [1.02, 1.01, 1.03], "pca_angle_deg": [3.0, 2.0, 4.0]}
OPTIMIZERS = {  # model: label, lr, batch, updates per epoch
    "ae2-sgd": ("SGD", 0.001, 8, 12),
    "ae2-gd": ("GD", 0.001, 100, 1),
    "ae2-gd_scaled": ("GD x12.5", 0.0125, 100, 1),
}
MEASURED = {  # model: loss at 96,000 examples, at 1,000 updates, examples to 2x, to 1.1x, rises
    "ae2-sgd": ([0.1, 0.11, 0.12], [0.8, 0.85, 0.83], [2e3, 2.1e3, 1.9e3], [3e3, 3.1e3, 2.9e3]),
    "ae2-gd": ([0.9, 0.91, 0.89], [0.81, 0.84, 0.83], [6e4, 6.1e4, 5.9e4], [9e4, 9.1e4, 8.9e4]),
    "ae2-gd_scaled": ([0.101, 0.109, 0.121], [0.099, 0.108, 0.118], [2.1e3, 2e3, 2e3], [3e3] * 3),
}
RISES = {"ae2-sgd": [3, 0, 1], "ae2-gd": [0, 0, 0], "ae2-gd_scaled": [0, 0, 0]}
CAPACITY = {"n_train": 100, "optimizer": "adam", "learning_rate": 0.003, "batch_size": 100}
CAPACITY |= {"epochs": 4000, "schedule": "cosine", "record_every": 10, "stop_window": 500}
CAPACITY |= {"stop_tolerance": 0.01, "constant_mse": 0.85, "pca_fit_test_mse": 0.14}
WIDTHS = {  # width: test, train, validation, test at the epoch chosen on validation
    5: ([0.30, 0.35, 0.32], [0.20, 0.22, 0.21], [0.31, 0.36, 0.33], [0.29, 0.33, 0.31]),
    50: ([0.12, 0.13, 0.12], [0.03, 0.03, 0.04], [0.12, 0.12, 0.13], [0.11, 0.12, 0.11]),
    400: ([0.16, 0.165, 0.17], [5e-5, 4e-5, 6e-5], [0.17, 0.18, 0.18], [0.12, 0.126, 0.13]),
}


def _rows(model, role, test_mse, train_mse, label=None, **extra):
    """One row per seed; list-valued arguments give each seed its own value."""
    values = dict(test_mse=test_mse, train_mse=train_mse, **extra)
    rows = [{k: v[i] if isinstance(v, list) else v for k, v in values.items()} for i in SEEDS]
    for seed, row in zip(SEEDS, rows, strict=True):
        gap, train = row["test_mse"] - row["train_mse"], row["train_mse"]
        row.update(model=model, role=role, label=label or model, seed=seed)
        row.update(generalisation_gap=gap, final_train_loss=train)
    return rows


def _variants():
    return [
        row
        for m in TEST
        for row in _rows(m, "variant", TEST[m], TRAIN[m], **(PCA if m == "pca" else {}))
    ]


def _optimizer_runs():
    """The sheet's two runs and a full-batch run at SGD's rate per example seen."""
    rows = []
    for model, (label, rate, batch, per_epoch) in OPTIMIZERS.items():
        full, updates, to_2x, to_11x = MEASURED[model]
        times = {"examples_to_2x": to_2x, "examples_to_1.1x": to_11x}
        times |= {
            "updates_to_2x": [v / 8 for v in to_2x],
            "updates_to_1.1x": [v / 8 for v in to_11x],
        }
        rows += _rows(
            model, "optimizer run", 0.2, 0.1, label, learning_rate=rate, batch_size=batch,
            epochs=1000, matched_examples=96000, full_train_loss=full, updates_train_loss=updates,
            full_test_loss=[2 * v for v in full], updates_per_epoch=per_epoch,
            matched_updates=1000, full_loss_rises=RISES[model], **times,
        )  # fmt: skip
    return rows


def _retrained(swaps):
    return _rows("ae2", "retrained", [0.5, 0.6, 0.55], [0.2, 0.25, 0.22], order_swap_fraction=swaps)


def _capacity(n_train=100, validation=True):
    """Part (e) on n_train points: w=400 memorises (training MSE below 0.1% of the constant
    reconstruction's 0.85), w=5 and w=50 do not; w=50 is best on validation and held out."""
    rows = []
    for width, (test, train, valid, early) in WIDTHS.items():
        extra = {"validation_mse": valid, "test_at_best_validation": early} if validation else {}
        rows += _rows(
            f"ae2-w{width}-n{n_train}", "capacity", test, train, f"ae2, hidden [{width}]",
            **{**CAPACITY, "n_train": n_train}, width=width, stop_epoch=4000,
            parameters=2 * width**2 + 10 * width + 3, **extra,
        )  # fmt: skip
    return rows


@pytest.fixture
def rows():
    return _variants() + _optimizer_runs() + _retrained([0.0, 0.0, 0.0]) + _capacity()


def test_summary_table_gives_mean_std_and_range_of_every_number(rows):
    table = summary_table(rows)
    ae2 = table[(table["model"] == "ae2") & (table["role"] == "variant")].iloc[0]
    assert ae2["seeds"] == 3
    assert ae2["test_mse"] == pytest.approx(0.2)
    assert ae2["test_mse_std"] == pytest.approx(np.std(TEST["ae2"], ddof=1))  # sample SD
    assert (ae2["test_mse_min"], ae2["test_mse_max"]) == (0.19, 0.21)
    sgd = table[table["model"] == "ae2-sgd"].iloc[0]
    assert sgd["examples_to_2x_max"] == 2100 and sgd["examples_to_1.1x_min"] == 2900
    widths = table.set_index("model")["width"].dropna().to_dict()
    assert widths == {f"ae2-w{w}-n100": w for w in WIDTHS}
    per_seed = per_seed_table(rows)
    assert len(per_seed) == len(rows) and per_seed["seed"].tolist()[:3] == SEEDS


def test_pages_show_the_claims_a_compact_table_and_the_full_one_collapsed(rows, tmp_path):
    table, per_seed = summary_table(rows), per_seed_table(rows)
    sections, _ = observations(per_seed)
    shown, top = shown_table(table), header(per_seed)
    assert len(shown.columns) <= COMPACT_COLUMNS
    figure = tmp_path / "loss_curves.png"
    figure.write_bytes(b"\x89PNG not really")
    markdown = to_markdown(shown, sections, header=top)
    figures = {"loss_curves": str(figure)}
    page = to_html(shown, sections, header=top, full=full_table(table), figures=figures)
    headings = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert headings[0] == "## The sheet's claims and this run's verdicts"
    assert f"## {HELD_OUT}" in headings and headings[-1] == f"## {NUMBERS}"
    assert "Bonferroni" in markdown and "<NA>" not in markdown and "<NA>" not in page
    pca = shown[shown["model"] == "pca"].iloc[0]
    row = next(line for line in markdown.splitlines() if line.startswith("| pca | variant"))
    assert pca["held-out MSE"] in row
    assert "<details>" in page and "order_swap_fraction_std" in page
    assert "data:image/png;base64," in page
    assert all(html.escape(b) in page for s in sections for b in s.bullets())


def test_header_says_what_the_replicas_vary(rows):
    per_seed = per_seed_table(rows)
    one, own = header(per_seed)[0], header(per_seed, samples=3)[0]
    assert header(per_seed, samples=1) == header(per_seed)
    assert "Replicas: 3 per run" in one
    assert "data sample is one draw" in one and "data seed" not in one
    assert "the data sample (data seed + k)" in own and "one draw" not in own
    assert "initial weights" in own and "batch order" in own
    assert "Bonferroni" in header(per_seed)[1]


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
    result = compare_optimizers(
        {"sgd": _curve(96, 100, 1e-3), "gd": _curve(100, 100, 1e-4)}, {"sgd": 12, "gd": 1}
    )
    sgd, gd = result[("sgd", 0)], result[("gd", 0)]
    # The grid: steps of the larger epoch (100) up to the smaller total (9,600).
    assert sgd["matched_examples"] == gd["matched_examples"] == 9600
    assert sgd["full_train_loss"] == pytest.approx(np.exp(-9.6), rel=1e-9)
    assert gd["full_train_loss"] == pytest.approx(np.exp(-0.96), rel=1e-6)
    assert gd["full_test_loss"] == pytest.approx(2 * np.exp(-0.96), rel=1e-6)
    # The levels are multiples of the best run's mean loss at 9,600 examples (SGD's).
    assert sgd["best_final_loss"] == gd["best_final_loss"] == pytest.approx(np.exp(-9.6))
    for name, factor in LEVELS.items():
        # The first of SGD's own epochs at or below the level (its loss: exp(-0.096 epoch)).
        epoch = np.ceil((9.6 - np.log(factor)) / 0.096)
        assert sgd[f"examples_to_{name}"] == 96 * epoch
        assert sgd[f"updates_to_{name}"] == 12 * epoch
        # GD does not get there within the matched examples: not reached.
        assert np.isnan(gd[f"examples_to_{name}"]) and np.isnan(gd[f"updates_to_{name}"])
    assert sgd["examples_to_2x"] < sgd["examples_to_1.1x"] <= 9600
    # Equal updates: GD's 100 updates, SGD's 100 updates after 8.33 of its epochs.
    assert sgd["updates_per_epoch"] == 12 and gd["updates_per_epoch"] == 1
    assert sgd["matched_updates"] == gd["matched_updates"] == 100
    assert gd["updates_train_loss"] == pytest.approx(np.exp(-1e-4 * 100 * 100), rel=1e-9)
    sgd_at = np.interp(100 / 12, np.arange(101), np.exp(-1e-3 * 96 * np.arange(101)))
    assert sgd["updates_train_loss"] == pytest.approx(sgd_at, rel=1e-9)
    # A curve that only falls never rose.
    assert sgd["full_loss_rises"] == gd["full_loss_rises"] == 0


def test_a_level_reached_only_after_the_matched_examples_is_not_reached():
    # GD runs 200 epochs (20,000 examples), SGD 100 (9,600). GD's slow seed gets to 2x the
    # best mean (SGD's, exp(-9.6)) only after 9,600 examples: not counted as reached.
    gd = pd.concat([_curve(100, 200, 1e-3, seed=0), _curve(100, 200, 6e-4, seed=1)])
    result = compare_optimizers({"sgd": _curve(96, 100, 1e-3), "gd": gd}, {"sgd": 12, "gd": 1})
    level = 2 * result[("gd", 1)]["best_final_loss"]
    assert level == pytest.approx(2 * np.exp(-9.6))
    assert np.exp(-6e-4 * 9600) > level > np.exp(-6e-4 * 20000)
    assert np.isnan(result[("gd", 1)]["examples_to_2x"])
    assert np.isnan(result[("gd", 1)]["updates_to_2x"])
    assert result[("gd", 0)]["examples_to_2x"] == 100 * np.ceil((9.6 - np.log(2)) / 0.1)


def test_updates_per_epoch_counts_the_recorded_mini_batches():
    losses = pd.DataFrame(
        {"epoch": [0, 0, 0, 1, 1, 1, 0, 0, 0], "seed": [0] * 6 + [1] * 3, "loss": 0.5}
    )
    assert updates_per_epoch(losses) == 3


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
