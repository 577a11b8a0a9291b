"""What a training job asks a cluster for, sized from its work.

A job's work is its optimiser steps (the networks of one job step together, vectorised)
and its parameter-steps (each network's parameters times its steps, summed). Its time is

    seconds = startup_seconds + steps * seconds_per_step
              + parameter_steps * seconds_per_parameter_step

and it asks for ``runtime = ceil(safety_factor * seconds / 60)`` minutes (at least
``min_runtime``) and ``mem_mb = memory_mb + parameters * bytes_per_parameter / 1e6`` (the
process's base need, torch and its tables, plus every network's weights, gradients,
optimiser state and copies), both doubled on each retry (``attempt`` 2, 3, ...): a job
that SLURM killed at its time limit, or for its memory, comes back with twice as much.

The rates in ``config["cluster"]`` are measured on one development CPU (docs/cluster.md);
``runtime`` / ``mem_mb`` there, or Snakemake's ``--set-resources``, override the estimate.
Standard library only (the Snakefile imports it).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Work:
    """The work of one training job."""

    # For trainings one after another (``in_sequence``): steps and parameter-steps summed,
    # parameters of the largest (one training in memory at a time).
    steps: int  # optimiser steps of its longest-running network
    parameter_steps: int  # sum over its networks of parameters x steps
    parameters: int  # sum over its networks of parameters

    @classmethod
    def of(cls, networks: Iterable[tuple[int, int, int]]) -> Work:
        """From (steps, parameters, replicas) of each trial or run the job trains."""
        steps = parameter_steps = total = 0
        for n_steps, parameters, replicas in networks:
            steps = max(steps, n_steps)
            parameter_steps += n_steps * parameters * replicas
            total += parameters * replicas
        return cls(steps, parameter_steps, total)

    @classmethod
    def in_sequence(cls, works: Iterable[Work]) -> Work:
        """A job that trains ``works`` one after another: their steps add up; it holds
        one of them in memory at a time."""
        works = list(works)
        return cls(
            sum(w.steps for w in works),
            sum(w.parameter_steps for w in works),
            max((w.parameters for w in works), default=0),
        )


def estimated_seconds(work: Work, sizing: Mapping) -> float:
    """The job's expected wall time on the CPU the rates were measured on."""
    return (
        sizing["startup_seconds"]
        + work.steps * sizing["seconds_per_step"]
        + work.parameter_steps * sizing["seconds_per_parameter_step"]
    )


def runtime_minutes(work: Work, sizing: Mapping, attempt: int = 1) -> int:
    """Minutes to ask for: the estimate with its safety factor, doubled per retry."""
    if sizing.get("runtime") is not None:
        base = int(sizing["runtime"])
    else:
        base = max(
            int(sizing["min_runtime"]),
            math.ceil(sizing["safety_factor"] * estimated_seconds(work, sizing) / 60),
        )
    return base * 2 ** (attempt - 1)


def memory_mb(work: Work, sizing: Mapping, attempt: int = 1) -> int:
    """MB to ask for: the base need and the networks' memory, doubled per retry."""
    if sizing.get("mem_mb") is not None:
        base = int(sizing["mem_mb"])
    else:
        networks = work.parameters * sizing["bytes_per_parameter"] / 1e6
        base = math.ceil(sizing["memory_mb"] + networks)
    return base * 2 ** (attempt - 1)
