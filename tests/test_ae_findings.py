"""The autoencoders' findings as claim rows (``aeflow.autoencoder.findings``): every row
checked against NumPy/scipy on the hand-built per-seed values of ``test_summary`` (verdict,
winner, effect and interval, seeds, set-aside seeds), never against whole sentences."""

import numpy as np
import pytest
from scipy import stats

from aeflow.autoencoder.findings import observations
from aeflow.autoencoder.optimizer_runs import LEVELS
from aeflow.autoencoder.summary import per_seed_table, shown_table, summary_table
from aeflow.core.claims import EQUIVALENT, NOT_COMPARED, UNDETERMINED, WINNER, frame, split_values
from aeflow.core.numbers import distinct, number
from aeflow.core.report import COMPACT_COLUMNS
from aeflow.core.sheet import SHEET_VERDICTS

from .test_summary import (
    HELD_OUT,
    MEASURED,
    TEST,
    TRAIN,
    WIDTHS,
    _capacity,
    _optimizer_runs,
    _retrained,
    _variants,
)

OPTIMISERS = "Part (h): optimisers at equal examples seen and at equal updates"
SPEED = "Part (h): examples to reach"
MEMORISES, COST = "Part (e): memorisation", "Part (e): does memorising cost generalisation"
RETRAINED = "Part (g): the encoder retrained against its frozen decoder (ae2)"


@pytest.fixture
def rows():
    return _variants() + _optimizer_runs() + _retrained([0.0, 0.0, 0.0]) + _capacity()


def _change(rows, where, **values):
    """Set ``values`` (a list: per seed) in the rows ``where(row)`` picks; the rows back."""
    for row in rows:
        if where(row):
            row.update({k: v[row["seed"]] if isinstance(v, list) else v for k, v in values.items()})
    return rows


def _findings(rows):
    return observations(per_seed_table(rows))


def _family(claims, start):
    return [c for c in claims if c.family.startswith(start)]


def _section(sections, start):
    return next(s for s in sections if s.title.startswith(start))


def _row(claims, family, subject, reference, metric=None):
    (found,) = [
        c
        for c in _family(claims, family)
        if (c.subject, c.reference) == (subject, reference) and metric in (None, c.metric)
    ]
    return found


def _interval(d, m):
    """The Student-t interval of paired differences ``d`` at level 1 - 0.05/m."""
    d = np.asarray(d, dtype=float)
    half = stats.t.ppf(1 - 0.05 / (2 * m), d.size - 1) * d.std(ddof=1) / np.sqrt(d.size)
    return d.mean() - half, d.mean() + half


def _shown_effect(c, all_seeds=False):
    """The effect as the sentence prints it (a winner's as its margin, positive)."""
    if all_seeds:
        return distinct([c.effect_all_seeds, c.ci_low_all_seeds, c.ci_high_all_seeds])[0]
    if c.verdict == WINNER:
        return distinct([abs(c.effect), *sorted((abs(c.ci_low), abs(c.ci_high)))])[0]
    return distinct([c.effect, c.ci_low, c.ci_high])[0]


def test_every_pair_of_variants_is_a_row_of_one_bonferroni_family(rows):
    sections, claims = _findings(rows)
    held_out = _family(claims, HELD_OUT)
    pairs = [(c.subject, c.reference) for c in held_out]
    assert pairs == [("ae1", "ae2"), ("ae1", "pca"), ("ae2", "pca")]
    for c in held_out:
        d = np.subtract(TEST[c.subject], TEST[c.reference])
        assert (c.family_size, c.level, c.seeds, c.set_aside) == (3, 1 - 0.05 / 3, 3, 0)
        assert c.effect == pytest.approx(d.mean())
        assert (c.ci_low, c.ci_high) == pytest.approx(_interval(d, 3))
        assert c.p_adjusted == pytest.approx(min(1.0, 3 * stats.ttest_1samp(d, 0).pvalue))
        assert c.margin == pytest.approx(0.02 * np.mean(TEST[c.reference]))
        assert split_values(c.subject_values) == pytest.approx(TEST[c.subject])
        assert c.verdict == WINNER and _shown_effect(c) in c.sentence
    # A clear winner is named: ae2 below ae1 in every seed, ae1 below pca.
    assert [c.winner for c in held_out] == ["ae2", "ae1", "ae2"]
    # The section holds its claims (ids as in claims.csv), its table and its figure.
    section = _section(sections, HELD_OUT)
    assert [c.id for c in section.claims] == [c.id for c in held_out]
    assert set(frame(claims)["id"]) >= {c.id for c in held_out}
    assert section.figure == "loss_curves"
    assert section.table.set_index("run").loc["ae2", "seeds"] == 3
    assert all(f"{c.sentence}." in section.bullets() for c in section.claims)


def test_training_error_gaps_and_the_linear_model_follow_the_numbers(rows):
    _, claims = _findings(rows)
    # Training MSE: pca (0.102) against ae1 (0.10 to 0.12) cannot be told apart yet.
    close = _row(claims, "Part (b): training error", "ae1", "pca")
    assert close.verdict == UNDETERMINED and close.winner == ""
    assert np.isfinite(close.seeds_needed) and close.seeds_needed > close.seeds
    assert close.effect == pytest.approx(np.mean(np.subtract(TRAIN["ae1"], TRAIN["pca"])))
    # Gaps: each variant's against 0, one sample, no direction.
    gaps = _family(claims, "Part (b): generalisation gap")
    assert [c.reference for c in gaps] == ["0"] * 3
    for c, model in zip(gaps, TEST, strict=True):
        d = np.subtract(TEST[model], TRAIN[model])
        assert c.subject == f"{model}'s gap" and c.lower_is_better is None
        assert c.effect == pytest.approx(d.mean())
        assert (c.ci_low, c.ci_high) == pytest.approx(_interval(d, 3))
    # The linear model's MSE over the PCA optimum against 1 (margin 0.01), and its angle.
    ratio, angle = _family(claims, "Part (b): the linear model against PCA (pca)")
    assert (ratio.reference, ratio.verdict) == ("1", UNDETERMINED)
    assert ratio.effect == pytest.approx(0.02)
    assert angle.effect == pytest.approx(3.0) and angle.ci_low >= 0  # clipped at 0 degrees
    _, claims = _findings(_change(rows, lambda r: r["model"] == "pca", pca_ratio=1.5))
    ratio = _family(claims, "Part (b): the linear model")[0]
    assert ratio.verdict == WINNER and ratio.effect == pytest.approx(0.5)


def test_indistinguishable_variants_are_undetermined_or_equivalent(rows):
    _change(rows, lambda r: r["model"] == "ae1" and r["seed"] == 2, test_mse=0.18)
    _, claims = _findings(rows)  # ae1 beats ae2 in seed 2 only
    split = _row(claims, HELD_OUT, "ae1", "ae2")
    assert split.verdict == UNDETERMINED and split.winner == "" and split.wins == 1
    assert np.isfinite(split.seeds_needed) and split.seeds_needed > 3
    assert f"about {int(split.seeds_needed)} seeds" in split.sentence
    assert _shown_effect(split) in split.sentence
    # A twin of ae2 a hair away in every seed: equivalent within the 2% margin.
    tiny = [1e-5, -1e-5, 2e-5]
    twin = [
        {**row, "model": "ae2_twin", "label": "ae2_twin", "test_mse": row["test_mse"] + tiny[k]}
        for k, row in enumerate(r for r in rows if r["model"] == "ae2" and r["role"] == "variant")
    ]
    _, claims = _findings(rows + twin)
    assert len(_family(claims, HELD_OUT)) == 6
    same = _row(claims, HELD_OUT, "ae2", "ae2_twin")
    assert same.verdict == EQUIVALENT and same.level == pytest.approx(1 - 0.05 / 6)
    assert -same.margin < same.ci_low < same.ci_high < same.margin
    assert same.effect == pytest.approx(-np.mean(tiny))


def test_a_stuck_seed_stays_in_and_a_dead_network_is_set_aside(rows):
    _change(rows, lambda r: True, constant_mse=1.0)
    _change(rows, lambda r: r["model"] == "ae1" and r["seed"] == 0, train_mse=0.95)
    sections, claims = _findings(rows)  # ae1's seed 0 above 90% of the constant's: stuck
    assert {(c.seeds, c.set_aside) for c in _family(claims, HELD_OUT)} == {(3, 0)}
    notes = _section(sections, HELD_OUT).notes
    assert any(n.startswith("ae1: 1 of 3 seeds still above 90%") for n in notes)
    _change(rows, lambda r: True, dead_network=0)
    _change(rows, lambda r: r["model"] == "ae1" and r["seed"] == 0, dead_network=1)
    sections, claims = _findings(rows)
    dead = _row(claims, HELD_OUT, "ae1", "ae2")
    d = np.subtract(TEST["ae1"], TEST["ae2"])
    assert (dead.seeds, dead.set_aside, dead.set_aside_seeds) == (2, 1, "1;0;0")
    assert dead.effect == pytest.approx(d[1:].mean())
    assert dead.effect_all_seeds == pytest.approx(d.mean())
    assert (dead.ci_low_all_seeds, dead.ci_high_all_seeds) == pytest.approx(_interval(d, 3))
    assert "1 seed set aside (dead network)" in dead.sentence
    assert _shown_effect(dead, all_seeds=True) in dead.sentence.split("with them in")[1]
    assert _row(claims, HELD_OUT, "ae2", "pca").set_aside == 0
    notes = _section(sections, HELD_OUT).notes
    assert any(n.startswith("ae1: 1 of 3 seeds with a dead network") for n in notes)


def test_one_seed_compares_nothing(rows):
    _, claims = _findings([row for row in rows if row["seed"] == 0])
    measured = [c for c in claims if c.family != "sheet"]
    assert measured and {c.verdict for c in measured} == {NOT_COMPARED}
    assert all(c.seeds == 1 and np.isnan(c.effect) for c in measured)
    assert all("not compared" in c.sentence for c in measured)
    assert {c.verdict for c in claims if c.family == "sheet"} == {"not measured"}


def test_part_h_compares_at_equal_examples_and_at_equal_updates(rows):
    sections, claims = _findings(rows)
    assert {c.family_size for c in _family(claims, OPTIMISERS)} == {6}
    at = "training-set loss at"
    examples = _row(claims, OPTIMISERS, '"SGD"', '"GD"', f"{at} 96,000 examples")
    assert examples.verdict == WINNER and examples.winner == '"SGD"'
    d = np.subtract(MEASURED["ae2-sgd"][0], MEASURED["ae2-gd"][0])
    assert examples.effect == pytest.approx(d.mean())
    assert (examples.ci_low, examples.ci_high) == pytest.approx(_interval(d, 6))
    # At equal updates (the same learning rate), SGD's lead is gone.
    updates = _row(claims, OPTIMISERS, '"SGD"', '"GD"', f"{at} 1,000 updates")
    assert updates.verdict == UNDETERMINED and updates.effect == pytest.approx(0.0, abs=1e-12)
    section = _section(sections, OPTIMISERS)
    assert section.figure == "sgd_vs_gd"
    assert any('"SGD" 12, 0.000125' in n and '"GD x12.5" 1, 0.000125' in n for n in section.notes)
    assert list(section.table["run"]) == ['"SGD"', '"GD"', '"GD x12.5"']
    rises = _family(claims, "Part (h): epochs in which")
    assert rises[0].effect == pytest.approx(4 / 3) and rises[-1].verdict == EQUIVALENT


def test_a_level_not_reached_counts_at_the_matched_examples(rows):
    nan = float("nan")
    _change(rows, lambda r: r["model"] == "ae2-gd" and r["seed"] != 1, **{"examples_to_1.1x": nan})
    sections, claims = _findings(rows)
    metrics = [c.metric for c in _family(claims, SPEED)]
    assert metrics == [f"examples to {n} the best final loss" for n in LEVELS for _ in range(3)]
    late = _row(claims, SPEED, '"SGD"', '"GD"', "examples to 1.1x the best final loss")
    assert split_values(late.reference_values) == pytest.approx([96000, 91000, 96000])
    assert late.effect == pytest.approx(np.mean([3000 - 96000, 3100 - 91000, 2900 - 96000]))
    assert late.winner == '"SGD"' and late.bound_high == 96000
    assert any('"GD" 1 of 3 seeds' in n for n in _section(sections, SPEED).notes)


def test_part_e_memorisation_is_one_sample_on_a_log_scale(rows):
    sections, claims = _findings(rows)
    memorise = _family(claims, f"{MEMORISES}, 100 training points")
    assert [c.subject for c in memorise] == [f"w={w}" for w in WIDTHS]
    for c, (_, train, _, _) in zip(memorise, WIDTHS.values(), strict=True):
        decades = np.log10(np.array(train) / 0.85) + 3  # against log10 of 0.1%
        assert split_values(c.reference_values) == pytest.approx([-3.0] * 3)
        assert c.effect == pytest.approx(decades.mean()) and c.margin == 0.3
        assert (c.ci_low, c.ci_high) == pytest.approx(_interval(decades, 3))
        assert c.verdict == WINNER and c.winner == "" and c.lower_is_better is None
    assert [c.effect < 0 for c in memorise] == [False, False, True]  # only w=400 memorises
    assert _section(sections, MEMORISES).figure == "capacity"


def test_part_e_sets_the_memorising_width_against_the_linear_model_and_validation(rows):
    _, claims = _findings(rows)
    cost = _family(claims, COST)
    assert [(c.subject, c.reference) for c in cost] == [
        ("w=400", "the linear model of the same points"),
        ("w=400", "w=50 (chosen on validation)"),
        ("w=400 at the end", "w=400 at its epoch chosen on validation"),
    ]
    test, early = np.array(WIDTHS[400][0]), np.array(WIDTHS[400][3])
    for c, reference in zip(cost, [0.14, np.array(WIDTHS[50][0]), early], strict=True):
        assert c.family_size == 3 and c.effect == pytest.approx(np.mean(test - reference))
        assert c.verdict == WINNER and c.winner == c.reference
    sheet = next(c for c in claims if "memorising loses generalisation" in c.subject)
    assert sheet.verdict == "supported" and cost[0].id not in sheet.reference
    # Without validation points: the linear model only.
    rows = [r for r in rows if r["role"] != "capacity"] + _capacity(validation=False)
    assert [c.reference for c in _family(_findings(rows)[1], COST)] == [cost[0].reference]


def test_part_e_without_a_memorising_width_and_per_training_set_size():
    rows = _change(_capacity(), lambda r: r["train_mse"] < 0.01, train_mse=0.01)
    sections, claims = _findings(rows)  # nothing memorises
    cost = _section(sections, COST)
    assert cost.claims == [] and "not tested" in cost.notes[0]
    assert next(c for c in claims if "memorising loses" in c.subject).verdict == "not measured"
    rows = _capacity(100) + _change(_capacity(20), lambda r: True, train_mse=1e-5)
    sections, claims = _findings(rows)  # every width memorises 20 points
    assert [s.title for s in sections if s.title.startswith(MEMORISES)] == [
        f"{MEMORISES}, 100 training points",
        f"{MEMORISES}, 20 training points",
    ]
    small = _family(claims, f"{MEMORISES}, 20")
    assert {(c.verdict, c.effect < 0) for c in small} == {(WINNER, True)}
    table = _section(sections, f"{MEMORISES}, 20").table.set_index("run")
    assert table.loc["w=50", "parameters"] == 2 * 50**2 + 10 * 50 + 3


def test_the_sheet_claims_come_first_and_rest_on_existing_rows(rows):
    sections, claims = _findings(rows)
    assert sections[0].title == "The sheet's claims and this run's verdicts"
    sheet = [c for c in claims if c.family == "sheet"]
    assert claims[: len(sheet)] == sheet and len(sections[0].table) == len(sheet)
    ids = {c.id for c in claims if c.family != "sheet"}
    for c in sheet:
        assert c.verdict in SHEET_VERDICTS
        assert set(filter(None, c.reference.split(";"))) <= ids
        assert (c.reference == "") == (c.verdict == "not measured")
    verdicts = {c.subject: c.verdict for c in sheet}
    assert verdicts["(b): ae2 reaches the lowest loss on the training data"] == "supported"
    slower = "(h): gradient descent (full batch) decreases slower, by examples seen"
    assert verdicts[slower] == "supported"
    assert verdicts["(g): the new latent is not a scaled version of the old"] == EQUIVALENT
    assert len(frame(claims)["id"].unique()) == len(claims)


def test_retraining_rows_follow_the_numbers(rows):
    train, test, swaps = _family(_findings(rows)[1], RETRAINED)
    assert train.effect == pytest.approx(np.mean(np.subtract([0.2, 0.25, 0.22], TRAIN["ae2"])))
    assert (train.winner, test.winner) == ("original", "original")
    assert swaps.verdict == EQUIVALENT and swaps.bound_high == 0.5
    # A mirrored code with 30% of its pairs swapped: 70% swapped, 30% after the mirror.
    _, claims = _findings(
        _change(rows, lambda r: r["role"] == "retrained", order_swap_fraction=0.7)
    )
    swaps = _family(claims, RETRAINED)[2]
    assert swaps.verdict == WINNER and swaps.effect == pytest.approx(0.3)
    assert next(c for c in claims if "scaled version" in c.subject).verdict == "supported"


AFTER = {  # |rho(z, x)|, |rho(z, y)| per seed, and the nearest-point bound
    "ae1": ([0.9, 0.95, 0.92], [0.1, 0.2, 0.0], [0.05, 0.06, 0.07]),
    "ae2": ([0.8, 0.7, 0.75], [0.4, 0.35, 0.3], [0.03, 0.035, 0.032]),
    "pca": ([0.99, 0.98, 0.99], [0.01, 0.02, 0.0], [0.39, 0.4, 0.39]),
}


def _with_latent_and_bounds(rows, coverage=1.0):
    """The per-seed numbers of parts (c), (d), (g) added to the rows."""
    for model, (x, y, bound) in AFTER.items():
        excess = list(np.subtract(TEST[model], bound))
        _change(
            rows, lambda r, m=model: r["model"] == m and r["role"] == "variant",
            spearman_zx=x, spearman_zy=y, init_abs_rho_zx_mean=0.2, init_abs_rho_zy_mean=0.3,
            init_draws=100, bound_test_mse=bound, encoder_test_excess=excess, fold_share_test=0.2,
            sweep_coverage=coverage if model == "ae1" else 1.0, bound_grid_gap=1e-7,
        )  # fmt: skip
    retrained = {"bound_train_mse": [0.02, 0.025, 0.022], "spearman_old_new": 0.9}
    return _change(rows, lambda r: r["role"] == "retrained", **retrained)


def test_latent_order_and_the_encoders_share_are_claim_rows(rows):
    sections, claims = _findings(_with_latent_and_bounds(rows))
    order = _family(claims, "Part (c): the trained code against untrained")
    assert len(order) == 6 and {c.reference for c in order} == {"untrained draws' mean"}
    ae1 = next(c for c in order if c.subject == "ae1 trained" and c.metric == "|\u03c1(z, x)|")
    assert ae1.effect == pytest.approx(np.mean(AFTER["ae1"][0]) - 0.2) and ae1.verdict == WINNER
    assert [c.winner for c in _family(claims, "Part (c): which axis")] == [f"{m}: x" for m in AFTER]
    verdicts = {c.subject.split(": ")[1]: c.verdict for c in claims if c.family == "sheet"}
    assert verdicts["PCA's code follows x; y has only a minor influence"] == "supported"
    orders = "after training, each code orders the plane (|rho(z, x)| above untrained codes)"
    assert verdicts[orders] == "supported"
    share = _family(claims, "Part (d)")
    d = np.divide(AFTER["ae2"][2], TEST["ae2"]) - np.divide(AFTER["ae1"][2], TEST["ae1"])
    assert share[0].subject == "ae1" and share[0].effect == pytest.approx(d.mean())
    bound = _section(sections, "Part (d)")
    assert bound.figure == "decoder_sweeps" and number(1e-7) in bound.notes[0]
    assert any("retrained 10 to 10" in n for n in _section(sections, "Part (g)").notes)
    shown = shown_table(summary_table(_with_latent_and_bounds(rows)))
    assert len(shown.columns) <= COMPACT_COLUMNS and "held-out nearest-point bound (d, g)" in shown
    # A sweep that misses codes in use is named.
    sections, _ = _findings(_with_latent_and_bounds(rows, coverage=0.6))
    coverage = _section(sections, "Part (d)").notes[1]
    assert "ae1 60%" in coverage and "below 95%" in coverage
