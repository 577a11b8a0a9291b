"""Portable numerics: the same numbers from every x86-64 node of a cluster.

Torch on CPU picks its kernels by the instruction sets of the CPU it runs on (ATen's own
vectorised kernels, and MKL's). An AVX-512 node and an AVX2-only node (many AMD EPYC
partitions) therefore compute the same training with different roundings, and training
is chaotic enough for those to grow into different results. ``portable`` pins both to
their AVX2 code paths, which every x86-64 server CPU of the last decade runs:
MKL's conditional numerical reproducibility (``MKL_CBWR``) and ATen's dispatch
(``ATEN_CPU_CAPABILITY``). Both are read when torch loads, so the workflow sets them in
its own environment (``apply``) before any job starts, and every job inherits them,
locally and on cluster nodes alike. ``native`` lets each node use all it has.

What this does not make equal: CPU against GPU results, x86-64 against ARM, other versions
of torch or MKL. Standard library only: the Snakefile imports it.
"""

from __future__ import annotations

import os
import platform
from collections.abc import MutableMapping

PORTABLE, NATIVE = "portable", "native"
MODE_VARIABLE = "AEFLOW_NUMERICS"
# MKL on its AVX2 path (also where the CPU has AVX-512), ATen's kernels likewise; oneDNN
# capped the same way for the operators that use it.
PORTABLE_ENVIRONMENT = {
    "MKL_CBWR": "AVX2",
    "ATEN_CPU_CAPABILITY": "avx2",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
}


def apply(mode: str, environ: MutableMapping[str, str] = os.environ) -> None:
    """Set ``environ`` (the workflow's, inherited by its jobs) for numerics ``mode``."""
    if mode not in (PORTABLE, NATIVE):
        raise ValueError(f"numerics must be {PORTABLE!r} or {NATIVE!r}, not {mode!r}")
    environ[MODE_VARIABLE] = mode
    if mode == PORTABLE:
        environ.update(PORTABLE_ENVIRONMENT)


def _cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def cpu_note(machine: str | None = None, flags: set[str] | None = None) -> str | None:
    """Why this CPU cannot follow the portable baseline, or None if it can."""
    machine = platform.machine() if machine is None else machine
    if machine.lower() not in ("x86_64", "amd64"):
        return (
            f"portable numerics: this CPU is {machine}, not x86-64; its results are not "
            "bit-comparable with those of x86-64 nodes"
        )
    flags = _cpu_flags() if flags is None else flags
    if flags and "avx2" not in flags:
        return (
            "portable numerics: this CPU has no AVX2; MKL and torch fall back to older "
            "kernels, so its results are not bit-comparable with those of other nodes"
        )
    return None


def describe(environ: MutableMapping[str, str] = os.environ) -> list[str]:
    """Log lines for a job: the numerics in force and, where the CPU cannot follow the
    portable baseline, what that means for comparability."""
    mode = environ.get(MODE_VARIABLE)
    if mode == PORTABLE:
        pinned = ", ".join(f"{k}={environ.get(k)}" for k in PORTABLE_ENVIRONMENT)
        note = cpu_note()
        return [f"numerics: portable ({pinned})", *([note] if note else [])]
    if mode == NATIVE:
        return ["numerics: native (kernels chosen by this CPU: results may differ by node)"]
    return []


GPU_NOTE = (
    "training on a GPU: its results are not bit-comparable with CPU training, portable "
    "numerics or not"
)
