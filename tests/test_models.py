import pytest
import torch

from aeflow.autoencoder.models import Autoencoder, init_autoencoder
from aeflow.autoencoder.settings import ModelSpec
from aeflow.core.modules import count_parameters


@pytest.mark.parametrize(
    ("spec", "parameters"),
    [
        (ModelSpec(hidden=(20, 10)), 563),
        (ModelSpec(hidden=(50, 50)), 5503),
        (ModelSpec(linear=True), 4),
    ],
)
def test_parameter_counts_of_the_sheets_variants(spec, parameters):
    assert count_parameters(Autoencoder(spec)) == parameters


def test_encoder_and_decoder_shapes_respect_the_latent_dimension():
    for latent_dim in (1, 3):
        model = Autoencoder(ModelSpec(hidden=(20, 10), latent_dim=latent_dim))
        x = torch.randn(7, 2)
        assert model.encoder(x).shape == (7, latent_dim)
        assert model.decoder(torch.randn(7, latent_dim)).shape == (7, 2)
        assert model(x).shape == (7, 2)


def test_decoder_mirrors_the_encoder():
    model = Autoencoder(ModelSpec(hidden=(20, 10)))
    widths = [m.out_features for m in model.encoder if isinstance(m, torch.nn.Linear)]
    back = [m.out_features for m in model.decoder if isinstance(m, torch.nn.Linear)]
    assert widths == [20, 10, 1]
    assert back == [10, 20, 2]


def test_linear_variant_is_bias_free():
    model = Autoencoder(ModelSpec(linear=True))
    assert model.encoder.bias is None and model.decoder.bias is None
    assert model.encoder.weight.shape == (1, 2)


@pytest.mark.parametrize("kwargs", [{"hidden": ()}, {"linear": True, "hidden": (3,)}])
def test_inconsistent_specs_are_rejected(kwargs):
    with pytest.raises(ValueError, match="hidden"):
        ModelSpec(**kwargs)


@pytest.mark.parametrize(
    "spec", [ModelSpec(hidden=(20, 10)), ModelSpec(hidden=(50, 50)), ModelSpec(linear=True)]
)
def test_initial_weights_are_torchs_default_drawn_from_the_seeds_own_generator(spec):
    # What torch.manual_seed(seed); Autoencoder(spec) gives, without touching the global
    # random state: the initial weights the workflow trained from before generators.
    for seed in (0, 3):
        torch.manual_seed(seed)
        expected = Autoencoder(spec).state_dict()
        state = torch.random.get_rng_state()
        model = init_autoencoder(spec, seed)
        assert torch.equal(torch.random.get_rng_state(), state)
        assert list(model.state_dict()) == list(expected)
        for name, tensor in model.state_dict().items():
            assert torch.equal(tensor, expected[name]), name


def test_a_network_built_from_a_state_takes_it_over_and_draws_nothing():
    spec = ModelSpec(hidden=(20, 10))
    state = {name: tensor + 1 for name, tensor in init_autoencoder(spec, 0).state_dict().items()}
    before = torch.random.get_rng_state()
    model = Autoencoder.from_state(spec, state)
    assert torch.equal(torch.random.get_rng_state(), before)
    assert not model.training
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, state[name])
