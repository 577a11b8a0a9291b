"""Rule params that keep reruns exact but print readably (standard library only).

Snakemake records each param of a job as its ``repr`` and reruns the job when one
changes; the plan (``snakemake -n``) then prints the old and new reprs in full on one
``reason:`` line: for the settings of every trial of a chunk, tens of thousands of
characters. ``digested(value, label)`` is ``value`` (an equal list or dict) whose repr is
its length, label and the SHA-256 of ``value``'s own repr, ``<2 trial settings
sha256:…>``. Snakemake records and prints that short text, and it changes exactly when
the full repr does: the same edits rerun the same jobs as with ``value`` itself. The job
gets ``value`` in full: pickled (as Snakemake hands params to a script) it is the plain
list or dict again.

Snakemake rebuilds a list given directly as a param: pass a digested list through a
function (``lambda wildcards: digested(...)``); a dict may be given directly.
"""

from __future__ import annotations

import hashlib
from typing import Any


def digest(value: Any) -> str:
    """SHA-256 (hex) of ``repr(value)``: what Snakemake compares of a plain param."""
    return hashlib.sha256(repr(value).encode()).hexdigest()


class DigestedList(list):
    """A list that reprs as ``<length label sha256:…>``; pickles as a plain list."""

    def __init__(self, value: Any, label: str) -> None:
        super().__init__(value)
        self.text = f"<{len(self)} {label} sha256:{digest(list(self))[:16]}>"

    def __repr__(self) -> str:
        return self.text

    def __reduce__(self) -> tuple:
        return list, (list(self),)


class DigestedDict(dict):
    """A dict that reprs as ``<length label sha256:…>``; pickles as a plain dict."""

    def __init__(self, value: Any, label: str) -> None:
        super().__init__(value)
        self.text = f"<{len(self)} {label} sha256:{digest(dict(self))[:16]}>"

    def __repr__(self) -> str:
        return self.text

    def __reduce__(self) -> tuple:
        return dict, (dict(self),)


def digested(value: list | dict, label: str) -> DigestedList | DigestedDict:
    """``value`` as a param Snakemake records and prints as ``<length label sha256:…>``
    (``label``: a plural noun, such as 'trial settings')."""
    if isinstance(value, dict):
        return DigestedDict(value, label)
    if isinstance(value, list):
        return DigestedList(value, label)
    raise TypeError(f"digested params are lists or dicts, not {type(value).__name__}")
