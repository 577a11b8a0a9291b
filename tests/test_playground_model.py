"""The Playground classifier: features, parameter counts, initialisation, penalties,
training through Lightning."""

import pandas as pd
import pytest
import torch

from aeflow.core.modules import count_parameters
from aeflow.playground.models import (
    PlaygroundClassifier,
    penalty,
    playground_init_,
    square_loss,
)
from aeflow.playground.settings import (
    FEATURES,
    DataSpec,
    FitSpec,
    NetworkSpec,
    PlaygroundSpec,
)
from aeflow.playground.summary import parameter_count
from aeflow.playground.training import train_classifier, weight_table


@pytest.mark.parametrize(
    ("hidden", "features", "expected"),
    [
        ((8, 8), ("x1", "x2"), 2 * 8 + 8 + 8 * 8 + 8 + 8 + 1),  # 105
        ((8, 8), FEATURES, 7 * 8 + 8 + 8 * 8 + 8 + 8 + 1),  # 145, the default baseline
        ((), ("x1", "x2"), 3),  # no hidden layer: a single tanh unit
    ],
)
def test_parameter_counts(hidden, features, expected):
    network = PlaygroundClassifier(NetworkSpec(hidden, "relu", features))
    assert count_parameters(network) == expected
    # The torch-free count the summary uses agrees.
    assert parameter_count(weight_table(network)) == expected


def test_features_are_the_playground_inputs():
    network = PlaygroundClassifier(NetworkSpec((2,), "linear", FEATURES))
    points = torch.tensor([[1.0, 2.0], [-0.5, 0.0]])
    expected = torch.tensor(
        [
            [1.0, 2.0, 1.0, 4.0, 2.0, torch.sin(torch.tensor(1.0)), torch.sin(torch.tensor(2.0))],
            [-0.5, 0.0, 0.25, 0.0, -0.0, torch.sin(torch.tensor(-0.5)), 0.0],
        ]
    )
    assert torch.allclose(network.features(points), expected)
    output = network(points)
    assert output.shape == (2,) and (output.abs() < 1).all()


def test_initialisation_is_the_playgrounds_and_seeded():
    first = playground_init_(PlaygroundClassifier(NetworkSpec((8, 8))), seed=3)
    again = playground_init_(PlaygroundClassifier(NetworkSpec((8, 8))), seed=3)
    for layer, twin in zip(first.linear_layers(), again.linear_layers(), strict=True):
        assert layer.weight.min() >= -0.5 and layer.weight.max() <= 0.5
        assert layer.weight.std() > 0.2  # spread over the interval, not a constant
        assert torch.equal(layer.bias, torch.full_like(layer.bias, 0.1))
        assert torch.equal(layer.weight, twin.weight)


def test_penalties_add_exactly_rate_times_the_norms_of_the_weights():
    network = PlaygroundClassifier(NetworkSpec((3,), "relu", ("x1", "x2")))
    with torch.no_grad():
        for layer in network.linear_layers():
            layer.weight.fill_(-0.5)
            layer.bias.fill_(10.0)  # biases are not regularised
    weights = [w.detach() for w in network.weight_matrices()]  # 9 weights, |w| = 0.5
    assert float(penalty(weights, "l1", 0.003)) == pytest.approx(0.003 * 9 * 0.5)
    assert float(penalty(weights, "l2", 0.003)) == pytest.approx(0.003 * 0.5 * 9 * 0.25)
    assert float(penalty(weights, "none", 0.003)) == 0.0
    assert float(penalty(weights, "l1", 0.0)) == 0.0


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
    result = train_classifier(_spec(), "gauss")
    curves = result.curves
    assert list(curves.columns) == ["epoch", "examples_seen", "train_loss", "test_loss"]
    assert curves["epoch"].tolist() == list(range(16))  # epoch 0 = untrained
    assert curves["examples_seen"].iloc[-1] == 15 * 30
    assert curves["test_loss"].iloc[-1] < 0.5 * curves["test_loss"].iloc[0]
    points = result.points
    correct = (points["output"] > 0) == (points["label"] > 0)
    assert correct.mean() > 0.95
    assert len(result.boundary) == 101 * 101


def test_training_is_reproducible():
    first, second = train_classifier(_spec(), "a"), train_classifier(_spec(), "b")
    pd.testing.assert_frame_equal(first.curves, second.curves)
    pd.testing.assert_frame_equal(first.weights, second.weights)


def test_l1_switches_off_more_weights_than_l2():
    near_zero = {}
    for kind in ("none", "l1", "l2"):
        result = train_classifier(
            _spec(regularization=kind, regularization_rate=0.05, epochs=60, learning_rate=0.1),
            kind,
        )
        near_zero[kind] = (result.weights["weight"].abs() < 1e-2).mean()
    assert near_zero["l1"] > near_zero["l2"] and near_zero["l1"] > near_zero["none"]


def test_a_diverging_training_names_the_trial_and_the_epoch():
    from aeflow.core.trainer import TrainingDiverged

    spec = PlaygroundSpec(
        DataSpec(dataset="gauss", n_samples=60, seed=1),
        NetworkSpec((4, 4), "relu", FEATURES),
        FitSpec(epochs=50, learning_rate=1e30, batch_size=10),
    )
    with pytest.raises(TrainingDiverged, match=r"'too-fast' diverged.*in epoch \d+"):
        train_classifier(spec, "too-fast")


def test_every_recorded_loss_lives_on_the_device_the_module_trains_on():
    # Lightning moves the module before training starts; a loss recorded earlier (on the
    # CPU) could not be stacked with the GPU's. The meta device stands in for a GPU here.
    from aeflow.playground.lit import ClassifierModule

    network = NetworkSpec((4,), "tanh", ("x1", "x2")).to_dict()
    points = torch.tensor([[0.5, -1.0, 1.0], [-2.0, 1.5, -1.0]])
    module = ClassifierModule(network, 0.1, run_name="device-check").attach_data(points, points)
    module.to("meta")
    module.on_train_start()
    assert module.epoch_losses, "the untrained loss (epoch 0) is recorded"
    assert {loss.device.type for loss in module.epoch_losses} == {"meta"}
