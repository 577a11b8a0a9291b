"""Atomic file output: write to a temporary sibling, then rename into place.

A job killed half-way (SIGTERM, SIGKILL, node failure) therefore never leaves a file
under its final name that Snakemake could mistake for a finished output.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

# What a plain open() asks for; the process umask then removes bits (e.g. 0o644 under 022).
# tempfile.mkstemp would create 0o600 files that colleagues on a cluster cannot read.
NEW_FILE_MODE = 0o666


def _create_sibling(final: Path) -> Path:
    """Create an empty, uniquely named hidden file next to ``final`` with the umask's mode."""
    while True:
        tmp = final.with_name(f".{final.name}.{secrets.token_hex(4)}.partial")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, NEW_FILE_MODE)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp


def _remove_debris(final: Path) -> None:
    """Delete the temporary siblings of ``final`` that killed attempts left (SIGKILL and
    node failures skip every cleanup), theirs too (a writer that was itself handed a
    temporary path: ``..name.*.partial``). Snakemake never runs two jobs with one output."""
    name = glob.escape(final.name)
    for debris in [*final.parent.glob(f".{name}.*.partial"), *final.parent.glob(f"..{name}.*")]:
        if debris.is_dir():
            shutil.rmtree(debris, ignore_errors=True)
        else:
            debris.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it to ``path`` only on success.
    Temporary files of earlier, killed attempts at ``path`` are removed first."""
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    _remove_debris(final)
    # Same directory as the target, so os.replace is a rename on one filesystem.
    tmp = _create_sibling(final)
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield an empty temporary folder next to ``path``; it replaces ``path`` (a folder
    output, written file by file) only on success."""
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    _remove_debris(final)
    tmp = _create_sibling(final)
    tmp.unlink()
    tmp.mkdir()
    try:
        yield tmp
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def write_csv(frame, path: str | os.PathLike[str]) -> None:  # frame: pandas.DataFrame
    """Write a DataFrame as CSV (no index) atomically."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False)
