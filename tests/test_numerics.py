"""Portable numerics: a run on an AVX-512 node and one on an (emulated) AVX2-only node give
the same bytes; with native numerics they do not."""

import os
import subprocess
import sys

import pytest
import torch

from aeflow.core import numerics
from tests.conftest import WorkflowDir, tiny_playground_config

# What MKL and oneDNN do by themselves on a CPU without AVX-512.
AVX2_NODE = {"MKL_ENABLE_INSTRUCTIONS": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2"}
TRAINED = ["results/losses/ae2.csv", "results/losses/ae1.csv", "results/curves/ae2.csv"]
COMPARED = ("losses", "curves", "playground/batches")


def _has_avx512() -> bool:
    return "avx512f" in numerics._cpu_flags()


def _run(root, mode: str, node: dict[str, str]) -> dict[str, object]:
    config = tiny_playground_config()
    config["numerics"] = mode
    config["training"]["epochs"] = 20  # long enough for roundings to show in the losses
    root.mkdir()
    wf = WorkflowDir(root, config)
    env = {k: v for k, v in os.environ.items() if k not in numerics.PORTABLE_ENVIRONMENT}
    env.update(node)
    batches = [f"results/playground/batches/{b}/metrics.csv" for b in ("baseline", "search-1")]
    subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", *TRAINED, *batches],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )
    found: dict[str, object] = {}
    for path in sorted(wf.results.rglob("*")):
        name = str(path.relative_to(wf.results))
        if path.suffix == ".csv" and name.startswith(COMPARED):
            found[name] = path.read_bytes()
        elif path.suffix == ".ckpt":
            state = torch.load(path, map_location="cpu", weights_only=False)["state_dict"]
            found[name] = {k: v.numpy().tobytes() for k, v in state.items()}
    return found


@pytest.mark.workflow
@pytest.mark.parametrize("mode", [numerics.PORTABLE, numerics.NATIVE])
def test_an_avx2_only_node_computes_the_same_bytes_only_with_portable_numerics(tmp_path, mode):
    if mode == numerics.NATIVE and not _has_avx512():
        pytest.skip("this CPU has no AVX-512: its native and AVX2 kernels are the same")
    here = _run(tmp_path / "here", mode, {})
    there = _run(tmp_path / "avx2", mode, AVX2_NODE)
    assert here.keys() == there.keys() and len(here) >= 10
    assert any(name.startswith("playground") for name in here)
    differing = sorted(name for name in here if here[name] != there[name])
    if mode == numerics.PORTABLE:
        assert differing == []
    else:
        assert differing, "native numerics should differ between the two nodes"


def test_portable_numerics_set_the_environment_and_say_so_in_the_log():
    environ: dict[str, str] = {}
    numerics.apply(numerics.PORTABLE, environ)
    assert environ["MKL_CBWR"] == "AVX2" and environ["ATEN_CPU_CAPABILITY"] == "avx2"
    assert numerics.describe(environ)[0].startswith("numerics: portable (MKL_CBWR=AVX2")
    native: dict[str, str] = {}
    numerics.apply(numerics.NATIVE, native)
    assert native == {numerics.MODE_VARIABLE: "native"}
    with pytest.raises(ValueError, match="portable"):
        numerics.apply("fast", {})


def test_a_cpu_that_cannot_follow_the_baseline_is_named():
    assert numerics.cpu_note("x86_64", {"sse2", "avx", "avx2"}) is None
    assert "no AVX2" in numerics.cpu_note("x86_64", {"sse2", "avx"})
    assert "aarch64, not x86-64" in numerics.cpu_note("aarch64", set())
