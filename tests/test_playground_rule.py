"""The Playground's own rules, checked against its source (tensorflow/playground):
the update rule of nn.ts ``updateWeights`` (with its L1 dead links), the fixed point order
of playground.ts ``oneStep`` (partial batches carried into the next epoch), the URL hash of
state.ts ``serialize``, and the regression data sets of dataset.ts."""

import math

import numpy as np
import pytest
import torch

from aeflow.playground.data import BUMPS, make_points, multi_gauss, plane
from aeflow.playground.link import js_number, playground_hash, playground_url
from aeflow.playground.models import PlaygroundNetworks
from aeflow.playground.optim import PlaygroundSGD
from aeflow.playground.schedule import PlaygroundSchedule
from aeflow.playground.settings import DataSpec, FitSpec, NetworkSpec, PlaygroundSpec
from aeflow.playground.training import train_chunk


def _reference_training(weights, biases, train, order, epochs, batch_size, lr, kind, rate):
    """The Playground's loop written out as its source does it, point by point, in Python
    floats: forwardProp, backProp (error 1/2 (o - t)^2, tanh units), accumulate, and
    updateWeights after every batch_size-th point of an epoch. Returns the weights and the
    mean training loss after each epoch."""
    weights = [[list(row) for row in w] for w in weights]
    biases = [list(b) for b in biases]
    dead = [[[False] * len(row) for row in w] for w in weights]
    acc_w = [[[0.0] * len(row) for row in w] for w in weights]
    acc_b = [[0.0] * len(b) for b in biases]
    count = 0
    losses = []

    def forward(x):
        outputs = [list(x)]
        for w, b in zip(weights, biases, strict=True):
            totals = [
                sum(wi * o for wi, o in zip(row, outputs[-1], strict=True)) + bi
                for row, bi in zip(w, b, strict=True)
            ]
            outputs.append([math.tanh(t) for t in totals])
        return outputs

    def regulariser_derivative(w):
        if kind == "l1":
            return -1.0 if w < 0 else (1.0 if w > 0 else 0.0)
        return w if kind == "l2" else 0.0

    for _ in range(epochs):
        for i, index in enumerate(order):
            x, target = train[index][:2], train[index][2]
            outputs = forward(x)
            output_der = [outputs[-1][0] - target]  # the square error's derivative
            for layer in range(len(weights) - 1, -1, -1):
                input_der = [
                    d * (1 - o * o) for d, o in zip(output_der, outputs[layer + 1], strict=True)
                ]
                for j, der in enumerate(input_der):
                    acc_b[layer][j] += der
                    for k, source in enumerate(outputs[layer]):
                        acc_w[layer][j][k] += der * source
                output_der = [
                    sum(weights[layer][j][k] * input_der[j] for j in range(len(input_der)))
                    for k in range(len(outputs[layer]))
                ]
            count += 1
            if (i + 1) % batch_size == 0:
                for layer, (w, b) in enumerate(zip(weights, biases, strict=True)):
                    for j in range(len(b)):
                        b[j] -= lr * acc_b[layer][j] / count
                        acc_b[layer][j] = 0.0
                        for k in range(len(w[j])):
                            if dead[layer][j][k]:
                                continue
                            regul_der = regulariser_derivative(w[j][k])
                            w[j][k] -= lr / count * acc_w[layer][j][k]
                            new = w[j][k] - lr * rate * regul_der
                            if kind == "l1" and w[j][k] * new < 0:
                                w[j][k], dead[layer][j][k] = 0.0, True
                            else:
                                w[j][k] = new
                            acc_w[layer][j][k] = 0.0
                count = 0
        losses.append(sum(0.5 * (forward(p[:2])[-1][0] - p[2]) ** 2 for p in train) / len(train))
    return weights, losses, dead


def _company(spec: PlaygroundSpec) -> PlaygroundSpec:
    """A trial of the same shape that differs in all else a batch lets differ: relu, 11
    training and 3 test points (three updates per epoch, two points carried: its batches
    are larger than the hand trial's, and it updates once more per epoch), L2, learning
    rate, data and weight seeds."""
    return PlaygroundSpec(
        DataSpec(dataset="circle", n_samples=14, noise=0.0, train_ratio=0.8, seed=4),
        NetworkSpec((4,), "relu", ("x1", "x2")),
        FitSpec(
            epochs=3, learning_rate=0.2, batch_size=3, regularization="l2",
            regularization_rate=0.05, seed=2,
        ),
    )  # fmt: skip


@pytest.mark.parametrize("together", [False, True], ids=["alone", "in-a-mixed-batch"])
@pytest.mark.parametrize(("kind", "rate"), [("l1", 0.3), ("l2", 0.2), ("none", 0.0)])
def test_a_2_4_1_network_follows_the_playgrounds_rule_to_1e_12(kind, rate, together):
    # 7 training points in batches of 3: two updates per epoch and one point carried into
    # the next epoch's first update (4 points); the last epoch's leftover is never applied.
    # In a mixed batch the hand trial sits out the company's third update of each epoch.
    spec = PlaygroundSpec(
        DataSpec(dataset="xor", n_samples=14, noise=0.1, train_ratio=0.5, seed=3),
        NetworkSpec((4,), "tanh", ("x1", "x2")),
        FitSpec(
            epochs=3, learning_rate=0.5, batch_size=3, regularization=kind,
            regularization_rate=rate, seed=11,
        ),
    )  # fmt: skip
    trials = [("hand", spec)] + ([("company", _company(spec))] if together else [])
    result = train_chunk(trials, "hand", precision="64-true")
    if together:
        assert result.global_step == 3 * 3  # the company's updates
        assert set(result.curves["trial"]) == {"hand", "company"}
        result.weights = result.weights[result.weights["trial"] == "hand"]
        result.curves = result.curves[result.curves["trial"] == "hand"]

    start = PlaygroundNetworks(spec.network, 1).double().initialise_([11])
    weights = [w[0].tolist() for w in start.weights]
    biases = [b[0].tolist() for b in start.biases]
    points = make_points(spec.data)
    train = points.loc[points["split"] == "train", ["x1", "x2", "label"]].to_numpy().tolist()
    order = torch.randperm(len(train), generator=torch.Generator().manual_seed(11)).tolist()
    expected, losses, dead = _reference_training(
        weights, biases, train, order, spec.fit.epochs, 3, 0.5, kind, rate
    )
    got = result.weights
    for layer, matrix in enumerate(expected, start=1):
        mine = got[got["layer"] == layer].sort_values(["target", "source"])
        assert np.abs(mine["weight"].to_numpy() - np.ravel(matrix)).max() < 1e-12
        assert mine["dead"].tolist() == list(np.ravel(dead[layer - 1]))
    assert np.abs(result.curves["train_loss"].to_numpy()[1:] - losses).max() < 1e-12
    if kind == "l1":
        assert any(np.ravel(dead[0])), "the rate is high enough for L1 to kill links"


def test_the_l1_step_that_crosses_zero_kills_the_link_and_biases_are_not_regularised():
    weight = torch.nn.Parameter(torch.tensor([[[0.01, 0.5]]]))  # (R=1, out=1, in=2)
    bias = torch.nn.Parameter(torch.tensor([[0.3]]))
    optimiser = PlaygroundSGD([weight], [bias], [1.0], ["l1"], [0.1])
    weight.grad, bias.grad = torch.zeros_like(weight), torch.tensor([[0.2]])
    optimiser.step()
    # 0.01 - 1 * 0.1 * sign(0.01) crosses zero: exactly 0, dead; 0.5 -> 0.4.
    assert weight.detach().tolist() == [[[0.0, pytest.approx(0.4)]]]
    assert bias.item() == pytest.approx(0.3 - 0.2)
    weight.grad = torch.tensor([[[-5.0, 0.0]]])  # a dead link ignores its gradient
    optimiser.step()
    assert weight[0, 0, 0].item() == 0.0
    assert optimiser.dead_links()[0].tolist() == [[[True, False]]]


def test_the_l2_step_uses_the_weight_before_the_gradient_step():
    weight = torch.nn.Parameter(torch.tensor([[[0.5]], [[0.5]]], dtype=torch.float64))
    optimiser = PlaygroundSGD([weight], [], [0.1, 0.1], ["l2", "none"], [0.1, 0.1])
    weight.grad = torch.ones_like(weight)
    optimiser.step()
    # w' = 0.5 - 0.1 * 1 = 0.4; w'' = 0.4 - 0.1 * 0.1 * 0.5 (R' at the old weight) = 0.395.
    assert weight.detach().flatten().tolist() == pytest.approx([0.395, 0.4], abs=1e-15)


def test_points_come_in_one_fixed_order_with_the_remainder_carried():
    train = torch.arange(7.0).view(1, 7, 1)
    schedule = PlaygroundSchedule(train, batch_size=3, seeds=[5])
    order = schedule.order[0]
    first, second, third = (next(iter(schedule)) for _ in range(3))
    assert [b.rows.shape[1] for b in first] == [3, 3]
    assert [b.rows.shape[1] for b in second] == [4, 3]  # the leftover joins the first update
    assert first[0].rows[0, :, 0].tolist() == order[:3].tolist()
    assert second[0].rows[0, :, 0].tolist() == [order[6].item(), *order[:3].tolist()]
    assert all(
        torch.equal(a.rows, b.rows) for a, b in zip(second, third, strict=True)
    )  # the same order every epoch
    assert all(b.active is None and b.weights is None for b in first + second)


def test_sets_of_other_sizes_share_an_epoch_with_padding_and_sit_out_the_extra_steps():
    # Network 0: 7 points (two updates of 3, one point carried); network 1: 12 points
    # (four updates of 3). Rows past a network's size (here, of network 0) are padding.
    train = torch.arange(24.0).view(2, 12, 1)
    schedule = PlaygroundSchedule(train, batch_size=3, seeds=[5, 6], sizes=[7, 12])
    order = schedule.order
    first, second = next(iter(schedule)), next(iter(schedule))
    assert len(first) == len(second) == 4  # the larger set's updates
    assert [s.active is None for s in first] == [True, True, False, False]
    assert first[2].active.tolist() == [0.0, 1.0]
    assert all(s.weights is None for s in first)  # every batch holds 3 points
    assert first[1].rows[0, :, 0].tolist() == order[0][3:6].tolist()
    # Network 0 sits the last two steps out: they hold network 1's rows alone.
    assert first[3].subset.tolist() == [1] and first[3].rows.shape == (1, 3, 1)
    assert first[3].rows[0, :, 0].tolist() == (12 + order[1][9:12]).tolist()
    # Second epoch: network 0's first batch holds its carried point (4 rows), network 1's
    # three and one repeated row of its own, weighted 0.
    carried = second[0]
    assert carried.rows.shape[1] == 4 and carried.active is None
    assert carried.rows[0, :, 0].tolist() == [order[0][6].item(), *order[0][:3].tolist()]
    expected = torch.tensor([[0.25] * 4, [1 / 3] * 3 + [0.0]])
    assert torch.allclose(carried.weights, expected)
    assert (carried.rows[1, :, 0] >= 12).all()  # no row of another network
    # No padding row (network 0's rows 7 to 11) is ever used.
    assert all(s.rows[0, :, 0].max() < 7 for s in first + second if s.subset is None)


def test_reshuffle_draws_a_new_order_each_epoch_and_seeds_differ():
    train = torch.arange(50.0).view(1, 50, 1).expand(2, 50, 1)
    fixed = PlaygroundSchedule(train, 10, seeds=[0, 1])
    assert not torch.equal(fixed.order[0], fixed.order[1])  # each network its own order
    shuffled = PlaygroundSchedule(train, 10, seeds=[0, 1], reshuffle=True)
    one, two = next(iter(shuffled)), next(iter(shuffled))
    assert not torch.equal(torch.cat([s.rows for s in one], 1), torch.cat([s.rows for s in two], 1))


BASELINE = {
    "data": {"dataset": "spiral", "noise": 0.0, "train_ratio": 0.5, "seed": 0},
    "model": {
        "hidden": [8, 8],
        "activation": "relu",
        "features": ["x1", "x2", "x1_squared", "x2_squared", "x1_x2", "sin_x1", "sin_x2"],
    },
    "training": {
        "epochs": 500, "learning_rate": 0.1, "batch_size": 10, "regularization": "none",
        "seed": 0, "seeds": 5,
    },
}  # fmt: skip


def test_the_baseline_link_is_the_hash_the_playgrounds_state_writes():
    # State.PROPS order; regularization none is null (left out) and so is tutorial;
    # the regularisation rate the baseline does not use is the State's default, 0.
    expected = (
        "activation=relu&batchSize=10&dataset=spiral&regDataset=reg-plane&learningRate=0.1"
        "&regularizationRate=0&noise=0&networkShape=8,8&seed=0&showTestData=false"
        "&discretize=false&percTrainData=50&x=true&y=true&xTimesY=true&xSquared=true"
        "&ySquared=true&cosX=false&sinX=true&cosY=false&sinY=true&collectStats=false"
        "&problem=classification&initZero=false&hideText=false"
    )
    assert playground_hash(BASELINE) == expected
    assert playground_url(BASELINE) == "https://playground.tensorflow.org/#" + expected


def test_links_of_regularised_and_regression_trials():
    settings = {
        **BASELINE,
        "data": {"dataset": "multi_gauss", "noise": 0.25, "train_ratio": 0.3, "seed": 2},
        "training": {**BASELINE["training"], "regularization": "l1", "regularization_rate": 1e-5},
        "model": {**BASELINE["model"], "hidden": [], "features": ["x1", "x2"]},
    }
    pairs = dict(pair.split("=") for pair in playground_hash(settings).split("&"))
    assert pairs["regularization"] == "L1" and pairs["regularizationRate"] == "0.00001"
    assert pairs["problem"] == "regression" and pairs["regDataset"] == "reg-gauss"
    assert pairs["noise"] == "25" and pairs["percTrainData"] == "30"
    assert pairs["networkShape"] == "" and pairs["sinX"] == "false"


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.1, "0.1"), (3.0, "3"), (1e-5, "0.00001"), (1e-7, "1e-7"), (2.5e-8, "2.5e-8"),
     (1e21, "1e+21"), (123.25, "123.25"), (0.30000000000000004, "0.30000000000000004")],
)  # fmt: skip
def test_numbers_are_written_as_javascript_writes_them(value, text):
    assert js_number(value) == text


def test_the_plane_labels_are_x_plus_y_over_10_without_noise():
    xy, labels = plane(300, 0.0, np.random.default_rng(0))
    assert np.abs(xy).max() <= 6
    assert np.allclose(labels, (xy[:, 0] + xy[:, 1]) / 10)


def test_the_multi_gaussian_labels_peak_at_the_bump_centres():
    xy, labels = multi_gauss(2000, 0.0, np.random.default_rng(0))
    assert np.abs(labels).max() <= 1
    nearest = np.hypot(xy[:, None, 0] - BUMPS[:, 0], xy[:, None, 1] - BUMPS[:, 1]).argmin(1)
    distance = np.hypot(*(xy - BUMPS[nearest, :2]).T)
    near = distance < 0.5
    # Near a centre the label is that bump's sign times 1 - d / 2.
    assert np.allclose(labels[near], BUMPS[nearest[near], 2] * (1 - distance[near] / 2))
    far = np.hypot(xy[:, None, 0] - BUMPS[:, 0], xy[:, None, 1] - BUMPS[:, 1]).min(1) >= 2
    assert (labels[far] == 0).all()


def test_regression_sets_default_to_the_playgrounds_1200_points():
    assert DataSpec(dataset="plane").n_samples == 1200
    assert DataSpec(dataset="spiral").n_samples == 500
    assert DataSpec(dataset="multi_gauss").problem == "regression"
    points = make_points(DataSpec(dataset="multi_gauss", seed=1))
    assert len(points) == 1200 and (points["split"] == "train").sum() == 600
