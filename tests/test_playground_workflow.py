"""The playground stages end to end on a tiny sweep, their incremental reruns and errors."""

import pandas as pd
import pytest
import torch

from aeflow.playground.checkpoints import load_classifier
from tests.conftest import private_copy

pytestmark = pytest.mark.workflow

# tiny config: learning_rate [0.03, 0.1] (0.1 is the baseline's), regularization none/l1/l2
TRIALS = ["baseline", "learning_rate-0.03", "regularization-l1", "regularization-l2"]
FIGURES = [
    "playground_baseline",
    "playground_sweeps",
    "playground_boundaries",
    "playground_curves",
    "playground_weights",
]


def test_every_trial_is_trained_once_and_its_outputs_parse(finished_playground):
    root = finished_playground.results / "playground"
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == sorted(TRIALS)
    for trial in TRIALS:
        points = pd.read_csv(root / trial / "points.csv")
        assert list(points.columns) == ["x1", "x2", "label", "split", "output"]
        assert points["split"].value_counts().to_dict() == {"train": 20, "test": 20}
        curves = pd.read_csv(root / trial / "curves.csv")
        assert curves["epoch"].tolist() == [0, 1, 2, 3, 4]
        network = load_classifier(root / trial / "model.ckpt")
        assert network(torch.zeros(3, 2)).shape == (3,)
        # The saved output column is the saved model's output.
        inputs = torch.tensor(points[["x1", "x2"]].to_numpy(), dtype=torch.float32)
        with torch.no_grad():
            assert (network(inputs).numpy() - points["output"].to_numpy()).max() < 1e-6
    for figure in FIGURES:
        assert (finished_playground.results / f"figures/{figure}.png").read_bytes()[
            :4
        ] == b"\x89PNG"
    # Only the playground target ran: no autoencoder job.
    assert not (finished_playground.results / "models").exists()


def test_summary_has_a_row_per_sweep_point_and_generated_observations(finished_playground):
    root = finished_playground.results / "playground"
    table = pd.read_csv(root / "summary.csv")
    assert table["sweep"].tolist() == ["baseline"] + ["learning_rate"] * 2 + ["regularization"] * 3
    # Points equal to the baseline share its training and its numbers.
    shared = table[table["run"] == "baseline"]
    assert len(shared) == 3 and shared["test_loss"].nunique() == 1
    assert (table["parameters"] == 145).all()
    markdown = (root / "summary.md").read_text()
    l1 = table[table["run"] == "regularization-l1"].iloc[0]
    assert f"l1 {l1['near_zero_weights']:.0%}" in markdown
    assert "Sweep learning_rate (training.learning_rate): test loss is lowest at" in markdown


def _edit(wf, change, *targets):
    """Apply ``change`` to the config; the jobs a dry run (of ``targets``) then plans."""
    config = wf.read_config()
    change(config)
    wf.write_config(config)
    return wf.planned_jobs(*targets)


@pytest.fixture
def done_playground(finished_playground, tmp_path):
    """A private copy of the finished tiny playground run."""
    return private_copy(finished_playground, tmp_path, "playground")


SWEEP_OUTPUTS = {("summarise_playground", ""), ("plot_playground_sweeps", "")}


def test_adding_a_sweep_value_trains_only_that_trial(done_playground):
    def add_value(config):
        config["playground"]["sweeps"]["learning_rate"]["values"].append(0.3)

    jobs = _edit(done_playground, add_value, "playground")
    assert jobs == {("playground_train", "trial=learning_rate-0.3")} | SWEEP_OUTPUTS


def test_changing_the_baseline_retrains_every_trial(done_playground):
    jobs = _edit(
        done_playground, lambda c: c["playground"]["training"].update(epochs=5), "playground"
    )
    trained = {job for job in jobs if job[0] == "playground_train"}
    assert trained == {("playground_train", f"trial={trial}") for trial in TRIALS}


def test_disabling_the_playground_drops_its_jobs_from_the_default_run(done_playground):
    def longer(config):
        config["playground"]["training"]["epochs"] = 5

    def longer_but_disabled(config):
        longer(config)
        config["playground"]["enabled"] = False

    enabled = _edit(done_playground, longer)
    assert ("playground_train", "trial=baseline") in enabled and ("train", "run=ae1") in enabled
    disabled = _edit(done_playground, longer_but_disabled)
    assert disabled == {job for job in enabled if "playground" not in job[0]}


def test_a_regularization_rate_without_regularization_reruns_nothing(done_playground):
    def new_rate(config):
        config["playground"]["training"]["regularization_rate"] = 0.01

    jobs = _edit(done_playground, new_rate, "playground")
    # Only the trials that regularise use the rate; the baseline (none) stays.
    assert {job for job in jobs if job[0] == "playground_train"} == {
        ("playground_train", "trial=regularization-l1"),
        ("playground_train", "trial=regularization-l2"),
    }


@pytest.mark.parametrize("written", ["1e-5", 1.0e-05, "1.0e-05"])
def test_a_sweep_value_in_scientific_notation_becomes_a_trial(done_playground, written):
    def add_value(config):
        config["playground"]["sweeps"]["learning_rate"]["values"].append(written)

    jobs = _edit(done_playground, add_value)
    assert ("playground_train", "trial=learning_rate-1e-05") in jobs
