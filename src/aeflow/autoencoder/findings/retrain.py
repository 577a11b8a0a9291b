"""Part (g): the encoder re-initialised and retrained against its own frozen decoder, per
replica (replica k against replica k's decoder)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aeflow.autoencoder.findings.common import has, paired, section, table
from aeflow.core.claims import Contrast
from aeflow.core.margins import Margins
from aeflow.core.numbers import interval, number
from aeflow.core.report import Section

TITLE = "Part (g): the encoder retrained against its frozen decoder"


def retraining(per_seed: pd.DataFrame, margins: Margins) -> list[Section]:
    found = []
    for model, runs in per_seed[per_seed["role"] == "retrained"].groupby("model", sort=False):
        original = per_seed[(per_seed["model"] == model) & (per_seed["role"] == "variant")]
        if original.empty:
            continue
        both = pd.concat([original.assign(which="original"), runs.assign(which="retrained")])
        train = paired(both, "train_mse", key="which")
        test = paired(both, "test_mse", key="which")
        dead = paired(both.assign(dead=both.get("dead_network", 0.0)), "dead", "which")
        flags = (dead.fillna(0) > 0).any(axis=1).to_numpy()
        unit = "replicas"
        contrasts = [
            Contrast(
                "retrained",
                "original",
                what,
                values["retrained"],
                values["original"],
                margins.of("mse", values["original"]),
                bounds=(0.0, np.inf),
                set_aside=flags,
                unit=unit,
            )
            for what, values in (("training MSE", train), ("held-out MSE", test))
        ]
        swaps = runs.sort_values("seed")["order_swap_fraction"].to_numpy(dtype=float)
        # A monotone map keeps every pair's order (0) or reverses all (1, mirrored).
        disorder = np.minimum(swaps, 1 - swaps)
        contrasts.append(
            Contrast(
                "pairs whose latent order changes (new code against old, mirror allowed)",
                "0",
                "share of pairs",
                disorder,
                0.0,
                margins.of("share"),
                lower_is_better=None,
                bounds=(0.0, 0.5),
                percent=True,
                unit=unit,
            )
        )
        notes = [
            f"Replica k's encoder is re-initialised and retrained against replica k's frozen "
            f"decoder ({model}); MSEs over the whole training and held-out sets."
        ]
        if has(runs, "bound_train_mse"):
            bound_train = paired(runs, "bound_train_mse").iloc[:, 0].to_numpy()
            times = {w: train[w].to_numpy() / bound_train for w in ("retrained", "original")}
            notes.append(
                "Training MSE over the frozen decoder's nearest-point bound (1 = the best any "
                "encoder can do with it), range over replicas: "
                + "; ".join(f"{w} {interval(v.min(), v.max(), 3)}" for w, v in times.items())
                + "."
            )
        if has(runs, "spearman_old_new"):
            rho = runs["spearman_old_new"].to_numpy(dtype=float)
            notes.append(
                "Spearman's rank correlation of the new code with the old, range over "
                f"replicas: {interval(rho.min(), rho.max())}; order swaps as a share of pairs: "
                f"{number(float(np.mean(swaps)))} on average."
            )
        shown = table({"training MSE": train, "held-out MSE": test})
        found.append(
            section(
                f"{TITLE} ({model})",
                contrasts,
                notes,
                shown,
                "retrain_losses",
                design=margins.design,
            )
        )
    return found
