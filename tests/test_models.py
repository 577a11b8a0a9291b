import pytest
import torch

from aeflow.autoencoder.models import Autoencoder
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
