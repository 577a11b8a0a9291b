"""Playground trainings through Lightning, many at once, and the tables they leave behind.

A *group* is a list of trials that share ``PlaygroundSpec.chunk_key`` (network shape,
problem, schedule); each trial brings ``fit.seeds`` replicas. All their networks (the
slices) are trained together by one ``ClassifierModule`` (``train_chunk``); every slice
learns exactly as it would alone, whatever its activation and the sizes of its training and
test sets. A job's *chunk* holds one group or several (``train_groups``: one after
another, each as it would train alone).
"""

from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from aeflow.core.curves import curve_table, warn_divergence
from aeflow.core.modules import count_parameters
from aeflow.core.stacked import stacked_linear
from aeflow.core.state import TrainingState
from aeflow.playground.data import DOMAIN, make_points
from aeflow.playground.metrics import LOSS_LEVEL, network_metrics, plane_grid, unit_metrics
from aeflow.playground.models import ACTIVATIONS, PlaygroundNetworks, features
from aeflow.playground.settings import PlaygroundSpec

log = logging.getLogger(__name__)
BOUNDARY_GRID = 101  # points per axis of the output map over DOMAIN
COLUMNS = ["x1", "x2", "label"]


@dataclass
class ChunkResult:
    curves: pd.DataFrame  # trial, seed, epoch, examples_seen, train_loss, test_loss
    metrics: pd.DataFrame  # trial, seed, and metrics.network_metrics of each network
    # Only for the trials asked for (``maps``): figures draw them.
    points: pd.DataFrame  # trial, seed, x1, x2, label, split, output (trained network)
    # trial, x1, x2, output (mean over the job's seeds), output_std, seeds (read_maps)
    boundary: pd.DataFrame
    weights: pd.DataFrame  # trial, seed, layer, target, source, weight, dead
    seconds: float
    global_step: int


def slice_table(trials: list[tuple[str, PlaygroundSpec]]) -> list[dict]:
    """One entry per network: the trial's name and, per replica k of the job's block
    (``fit.first_replica`` on), seed ``fit.seed + k`` (initial weights and point order)
    with the trial's optimiser settings."""
    return [
        {
            "trial": name,
            "seed": spec.fit.seed + k,
            "learning_rate": spec.fit.learning_rate,
            "regularization": spec.fit.regularization,
            "regularization_rate": spec.fit.regularization_rate,
            "activation": spec.network.activation,
        }
        for name, spec in trials
        for k in range(spec.fit.first_replica, spec.fit.first_replica + spec.fit.seeds)
    ]


def _stack(tables: list[pd.DataFrame], split: str | None, dtype: torch.dtype) -> tuple:
    """(R, n, 3) rows of x1, x2, label of one split (all rows when None), one table per
    network, and each network's row count: smaller sets are padded with copies of their
    own first row up to the largest (n)."""
    arrays = [
        (t if split is None else t.loc[t["split"] == split])[COLUMNS].to_numpy() for t in tables
    ]
    sizes = [len(a) for a in arrays]
    longest = max(sizes)
    padded = [np.concatenate([a, np.repeat(a[:1], longest - len(a), axis=0)]) for a in arrays]
    return torch.tensor(np.stack(padded), dtype=dtype), sizes


def _grid() -> torch.Tensor:
    axis = torch.linspace(*DOMAIN, BOUNDARY_GRID, dtype=torch.float64)
    x1, x2 = torch.meshgrid(axis, axis, indexing="xy")
    return torch.stack([x1.reshape(-1), x2.reshape(-1)], dim=1)


def weight_table(network: PlaygroundNetworks, dead: list[torch.Tensor], r: int) -> pd.DataFrame:
    """Network r's weights (no biases): layer (1 = first), target, source, weight, dead."""
    frames = []
    for layer, (matrix, mask) in enumerate(zip(network.weights, dead, strict=True), start=1):
        values = matrix[r].detach().double().cpu().numpy()
        target, source = np.indices(values.shape)
        frames.append(
            pd.DataFrame(
                {
                    "layer": layer,
                    "target": target.ravel(),
                    "source": source.ravel(),
                    "weight": values.ravel(),
                    "dead": mask[r].cpu().numpy().ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def hidden_outputs(network: PlaygroundNetworks, points: torch.Tensor) -> list[torch.Tensor]:
    """Every hidden layer's outputs (R, n, units), first layer first, of the R networks
    on their own points (R, n, 2): what ``network`` computes before its output unit, each
    slice through its own activation."""
    hidden = features(points, network.spec.features)
    layers = []
    for weight, bias in zip(network.weights[:-1], network.biases[:-1], strict=True):
        total = stacked_linear(hidden, weight, bias)
        hidden = torch.stack(
            [ACTIVATIONS[name](total[r]) for r, name in enumerate(network.activations)]
        )
        layers.append(hidden)
    return layers


def train_chunk(
    trials: list[tuple[str, PlaygroundSpec]],
    run_name: str,
    checkpoint: str | os.PathLike[str] | None = None,
    precision: str = "32-true",
    maps: set[str] | None = None,
    loss_level: float = LOSS_LEVEL,
    state: TrainingState | None = None,
) -> ChunkResult:
    """Generate each trial's data set, train all networks together with the Playground's
    rule, tabulate the outcome per trial and seed. With ``checkpoint``, the trained module
    is saved there as a Lightning checkpoint. Points with outputs and output maps are
    kept for the trials in ``maps`` only (all when None): a large sweep needs numbers.
    ``loss_level`` (``playground.claims.loss_level``): the test loss whose first reach
    each network's metrics record. With a ``state`` (``core.state``), the training so far
    is saved there every tenth of its epochs and a killed training resumes from it."""
    from aeflow.core.trainer import fit
    from aeflow.playground.lit import ClassifierModule, PlaygroundData

    first = trials[0][1]
    mixed = [name for name, spec in trials if spec.chunk_key() != first.chunk_key()]
    if mixed:
        raise ValueError(f"trials {mixed} cannot share a chunk with {trials[0][0]!r}")
    dtype_name = "float64" if precision.startswith("64") else "float32"
    dtype = getattr(torch, dtype_name)
    slices = slice_table(trials)
    data = {name: make_points(spec.data) for name, spec in trials}
    tables = [data[s["trial"]] for s in slices]
    (train, train_sizes), (test, test_sizes) = (_stack(tables, s, dtype) for s in ("train", "test"))
    # In float64, initialised so from the start, not float32 values widened by Lightning.
    module = ClassifierModule(
        first.network.to_dict(), slices, first.regression, run_name, dtype_name
    )
    module.attach_data(train, test, train_sizes, test_sizes)
    loader = PlaygroundData(
        module.train_set,
        first.fit.batch_size,
        [s["seed"] for s in slices],
        first.fit.reshuffle,
        train_sizes,
        {name: asdict(spec.data) for name, spec in trials},
    )
    log.info(
        "training %s: %d trials x seeds = %d networks of %s (%d parameters each, "
        "activations %s), %s train / %s test points, %d epochs x %s updates",
        run_name,
        len(trials),
        len(slices),
        {k: v for k, v in first.network.to_dict().items() if k != "activation"},
        count_parameters(module.network) // len(slices),
        "/".join(dict.fromkeys(s["activation"] for s in slices)),
        _span(train_sizes),
        _span(test_sizes),
        first.fit.epochs,
        _span([size // first.fit.batch_size for size in train_sizes]),
    )
    outcome = fit(
        module,
        loader,
        first.fit.epochs,
        first.fit.accelerator,
        final_checkpoint=checkpoint,
        precision=precision,
        state=state,
    )
    network = module.network.cpu()
    per_epoch = torch.stack(module.epoch_losses).cpu()  # (E + 1, R, 2)
    names = [s["trial"] for s in slices]
    seeds = [s["seed"] for s in slices]
    warn_divergence(log, run_name, per_epoch, names, seeds)
    dead = [mask.cpu() for mask in module.dead_links]
    curves = curve_table(per_epoch, train_sizes, {"trial": names, "seed": seeds})
    epochs = len(per_epoch)
    with torch.no_grad():
        inputs, sizes = _stack(tables, None, dtype)
        padded_outputs = network(inputs[..., :2]).double().numpy()
        outputs = [padded_outputs[r, : sizes[r]] for r in range(len(slices))]
        grid = _grid().to(dtype)
        maps_out = network(grid.expand(len(slices), -1, -1)).double().numpy()
        # The hidden units, read on a grid over each network's own data and on its
        # training points (padded with copies of its first point: they change no measure).
        unit_grids = np.stack([plane_grid(t[["x1", "x2"]].to_numpy()) for t in tables])
        grid_layers = [
            h.double().numpy()
            for h in hidden_outputs(network, torch.tensor(unit_grids, dtype=dtype))
        ]
        train_layers = [
            h.double().numpy()
            for h in hidden_outputs(network, _stack(tables, "train", dtype)[0][..., :2])
        ]
    mapped = [name for name in dict.fromkeys(names) if maps is None or name in maps]
    points = _frame(
        [
            tables[r].assign(trial=names[r], seed=seeds[r], output=outputs[r])
            for r in range(len(slices))
            if names[r] in mapped
        ],
        ["trial", "seed", "x1", "x2", "label", "split", "output"],
    )
    boundary = _frame(
        [
            pd.DataFrame(
                {
                    "trial": name,
                    "x1": grid[:, 0].double().numpy(),
                    "x2": grid[:, 1].double().numpy(),
                    "output": maps_out[rows].mean(axis=0),
                    "output_std": maps_out[rows].std(axis=0),
                    "seeds": len(rows),
                }
            )
            for name in mapped
            for rows in [[r for r, n in enumerate(names) if n == name]]
        ],
        ["trial", "x1", "x2", "output", "output_std", "seeds"],
    )
    weight_tables = [weight_table(network, dead, r) for r in range(len(slices))]
    weights = _frame(
        [t.assign(trial=names[r], seed=seeds[r]) for r, t in enumerate(weight_tables)],
        ["trial", "seed", "layer", "target", "source", "weight", "dead"],
    )
    metrics = pd.DataFrame(
        [
            {
                "trial": names[r],
                "seed": seeds[r],
                **network_metrics(
                    curves.iloc[r * epochs : (r + 1) * epochs],
                    tables[r].assign(output=outputs[r]),
                    weight_tables[r],
                    loss_level,
                ),
                **unit_metrics(
                    [layer[r] for layer in grid_layers],
                    [layer[r, : train_sizes[r]] for layer in train_layers],
                    slices[r]["activation"],
                ),
            }
            for r in range(len(slices))
        ]
    )
    log.info(
        "trained %s in %.1f s (%d updates); final test loss per network: %s",
        run_name,
        outcome.seconds,
        outcome.global_step,
        np.array2string(per_epoch[-1, :, 1].double().numpy(), precision=4),
    )
    return ChunkResult(
        curves, metrics, points, boundary, weights, outcome.seconds, outcome.global_step
    )


def train_groups(
    trials: list[tuple[str, PlaygroundSpec]],
    run_name: str,
    checkpoints: str | os.PathLike[str] | None = None,
    maps: set[str] | None = None,
    loss_level: float = LOSS_LEVEL,
    state: TrainingState | None = None,
) -> ChunkResult:
    """Train a chunk that may hold several groups (trials of one ``chunk_key``), one group
    after another in order of first appearance, each by ``train_chunk`` exactly as a chunk
    of its own: named ``run_name`` when it is the only group, else after its first trial,
    with its checkpoint ``<that name>.ckpt`` in the folder ``checkpoints`` and, with a
    job's ``state``, a state of its own (``TrainingState.part``). The groups' tables are
    stacked in that order."""
    groups: dict[tuple, list[tuple[str, PlaygroundSpec]]] = {}
    for name, spec in trials:
        groups.setdefault(spec.chunk_key(), []).append((name, spec))
    results = []
    for members in groups.values():
        name = run_name if len(groups) == 1 else members[0][0]
        results.append(
            train_chunk(
                members,
                name,
                checkpoint=Path(checkpoints) / f"{name}.ckpt" if checkpoints else None,
                maps=maps,
                loss_level=loss_level,
                state=state.part(name) if state and len(groups) > 1 else state,
            )
        )

    def stacked(field: str) -> pd.DataFrame:
        frames = [getattr(result, field) for result in results]
        return _frame([f for f in frames if len(f)], list(frames[0].columns))

    return ChunkResult(
        *(stacked(field) for field in ("curves", "metrics", "points", "boundary", "weights")),
        seconds=sum(result.seconds for result in results),
        global_step=sum(result.global_step for result in results),
    )


def _span(values: list[int]) -> str:
    """'250', or '50-450' when the networks differ."""
    low, high = min(values), max(values)
    return f"{low}" if low == high else f"{low}-{high}"


def _frame(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """``parts`` stacked, in ``columns`` order; an empty table with those columns if none."""
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]
