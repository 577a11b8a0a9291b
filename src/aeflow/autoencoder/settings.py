"""Typed model and training settings (torch-free), built from the validated config."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

OPTIMIZERS = ("adam", "sgd")
SCHEDULES = ("constant", "cosine")
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
    # A block of a run's replicas (core.blocks): its first is replica first_replica, with
    # training seed seed + first_replica (and the data sample of that replica).
    first_replica: int = 0
    # The learning rate per epoch: constant, or cosine from learning_rate to 0 over epochs.
    schedule: str = "constant"
    # Epochs between evaluations of the whole training and held-out sets (``curves``); also
    # the epochs one Lightning step takes (a divisor of ``epochs``).
    record_every: int = 1
    # The stopping rule (``core.plateau``): stop once every replica's best training MSE
    # improved by less than ``plateau_tolerance`` (relative) over ``plateau_window`` epochs;
    # 0: train all ``epochs``.
    plateau_window: int = 0
    plateau_tolerance: float = 0.0
    # The held-out set is evaluated at the records whose epoch is a multiple of this, and at
    # the last (the training set at every record): it holds many more points than an
    # epoch's mini-batches.
    held_out_every: int = 1

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {SCHEDULES}, got {self.schedule!r}")
        if self.record_every < 1 or self.epochs % self.record_every:
            raise ValueError(
                f"record_every must divide epochs={self.epochs}, got {self.record_every}"
            )
        if self.plateau_window and self.plateau_window % self.record_every:
            raise ValueError(
                f"plateau_window must be a multiple of record_every={self.record_every}, "
                f"got {self.plateau_window}"
            )
        if self.epochs < 1:
            raise ValueError(f"epochs must be >= 1, got {self.epochs}")
        if self.held_out_every < 1:
            raise ValueError(f"held_out_every must be >= 1, got {self.held_out_every}")
        if self.seeds < 1:
            raise ValueError(f"seeds must be >= 1, got {self.seeds}")
        if self.first_replica < 0:
            raise ValueError(f"first_replica must be >= 0, got {self.first_replica}")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0, got {self.learning_rate}")

    def stopping(self) -> dict | None:
        """The stopping rule as the training module's hyper-parameter (None: none)."""
        if not self.plateau_window:
            return None
        return {"window": self.plateau_window, "tolerance": self.plateau_tolerance}
