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

from aeflow.autoencoder.summary import LEVEL_MARGIN
from aeflow.core.claims import (
    FAILED_MARGIN,
    RULE,
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
FMT = ".3g"


def header(per_seed: pd.DataFrame) -> list[str]:
    """What the replicas vary, the decision rule and the failure rule, for the page top."""
    seeds = int(per_seed.groupby("model")["seed"].nunique().max()) if len(per_seed) else 0
    return [
        f"Replicas: {seeds} per run. Replica k changes the initial weights and the batch "
        "order (training seed + k); the data sample is one draw, the same for every replica, "
        "so each 'k of n seeds' holds for that one sample.",
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
    found += _retraining(per_seed)
    found += _optimizers(per_seed[per_seed["role"] == "optimizer run"])
    optimum = per_seed["pca_optimum_mse"].dropna() if "pca_optimum_mse" in per_seed else []
    linear = float(optimum.iloc[0]) if len(optimum) else float("nan")
    found += _capacity(per_seed[per_seed["role"] == "capacity"], linear)
    return found


def _failure_notes(fails: pd.DataFrame) -> list[str]:
    return [
        f"{run}: {int(fails[run].sum())} of {len(fails)} seeds did not train; they are left "
        "out of its comparisons."
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
        optimum = rows["pca_optimum_mse"].iloc[0]
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
            {"quantity": f"training set's rank-{rank} optimum", "value": f"{optimum:{FMT}}"},
            {"quantity": "held-out MSE", "value": Spread.of(rows["test_mse"]).text(FMT)},
        ]
        if "test_pca_optimum_mse" in rows and rows["test_pca_optimum_mse"].notna().all():
            own = rows["test_pca_optimum_mse"].iloc[0]
            gap = Spread.of(rows["test_mse"] - rows["train_mse"])
            sampled = own - optimum
            notes.append(
                f"Its gap of {gap.text('+.2g')} is mostly the sample: the held-out set's own "
                f"rank-{rank} optimum is {own:{FMT}} against {optimum:{FMT}} on the training "
                f"set, so sampling alone explains {sampled:+.2g} of it; using the training "
                f"set's direction costs {Spread.of(rows['test_mse'] - own).text('+.2g')}."
            )
            table.append(
                {"quantity": f"held-out set's own rank-{rank} optimum", "value": f"{own:{FMT}}"}
            )
        found.append(Section(f"Linear model {model} against PCA", notes, pd.DataFrame(table)))
    return found


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


def _is_monotone(swap_fraction: float) -> bool:
    return swap_fraction <= MONOTONE_TOLERANCE or swap_fraction >= 1 - MONOTONE_TOLERANCE


def _retraining(per_seed: pd.DataFrame) -> list[Section]:
    """Part (g), per replica: replica k retrained against replica k's own frozen decoder."""
    found = []
    for model, runs in per_seed[per_seed["role"] == "retrained"].groupby("model", sort=False):
        original = per_seed[(per_seed["model"] == model) & (per_seed["role"] == "variant")]
        if original.empty:
            continue
        both = pd.concat([original.assign(which="original"), runs.assign(which="retrained")])
        loss = paired(both, "final_train_loss", key="which")
        test = paired(both, "test_mse", key="which")
        ratio = loss["retrained"] / loss["original"]
        swaps = runs["order_swap_fraction"]
        unit = "replicas" if len(runs) > 1 else "seeds"
        contrasts = [
            Contrast(
                "retrained",
                "original",
                "final training loss",
                loss["retrained"],
                loss["original"],
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
        notes = [f"{text}." for _, text in contrast_texts(contrasts)]
        notes.append(
            f"Retrained / original final training loss: {Spread.of(ratio).range_text('.2f')}."
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
        table = _table({"final training loss": loss, "held-out MSE": test})
        found.append(
            Section(
                f"Part (g): encoder of {model} re-initialised, retrained against its frozen "
                "decoder (replica k against its own)",
                notes,
                table,
            )
        )
    return found


def _optimizers(runs: pd.DataFrame) -> list[Section]:
    """Part (h): the optimiser runs compared on the loss over the whole training set at
    equal training examples seen; the mini-batch curve only to explain its noise."""
    runs = runs.dropna(subset=["full_train_loss"])
    if runs["label"].nunique() < 2:
        return []
    runs = runs.assign(label='"' + runs["label"] + '"')  # labels may hold commas
    full = paired(runs, "full_train_loss", key="label")
    held_out = paired(runs, "full_test_loss", key="label")
    rough = paired(runs, "full_loss_roughness", key="label")
    examples = int(runs["matched_examples"].iloc[0])
    best, runner = list(full.mean().sort_values().index[:2])
    smooth, other = list(rough.mean().sort_values().index[:2])
    contrasts = [
        Contrast(best, runner, "training-set loss", full[best], full[runner]),
        Contrast(best, runner, "held-out loss", held_out[best], held_out[runner]),
        Contrast(smooth, other, "roughness on the grid", rough[smooth], rough[other]),
    ]
    notes = [f"{text}." for _, text in contrast_texts(contrasts)]
    reach = paired(runs, "examples_to_level", key="label")
    level = LEVEL_MARGIN
    for label in reach.columns:
        reached = reach[label].dropna()
        never = len(reach) - len(reached)
        when = (
            f", after {reached.min():,.0f} to {reached.max():,.0f} examples" if len(reached) else ""
        )
        count = (
            f"in {len(reached)} of {len(reach)} seeds"
            if len(reach) > 1
            else ("in its one seed" if len(reached) else "in no seed")
        )
        notes.append(
            f"{label} reaches {level:g}x the worst run's final loss {count}{when}"
            + (f"; not reached in {never}." if never and len(reach) > 1 else ".")
        )
    notes += _batch_noise(runs)
    batch = paired(runs, "loss_roughness", key="label")
    reached_cells = {
        label: f"{int(reach[label].notna().sum())} of {len(reach)}" for label in reach.columns
    }
    table = _table(
        {
            "training-set loss": full,
            "held-out loss": held_out,
            "roughness (grid)": rough,
            "roughness (mini-batch curve)": batch,
        }
    )
    table.insert(2, "reached level", table["run"].map(reached_cells))
    return [
        Section(
            f"Part (h): optimisers at {examples:,} training examples seen by each run "
            "(loss over the whole training set)",
            notes,
            table,
        )
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
    """Part (e) measured: training and held-out MSE against width, [w, w]; ``linear``: the
    training set's rank-1 optimum (the best linear map's error)."""
    if rows.empty:
        return []
    rows = rows.assign(name=rows["width"].map(lambda w: f"w={int(w)}"))
    train, test = paired(rows, "train_mse", "name"), paired(rows, "test_mse", "name")
    gap = test - train
    fails = _failed(rows, "name")
    widths = rows.drop_duplicates("name").sort_values("width")
    small, large = widths["name"].iloc[0], widths["name"].iloc[-1]
    base = rows["label"].iloc[0].split(",")[0]
    notes = [f"{base}'s architecture with hidden [w, w], trained as {base}."]
    notes += [
        f"{name}: {int(fails[name].sum())} of {len(fails)} seeds did not train (final "
        f"training MSE {', '.join(f'{v:.3g}' for v in train[name][fails[name]])}); left out of "
        "comparisons."
        for name in widths["name"]
        if fails[name].any()
    ]
    notes += _linear_only(linear, train, fails)
    table = _table({"training MSE": train, "held-out MSE": test}, fails)
    table.insert(1, "parameters", [int(p) for p in widths["parameters"]])
    if small == large:
        return [Section("Part (e): capacity", notes, table)]
    trained = test.where(~fails)
    means = trained.mean().dropna()  # widths where some seed trained
    best = (means if len(means) else test.mean()).idxmin()
    contrasts = [
        Contrast(
            best, name, "held-out MSE", test[best], test[name], left_out=_either(fails, best, name)
        )
        for name in widths["name"]
        if name != best
    ]
    contrasts += [
        Contrast(
            large,
            small,
            "training MSE",
            train[large],
            train[small],
            left_out=_either(fails, large, small),
        ),
        Contrast(
            large,
            small,
            "gap",
            gap[large],
            gap[small],
            lower_is_better=False,
            left_out=_either(fails, large, small),
        ),
    ]
    notes.append(f"Held-out MSE is lowest by the mean (of seeds that trained) at {best}.")
    notes += [f"{text}." for _, text in contrast_texts(contrasts)]
    return [Section("Part (e): capacity, hidden [w, w]", notes, table)]


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
