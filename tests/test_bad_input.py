"""A bad config stops the run before any job, names the key, and changes no result."""

import pytest

pytestmark = pytest.mark.workflow

# Validation itself is tested case by case in test_config.py, in-process; here the whole
# run: a bad config.yaml stops Snakemake before any job and leaves every result as it was.
BROKEN_FILES = [
    ("schema", lambda text: text.replace("epochs: 3", "epochs: 0", 1), "training.epochs:"),
    (
        "yaml syntax",
        lambda text: text.replace("n_train: 24", "n_train: [24", 1),
        "config.yaml, line ",
    ),
    (
        "duplicate key",
        lambda text: text.replace("n_train: 24", "n_train: 24\n  n_train: 30", 1),
        "duplicate key 'n_train'",
    ),
    ("infinity", lambda text: text.replace("n_test: 40", "n_test: .inf", 1), "data.n_test:"),
]


@pytest.fixture(scope="module")
def own_run(finished_workflow, tmp_path_factory):
    """A private copy of the finished tiny run for this module's broken configs: the
    shared finished run is never edited."""
    from tests.conftest import private_copy

    return private_copy(finished_workflow, tmp_path_factory.mktemp("bad-input"))


@pytest.mark.parametrize(
    ("kind", "break_it", "named"), BROKEN_FILES, ids=[c[0] for c in BROKEN_FILES]
)
def test_bad_config_stops_the_run_naming_the_problem_and_changes_nothing(
    own_run, kind, break_it, named
):
    before = own_run.snapshot()
    config_file = own_run.root / "config.yaml"
    good = config_file.read_text()
    broken = break_it(good)
    assert broken != good
    config_file.write_text(broken)
    try:
        result = own_run.snakemake(check=False)
    finally:
        config_file.write_text(good)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert named in output, output
    if kind == "yaml syntax":
        assert "YAML syntax error" in output and "column" in output
    assert own_run.snapshot() == before


def test_a_key_given_twice_in_a_configfile_stops_the_run_naming_its_line(
    finished_workflow, tmp_path
):
    extra = tmp_path / "extra.yaml"
    extra.write_text("training:\n  epochs: 3\n  epochs: 5\n")
    result = finished_workflow.snakemake("--configfile", str(extra), "--dry-run", check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "extra.yaml, line 3" in output and "duplicate key 'epochs'" in output


def test_diverging_training_fails_naming_the_variant_and_leaves_no_output(workflow_dir):
    config = workflow_dir.read_config()
    config["variants"]["ae1"]["training"] = {
        "optimizer": "sgd",
        "learning_rate": 1.0e6,
        "epochs": 40,
    }
    workflow_dir.write_config(config)
    result = workflow_dir.snakemake(
        f"{workflow_dir.results}/losses/ae1.csv".removeprefix(f"{workflow_dir.root}/"),
        check=False,
    )
    assert result.returncode != 0
    log = (workflow_dir.results / "logs/train/ae1/s0-2.log").read_text()
    assert "training of 'ae1' diverged" in log and "at step" in log
    assert not (workflow_dir.results / "losses/ae1.csv").exists()
    assert not (workflow_dir.results / "models/ae1/trained.ckpt").exists()
    assert not list((workflow_dir.results / "blocks/ae1").rglob("*.*"))  # nor its block
