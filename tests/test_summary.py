import html

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from aeflow.autoencoder.observations import header, observations
from aeflow.autoencoder.summary import (
    LEVEL_MARGIN,
    batch_noise,
    compare_optimizers,
    full_table,
    per_seed_table,
    shown_table,
    summary_table,
    updates_per_epoch,
)
from aeflow.core.report import COMPACT_COLUMNS, to_html, to_markdown

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
    """The sheet's two runs and a full-batch run at SGD's rate per example seen."""
    return [
        *_rows(
            "ae2-sgd",
            "optimizer run",
            0.2,
            0.1,
            label="SGD",
            learning_rate=0.001,
            batch_size=8,
            epochs=1000,
            loss_roughness=[0.5, 0.6, 0.4],
            matched_examples=96000,
            full_train_loss=[0.10, 0.11, 0.12],
            full_test_loss=[0.20, 0.21, 0.22],
            examples_to_level=[3000, 3100, 2900],
            updates_per_epoch=12,
            matched_updates=1000,
            updates_train_loss=[0.80, 0.85, 0.83],
            updates_to_level=[375, 387, 362],
            full_loss_rises=[3, 0, 1],
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
            learning_rate=0.001,
            batch_size=100,
            epochs=1000,
            loss_roughness=[0.005, 0.004, 0.006],
            matched_examples=96000,
            full_train_loss=[0.90, 0.91, 0.89],
            full_test_loss=[0.95, 0.96, 0.94],
            examples_to_level=[90000, 91000, 89000],
            updates_per_epoch=1,
            matched_updates=1000,
            updates_train_loss=[0.81, 0.84, 0.83],
            updates_to_level=[900, 910, 890],
            full_loss_rises=[0, 0, 0],
        ),
        *_rows(
            "ae2-gd_scaled",
            "optimizer run",
            0.2,
            0.1,
            label="GD x12.5",
            learning_rate=0.0125,
            batch_size=100,
            epochs=1000,
            loss_roughness=[0.005, 0.004, 0.006],
            matched_examples=96000,
            full_train_loss=[0.101, 0.109, 0.121],
            full_test_loss=[0.20, 0.21, 0.22],
            examples_to_level=[3100, 3000, 3000],
            updates_per_epoch=1,
            matched_updates=1000,
            updates_train_loss=[0.099, 0.108, 0.118],
            updates_to_level=[31, 30, 30],
            full_loss_rises=[0, 0, 0],
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


CAPACITY_PROTOCOL = {
    "n_train": 100,
    "optimizer": "adam",
    "learning_rate": 0.003,
    "batch_size": 100,
    "epochs": 4000,
    "schedule": "cosine",
    "record_every": 10,
    "stop_window": 500,
    "stop_tolerance": 0.01,
    "constant_mse": 0.85,
    "pca_optimum_mse": 0.15,
    "pca_fit_test_mse": 0.14,
}


def _capacity(n_train=100):
    """Part (e) on n_train points: w=400 memorises (training MSE at most 0.1% of the
    constant reconstruction's 0.85), w=5 and w=50 do not; w=50 is best held out."""
    protocol = {**CAPACITY_PROTOCOL, "n_train": n_train}
    rows = [
        *_rows(
            f"ae2-w5-n{n_train}",
            "capacity",
            [0.30, 0.35, 0.32],
            [0.20, 0.22, 0.21],
            width=5,
            best_test_mse=[0.29, 0.33, 0.31],
            best_test_epoch=[3000, 2500, 3300],
            stop_epoch=3320,
            **protocol,
        ),
        *_rows(
            f"ae2-w50-n{n_train}",
            "capacity",
            [0.12, 0.13, 0.12],
            [0.03, 0.03, 0.04],
            width=50,
            best_test_mse=[0.11, 0.12, 0.11],
            best_test_epoch=[400, 500, 450],
            stop_epoch=4000,
            **protocol,
        ),
        *_rows(
            f"ae2-w400-n{n_train}",
            "capacity",
            [0.16, 0.17, 0.18],
            [0.0005, 0.0004, 0.0006],
            width=400,
            best_test_mse=[0.12, 0.125, 0.13],
            best_test_epoch=[300, 350, 320],
            stop_epoch=4000,
            **protocol,
        ),
    ]
    for row in rows:
        width = row["width"]
        row.update(parameters=2 * width**2 + 10 * width + 3, label=f"ae2, hidden [{width}]")
    return rows


@pytest.fixture
def rows():
    capacity = _capacity()
    for row in capacity:
        width = row["width"]
        row.update(parameters=2 * width**2 + 10 * width + 3, label=f"ae2, hidden [{width}]")
    return _variants() + _optimizer_runs() + _retrained([0.0, 0.0, 0.0]) + capacity


def _texts(sections):
    return "\n".join(note for section in sections for note in section.notes)


@pytest.fixture
def notes(rows):
    return _texts(observations(per_seed_table(rows)))


def test_every_pair_of_variants_gets_a_paired_interval_holm_adjusted(notes):
    # ae2 - ae1 held-out per seed: -0.10, -0.11, -0.07... mean -0.11; of the 3 pairs its
    # p-value is the largest, so Holm's last step leaves its t interval at 95%.
    d = np.array([0.20, 0.21, 0.19]) - np.array([0.30, 0.32, 0.31])
    half = stats.t.ppf(0.975, 2) * d.std(ddof=1) / np.sqrt(3)
    assert f"{-d.mean() - half:.2g} to {-d.mean() + half:.2g}" == "0.085 to 0.13"
    assert (
        "ae2 < ae1 in held-out MSE by 0.11 (adjusted 95% CI 0.085 to 0.13; lower in 3 of 3 "
        "seeds)." in notes
    )
    assert "ae1 < pca in held-out MSE by 0.093" in notes
    assert "Lowest held-out MSE: ae2, resolved against every other model." in notes
    # Training MSE: pca (0.102) against ae1 (0.10, 0.11, 0.12) is within the noise.
    assert "not resolved: pca vs ae1 in training MSE differ by 0.008 (adjusted 95% CI" in notes


def test_sections_carry_the_table_their_bullets_rest_on(rows):
    sections = observations(per_seed_table(rows))
    held_out = sections[0]
    assert held_out.title == "Variants: held-out reconstruction error"
    table = held_out.table.set_index("run")
    assert table.loc["ae2", "held-out MSE"] == "0.2 ± 0.0082"
    assert table.loc["ae2", "seeds"] == 3
    # One finding per bullet, short.
    for section in sections:
        for note in section.notes:
            assert len(note.split()) <= 45, note


def test_pca_gap_and_retraining_observations_follow_the_numbers(notes):
    assert "pca reaches the training set's rank-1 optimum within 5% in 3 of 3 seeds" in notes
    assert "MSE / optimum 1.02 ± 0.0082, range 1.01 to 1.03" in notes
    assert "3 ± 0.82, range 2 to 4 degrees" in notes
    # Absolute gaps, compared paired by seed; no relative-gap ranking.
    assert "ae2: gap +0.15 ± 0.0047, positive in 3 of 3 seeds." in notes
    assert "ae1 > ae2 in gap by 0.053" in notes and "relative" not in notes
    assert "the new latent is a monotone rescaling of the old in 3 of 3 replicas" in notes
    # On the MSE over the whole training set, not the last epoch's mini-batch losses.
    assert "original < retrained in training MSE by 0.17" in notes


def test_the_linear_gap_is_set_against_the_held_out_sets_own_optimum(rows):
    for row in rows:
        if row["model"] == "pca":
            row["test_pca_optimum_mse"] = 0.38
    notes = _texts(observations(per_seed_table(rows)))
    # Gap 0.298 on average; the two sets' own optima differ by 0.38 - 0.1 = 0.28.
    assert "the held-out set's own rank-1 optimum is 0.38 against 0.1 on the training set" in notes
    assert "so sampling alone explains +0.28 of it" in notes


def test_optimizer_observations_compare_at_equal_examples_with_seed_agreement(notes):
    assert '"SGD" < "GD" in training-set loss at 96,000 examples by 0.79' in notes
    assert (
        '"SGD" reaches 1.1x the worst run\'s mean loss at 96,000 examples in 3 of 3 seeds, '
        "after 2,900 to 3,100 examples (362 to 387 updates)." in notes
    )
    assert "50 ± 8.2, range 40 to 60 times the whole-set loss's change" in notes
    assert "its noise is mostly batch sampling" in notes


def test_optimizers_are_also_compared_at_equal_updates_and_per_example_rate(rows):
    sections = observations(per_seed_table(rows))
    section = next(s for s in sections if s.title.startswith("Part (h)"))
    notes = "\n".join(section.notes)
    assert section.title == (
        "Part (h): optimisers at 96,000 training examples seen and at 1,000 updates "
        "(loss over the whole training set)"
    )
    # Each run's updates per epoch, rate and rate per example seen, from its settings.
    assert (
        'rate per example seen (learning rate / batch size): "SGD" 12, 0.001, 0.000125; '
        '"GD" 1, 0.001, 1e-05; "GD x12.5" 1, 0.0125, 0.000125.' in notes
    )
    # Same rate: SGD's lead at equal examples is gone at equal updates, and it is said why.
    assert 'not resolved: "SGD" vs "GD" in training-set loss at 1,000 updates' in notes
    assert (
        'At the same learning rate (0.001), "SGD" leads "GD" at equal examples but not at '
        "equal updates: its lead is its 12 updates per epoch against 1." in notes
    )
    # Same rate per example: equal examples set mini-batch against full-batch gradients.
    assert 'not resolved: "SGD" vs "GD x12.5" in training-set loss at 96,000 examples' in notes
    assert (
        'At the same rate per example seen (0.000125), "SGD" and "GD x12.5" are not resolved '
        "at equal examples: this run does not separate the gradients of batch 8 against "
        "batch 100." in notes
    )
    # No roughness scale that calls a fast smooth fall rough: how often the loss rose.
    assert "roughness" not in notes
    assert (
        "Epochs in which the loss over the whole training set rose, most in any seed: "
        '"SGD" 3 of 1,000; "GD" 0 of 1,000; "GD x12.5" 0 of 1,000.' in notes
    )
    table = section.table.set_index("run")
    assert list(table.index) == ['"SGD"', '"GD"', '"GD x12.5"']
    assert table.loc['"GD x12.5"', "training-set loss at 1,000 updates"] == "0.108 ± 0.0078"
    assert table.loc['"GD"', "batch scatter (std within an epoch)"] == "one batch"
    for note in section.notes:
        assert len(note.split()) <= 45, note


def test_a_level_never_reached_is_not_reached_not_zero_examples(rows):
    for row in rows:
        if row["model"] == "ae2-gd" and row["seed"] != 1:
            row["examples_to_level"] = row["updates_to_level"] = float("nan")
    notes = _texts(observations(per_seed_table(rows)))
    assert (
        '"GD" reaches 1.1x the worst run\'s mean loss at 96,000 examples in 1 of 3 seeds, after '
        "91,000 to 91,000 examples (910 to 910 updates); not reached in 2." in notes
    )


def test_part_h_leaves_out_seeds_that_did_not_train(rows):
    for row in rows:
        row["constant_mse"] = 1.0
        if row["model"] == "ae2-gd" and row["seed"] == 0:
            row["train_mse"] = 0.95  # above 90% of the constant's 1.0: did not train
    section = next(s for s in observations(per_seed_table(rows)) if s.title.startswith("Part (h)"))
    notes = "\n".join(section.notes)
    assert '"GD": 1 of 3 seeds did not train; they are left out of its comparisons.' in notes
    assert '"SGD" < "GD" in training-set loss at 96,000 examples by 0.79 (adjusted 95% CI' in notes
    assert "lower in 2 of 2 seeds); 1 seed left out (did not train)." in notes


def test_a_run_where_no_seed_trained_is_compared_as_measured_and_says_so(rows):
    for row in rows:
        row["constant_mse"] = 1.0
        if row["model"] == "ae1":
            row["train_mse"] = 0.95  # every seed above 90% of the constant's 1.0
    notes = _texts(observations(per_seed_table(rows)))
    assert (
        "ae1: 3 of 3 seeds did not train; its comparisons keep them all, as leaving them out "
        "would leave none." in notes
    )
    assert "ae2 < ae1 in held-out MSE by 0.11" in notes
    assert "none left out: each seed has a run that did not train" in notes
    assert "seeds left out (did not train)" not in notes


def test_a_level_reached_before_training_says_so(rows):
    for row in rows:
        if row["role"] == "optimizer run":
            row["examples_to_level"] = row["updates_to_level"] = 0
    notes = _texts(observations(per_seed_table(rows)))
    assert (
        '"GD" reaches 1.1x the worst run\'s mean loss at 96,000 examples in 3 of 3 seeds, from '
        "the start: its untrained loss is already below the level." in notes
    )


def test_capacity_observation_is_computed_from_the_numbers(notes):
    assert "Held-out MSE is lowest by the mean (of seeds that trained) at w=50." in notes
    assert "w=50 < w=400 in held-out MSE by 0.047" in notes
    # How the runs trained and stopped, which widths memorise (by the stated threshold).
    assert (
        "ae2 at hidden [w, w] on the first 100 training points: adam, lr 0.003 (cosine), "
        "batch 100, at most 4000 epochs; stops once every seed's best training MSE improved "
        "by less than 1% over 500 epochs. MSEs recorded every 10 epochs." in notes
    )
    assert (
        "Stopped on the rule (every seed plateaued), epoch: w=5 at 3320; at the cap (4000): "
        "w=50, w=400." in notes
    )
    assert (
        "Memorised (training MSE <= 0.1% of the constant reconstruction's, here 0.00085) in "
        "every seed that trained: w=400; in none: w=5, w=50." in notes
    )
    # At the memorising width: against the linear code of its points and its best epoch.
    assert "PCA of its points < w=400 in held-out MSE by 0.03" in notes
    assert "w=400 at its best epoch < w=400 at the end in held-out MSE by 0.045" in notes
    assert (
        "Sheet's claim ('memorises and stops generalising'): yes. w=400 memorises, and its "
        "held-out MSE is higher than at w=50, the best width that memorises in no seed "
        "(resolved, above)." in notes
    )


def _capacity_notes(change):
    rows = _capacity()
    for row in rows:
        change(row)
    return _texts(observations(per_seed_table(rows)))


def test_the_capacity_claim_is_answered_no_when_the_memorising_width_generalises_best():
    def better(row):
        if row["width"] == 400:  # 0.03 below w=50's 0.12, 0.13, 0.12 in every seed
            row["test_mse"] = [0.09, 0.10, 0.09][row["seed"]]
            row["best_test_mse"] = row["test_mse"] - 0.005

    notes = _capacity_notes(better)
    assert "Held-out MSE is lowest by the mean (of seeds that trained) at w=400." in notes
    assert "claim ('memorises and stops generalising'): no. w=400 memorises, yet its" in notes


def test_the_capacity_claim_is_not_tested_where_no_width_memorises():
    def underfit(row):
        row["train_mse"] = max(row["train_mse"], 0.01)

    notes = _capacity_notes(underfit)
    assert "in every seed that trained: no width; in none: w=5, w=50, w=400." in notes
    assert (
        "Sheet's claim ('memorises and stops generalising'): not tested; no width memorised "
        "in every seed that trained, within 4000 epochs." in notes
    )


def test_each_training_set_size_is_a_section_of_its_own():
    rows = _capacity(100) + _capacity(20)
    for row in rows:
        if row["n_train"] == 20:
            row["train_mse"] = 0.0001  # every width memorises 20 points
    sections = observations(per_seed_table(rows))
    titles = [s.title for s in sections if s.title.startswith("Part (e)")]
    assert titles == [
        "Part (e): capacity, hidden [w, w], 100 training points",
        "Part (e): capacity, hidden [w, w], 20 training points",
    ]
    small = _texts(sections[-1:])
    assert "on the first 20 training points" in small
    assert "claim ('memorises and stops generalising'): not tested against width" in small
    table = sections[-1].table.set_index("run")
    assert list(table.columns) == [
        "parameters",
        "seeds",
        "training MSE",
        "held-out MSE",
        "best held-out MSE",
        "its epoch",
        "memorised",
        "stopped at epoch",
    ]
    assert table.loc["w=50", "memorised"] == "3 of 3"
    assert table.loc["w=50", "its epoch"] == "450 ± 41"
    assert table.loc["w=5", "stopped at epoch"] == 3320


def test_a_replica_that_did_not_train_is_named_and_left_out(rows):
    for row in rows:
        row["constant_mse"] = 0.85
        if row["model"] == "ae2-w5-n100" and row["seed"] == 2:
            row["train_mse"], row["test_mse"] = 0.853, 0.84
    sections = observations(per_seed_table(rows))
    notes = _texts(sections)
    assert "w=5: 1 of 3 seeds did not train (final training MSE 0.853); left out" in notes
    # Its seed pair is dropped from w=5's comparisons: 2 seeds remain.
    assert (
        "not resolved: w=50 vs w=5 in held-out MSE differ by 0.2 (adjusted 95% CI -0.054 to "
        "0.45; w=50 lower in 2 of 2 seeds); 1 seed left out (did not train)." in notes
    )
    capacity = sections[-1].table.set_index("run")
    assert capacity.loc["w=5", "did not train"] == 1
    assert "(median 0.22, range 0.2 to 0.853)" in capacity.loc["w=5", "training MSE"]


def test_observations_change_when_the_numbers_do(rows):
    for row in rows:
        if row["model"] == "pca":
            row["pca_ratio"] = 1.5
        if row["role"] == "retrained":
            row["order_swap_fraction"] = 0.3
        if row["model"] == "ae2-w400-n100":  # now as good as w=50 in one seed
            row["test_mse"] = {0: 0.11, 1: 0.17, 2: 0.18}[row["seed"]]
    notes = _texts(observations(per_seed_table(rows)))
    assert "pca stays more than 5% above the training set's rank-1 optimum in 3 of 3" in notes
    assert "the new latent is not a monotone rescaling of the old in 3 of 3 replicas" in notes
    assert "not resolved: w=50 vs w=400 in held-out MSE differ by" in notes
    assert "w=50 lower in 2 of 3 seeds" in notes


def test_indistinguishable_variants_are_reported_as_not_resolved(rows):
    # A second variant with ae2's settings trains to the same numbers, seed by seed.
    twin = [
        {**row, "model": "ae2_twin", "label": "ae2_twin"} for row in rows if row["model"] == "ae2"
    ]
    notes = _texts(observations(per_seed_table(rows + twin)))
    assert "not resolved: ae2 vs ae2_twin in held-out MSE differ by 0 (" in notes
    assert "equal in 3" in notes
    assert "The run does not resolve a single lowest held-out MSE." in notes


def test_disagreeing_seeds_name_no_winner(rows):
    for row in rows:  # ae1 beats ae2 in seed 2 only
        if row["model"] == "ae1" and row["seed"] == 2:
            row["test_mse"] = 0.18
    notes = _texts(observations(per_seed_table(rows)))
    assert "not resolved: ae2 vs ae1 in held-out MSE differ by" in notes
    assert "ae2 lower in 2 of 3 seeds" in notes
    assert "The run does not resolve a single lowest held-out MSE." in notes


def test_one_seed_claims_nothing_for_certain(rows):
    one = per_seed_table([row for row in rows if row["seed"] == 0])
    notes = [note for section in observations(one) for note in section.notes]
    assert "ae2 < ae1 in held-out MSE (0.2 vs 0.3) from 1 seed only; not resolved" in notes[0]
    assert not any(note.startswith("Lowest") for note in notes)
    # Every sentence that compares or judges says that one seed does not resolve it.
    for note in notes:
        if " < " in note or " > " in note or " in 1 of " in note:
            assert "not resolved" in note, note


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
        "ae2-w5-n100": 5,
        "ae2-w50-n100": 50,
        "ae2-w400-n100": 400,
    }
    per_seed = per_seed_table(rows)
    assert len(per_seed) == len(rows) and per_seed["seed"].tolist()[:3] == SEEDS


def test_pages_show_a_compact_table_and_the_full_one_collapsed(rows):
    table = summary_table(rows)
    per_seed = per_seed_table(rows)
    sections = observations(per_seed)
    shown = shown_table(table)
    assert len(shown.columns) <= COMPACT_COLUMNS
    top = header(per_seed)
    markdown = to_markdown(shown, sections, header=top)
    page = to_html(shown, sections, header=top, full=full_table(table))
    assert "## Variants: held-out reconstruction error" in markdown
    assert "data sample is one draw" in markdown and "Holm" in markdown
    assert "<NA>" not in markdown and "<NA>" not in page
    pca = shown[shown["model"] == "pca"].iloc[0]
    assert pca["held-out MSE"] == "0.403 ± 0.0047"
    row = next(line for line in markdown.splitlines() if line.startswith("| pca | variant"))
    assert "0.403 ± 0.0047" in row
    # The HTML keeps every column, collapsed.
    assert "<details>" in page and "order_swap_fraction_std" in page
    assert all(html.escape(n) in page for s in sections for n in s.notes)


def test_header_says_what_the_replicas_vary(rows):
    per_seed = per_seed_table(rows)
    one, own = header(per_seed)[0], header(per_seed, samples=3)[0]
    assert header(per_seed, samples=1) == header(per_seed)
    assert "data sample is one draw" in one and "data seed" not in one
    assert "the data sample (data seed + k)" in own and "one draw" not in own
    assert "initial weights" in own and "batch order" in own


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
    updates = {"sgd": 12, "gd": 1}
    result = compare_optimizers(
        {"sgd": _curve(96, 100, 1e-3), "gd": _curve(100, 100, 1e-4)}, updates
    )
    sgd, gd = result[("sgd", 0)], result[("gd", 0)]
    # The grid: steps of the larger epoch (100) up to the smaller total (9,600).
    assert sgd["matched_examples"] == gd["matched_examples"] == 9600
    assert sgd["full_train_loss"] == pytest.approx(np.exp(-9.6), rel=1e-2)
    assert gd["full_train_loss"] == pytest.approx(np.exp(-0.96), rel=1e-6)
    assert gd["full_test_loss"] == pytest.approx(2 * np.exp(-0.96), rel=1e-6)
    level = LEVEL_MARGIN * np.exp(-0.96)
    assert sgd["level"] == pytest.approx(level, rel=1e-6)
    # First of the run's own epochs at or below the level: SGD long before GD, and GD
    # within the matched 9,600 examples.
    epoch = np.ceil(-np.log(level) / 1e-3 / 96)
    assert sgd["examples_to_level"] == 96 * epoch
    assert sgd["updates_to_level"] == 12 * epoch
    assert sgd["examples_to_level"] < gd["examples_to_level"] <= 9600
    # Equal updates: GD's 100 updates, SGD's 100 updates after 8.33 of its epochs.
    assert sgd["updates_per_epoch"] == 12 and gd["updates_per_epoch"] == 1
    assert sgd["matched_updates"] == gd["matched_updates"] == 100
    assert gd["updates_train_loss"] == pytest.approx(np.exp(-1e-4 * 100 * 100), rel=1e-9)
    sgd_at = np.interp(100 / 12, np.arange(101), np.exp(-1e-3 * 96 * np.arange(101)))
    assert sgd["updates_train_loss"] == pytest.approx(sgd_at, rel=1e-9)
    # A curve that only falls never rose.
    assert sgd["full_loss_rises"] == gd["full_loss_rises"] == 0


def test_a_level_reached_only_after_the_matched_examples_is_not_reached():
    # GD runs 200 epochs (20,000 examples), SGD 100 (9,600). GD's slow seed gets to the
    # level (1.1 x GD's mean at 9,600) only after 9,600 examples: not counted as reached.
    gd = pd.concat([_curve(100, 200, 1e-4, seed=0), _curve(100, 200, 2.5e-5, seed=1)])
    result = compare_optimizers({"sgd": _curve(96, 100, 1e-3), "gd": gd}, {"sgd": 12, "gd": 1})
    level = result[("gd", 1)]["level"]
    assert np.exp(-2.5e-5 * 9600) > level > np.exp(-2.5e-5 * 20000)
    assert np.isnan(result[("gd", 1)]["examples_to_level"])
    assert np.isnan(result[("gd", 1)]["updates_to_level"])
    assert result[("gd", 0)]["examples_to_level"] <= 9600


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


def test_a_short_run_where_no_capacity_replica_trained_still_summarises():
    rows = _capacity()
    for row in rows:
        row.update(parameters=1, constant_mse=0.0001)  # every final MSE above the reference
    notes = _texts(observations(per_seed_table(rows)))
    assert "w=50: 3 of 3 seeds did not train" in notes
    assert "Held-out MSE is lowest by the mean (of seeds that trained) at w=50." in notes


def _with_latent_and_bounds(rows, coverage=1.0):
    """The per-seed numbers of parts (c), (d), (g) added to the rows."""
    spearman = {  # (x before, y before, x after, y after) per seed
        "ae1": [(0.2, 0.1, 0.9, 0.1), (-0.3, 0.0, -0.95, 0.2), (0.1, -0.2, 0.92, 0.0)],
        "ae2": [(0.5, 0.3, 0.8, 0.4), (0.4, -0.2, -0.7, 0.3), (0.6, 0.1, 0.75, -0.5)],
        "pca": [(0.9, 0.4, 0.99, 0.01), (-0.8, 0.3, 0.98, 0.02), (0.7, 0.5, -0.99, 0.0)],
    }
    bounds = {"ae1": [0.05, 0.06, 0.07], "ae2": [0.03, 0.035, 0.032], "pca": [0.39, 0.4, 0.39]}
    for row in rows:
        k, model = row["seed"], row["model"]
        if row["role"] == "variant":
            xb, yb, xa, ya = spearman[model][k]
            row.update(
                spearman_zx_before=xb,
                spearman_zy_before=yb,
                spearman_zx=xa,
                spearman_zy=ya,
                bound_train_mse=row["train_mse"] / 2,
                bound_test_mse=bounds[model][k],
                encoder_test_excess=row["test_mse"] - bounds[model][k],
                fold_share_test=0.2,
                fold_excess_share_test=[0.8, 0.7, 0.9][k],
                sweep_coverage=coverage if model == "ae1" else 1.0,
                bound_grid_gap=1e-7,
            )
        if row["role"] == "retrained":
            row.update(
                bound_train_mse=[0.02, 0.025, 0.022][k],
                bound_test_mse=[0.1, 0.11, 0.12][k],
                spearman_old_new=[0.9, 0.85, 0.95][k],
            )
    return rows


def test_latent_order_and_nearest_point_bounds_are_claimed_by_the_rule(rows):
    sections = observations(per_seed_table(_with_latent_and_bounds(rows)))
    titles = [section.title for section in sections]
    notes = _texts(sections)
    # (c): |rho| after against before, paired by seed: ae1 0.92 vs 0.2 along x.
    assert "Part (c): how the code orders the plane, before and after training" in titles
    assert "ae1 after > ae1 before in |\u03c1(z, x)| by 0.72 (adjusted 95% CI" in notes
    assert "not resolved: ae1 after vs ae1 before in |\u03c1(z, y)|" in notes
    # (d): the encoder's part of the held-out error above the curve's nearest points.
    assert "nearest points of ae1's curve < ae1's encoder in held-out MSE by 0.25" in notes
    share = np.mean([0.25 / 0.30, 0.26 / 0.32, 0.24 / 0.31])
    assert f"ae1: the encoder's choice is {share:.0%} ± " in notes
    assert "cause 80% ± 8% of that." in notes
    assert "Halving the grid raises it by at most 1e-07." in notes
    assert "span at least 95% of the codes their encoders give the training points" in notes
    table = next(s.table for s in sections if s.title.startswith("Part (d)")).set_index("run")
    assert table.loc["ae1", "held-out bound"] == "0.06 ± 0.0082"
    # (g): whole-set MSE against the frozen decoder's bound, and the codes' rank correlation.
    assert "nearest-point bound < retrained in training MSE by 0.2 (adjusted 95% CI" in notes
    assert "retrained 10 ± 0 times (range 10 to 10), original 2.39 ± 0.093 times" in notes
    assert "Spearman's rank correlation of the new code with the old: 0.90 ± 0.04" in notes
    retrain = next(s.table for s in sections if s.title.startswith("Part (g)")).set_index("run")
    assert list(retrain.index) == ["original", "retrained", "nearest-point bound"]
    for section in sections:
        for note in section.notes:
            assert len(note.split()) <= 45, note
    # The compact table stays compact with the bound in it.
    shown = shown_table(summary_table(_with_latent_and_bounds(rows)))
    assert len(shown.columns) <= COMPACT_COLUMNS
    assert "held-out nearest-point bound (d, g)" in shown


def test_a_configured_sweep_that_misses_codes_in_use_is_named(rows):
    notes = _texts(observations(per_seed_table(_with_latent_and_bounds(rows, coverage=0.6))))
    assert "ae1: the configured sweep spans only 60% of the training points' codes" in notes
    assert "The decoder sweeps of ae2, pca span at least 95%" in notes
