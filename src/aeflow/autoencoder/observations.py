"""The summary's observations, each computed from the per-seed numbers. pandas/NumPy only.

Every sentence is a template filled with measured numbers; which template is used follows
from those numbers, never from expectations. Comparisons follow ``core.claims.RULE``
(paired by seed, mean difference with a 95% t interval, Holm within each section, a winner
only where the adjusted interval excludes zero). Models are paired by replica: replica k
of each (training seed seed + k). Each section carries the small table its bullets rest on.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from aeflow.autoencoder.capacity import MEMORISED_SHARE, memorised_level
from aeflow.autoencoder.summary import LEVEL_MARGIN
from aeflow.core.claims import (
    FAILED_MARGIN,
    RULE,
    Comparison,
    Contrast,
    Spread,
    agreement,
    agreement_text,
    contrast_texts,
    failed,
)
from aeflow.core.report import Section

PCA_TOLERANCE = 0.05  # "reaches the optimum" when within 5 % of it
MONOTONE_TOLERANCE = 0.01  # at most 1 % of pairs swapped counts as a monotone rescaling
NOISE_FACTOR = 2.0  # batch losses scatter at least this many times the whole-set change
RHO = "\u03c1"  # Spearman's rho, as the summaries print it
SWEEP_COVERAGE = 0.95  # a decoder sweep should span at least this share of the codes in use
FMT = ".3g"


def header(per_seed: pd.DataFrame, samples: int = 1) -> list[str]:
    """What the replicas vary, the decision rule and the failure rule, for the page top.
    ``samples``: the data samples the replicas train on (more than one: one per replica,
    ``data.per_replica_samples``)."""
    seeds = int(per_seed.groupby("model")["seed"].nunique().max()) if len(per_seed) else 0
    varied = (
        f"Replicas: {seeds} per run. Replica k changes the initial weights, the batch order "
        "(training seed + k) and the data sample (data seed + k): it trains and is measured "
        "on a sample of its own, so each 'k of n seeds' holds across samples."
        if samples > 1
        else f"Replicas: {seeds} per run. Replica k changes the initial weights and the batch "
        "order (training seed + k); the data sample is one draw, the same for every replica, "
        "so each 'k of n seeds' holds for that one sample."
    )
    return [
        varied,
        f"Rule: {RULE}",
        f"A replica did not train when its final training MSE stays above "
        f"{1 - FAILED_MARGIN:.0%} of the best constant reconstruction's (every point read as "
        "the mean point); where any did, medians and ranges are shown.",
    ]


def paired(rows: pd.DataFrame, column: str, key: str = "model") -> pd.DataFrame:
    """replica x ``key`` table of ``column``: replica k is each model's k-th seed; only
    replicas every model has are kept, so columns pair seed by seed."""
    rows = rows.assign(replica=rows.groupby(key, sort=False)["seed"].rank(method="first"))
    table = rows.pivot(index="replica", columns=key, values=column)
    return table[list(dict.fromkeys(rows[key]))].dropna(how="all")


def _failed(rows: pd.DataFrame, key: str = "model") -> pd.DataFrame:
    """replica x ``key``: True where the replica did not train (or diverged)."""
    if "constant_mse" not in rows or rows["constant_mse"].isna().all():
        return paired(rows, "train_mse", key).isna()
    flags = rows.assign(failed=failed(rows["train_mse"], rows["constant_mse"]))
    return paired(flags, "failed", key).astype(bool)


def _either(fails: pd.DataFrame, a: str, b: str) -> np.ndarray:
    return (fails[a] | fails[b]).to_numpy()


def _spread_cell(values: pd.Series, failures: pd.Series | None = None, fmt: str = FMT) -> str:
    spread = Spread.of(values.dropna())
    text = spread.text(fmt)
    if failures is not None and failures.any():
        text += f" ({spread.median_text(fmt)})"
    return text


def _table(columns: dict[str, pd.DataFrame], fails: pd.DataFrame | None = None) -> pd.DataFrame:
    """run x quantity: mean ± std over seeds (and median, range where any failed)."""
    first = next(iter(columns.values()))
    rows = []
    for run in first.columns:
        row = {"run": run, "seeds": int(first[run].notna().sum())}
        if fails is not None and fails.to_numpy().any():
            row["did not train"] = int(fails[run].sum())
        for name, values in columns.items():
            row[name] = _spread_cell(values[run], None if fails is None else fails[run])
        rows.append(row)
    return pd.DataFrame(rows)


def observations(per_seed: pd.DataFrame) -> list[Section]:
    """Sections of plain-language findings from the per-seed table
    (``summary.per_seed_table``)."""
    variants = per_seed[per_seed["role"] == "variant"]
    found: list[Section] = []
    if variants["model"].nunique() > 1:
        found += _rankings(variants)
    found += _pca(variants)
    if len(variants):
        found.append(_gaps(variants))
    found += _latent_order(variants)
    found += _decoder_bound(variants)
    found += _retraining(per_seed)
    found += _optimizers(per_seed[per_seed["role"] == "optimizer run"])
    optimum = per_seed["pca_optimum_mse"].dropna() if "pca_optimum_mse" in per_seed else []
    linear = float(optimum.iloc[0]) if len(optimum) else float("nan")
    found += _capacity(per_seed[per_seed["role"] == "capacity"], linear)
    return found


def _failure_notes(fails: pd.DataFrame) -> list[str]:
    """Name each run with seeds that did not train. Where none did, leaving them out would
    leave nothing: its comparisons keep every seed (``claims.Contrast``), and it says so."""
    return [
        f"{run}: {int(fails[run].sum())} of {len(fails)} seeds did not train; "
        + (
            "its comparisons keep them all, as leaving them out would leave none."
            if fails[run].all()
            else "they are left out of its comparisons."
        )
        for run in fails.columns
        if fails[run].any()
    ]


def _ranking(rows: pd.DataFrame, column: str, what: str, title: str) -> tuple[Section, str]:
    """Every pair of models compared in ``column`` (one family); the resolved best ('' if
    the run does not resolve it)."""
    values, fails = paired(rows, column), _failed(rows)
    order = list(values.mean().sort_values().index)
    contrasts = [
        Contrast(a, b, what, values[a], values[b], left_out=_either(fails, a, b))
        for a, b in combinations(order, 2)
    ]
    results = contrast_texts(contrasts)
    best = order[0]
    beaten = [c for (c, _), k in zip(results, contrasts, strict=True) if best in (k.name_a,)]
    leader = best if beaten and all(c.verdict == "A" for c in beaten) else ""
    notes = [f"{text}." for _, text in results] + _failure_notes(fails)
    notes.append(
        f"Lowest {what}: {best}, resolved against every other model."
        if leader
        else f"The run does not resolve a single lowest {what}."
    )
    train, test = paired(rows, "train_mse"), paired(rows, "test_mse")
    table = _table({"training MSE": train, "held-out MSE": test}, fails)
    return Section(title, notes, table), leader


def _rankings(variants: pd.DataFrame) -> list[Section]:
    test_section, test_best = _ranking(
        variants, "test_mse", "held-out MSE", "Variants: held-out reconstruction error"
    )
    train_section, train_best = _ranking(
        variants, "train_mse", "training MSE", "Variants: error on the training points"
    )
    train_section.table = None  # the same numbers as the held-out section's table
    if test_best and train_best and test_best != train_best:
        train_section.notes.append(
            f"{train_best} fits the training points best, yet {test_best} reconstructs "
            "held-out points best; both resolved."
        )
    return [test_section, train_section]


def _pca(variants: pd.DataFrame) -> list[Section]:
    found = []
    for model, rows in variants.dropna(subset=["pca_ratio"]).groupby("model", sort=False):
        ratio = rows["pca_ratio"].to_numpy()
        within = agreement(np.abs(ratio - 1) <= PCA_TOLERANCE)
        rank = "1" if rows["pca_angle_deg"].notna().all() else "k"
        optima = rows["pca_optimum_mse"]  # each replica's own sample's (one sample: equal)
        optimum_text = _value_text(optima, FMT)
        notes = [
            agreement_text(
                within,
                f"{model} reaches the training set's rank-{rank} optimum within "
                f"{PCA_TOLERANCE:.0%}",
                f"{model} stays more than {PCA_TOLERANCE:.0%} above the training set's "
                f"rank-{rank} optimum",
            )
            + f" (MSE / optimum {Spread.of(ratio).range_text('.6g')})."
        ]
        if rank == "1":
            notes.append(
                f"Its decoder direction lies {Spread.of(rows['pca_angle_deg']).range_text('.2g')}"
                " degrees from the leading principal direction."
            )
        table = [
            {"quantity": "training MSE", "value": Spread.of(rows["train_mse"]).text(FMT)},
            {"quantity": f"training set's rank-{rank} optimum", "value": optimum_text},
            {"quantity": "held-out MSE", "value": Spread.of(rows["test_mse"]).text(FMT)},
        ]
        if "test_pca_optimum_mse" in rows and rows["test_pca_optimum_mse"].notna().all():
            owns = rows["test_pca_optimum_mse"]
            own_text = _value_text(owns, FMT)
            gap = Spread.of(rows["test_mse"] - rows["train_mse"])
            sampled = _value_text(owns - optima, "+.2g")
            notes.append(
                f"Its gap of {gap.text('+.2g')} is mostly the sample: the held-out set's own "
                f"rank-{rank} optimum is {own_text} against {optimum_text} on the training "
                f"set, so sampling alone explains {sampled} of it; using the training "
                f"set's direction costs {Spread.of(rows['test_mse'] - owns).text('+.2g')}."
            )
            table.append({"quantity": f"held-out set's own rank-{rank} optimum", "value": own_text})
        found.append(Section(f"Linear model {model} against PCA", notes, pd.DataFrame(table)))
    return found


def _value_text(values: pd.Series, fmt: str) -> str:
    """One number when every replica shares it (one data sample), else their spread (one
    sample per replica)."""
    if values.nunique() == 1:
        return f"{values.iloc[0]:{fmt}}"
    return Spread.of(values).text(fmt)


def _gaps(variants: pd.DataFrame) -> Section:
    gap, fails = paired(variants, "generalisation_gap"), _failed(variants)
    notes = [
        f"{model}: gap {Spread.of(gap[model]).text('+.2g')}, "
        + agreement_text(agreement(gap[model] > 0), "positive", "zero or negative")
        + "."
        for model in gap
    ]
    if gap.shape[1] > 1:
        order = list(gap.mean().sort_values(ascending=False).index)
        contrasts = [
            Contrast(
                a, b, "gap", gap[a], gap[b], lower_is_better=False, left_out=_either(fails, a, b)
            )
            for a, b in combinations(order, 2)
        ]
        notes += [f"{text}." for _, text in contrast_texts(contrasts)]
    table = _table({"gap (held-out minus training MSE)": gap}, fails)
    return Section("Generalisation gap (absolute, paired by seed)", notes, table)


def _has(rows: pd.DataFrame, column: str) -> bool:
    return column in rows and rows[column].notna().any()


def _trained(values: pd.Series, fails: pd.Series) -> pd.Series:
    """The values of the replicas that trained (all of them when none did)."""
    kept = values[~fails.to_numpy()]
    return kept if len(kept.dropna()) else values


def _latent_order(variants: pd.DataFrame) -> list[Section]:
    """Part (c): how each code orders the training points, before and after training, by
    Spearman's rank correlation of z with x and with y (its sign is the code's arbitrary
    direction: |rho| is compared)."""
    if not _has(variants, "spearman_zx") or not _has(variants, "spearman_zx_before"):
        return []
    fails = _failed(variants)
    columns, contrasts = {}, []
    for axis in ("x", "y"):
        before = paired(variants, f"spearman_z{axis}_before").abs()
        after = paired(variants, f"spearman_z{axis}").abs()
        columns[f"abs {RHO}(z, {axis}) before"] = before
        columns[f"abs {RHO}(z, {axis}) after"] = after
        contrasts += [
            Contrast(
                f"{model} after",
                f"{model} before",
                f"|{RHO}(z, {axis})|",
                after[model],
                before[model],
                lower_is_better=False,
                left_out=fails[model].to_numpy(),
            )
            for model in after.columns
        ]
    notes = [
        f"{RHO}: Spearman's rank correlation of each replica's code with x (or y) over the "
        "training points; 1: the code orders the points along that axis. A code's sign is "
        f"arbitrary, so |{RHO}| is compared, before (initial weights) against after training."
    ]
    notes += [f"{text}." for _, text in contrast_texts(contrasts)]
    return [
        Section(
            "Part (c): how the code orders the plane, before and after training",
            notes,
            _table(columns, fails),
        )
    ]


def _decoder_bound(variants: pd.DataFrame) -> list[Section]:
    """Part (d): the error the trained decoder's curve leaves (each point moved to its
    nearest point of the curve: no encoder does better) against the error the encoder
    adds by choosing another point of the curve, per replica."""
    if not _has(variants, "bound_test_mse"):
        return []
    fails = _failed(variants)
    test, bound_test = paired(variants, "test_mse"), paired(variants, "bound_test_mse")
    train, bound_train = paired(variants, "train_mse"), paired(variants, "bound_train_mse")
    share = paired(variants, "encoder_test_excess") / test
    folds = paired(variants, "fold_share_test")
    fold_excess = paired(variants, "fold_excess_share_test")
    coverage = paired(variants, "sweep_coverage")
    gap = float(variants["bound_grid_gap"].max())
    notes = [
        "Nearest-point bound: the MSE of moving each point to its nearest point of the "
        "decoder's curve, sampled on a fine grid over the codes in use; no encoder does better "
        f"there. Halving the grid raises it by at most {gap:.2g}."
    ]
    contrasts = [
        Contrast(
            f"nearest points of {model}'s curve",
            f"{model}'s encoder",
            "held-out MSE",
            bound_test[model],
            test[model],
            left_out=fails[model].to_numpy(),
        )
        for model in test.columns
        if bound_test[model].notna().all()
    ]
    notes += [f"{text}." for _, text in contrast_texts(contrasts)]
    for model in test.columns:
        if bound_test[model].isna().any():
            continue
        kept = fails[model]
        part, folded, caused = (
            Spread.of(_trained(values[model], kept)).text(".0%")
            for values in (share, folds, fold_excess)
        )
        if not (_trained(folds[model], kept) > 0).any():
            notes.append(
                f"{model}: the encoder's choice is {part} of held-out MSE; it puts no point "
                "on another fold of the curve."
            )
            continue
        notes.append(
            f"{model}: the encoder's choice is {part} of held-out MSE; points it puts on "
            f"another fold of the curve ({folded} of them) cause {caused} of that."
        )
    low = coverage.min()
    short = [model for model in coverage.columns if low[model] < SWEEP_COVERAGE]
    if len(coverage.columns) > len(short):
        covered = [m for m in coverage.columns if m not in short]
        notes.append(
            f"The decoder sweeps of {', '.join(covered)} span at least {SWEEP_COVERAGE:.0%} of "
            "the codes their encoders give the training points, in every replica "
            f"(lowest {low[covered].min():.0%})."
        )
    notes += [
        f"{model}: the configured sweep spans only {low[model]:.0%} of the training points' "
        "codes in some replica: its figure misses part of the curve in use."
        for model in short
    ]
    table = _table(
        {
            "training MSE": train,
            "training bound": bound_train,
            "held-out MSE": test,
            "held-out bound": bound_test,
            "encoder's share (held-out)": share,
            "excess from folds": fold_excess,
            "sweep coverage": coverage,
        },
        fails,
    )
    return [
        Section(
            "Part (d): the decoder's curve against the encoder's choice (nearest-point bound)",
            notes,
            table,
        )
    ]


def _is_monotone(swap_fraction: float) -> bool:
    return swap_fraction <= MONOTONE_TOLERANCE or swap_fraction >= 1 - MONOTONE_TOLERANCE


def _retraining(per_seed: pd.DataFrame) -> list[Section]:
    """Part (g), per replica: replica k retrained against replica k's own frozen decoder,
    on the MSE over the whole training set (not the last epoch's mini-batches), beside the
    frozen decoder's nearest-point bound where the per-seed table has it."""
    found = []
    for model, runs in per_seed[per_seed["role"] == "retrained"].groupby("model", sort=False):
        original = per_seed[(per_seed["model"] == model) & (per_seed["role"] == "variant")]
        if original.empty:
            continue
        both = pd.concat([original.assign(which="original"), runs.assign(which="retrained")])
        train = paired(both, "train_mse", key="which")
        test = paired(both, "test_mse", key="which")
        ratio = train["retrained"] / train["original"]
        swaps = runs["order_swap_fraction"]
        unit = "replicas" if len(runs) > 1 else "seeds"
        contrasts = [
            Contrast(
                "retrained",
                "original",
                "training MSE",
                train["retrained"],
                train["original"],
                unit=unit,
            ),
            Contrast(
                "retrained",
                "original",
                "held-out MSE",
                test["retrained"],
                test["original"],
                unit=unit,
            ),
        ]
        bounded = _has(runs, "bound_train_mse")
        if bounded:
            bound_train = paired(runs, "bound_train_mse").iloc[:, 0].to_numpy()
            bound_test = paired(runs, "bound_test_mse").iloc[:, 0].to_numpy()
            contrasts.append(
                Contrast(
                    "nearest-point bound",
                    "retrained",
                    "training MSE",
                    bound_train,
                    train["retrained"],
                    unit=unit,
                )
            )
        notes = [f"{text}." for _, text in contrast_texts(contrasts)]
        notes.append(
            "Retrained / original MSE over the whole training set: "
            f"{Spread.of(ratio).range_text('.2f')}."
        )
        if bounded:
            above = {}
            for which in ("retrained", "original"):
                times = Spread.of(train[which] / bound_train)
                above[which] = (
                    f"{times.text('.3g')} times (range {times.low:.3g} to {times.high:.3g})"
                )
            notes.append(
                "Training MSE over the frozen decoder's nearest-point bound (the best any "
                f"encoder can do): retrained {above['retrained']}, original {above['original']}."
            )
        if _has(runs, "spearman_old_new"):
            notes.append(
                "Spearman's rank correlation of the new code with the old: "
                f"{Spread.of(runs['spearman_old_new']).range_text('.2f')}."
            )
        notes.append(
            f"{Spread.of(swaps).range_text('.1%')} of sample pairs change their latent order: "
            + agreement_text(
                agreement(swaps.map(_is_monotone)),
                "the new latent is a monotone rescaling of the old",
                "the new latent is not a monotone rescaling of the old",
                unit=unit,
            )
            + f" (monotone: at most {MONOTONE_TOLERANCE:.0%} of pairs swapped, or all but it)."
        )
        columns = {"training MSE": train, "held-out MSE": test}
        if bounded:
            columns = {
                "training MSE": train.assign(**{"nearest-point bound": bound_train}),
                "held-out MSE": test.assign(**{"nearest-point bound": bound_test}),
            }
        found.append(
            Section(
                f"Part (g): encoder of {model} re-initialised, retrained against its frozen "
                "decoder (replica k against its own)",
                notes,
                _table(columns),
            )
        )
    return found


def _optimizers(runs: pd.DataFrame) -> list[Section]:
    """Part (h): the optimiser runs compared on the loss over the whole training set, at
    equal training examples seen and at equal updates taken (every pair of runs on both,
    one family); the mini-batch curve only to explain its noise."""
    runs = runs.dropna(subset=["full_train_loss"])
    if runs["label"].nunique() < 2:
        return []
    runs = runs.assign(label='"' + runs["label"] + '"')  # labels may hold commas
    full = paired(runs, "full_train_loss", key="label")
    held_out = paired(runs, "full_test_loss", key="label")
    fails = _failed(runs, "label")
    examples = int(runs["matched_examples"].iloc[0])
    at = {f"training-set loss at {examples:,} examples": full}
    updates = int(runs["matched_updates"].iloc[0]) if _has(runs, "updates_train_loss") else 0
    if updates:
        at[f"training-set loss at {updates:,} updates"] = paired(
            runs, "updates_train_loss", key="label"
        )
    contrasts = [
        Contrast(a, b, what, values[a], values[b], left_out=_either(fails, a, b))
        for what, values in at.items()
        for a, b in combinations(list(values.mean().sort_values().index), 2)
    ]
    results = contrast_texts(contrasts)
    notes = _steps_per_example(runs)
    notes += [f"{text}." for _, text in results]
    notes += _readings(runs, contrasts, [c for c, _ in results], list(at))
    notes += _failure_notes(fails)
    notes += _levels(runs, examples)
    notes += _rises(runs)
    notes += _batch_noise(runs)
    columns = {**at, f"held-out loss at {examples:,} examples": held_out}
    table = _table(dict(sorted(columns.items(), key=lambda item: "updates" in item[0])), fails)
    reach = paired(runs, "examples_to_level", key="label")
    reached = {label: f"{int(reach[label].notna().sum())} of {len(reach)}" for label in reach}
    table.insert(2, "reached level", table["run"].map(reached))
    extra = {
        "full_loss_rises": "epochs the loss rose",
        "batch_scatter": "batch scatter (std within an epoch)",
    }
    for column, name in extra.items():
        if _has(runs, column):
            values = paired(runs, column, key="label")
            table[name] = [  # NaN: one batch per epoch, nothing scatters
                _spread_cell(values[run]) if values[run].notna().any() else "one batch"
                for run in table["run"]
            ]
    title = f"Part (h): optimisers at {examples:,} training examples seen"
    if updates:
        title += f" and at {updates:,} updates"
    return [Section(title + " (loss over the whole training set)", notes, table)]


def _steps_per_example(runs: pd.DataFrame) -> list[str]:
    """Each run's updates per epoch and learning rate, and the rate per training example
    seen (learning rate / batch size): runs with equal rates take equal steps per update,
    runs with equal rates per example move equally far per example seen (to first order)."""
    if not _has(runs, "updates_per_epoch") or not _has(runs, "learning_rate"):
        return []
    first = runs.drop_duplicates("label").set_index("label")
    per_example = first["learning_rate"] / first["batch_size"]
    parts = [
        f"{label} {int(row.updates_per_epoch)}, {row.learning_rate:g}, {per_example[label]:.3g}"
        for label, row in first.iterrows()
    ]
    return [
        "Updates per epoch, learning rate, rate per example seen (learning rate / batch "
        "size): " + "; ".join(parts) + "."
    ]


def _readings(
    runs: pd.DataFrame,
    contrasts: list[Contrast],
    comparisons: list[Comparison],
    quantities: list[str],
) -> list[str]:
    """What a pair of runs with one setting in common says: at the same learning rate
    (equal steps per update), a lead at equal examples that is gone at equal updates is
    the extra updates per epoch; at the same rate per example seen, equal examples set one
    batch size's gradients against another's."""
    if not _has(runs, "updates_per_epoch") or not _has(runs, "learning_rate"):
        return []
    first = runs.drop_duplicates("label").set_index("label")
    found = {
        (contrast.quantity, frozenset((contrast.name_a, contrast.name_b))): (contrast, c)
        for contrast, c in zip(contrasts, comparisons, strict=True)
    }

    def winner(quantity: str, pair: frozenset) -> str:
        """The run named better at ``quantity`` ('' when not resolved)."""
        contrast, c = found[(quantity, pair)]
        return "" if not c.resolved else contrast.name_a if c.verdict == "A" else contrast.name_b

    notes = []
    for a, b in combinations(first.index, 2):
        pair, sa, sb = frozenset((a, b)), first.loc[a], first.loc[b]
        by_examples = winner(quantities[0], pair)
        if (
            len(quantities) > 1
            and sa["learning_rate"] == sb["learning_rate"]
            and sa["updates_per_epoch"] != sb["updates_per_epoch"]
        ):
            more, fewer = (a, b) if sa["updates_per_epoch"] > sb["updates_per_epoch"] else (b, a)
            if by_examples == more and not winner(quantities[1], pair):
                notes.append(
                    f"At the same learning rate ({sa['learning_rate']:g}), {more} leads {fewer} "
                    "at equal examples but not at equal updates: its lead is its "
                    f"{int(first.loc[more, 'updates_per_epoch'])} updates per epoch against "
                    f"{int(first.loc[fewer, 'updates_per_epoch'])}."
                )
        rate_a = sa["learning_rate"] / sa["batch_size"]
        rate_b = sb["learning_rate"] / sb["batch_size"]
        if np.isclose(rate_a, rate_b) and sa["batch_size"] != sb["batch_size"]:
            small, large = (a, b) if sa["batch_size"] < sb["batch_size"] else (b, a)
            batches = f"batch {first.loc[small, 'batch_size']:g} against batch "
            batches += f"{first.loc[large, 'batch_size']:g}"
            if by_examples:
                loser = b if by_examples == a else a
                notes.append(
                    f"At the same rate per example seen ({rate_a:.3g}), {by_examples} is lower "
                    f"than {loser} at equal examples: gradients of {batches}."
                )
            else:
                notes.append(
                    f"At the same rate per example seen ({rate_a:.3g}), {small} and {large} "
                    f"are not resolved at equal examples: this run does not separate the "
                    f"gradients of {batches}."
                )
    return notes


def _levels(runs: pd.DataFrame, examples: int) -> list[str]:
    """When each run's training-set loss first reaches one level, in examples and updates;
    'not reached' (never zero) for seeds that do not get there by ``examples``."""
    reach = paired(runs, "examples_to_level", key="label")
    steps = (
        paired(runs, "updates_to_level", key="label")
        if _has(runs, "updates_to_level")
        else reach * np.nan
    )
    notes = []
    for label in reach.columns:
        reached, taken = reach[label].dropna(), steps[label].dropna()
        never = len(reach) - len(reached)
        when = (
            f", after {reached.min():,.0f} to {reached.max():,.0f} examples" if len(reached) else ""
        )
        if len(taken):
            when += f" ({taken.min():,.0f} to {taken.max():,.0f} updates)"
        if len(reached) and reached.max() == 0:
            when = ", from the start: its untrained loss is already below the level"
        count = (
            f"in {len(reached)} of {len(reach)} seeds"
            if len(reach) > 1
            else ("in its one seed" if len(reached) else "in no seed")
        )
        notes.append(
            f"{label} reaches {LEVEL_MARGIN:g}x the worst run's mean loss at {examples:,} "
            f"examples {count}{when}"
            + (f"; not reached in {never}." if never and len(reach) > 1 else ".")
        )
    return notes


def _rises(runs: pd.DataFrame) -> list[str]:
    """How often each run's loss over the whole training set went up from one epoch to the
    next (the most in any seed): a plain question where 'roughness' has no honest scale."""
    if not _has(runs, "full_loss_rises"):
        return []
    rises = paired(runs, "full_loss_rises", key="label")
    epochs = runs.drop_duplicates("label").set_index("label")["epochs"]
    parts = [f"{label} {rises[label].max():,.0f} of {epochs[label]:,.0f}" for label in rises]
    return [
        "Epochs in which the loss over the whole training set rose, most in any seed: "
        + "; ".join(parts)
        + "."
    ]


def _batch_noise(runs: pd.DataFrame) -> list[str]:
    """Why the noisiest mini-batch curve is noisy: sampling, or the model moving."""
    noisy = runs.dropna(subset=["noise_ratio"])
    if noisy.empty:
        return []
    label = noisy.groupby("label", sort=False)["noise_ratio"].mean().idxmax()
    ratio = noisy[noisy["label"] == label]["noise_ratio"]
    verdict = agreement(ratio >= NOISE_FACTOR).verdict
    why = {
        True: "mostly batch sampling, not the model moving",
        False: "not mainly the sampling of batches",
        None: "not resolved between batch sampling and the model moving",
    }[verdict]
    fmt = ",.0f" if ratio.mean() >= 100 else ".3g"
    return [
        f"{label}: within an epoch, batch losses scatter {Spread.of(ratio).range_text(fmt)} "
        f"times the whole-set loss's change ("
        + agreement_text(
            agreement(ratio >= NOISE_FACTOR),
            f"at least {NOISE_FACTOR:g}x",
            f"less than {NOISE_FACTOR:g}x",
        )
        + f"): its noise is {why}."
    ]


def _capacity(rows: pd.DataFrame, linear: float = float("nan")) -> list[Section]:
    """Part (e) measured: one section (a family of comparisons) per training-set size:
    how each width's run stopped, which widths memorise their training points, held-out
    MSE against width, and the answer to the sheet's claim. ``linear``: the training set's
    rank-1 optimum, for rows without their own (``pca_optimum_mse``)."""
    if rows.empty:
        return []
    if not _has(rows, "n_train"):
        return [_capacity_size(rows, linear, "")]
    return [
        _capacity_size(rows[rows["n_train"] == n], linear, f", {int(n)} training points")
        for n in rows["n_train"].dropna().unique()
    ]


def _capacity_size(rows: pd.DataFrame, linear: float, title: str) -> Section:
    rows = rows.assign(name=rows["width"].map(lambda w: f"w={int(w)}"))
    train, test = paired(rows, "train_mse", "name"), paired(rows, "test_mse", "name")
    fails = _failed(rows, "name")
    widths = rows.drop_duplicates("name").sort_values("width")
    names = list(widths["name"])
    if _has(rows, "pca_optimum_mse"):
        linear = float(rows["pca_optimum_mse"].dropna().iloc[0])
    notes = [_capacity_protocol(rows), *_capacity_stops(rows, names)]
    notes += [
        f"{name}: {int(fails[name].sum())} of {len(fails)} seeds did not train (final "
        f"training MSE {', '.join(f'{v:.3g}' for v in train[name][fails[name]])}); left out of "
        "comparisons."
        for name in names
        if fails[name].any()
    ]
    notes += _linear_only(linear, train, fails)
    memorised = {}  # width -> in how many of the seeds that trained it memorises
    if _has(rows, "constant_mse"):
        level = memorised_level(float(rows["constant_mse"].dropna().iloc[0]))
        memorised = {
            name: agreement((train[name] <= level)[~fails[name]].to_numpy())
            for name in names
            if (~fails[name]).any()
        }
        notes.append(_memorised_note(memorised, level))
    table = _capacity_table(rows, names, train, test, fails, memorised)
    if len(names) == 1:
        return Section(f"Part (e): capacity{title}", notes, table)
    means = test.where(~fails).mean().dropna()  # widths where some seed trained
    best = (means if len(means) else test.mean()).idxmin()
    contrasts = [
        Contrast(
            best, name, "held-out MSE", test[best], test[name], left_out=_either(fails, best, name)
        )
        for name in names
        if name != best
    ]
    # The sheet's claim at the widest width that memorises (in every seed that trained),
    # against the best width that memorises in none.
    widest = [name for name, agreed in memorised.items() if agreed.verdict is True][-1:]
    never = [name for name, agreed in memorised.items() if agreed.verdict is False]
    narrow = min(never, key=lambda name: means.get(name, np.inf)) if never else None
    claim = None  # the index of the contrast that answers it
    if widest:
        wide = widest[0]
        if narrow:
            pair = {narrow, wide}
            claim = next((i for i, c in enumerate(contrasts) if {c.name_a, c.name_b} == pair), None)
            if claim is None:
                claim = len(contrasts)
                contrasts.append(
                    Contrast(
                        narrow,
                        wide,
                        "held-out MSE",
                        test[narrow],
                        test[wide],
                        left_out=_either(fails, narrow, wide),
                    )
                )
        contrasts += _memorising_contrasts(rows, wide, test, fails)
    results = contrast_texts(contrasts)
    notes.append(f"Held-out MSE is lowest by the mean (of seeds that trained) at {best}.")
    notes += [f"{text}." for _, text in results]
    winner = None
    if claim is not None and results[claim][0].resolved:
        contrast = contrasts[claim]
        winner = contrast.name_a if results[claim][0].verdict == "A" else contrast.name_b
    if _has(rows, "constant_mse"):
        notes.append(_claim_note(rows, widest[0] if widest else None, narrow, winner))
    return Section(f"Part (e): capacity, hidden [w, w]{title}", notes, table)


def _capacity_protocol(rows: pd.DataFrame) -> str:
    """How the runs of one size trained (the variant's own settings when the rows do not
    say)."""
    first = rows.iloc[0]
    base = first["label"].split(",")[0]
    if not _has(rows, "schedule"):
        return f"{base}'s architecture with hidden [w, w], trained as {base}."
    points = f"the first {int(first['n_train'])} training points"
    text = (
        f"{base} at hidden [w, w] on {points}: {first['optimizer']}, lr {first['learning_rate']:g}"
        f" ({first['schedule']}), batch {int(first['batch_size'])}, at most "
        f"{int(first['epochs'])} epochs"
    )
    if first["stop_window"]:
        text += (
            f"; stops once every seed's best training MSE improved by less than "
            f"{100 * first['stop_tolerance']:.3g}% over {int(first['stop_window'])} epochs"
        )
    return text + f". MSEs recorded every {int(first['record_every'])} epochs."


def _capacity_stops(rows: pd.DataFrame, names: list[str]) -> list[str]:
    """Which runs stopped on the rule (and when) and which at the cap."""
    if not _has(rows, "stop_epoch") or not rows["stop_window"].fillna(0).any():
        return []
    cap = int(rows["epochs"].iloc[0])
    stops = rows.groupby("name")["stop_epoch"].max()
    ruled = [f"{name} at {int(stops[name])}" for name in names if stops[name] < cap]
    capped = [name for name in names if stops[name] >= cap]
    parts = []
    if ruled:
        parts.append(f"on the rule (every seed plateaued), epoch: {', '.join(ruled)}")
    if capped:
        parts.append(f"at the cap ({cap}): {', '.join(capped)}")
    return [f"Stopped {'; '.join(parts)}."]


def _memorised_note(memorised: dict, level: float) -> str:
    """Which widths memorise their training points, by the threshold ``level``."""
    groups = {True: [], None: [], False: []}
    for name, agreed in memorised.items():
        groups[agreed.verdict].append(
            name if agreed.verdict is not None else f"{name} ({agreed.holds} of {agreed.seeds})"
        )
    text = (
        f"Memorised (training MSE <= {MEMORISED_SHARE:.1%} of the constant reconstruction's, "
        f"here {level:.2g}) in every seed that trained: {', '.join(groups[True]) or 'no width'}"
    )
    if groups[None]:
        text += f"; in some seeds: {', '.join(groups[None])}"
    if groups[False]:
        text += f"; in none: {', '.join(groups[False])}"
    return text + "."


def _memorising_contrasts(
    rows: pd.DataFrame, wide: str, test: pd.DataFrame, fails: pd.DataFrame
) -> list[Contrast]:
    """At the widest memorising width: held-out MSE against the linear code of the same
    points, and at the end against its own best record."""
    left_out = fails[wide].to_numpy()
    found = []
    if _has(rows, "pca_fit_test_mse"):
        pca = paired(rows, "pca_fit_test_mse", "name")[wide]
        found.append(
            Contrast(wide, "PCA of its points", "held-out MSE", test[wide], pca, left_out=left_out)
        )
    if _has(rows, "best_test_mse"):
        found.append(
            Contrast(
                f"{wide} at its best epoch",
                f"{wide} at the end",
                "held-out MSE",
                paired(rows, "best_test_mse", "name")[wide],
                test[wide],
                left_out=left_out,
            )
        )
    return found


def _claim_note(rows: pd.DataFrame, wide: str | None, narrow: str | None, winner) -> str:
    """The answer to the sheet's claim, from the paired contrast that tests it."""
    claim = "Sheet's claim ('memorises and stops generalising')"
    if wide is None:
        return (
            f"{claim}: not tested; no width memorised in every seed that trained, within "
            f"{int(rows['epochs'].iloc[0])} epochs."
        )
    if narrow is None:
        return (
            f"{claim}: not tested against width; every width memorised in some seed. At {wide}, "
            "see the contrasts with PCA and with its best epoch above."
        )
    if winner == narrow:
        return (
            f"{claim}: yes. {wide} memorises, and its held-out MSE is higher than at {narrow}, "
            "the best width that memorises in no seed (resolved, above)."
        )
    if winner == wide:
        return (
            f"{claim}: no. {wide} memorises, yet its held-out MSE is lower than at {narrow}, "
            "the best width that memorises in no seed (resolved, above)."
        )
    return (
        f"{claim}: not resolved. {wide} memorises; its held-out MSE against {narrow}'s, the "
        "best width that memorises in no seed, is not resolved (above)."
    )


def _capacity_table(
    rows: pd.DataFrame,
    names: list[str],
    train: pd.DataFrame,
    test: pd.DataFrame,
    fails: pd.DataFrame,
    memorised: dict,
) -> pd.DataFrame:
    columns = {"training MSE": train, "held-out MSE": test}
    if _has(rows, "best_test_mse"):
        columns["best held-out MSE"] = paired(rows, "best_test_mse", "name")
    table = _table(columns, fails)
    if _has(rows, "best_test_epoch"):
        epochs = paired(rows, "best_test_epoch", "name")
        table["its epoch"] = [_spread_cell(epochs[name], fails[name], ".0f") for name in names]
    parameters = rows.drop_duplicates("name").set_index("name")["parameters"]
    table.insert(1, "parameters", [int(parameters[name]) for name in names])
    table["memorised"] = [
        f"{memorised[name].holds} of {memorised[name].seeds}" if name in memorised else ""
        for name in names
    ]
    if _has(rows, "stop_epoch"):
        stops = rows.groupby("name")["stop_epoch"].max()
        table["stopped at epoch"] = [int(stops[name]) for name in names]
    return table


def _linear_only(level: float, train: pd.DataFrame, fails: pd.DataFrame) -> list[str]:
    """Replicas that trained only as far as the best linear map (error ``level``)."""
    if not np.isfinite(level):
        return []
    notes = []
    for name in train.columns:
        linear = (np.abs(train[name] / level - 1) <= PCA_TOLERANCE) & ~fails[name]
        if linear.any():
            notes.append(
                f"{name}: {int(linear.sum())} of {len(train)} seeds reached only the best "
                f"linear map's error ({level:.3g}, within {PCA_TOLERANCE:.0%})."
            )
    return notes
