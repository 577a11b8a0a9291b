"""Replica blocks: the seeds of a run trained a block at a time, so that a replica, once
trained, is never trained again when a run's seeds grow (torch-free; both parts).

Block b of a run holds replicas [b x B, (b + 1) x B), B = ``seeds_per_job``, and is always
trained whole, in a job of its own: replica k therefore always shares its job with the
same B - 1 replicas, and its bytes depend on neither how many seeds the run has nor when
its block was trained. (Stacked training computes replica k exactly as a lone training
would up to the last bit only for a fixed stack: batched matrix products may round the
last replica of a stack differently when the stack's size changes.) A run of n seeds
trains ceil(n / B) blocks and reads its first n replicas; raising n adds blocks, and the
blocks already trained stay as they are. Changing B retrains everything.
"""

from __future__ import annotations

import re

BLOCK = re.compile(r"s(\d+)-(\d+)")


def block_name(start: int, stop: int) -> str:
    """'s5-10': the block of replicas 5 to 9."""
    return f"s{start}-{stop}"


def block_range(name: str) -> tuple[int, int]:
    """(start, stop) of a block's name."""
    match = BLOCK.fullmatch(name)
    if not match:
        raise ValueError(f"not a replica block: {name!r} (expected 's<start>-<stop>')")
    return int(match.group(1)), int(match.group(2))


def blocks(seeds: int, per_job: int) -> list[str]:
    """The blocks that hold a run's first ``seeds`` replicas, whole blocks of ``per_job``."""
    if seeds < 1 or per_job < 1:
        raise ValueError(f"seeds and seeds_per_job must be >= 1, got {seeds} and {per_job}")
    return [block_name(start, start + per_job) for start in range(0, seeds, per_job)]


def block_training(training: dict, block: str) -> dict:
    """A run's training settings for one block: its replicas (``first_replica``,
    ``seeds``), without the run's total seeds or block size (a block's settings do not
    change when the run grows)."""
    start, stop = block_range(block)
    settings = {k: v for k, v in training.items() if k != "seeds_per_job"}
    return dict(sorted({**settings, "seeds": stop - start, "first_replica": start}.items()))
