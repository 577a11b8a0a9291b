"""Config edits rerun exactly what they touch (read from the jobs of a dry run)."""

import pytest

from tests.conftest import private_copy

pytestmark = pytest.mark.workflow

FIGURES_OF_VARIANTS = {
    ("plot_loss_curves", ""),
    ("plot_latent_maps", ""),
    ("plot_decoder_sweeps", ""),
}
SUMMARY = {("summarise", "")}


@pytest.fixture
def done(finished_workflow, tmp_path):
    """A private copy of the finished tiny run."""
    return private_copy(finished_workflow, tmp_path)


def _edit(wf, change):
    config = wf.read_config()
    change(config)
    wf.write_config(config)
    return wf.planned_jobs()


def _per_variant(variant):
    return {
        ("train", f"run={variant}"),
        ("embed", f"variant={variant}"),
        ("decoder_sweep", f"variant={variant}"),
    } | SUMMARY


def test_changing_one_variant_reruns_only_that_variant(done):
    jobs = _edit(done, lambda c: c["variants"]["ae1"].update(hidden=[8, 4]))
    assert jobs == _per_variant("ae1") | FIGURES_OF_VARIANTS


def test_changing_one_variants_learning_rate_reruns_only_that_variant(done):
    jobs = _edit(done, lambda c: c["variants"]["pca"].update(training={"learning_rate": 0.01}))
    assert jobs == _per_variant("pca") | FIGURES_OF_VARIANTS


def test_adding_a_variant_trains_only_the_new_one(done):
    jobs = _edit(done, lambda c: c["variants"].update(wide={"hidden": [64]}))
    assert jobs == _per_variant("wide") | FIGURES_OF_VARIANTS


def test_removing_a_variant_redraws_figures_without_training(done):
    jobs = _edit(done, lambda c: c["variants"].pop("ae1"))
    assert jobs == FIGURES_OF_VARIANTS | SUMMARY


def test_changing_the_sweep_range_reruns_sweeps_and_their_figure_only(done):
    jobs = _edit(done, lambda c: c["decoder_sweep"].update(z_range=[-3.0, 3.0]))
    assert jobs == {("decoder_sweep", f"variant={v}") for v in ("ae1", "ae2", "pca")} | {
        ("plot_decoder_sweeps", "")
    }


def test_changing_the_figure_format_redraws_figures_only(done):
    jobs = _edit(done, lambda c: c["figures"].update(format="svg"))
    assert jobs and all(rule.startswith("plot_") for rule, _ in jobs)


def test_changing_the_retraining_init_reruns_only_the_retraining(done):
    jobs = _edit(done, lambda c: c["retrain"].update(init_std=0.5))
    assert (
        jobs
        == {
            ("retrain_encoder", "variant=ae2"),
            ("plot_retrain", ""),
        }
        | SUMMARY
    )


def test_changing_the_sgd_run_reruns_only_that_run(done):
    jobs = _edit(
        done,
        lambda c: c["optimizer_comparison"]["runs"]["sgd"]["training"].update(learning_rate=0.01),
    )
    assert (
        jobs
        == {
            ("train", "run=ae2-sgd"),
            ("plot_optimizer_comparison", ""),
        }
        | SUMMARY
    )


def test_changing_the_data_reruns_everything_downstream(done):
    jobs = _edit(done, lambda c: c["data"].update(seed=1))
    rules = {rule for rule, _ in jobs}
    assert {("train", f"run={r}") for r in ("ae1", "ae2", "pca", "ae2-sgd", "ae2-gd")} <= jobs
    assert {"make_data", "embed", "decoder_sweep", "retrain_encoder", "plot_samples"} <= rules
