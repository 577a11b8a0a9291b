"""Typed model and training settings (torch-free), built from the validated config."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

OPTIMIZERS = ("adam", "sgd")
ACTIVATIONS = ("relu", "tanh", "sigmoid")
# The training settings the summary table shows per model.
REPORTED_TRAINING = ("optimizer", "learning_rate", "batch_size", "epochs")


@dataclass(frozen=True)
class ModelSpec:
    """Architecture of one autoencoder variant.

    ``linear=True`` gives the bias-free linear autoencoder whose optimum is PCA
    (``hidden`` must then be empty).
    """

    input_dim: int = 2
    latent_dim: int = 1
    hidden: tuple[int, ...] = field(default_factory=tuple)
    linear: bool = False
    activation: str = "relu"

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden", tuple(self.hidden))
        if self.linear and self.hidden:
            raise ValueError("a linear autoencoder has no hidden layers")
        if not self.linear and not self.hidden:
            raise ValueError("a non-linear autoencoder needs at least one hidden layer")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}")

    def to_dict(self) -> dict:
        return {**asdict(self), "hidden": list(self.hidden)}


@dataclass(frozen=True)
class TrainingSpec:
    epochs: int = 1000
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    seed: int = 0
    batch_size: int = 8
    shuffle: bool = True
    drop_last: bool = True
    accelerator: str = "cpu"
    seeds: int = 1  # independent replicas, training seeds seed, seed+1, ...

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        if self.epochs < 1:
            raise ValueError(f"epochs must be >= 1, got {self.epochs}")
        if self.seeds < 1:
            raise ValueError(f"seeds must be >= 1, got {self.seeds}")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0, got {self.learning_rate}")
