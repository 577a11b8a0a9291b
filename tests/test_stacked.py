"""The pieces both parts share: a stacked linear layer is R ``nn.Linear``s at once; the
per-epoch curve table and the divergence onsets of many networks."""

import logging
import math

import pytest
import torch
from torch import nn

from aeflow.core.curves import curve_table, divergence_onsets, warn_divergence
from aeflow.core.stacked import StackedLinear, replica_state, stack_states


@pytest.mark.parametrize("bias", [True, False])
def test_a_stacked_layer_computes_each_replicas_linear_map(bias):
    generator = torch.Generator().manual_seed(0)
    lone = [nn.Linear(3, 4, bias=bias) for _ in range(5)]
    stacked = StackedLinear(5, 3, 4, bias=bias)
    assert torch.equal(stacked.weight, torch.zeros(5, 4, 3))  # zero-filled until drawn
    stacked.load_state_dict(stack_states([layer.state_dict() for layer in lone]))
    assert list(stacked.state_dict()) == (["weight", "bias"] if bias else ["weight"])
    x = torch.randn(5, 7, 3, generator=generator)
    with torch.no_grad():
        out = stacked(x)
        for k, layer in enumerate(lone):
            assert torch.allclose(out[k], layer(x[k]), atol=1e-6)
            state = replica_state(stacked.state_dict(), k)
            assert all(torch.equal(state[n], t) for n, t in layer.state_dict().items())


def test_the_curve_table_is_network_major_with_its_labels_first():
    losses = torch.arange(2 * 3 * 2, dtype=torch.float32).reshape(2, 3, 2)  # 1 epoch, 3 nets
    table = curve_table(losses, [10, 20, 30], {"trial": ["a", "a", "b"], "seed": [0, 1, 0]})
    assert list(table.columns) == [
        "trial", "seed", "epoch", "examples_seen", "train_loss", "test_loss"
    ]  # fmt: skip
    assert table["trial"].tolist() == ["a", "a", "a", "a", "b", "b"]
    assert table["examples_seen"].tolist() == [0, 10, 0, 20, 0, 30]
    assert table["train_loss"].tolist() == [0, 6, 2, 8, 4, 10]
    assert table["test_loss"].tolist() == [1, 7, 3, 9, 5, 11]
    same = curve_table(losses, 8, {"seed": [0, 1, 2]})
    assert same["examples_seen"].tolist() == [0, 8] * 3


def test_divergence_onsets_name_each_network_and_its_first_bad_step(caplog):
    losses = torch.zeros(4, 3, 2)
    assert divergence_onsets(losses) == {}
    losses[2, 0, 1] = math.nan
    losses[3, 0, 0] = math.inf
    losses[1, 2, 0] = -math.inf
    assert divergence_onsets(losses) == {0: 2, 2: 1}
    assert divergence_onsets(losses[:, :, 0]) == {0: 3, 2: 1}  # (steps, R) as well
    with caplog.at_level(logging.WARNING):
        broken = warn_divergence(logging.getLogger("t"), "run", losses, ["a", "b", "c"], [5, 6, 7])
    assert broken == [0, 2]
    assert "run: trial 'a' seed 5 diverged: loss not finite from epoch 2 on" in caplog.text
    assert "trial 'c' seed 7 diverged: loss not finite from epoch 1 on" in caplog.text
