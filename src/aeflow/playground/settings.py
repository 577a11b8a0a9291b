"""Typed settings of one Playground training (torch-free), built from the validated config."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

CLASSIFICATION_DATASETS = ("spiral", "circle", "xor", "gauss")
REGRESSION_DATASETS = ("plane", "multi_gauss")  # the Playground's reg-plane and reg-gauss
DATASETS = CLASSIFICATION_DATASETS + REGRESSION_DATASETS
# The Playground's data set sizes (NUM_SAMPLES_CLASSIFY, NUM_SAMPLES_REGRESS).
DEFAULT_SAMPLES = {"classification": 500, "regression": 1200}
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
REGULARIZATIONS = ("none", "l1", "l2")
# The Playground's input features, in its order.
FEATURES = ("x1", "x2", "x1_squared", "x2_squared", "x1_x2", "sin_x1", "sin_x2")


@dataclass(frozen=True)
class DataSpec:
    dataset: str = "spiral"
    n_samples: int | None = None  # None: the Playground's size for the problem type
    noise: float = 0.0  # the Playground's noise slider / 100, in [0, 0.5]
    train_ratio: float = 0.5
    seed: int = 0

    def __post_init__(self) -> None:
        if self.dataset not in DATASETS:
            raise ValueError(f"dataset must be one of {DATASETS}, got {self.dataset!r}")
        if self.n_samples is None:
            object.__setattr__(self, "n_samples", DEFAULT_SAMPLES[self.problem])
        if not 0 <= self.noise <= 0.5:
            raise ValueError(f"noise must be in [0, 0.5], got {self.noise}")
        if not 0 < self.train_ratio < 1:
            raise ValueError(f"train_ratio must be in (0, 1), got {self.train_ratio}")
        if not 1 <= self.n_train < self.n_samples:
            raise ValueError(
                f"train_ratio {self.train_ratio} of {self.n_samples} samples leaves an empty "
                "training or test set"
            )

    @property
    def problem(self) -> str:
        """'regression' for the Playground's regression sets, else 'classification'."""
        return "regression" if self.dataset in REGRESSION_DATASETS else "classification"

    @property
    def n_train(self) -> int:
        """Training points: the first floor(n_samples * train_ratio) after the shuffle."""
        return int(self.n_samples * self.train_ratio)


@dataclass(frozen=True)
class NetworkSpec:
    hidden: tuple[int, ...] = (8, 8)
    activation: str = "relu"
    features: tuple[str, ...] = ("x1", "x2")

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden", tuple(self.hidden))
        object.__setattr__(self, "features", tuple(self.features))
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, got {self.activation!r}")
        unknown = set(self.features) - set(FEATURES)
        if not self.features or unknown:
            raise ValueError(f"features must be a non-empty subset of {FEATURES}")
        if any(width < 1 for width in self.hidden):
            raise ValueError(f"hidden widths must be >= 1, got {list(self.hidden)}")

    def to_dict(self) -> dict:
        return {**asdict(self), "hidden": list(self.hidden), "features": list(self.features)}


@dataclass(frozen=True)
class FitSpec:
    epochs: int = 500
    learning_rate: float = 0.1
    batch_size: int = 10
    regularization: str = "none"
    regularization_rate: float = 0.0
    seed: int = 0
    seeds: int = 1  # replicas: seeds seed .. seed + seeds - 1 (own weights and data order)
    # A job's block of replicas starts here (aeflow.core.blocks): it trains the replicas
    # first_replica .. first_replica + seeds - 1, seeds seed + first_replica and on.
    first_replica: int = 0
    reshuffle: bool = False  # the Playground visits the points in one fixed order
    accelerator: str = "cpu"

    def __post_init__(self) -> None:
        if self.seeds < 1 or self.first_replica < 0:
            raise ValueError(
                f"seeds must be >= 1 and first_replica >= 0, got {self.seeds} and "
                f"{self.first_replica}"
            )
        if self.regularization not in REGULARIZATIONS:
            raise ValueError(
                f"regularization must be one of {REGULARIZATIONS}, got {self.regularization!r}"
            )
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError("epochs and batch_size must be >= 1")
        if not self.learning_rate > 0 or self.regularization_rate < 0:
            raise ValueError("learning_rate must be > 0 and regularization_rate >= 0")


@dataclass(frozen=True)
class PlaygroundSpec:
    """Everything one Playground training depends on."""

    data: DataSpec = field(default_factory=DataSpec)
    network: NetworkSpec = field(default_factory=NetworkSpec)
    fit: FitSpec = field(default_factory=FitSpec)

    def __post_init__(self) -> None:
        if self.fit.batch_size > self.data.n_train:
            # The Playground updates the weights every batch_size points of an epoch: with
            # fewer training points it would never update them.
            raise ValueError(
                f"batch_size {self.fit.batch_size} exceeds the {self.data.n_train} training "
                "points: the weights would never be updated"
            )

    def chunk_key(self) -> tuple:
        """What trials trained together in one job must share: the network's shape (input
        features and hidden widths), the problem type and the schedule. Data set, its size,
        noise and train ratio, the data seed, the hidden activation, learning rate,
        regularisation and seeds may differ per slice."""
        return (
            self.data.problem,
            self.network.hidden,
            self.network.features,
            self.fit.epochs,
            self.fit.batch_size,
            self.fit.reshuffle,
            self.fit.accelerator,
        )

    @property
    def regression(self) -> bool:
        return self.data.problem == "regression"

    @classmethod
    def from_params(cls, params: dict) -> PlaygroundSpec:
        """From a run's resolved settings: ``{"data": ..., "model": ..., "training": ...}``."""
        return cls(
            DataSpec(**params["data"]),
            NetworkSpec(**params["model"]),
            FitSpec(**params["training"]),
        )
