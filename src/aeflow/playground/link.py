"""A link that opens a trial's configuration on the TensorFlow Playground's own page.

The Playground keeps its state in the URL hash; ``State.serialize`` in its ``src/state.ts``
writes ``name=value`` pairs joined by ``&`` in the order of ``State.PROPS``, leaves out
missing (null) values such as regularisation "none", writes objects by their key (``L1``,
``reg-plane``), arrays comma-joined and numbers as JavaScript prints them. The data drawn
there differ from ours (the browser's random numbers), the settings are the same.
"""

from __future__ import annotations

from decimal import Decimal

PAGE = "https://playground.tensorflow.org/"
# Our feature names -> the Playground's input switches.
FEATURE_SWITCHES = {
    "x1": "x",
    "x2": "y",
    "x1_x2": "xTimesY",
    "x1_squared": "xSquared",
    "x2_squared": "ySquared",
    "sin_x1": "sinX",
    "sin_x2": "sinY",
}
# In State.PROPS order; cosX and cosY exist there but we have no such features.
SWITCH_ORDER = ("x", "y", "xTimesY", "xSquared", "ySquared", "cosX", "sinX", "cosY", "sinY")
REGULARIZATION_KEYS = {"l1": "L1", "l2": "L2"}  # none is null: left out
REGRESSION_KEYS = {"plane": "reg-plane", "multi_gauss": "reg-gauss"}
DEFAULT_DATASET, DEFAULT_REG_DATASET = "circle", "reg-plane"  # the State's own defaults


def js_number(value: float) -> str:
    """``value`` as JavaScript's Number#toString writes it: shortest round-trip digits,
    integers without a decimal point, plain notation for 1e-7 < |x| < 1e21."""
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    _, digits, exponent = Decimal(repr(abs(float(value)))).normalize().as_tuple()
    text = "".join(map(str, digits))
    k, n = len(text), len(text) + exponent  # value = 0.text * 10**n
    if k <= n <= 21:
        return sign + text + "0" * (n - k)
    if 0 < n <= 21:
        return sign + text[:n] + "." + text[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + text
    power = f"e{'+' if n - 1 > 0 else '-'}{abs(n - 1)}"
    return sign + text[0] + ("." + text[1:] if k > 1 else "") + power


def _flag(value: bool) -> str:
    return "true" if value else "false"


def playground_hash(settings: dict) -> str:
    """The URL hash ``State.serialize`` writes for a trial's settings
    (``{"data": ..., "model": ..., "training": ...}``)."""
    data, model, training = settings["data"], settings["model"], settings["training"]
    regression = data["dataset"] in REGRESSION_KEYS
    switches = {FEATURE_SWITCHES[name] for name in model["features"]}
    regularization = REGULARIZATION_KEYS.get(training["regularization"])
    pairs = [("activation", model["activation"])]
    if regularization is not None:
        pairs.append(("regularization", regularization))
    pairs += [
        ("batchSize", js_number(training["batch_size"])),
        ("dataset", DEFAULT_DATASET if regression else data["dataset"]),
        ("regDataset", REGRESSION_KEYS.get(data["dataset"], DEFAULT_REG_DATASET)),
        ("learningRate", js_number(training["learning_rate"])),
        ("regularizationRate", js_number(training.get("regularization_rate", 0))),
        ("noise", js_number(round(data["noise"] * 100, 10))),  # the slider is in percent
        ("networkShape", ",".join(str(width) for width in model["hidden"])),
        ("seed", str(data["seed"])),
        ("showTestData", "false"),
        ("discretize", "false"),
        ("percTrainData", js_number(round(data["train_ratio"] * 100, 10))),
        *((switch, _flag(switch in switches)) for switch in SWITCH_ORDER),
        ("collectStats", "false"),
        ("problem", "regression" if regression else "classification"),
        ("initZero", "false"),
        ("hideText", "false"),
    ]
    return "&".join(f"{name}={value}" for name, value in pairs)


def playground_url(settings: dict) -> str:
    """The Playground's page, opened on ``settings``."""
    return f"{PAGE}#{playground_hash(settings)}"
