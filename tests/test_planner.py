"""The trial planner both parts share (aeflow.core.planner): trials deduplicated by their
settings, grouped by a chunk key and cut into chunks of a size, named stably; the digested
params (aeflow.core.params) that keep a plan readable; and, end to end, a plan after a
one-value sweep change whose lines stay short while it reruns exactly the chunks touched."""

import copy
import pickle
import re

import pytest

from aeflow.autoencoder import sweeps as ae_sweeps
from aeflow.core.params import digest, digested
from aeflow.core.planner import chunk_trials, named_points, plan_trials
from aeflow.playground import runs as pg
from aeflow.workflow import validate_config
from tests.conftest import SCHEMA, WorkflowDir, tiny_playground_config


def _settings(shape: int, rate: float) -> dict:
    return {"model": {"hidden": [shape]}, "training": {"learning_rate": rate}}


def _shape(settings: dict) -> int:
    return settings["model"]["hidden"][0]


def test_equal_settings_are_one_trial_named_after_the_first():
    plan = plan_trials(
        [("a-1", _settings(4, 0.1)), ("b-1", _settings(4, 0.2)), ("c-1", _settings(4, 0.1))],
        _shape,
        trials_per_chunk=8,
    )
    assert list(plan.settings) == ["a-1", "b-1"]
    assert plan.trial_of == ["a-1", "b-1", "a-1"]  # per candidate: the trial that trains it
    # The same name for the same settings (a repeated value) is one trial too.
    again = plan_trials([("a-1", _settings(4, 0.1)), ("a-1", _settings(4, 0.1))], _shape, 8)
    assert again.trial_of == ["a-1", "a-1"]


def test_one_name_for_two_settings_is_an_error():
    with pytest.raises(ValueError, match="'a-1' is given to two different settings"):
        plan_trials([("a-1", _settings(4, 0.1)), ("a-1", _settings(4, 0.2))], _shape, 8)
    with pytest.raises(ValueError, match="trials_per_chunk"):
        plan_trials([], _shape, 0)


def test_trials_are_grouped_by_key_and_cut_into_named_chunks_in_config_order():
    candidates = [(f"t{i}", _settings(4 if i % 3 else 8, i / 10)) for i in range(10)]
    plan = plan_trials(candidates, _shape, trials_per_chunk=3)
    # Shape 8: t0, t3, t6, t9; shape 4: the rest. Groups in order of first appearance.
    assert plan.chunks == {
        "t0": ["t0", "t3", "t6"],
        "t9": ["t9"],
        "t1": ["t1", "t2", "t4"],
        "t5": ["t5", "t7", "t8"],
    }
    assert plan.chunk_of["t7"] == "t5" and plan.chunk_of["t9"] == "t9"
    assert plan == plan_trials(candidates, _shape, trials_per_chunk=3)  # deterministic
    jobs = chunk_trials(plan, "t9")
    assert jobs == [{"trial": "t9", "settings": _settings(8, 0.9)}]
    jobs[0]["settings"]["model"]["hidden"] = [1]  # a copy: the plan is unchanged
    assert plan.settings["t9"] == _settings(8, 0.9)


def test_chunk_names_stay_when_trials_are_added():
    candidates = [(f"t{i}", _settings(4, i / 10)) for i in range(5)]
    before = plan_trials(candidates, _shape, trials_per_chunk=2).chunks
    assert before == {"t0": ["t0", "t1"], "t2": ["t2", "t3"], "t4": ["t4"]}
    # Another group, anywhere in the order: this group's chunks are unchanged.
    other = [("x", _settings(16, 0.1)), *candidates, ("y", _settings(16, 0.2))]
    after = plan_trials(other, _shape, trials_per_chunk=2).chunks
    assert {name: trials for name, trials in after.items() if name in before} == before
    assert after["x"] == ["x", "y"]
    # One more trial of the group, at its end: only its last chunk changes.
    grown = plan_trials([*candidates, ("t5", _settings(4, 0.5))], _shape, 2).chunks
    assert grown == {**before, "t4": ["t4", "t5"]}


def test_small_groups_share_chunks_while_they_fit():
    # Shape 4: five trials (cut: a chunk of 4 and one of 1); shapes 8, 16, 64: one trial
    # each, shape 2: two (small: at most half a chunk); shape 32: three (cut).
    shapes = [4, 4, 8, 4, 16, 4, 32, 32, 32, 4, 64, 2, 2]
    candidates = [(f"t{i}", _settings(shape, i / 10)) for i, shape in enumerate(shapes)]
    plan = plan_trials(candidates, _shape, trials_per_chunk=4, pack_groups=True)
    assert plan.chunks == {
        "t0": ["t0", "t1", "t3", "t5"],
        "t9": ["t9"],
        "t6": ["t6", "t7", "t8"],
        "t2": ["t2", "t4", "t10"],  # shapes 8, 16, 64
        "t11": ["t11", "t12"],  # shape 2 does not fit beside them: a shared chunk of its own
    }
    assert plan.chunk_of["t10"] == "t2"
    alone = plan_trials(candidates, _shape, trials_per_chunk=4).chunks
    assert [len(trials) for trials in alone.values()] == [4, 1, 1, 1, 3, 1, 2]
    # Growing a cut group leaves the shared chunks alone; a new small group joins the
    # last shared chunk it fits in.
    grown = plan_trials([*candidates, ("u", _settings(4, 0.55))], _shape, 4, pack_groups=True)
    assert grown.chunks == {**plan.chunks, "t9": ["t9", "u"]}
    added = plan_trials([*candidates, ("v", _settings(128, 0.55))], _shape, 4, pack_groups=True)
    assert added.chunks == {**plan.chunks, "t11": ["t11", "t12", "v"]}


def test_named_points_are_the_sweeps_name_and_each_points_slug():
    spec = {"grid": {"training.learning_rate": [0.01, 0.1], "model.hidden": [[8, 8]]}}
    assert named_points("rate", spec) == [
        ("rate-0.01_8x8", {"training.learning_rate": 0.01, "model.hidden": [8, 8]}),
        ("rate-0.1_8x8", {"training.learning_rate": 0.1, "model.hidden": [8, 8]}),
    ]


# --- digested params ----------------------------------------------------------------------


def test_a_digested_param_is_its_value_and_reprs_as_a_short_digest():
    trials = [{"trial": f"t{i}", "settings": _settings(8, i / 7)} for i in range(200)]
    param = digested(trials, "trial settings")
    assert param == trials and len(repr(trials)) > 10_000
    assert re.fullmatch(r"<200 trial settings sha256:[0-9a-f]{16}>", repr(param))
    assert repr(param) == repr(digested(list(trials), "trial settings"))
    # It changes exactly when the full repr does, as Snakemake's own comparison does:
    # a number's type, an order.
    changed = [dict(t) for t in trials]
    changed[-1] = {"trial": "t199", "settings": _settings(8, 199 / 7 + 1e-12)}
    assert repr(digested(changed, "trial settings")) != repr(param)
    assert digest([1]) != digest([1.0])
    assert repr(digested({"a": 1, "b": 2}, "x")) != repr(digested({"b": 2, "a": 1}, "x"))
    # The job gets the plain value.
    for value in (param, digested({"a": [1, 2]}, "sweeps")):
        plain = pickle.loads(pickle.dumps(value, protocol=4))
        assert type(plain) in (list, dict) and plain == value
    with pytest.raises(TypeError):
        digested("text", "texts")


# --- the plan after a one-value sweep change, end to end --------------------------------

TARGETS = ("playground", "sweeps")
LONGEST = 2000  # characters of a line of `snakemake -n`


@pytest.fixture(scope="module")
def finished_sweeps(tmp_path_factory):
    """The tiny playground (chunks of 4 trials) and a 4-value autoencoder sweep (one
    chunk): their training chunks run once (what a change retrains is read from them; the
    figures and summaries after them are planned either way)."""
    config = tiny_playground_config()
    config["playground"]["trials_per_chunk"] = 4
    config["sweeps"] = {
        "rate": {"variant": "ae1", "key": "training.learning_rate",
                 "values": [0.001, 0.003, 0.01, 0.03]},
    }  # fmt: skip
    wf = WorkflowDir(tmp_path_factory.mktemp("sweeps_plan"), config)
    config = copy.deepcopy(config)
    validate_config(config, SCHEMA)  # the schema's defaults, as the Snakefile reads it
    chunks = [
        f"results/playground/chunks/{chunk}/{block}/metrics.csv"
        for chunk in pg.trial_chunks(config)
        for block in pg.chunk_blocks(config)
    ]
    chunks += [
        f"results/sweeps/chunks/{chunk}/metrics.csv" for chunk in ae_sweeps.trial_chunks(config)
    ]
    wf.snakemake(*chunks)
    return wf


def _random_range(config):
    space = config["playground"]["sweeps"]["search"]["random"]["space"]
    space["training.learning_rate"] = {"log_uniform": [0.01, 2.0]}


def _one_value(config):
    config["playground"]["sweeps"]["learning_rate"]["values"] = [0.05, 0.1]


def _autoencoder_value(config):
    config["sweeps"]["rate"]["values"][-1] = 0.02


# tiny trials in order: baseline, learning_rate-0.03, regularization-l1, regularization-l2,
# grid-0.03_0.1, grid-0.3_0, grid-0.3_0.1, search-0, search-1, near_duplicate-0.1000001.
@pytest.mark.workflow
@pytest.mark.parametrize(
    ("change", "retrained"),
    [
        # search-0 and search-1: the last two chunks, same names, other settings.
        (_random_range, {("playground_train", "grid-0.03_0.1"), ("playground_train", "search-1")}),
        # learning_rate-0.05 replaces learning_rate-0.03 in the first chunk; the grid's
        # (0.03, 0) point, which that trial trained, becomes grid-0.03_0 and the later chunks
        # are cut anew (new names).
        (
            _one_value,
            {
                ("playground_train", "baseline"),
                ("playground_train", "grid-0.03_0"),
                ("playground_train", "search-0"),
            },
        ),
        (_autoencoder_value, {("sweep_train", "rate-0.001")}),
    ],
    ids=["random-range", "one-value", "autoencoder-value"],
)
def test_a_one_value_sweep_change_plans_in_short_lines(finished_sweeps, change, retrained):
    config = finished_sweeps.read_config()
    try:
        edited = finished_sweeps.read_config()
        change(edited)
        finished_sweeps.write_config(edited)
        result = finished_sweeps.snakemake("--dry-run", *TARGETS)
    finally:
        finished_sweeps.write_config(config)
    output = result.stdout + result.stderr
    trained = set(
        re.findall(r"rule (playground_train|sweep_train):\n(?:[^\n]*\n)*?\s*"
                   r"wildcards: chunk=([^,\s]+)", output)
    )  # fmt: skip
    assert trained == retrained
    # A chunk whose trials changed says why, readably: its params' digests changed.
    assert re.search(r"reason: Params have changed.*<\d+ trial settings sha256:", output)
    longest = max(output.splitlines(), key=len)
    assert len(longest) <= LONGEST, longest[:300]
