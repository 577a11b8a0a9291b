"""Portable numerics: a run on an AVX-512 node and one on an (emulated) AVX2-only node give
the same bytes; with native numerics they do not."""

import os
import subprocess
import sys

import pytest
import torch

from aeflow.core import numerics
from tests.conftest import WorkflowDir, tiny_playground_config

# What MKL, oneDNN and ATen's dispatch do by themselves on a CPU without AVX-512. (ATen
# alone decides on an AMD CPU, where MKL takes its AVX2 path anyway.)
AVX2_NODE = {
    "MKL_ENABLE_INSTRUCTIONS": "AVX2",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "ATEN_CPU_CAPABILITY": "avx2",
}
TRAINED = ["results/losses/ae2.csv", "results/curves/ae2.csv"]
COMPARED = ("losses", "curves", "playground/chunks")


# Products and reductions of the shapes training uses, hashed: a probe of whether this CPU's
# native kernels and its AVX2 paths round differently at all.
PROBE = """
import hashlib, torch
g = torch.Generator().manual_seed(0)
x = torch.randn(5, 8, 50, generator=g)
w = torch.randn(5, 50, 50, generator=g)
b = torch.randn(5, 1, 50, generator=g)
y = torch.baddbmm(b, x, w).relu().tanh().exp()
z = torch.randn(1000, 50, generator=g) @ torch.randn(50, 2000, generator=g)
print(hashlib.sha256(y.numpy().tobytes() + z.sum(0).numpy().tobytes()).hexdigest())
"""


def _native_kernels_differ_from_avx2() -> bool:
    """Whether the emulated AVX2-only node computes other bytes than this CPU natively (on
    CPUs without AVX-512, and on AMD ones where MKL takes its AVX2 path anyway, it may not:
    then native numerics cannot differ and that case has nothing to show)."""
    env = {k: v for k, v in os.environ.items() if k not in numerics.PORTABLE_ENVIRONMENT}
    runs = [
        subprocess.run(
            [sys.executable, "-c", PROBE],
            env={**env, **node},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for node in ({}, AVX2_NODE)
    ]
    return runs[0] != runs[1]


def _run(root, mode: str, node: dict[str, str], chunks: list[str]) -> dict[str, object]:
    config = tiny_playground_config()
    config["numerics"] = mode
    config["training"]["epochs"] = 20  # long enough for roundings to show in the losses
    root.mkdir()
    wf = WorkflowDir(root, config)
    env = {k: v for k, v in os.environ.items() if k not in numerics.PORTABLE_ENVIRONMENT}
    env.update(node)
    subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", *TRAINED, *chunks],
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
    if mode == numerics.NATIVE and not _native_kernels_differ_from_avx2():
        pytest.skip("this CPU's native kernels round as its AVX2 paths do: nothing to differ")
    # Both parts must match with portable numerics; one training shows native ones differ.
    first_block = "results/playground/chunks/baseline/s0-2/metrics.csv"
    chunks = [first_block] if mode == numerics.PORTABLE else []
    here = _run(tmp_path / "here", mode, {}, chunks)
    there = _run(tmp_path / "avx2", mode, AVX2_NODE, chunks)
    assert here.keys() == there.keys() and len(here) == (12 if chunks else 6)  # blocks too
    differing = sorted(name for name in here if here[name] != there[name])
    if mode == numerics.PORTABLE:
        assert any(name.startswith("playground") for name in here)
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
