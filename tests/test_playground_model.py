"""The Playground networks: features, parameter counts, initialisation, the batched
training through Lightning and its equality with lone trainings."""

import dataclasses
import logging
import re

import numpy as np
import pandas as pd
import pytest
import torch

from aeflow.core.modules import count_parameters
from aeflow.playground.checkpoints import load_classifier
from aeflow.playground.metrics import parameter_count
from aeflow.playground.models import (
    PlaygroundClassifier,
    PlaygroundNetworks,
    features,
    square_loss,
)
from aeflow.playground.settings import (
    FEATURES,
    DataSpec,
    FitSpec,
    NetworkSpec,
    PlaygroundSpec,
)
from aeflow.playground.training import train_chunk, train_groups, weight_table


@pytest.mark.parametrize(
    ("hidden", "names", "expected"),
    [
        ((8, 8), ("x1", "x2"), 2 * 8 + 8 + 8 * 8 + 8 + 8 + 1),  # 105
        ((8, 8), FEATURES, 7 * 8 + 8 + 8 * 8 + 8 + 8 + 1),  # 145, the default baseline
        ((), ("x1", "x2"), 3),  # no hidden layer: a single output unit
    ],
)
def test_parameter_counts(hidden, names, expected):
    spec = NetworkSpec(hidden, "relu", names)
    assert count_parameters(PlaygroundClassifier(spec)) == expected
    networks = PlaygroundNetworks(spec, replicas=3)
    assert count_parameters(networks) == 3 * expected
    # The torch-free count the summary uses agrees.
    dead = [torch.zeros_like(w, dtype=torch.bool) for w in networks.weights]
    assert parameter_count(weight_table(networks, dead, 1)) == expected


def test_features_are_the_playground_inputs():
    points = torch.tensor([[1.0, 2.0], [-0.5, 0.0]])
    expected = torch.tensor(
        [
            [1.0, 2.0, 1.0, 4.0, 2.0, torch.sin(torch.tensor(1.0)), torch.sin(torch.tensor(2.0))],
            [-0.5, 0.0, 0.25, 0.0, -0.0, torch.sin(torch.tensor(-0.5)), 0.0],
        ]
    )
    assert torch.allclose(features(points, FEATURES), expected)
    output = PlaygroundClassifier(NetworkSpec((2,), "linear", FEATURES))(points)
    assert output.shape == (2,) and (output.abs() < 1).all()


def test_initialisation_is_the_playgrounds_seeded_per_network():
    spec = NetworkSpec((8, 8))
    first = PlaygroundNetworks(spec, 3).initialise_([3, 4, 3])
    lone = PlaygroundNetworks(spec, 1).initialise_([4])
    for weight, bias, twin in zip(first.weights, first.biases, lone.weights, strict=True):
        assert weight.min() >= -0.5 and weight.max() <= 0.5
        assert weight.std() > 0.2  # spread over the interval, not a constant
        assert torch.equal(bias, torch.full_like(bias, 0.1))
        assert torch.equal(weight[0], weight[2])  # same seed, same weights
        assert not torch.equal(weight[0], weight[1])
        assert torch.equal(weight[1], twin[0])  # a network's weights depend on its seed only


def test_a_replica_computes_what_its_slice_computes():
    spec = NetworkSpec((4, 3), "tanh", FEATURES)
    networks = PlaygroundNetworks(spec, 2).initialise_([0, 1])
    points = torch.randn(2, 5, 2)
    with torch.no_grad():
        together = networks(points)
        for r in range(2):
            assert torch.allclose(networks.replica(r)(points[r]), together[r], atol=1e-6)


def test_square_loss_is_half_the_mean_squared_error():
    output, target = torch.tensor([1.0, -1.0, 0.0]), torch.tensor([1.0, 1.0, -1.0])
    assert float(square_loss(output, target)) == pytest.approx(0.5 * (0 + 4 + 1) / 3)


def _spec(**fit) -> PlaygroundSpec:
    return PlaygroundSpec(
        DataSpec(dataset="gauss", n_samples=60, noise=0.0, train_ratio=0.5, seed=1),
        NetworkSpec((4,), "tanh", ("x1", "x2")),
        FitSpec(**{"epochs": 15, "learning_rate": 0.03, "batch_size": 10, **fit}),
    )


def test_training_lowers_the_loss_and_separates_the_gaussians():
    result = train_chunk([("gauss", _spec(seeds=2))], "gauss")
    curves = result.curves
    assert list(curves.columns) == [
        "trial", "seed", "epoch", "examples_seen", "train_loss", "test_loss"
    ]  # fmt: skip
    assert curves["seed"].tolist() == [0] * 16 + [1] * 16
    assert curves["epoch"].tolist() == list(range(16)) * 2  # epoch 0 = untrained
    assert curves["examples_seen"].iloc[-1] == 15 * 30
    for _, seed in curves.groupby("seed"):
        assert seed["test_loss"].iloc[-1] < 0.5 * seed["test_loss"].iloc[0]
    points = result.points
    assert len(points) == 2 * 60
    assert ((points["output"] > 0) == (points["label"] > 0)).mean() > 0.95
    assert len(result.boundary) == 101 * 101
    # 30 points in batches of 10: 3 updates per epoch.
    assert result.global_step == 15 * 3


def test_training_is_reproducible():
    first, second = train_chunk([("a", _spec())], "a"), train_chunk([("a", _spec())], "b")
    pd.testing.assert_frame_equal(first.curves, second.curves)
    pd.testing.assert_frame_equal(first.weights, second.weights)


def test_each_trial_of_a_batch_learns_exactly_as_it_would_alone():
    base = _spec(seeds=2, epochs=8)
    trials = [
        ("base", base),
        ("fast", dataclasses.replace(base, fit=dataclasses.replace(base.fit, learning_rate=0.3))),
        (
            "l1-noisy",
            dataclasses.replace(
                base,
                data=dataclasses.replace(base.data, noise=0.3, seed=7),
                fit=dataclasses.replace(
                    base.fit, regularization="l1", regularization_rate=0.01, seed=5
                ),
            ),
        ),
    ]
    # Another activation, another train ratio (18 training points: carried points and one
    # update fewer per epoch) and another set size share the batch: only the shape must agree.
    sigmoid = dataclasses.replace(base.network, activation="sigmoid")
    trials += [
        ("sigmoid", dataclasses.replace(base, network=sigmoid)),
        ("ratio", dataclasses.replace(base, data=dataclasses.replace(base.data, train_ratio=0.3))),
        ("bigger", dataclasses.replace(base, data=dataclasses.replace(base.data, n_samples=90))),
    ]
    together = train_chunk(trials, "together")
    assert len({spec.chunk_key() for _, spec in trials}) == 1
    assert together.global_step == 8 * 4  # the 45 training points of 'bigger': 4 updates
    for name, spec in trials:
        alone = train_chunk([(name, spec)], name)
        mine = together.curves[together.curves["trial"] == name].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone.curves, atol=1e-6, rtol=0)
        weights = together.weights[together.weights["trial"] == name].reset_index(drop=True)
        pd.testing.assert_frame_equal(weights, alone.weights, atol=1e-6, rtol=0)


def test_a_chunk_of_several_groups_trains_each_as_a_chunk_of_its_own(tmp_path):
    base = _spec(seeds=2, epochs=6)
    wide = dataclasses.replace(base, network=dataclasses.replace(base.network, hidden=(6, 3)))
    fast = dataclasses.replace(base, fit=dataclasses.replace(base.fit, learning_rate=0.3))
    trials = [("base", base), ("wide", wide), ("fast", fast)]
    packed = train_groups(trials, "base", checkpoints=tmp_path)
    # Group 1 (base, fast) keeps the chunk's name; group 2 (wide) is named after its trial.
    by_group = {"base": [("base", base), ("fast", fast)], "wide": [("wide", wide)]}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.ckpt", "wide.ckpt"]
    alone = {name: train_chunk(members, name) for name, members in by_group.items()}
    for field in ("curves", "metrics", "weights", "points", "boundary"):
        expected = pd.concat([getattr(alone[g], field) for g in by_group], ignore_index=True)
        pd.testing.assert_frame_equal(getattr(packed, field), expected)
    assert packed.global_step == 2 * alone["base"].global_step
    network = load_classifier(tmp_path, "wide", 1)
    assert [layer.out_features for layer in network.layers] == [6, 3, 1]


def test_l1_kills_links_for_good_and_l2_shrinks_without_killing():
    dead, near_zero = {}, {}
    for kind in ("none", "l1", "l2"):
        result = train_chunk(
            [
                (
                    kind,
                    _spec(
                        regularization=kind, regularization_rate=0.05, epochs=60, learning_rate=0.1
                    ),
                )
            ],
            kind,
        )
        dead[kind] = result.weights["dead"].mean()
        near_zero[kind] = (result.weights["weight"].abs() < 1e-2).mean()
        # A dead link is exactly zero.
        assert (result.weights.loc[result.weights["dead"], "weight"] == 0).all()
    assert dead["l1"] > 0 and dead["l2"] == 0 and dead["none"] == 0
    assert near_zero["l1"] > near_zero["l2"]


def test_a_diverging_trial_is_named_and_leaves_the_others_intact(caplog):
    fine = PlaygroundSpec(
        DataSpec(dataset="gauss", n_samples=60, seed=1),
        NetworkSpec((4, 4), "relu", FEATURES),
        FitSpec(epochs=50, learning_rate=0.03, batch_size=10),
    )
    wild = dataclasses.replace(fine, fit=dataclasses.replace(fine.fit, learning_rate=1e30))
    with caplog.at_level(logging.WARNING):
        result = train_chunk([("fine", fine), ("too-fast", wild)], "mixed")
    assert re.search(r"trial 'too-fast' seed 0 diverged.*from epoch \d+", caplog.text)
    curves = result.curves.set_index("trial")
    assert not np.isfinite(curves.loc["too-fast", "test_loss"].iloc[-1])
    alone = train_chunk([("fine", fine)], "alone").curves
    assert np.allclose(curves.loc["fine", "test_loss"], alone["test_loss"], atol=1e-6)


def test_regression_sets_train_a_linear_output():
    spec = PlaygroundSpec(
        DataSpec(dataset="plane", n_samples=200, seed=2),
        NetworkSpec((2,), "linear", ("x1", "x2")),
        FitSpec(epochs=20, learning_rate=0.01, batch_size=10),
    )
    assert spec.regression and spec.data.n_samples == 200
    result = train_chunk([("plane", spec)], "plane")
    curves = result.curves
    assert curves["test_loss"].iloc[-1] < 0.2 * curves["test_loss"].iloc[0]
    # A linear output: the map exceeds the tanh range where the plane does.
    assert result.boundary["output"].abs().max() > 1.0


def test_every_recorded_loss_lives_on_the_device_the_module_trains_on():
    # Lightning moves the module before training starts; a loss recorded earlier (on the
    # CPU) could not be stacked with the GPU's. The meta device stands in for a GPU here.
    from aeflow.playground.lit import ClassifierModule

    network = NetworkSpec((4,), "tanh", ("x1", "x2")).to_dict()
    slices = [
        {"trial": "t", "seed": 0, "learning_rate": 0.1, "regularization": "none",
         "regularization_rate": 0.0}
    ]  # fmt: skip
    points = torch.tensor([[[0.5, -1.0, 1.0], [-2.0, 1.5, -1.0]]])
    module = ClassifierModule(network, slices, run_name="device-check").attach_data(points, points)
    module.to("meta")
    module.on_train_start()
    assert module.epoch_losses, "the untrained loss (epoch 0) is recorded"
    assert {loss.device.type for loss in module.epoch_losses} == {"meta"}


def test_an_epochs_steps_reach_the_training_device_and_stay_put_on_the_cpu():
    from aeflow.playground.lit import PlaygroundData

    rows = torch.randn(2, 12, 3)
    data = PlaygroundData(rows, 3, seeds=[0, 1], reshuffle=False, sizes=[7, 12], data={})
    steps = next(iter(data.train_dataloader()))
    assert data.transfer_batch_to_device(steps, torch.device("cpu"), 0) is steps
    # Another device (meta stands in for a GPU): every tensor of every step moves there.
    moved = data.transfer_batch_to_device(steps, torch.device("meta"), 0)
    tensors = [t for step in moved for t in step if t is not None]
    assert len(tensors) > len(moved) and {t.device.type for t in tensors} == {"meta"}
