"""The intermediate CSV tables' contracts: each writer promises columns of given kinds, and
each reader checks the file against that promise before using a number of it.

A table that fails (unreadable bytes, a missing column, text in a number column, a row
appended, a series cut short) raises TableError naming the file and what is wrong, so
that a damaged intermediate stops its readers instead of turning into wrong numbers.
pandas only: figure jobs use it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

FLOAT, INT, BOOL, STR = "float", "int", "bool", "str"


class TableError(ValueError):
    """An intermediate table does not hold what its writer promises."""


@dataclass(frozen=True)
class Table:
    """What a writer promises about one kind of CSV table.

    ``columns``: column -> kind (float, int, bool, str); each is present and has no empty
    cell. ``finite``: float columns that are never NaN or infinite (losses of a training
    that finished; a diverged one fails instead). ``series``: (counter, *group columns):
    the counter runs 0, 1, 2, ... in every group and every group has as many rows (an
    epoch per seed), so a cut or appended series fails; with ``stride``, it runs 0, k,
    2k, ... for one k > 0 per group (a record every k epochs); ``ragged``: groups may
    differ in length (runs that stop at plateaus of their own). ``extra``: other columns (a
    sweep's varied settings) are allowed. ``may_be_empty``: a header without rows is a
    valid table (a chunk with nothing of this kind to record).
    """

    name: str
    columns: Mapping[str, str]
    finite: tuple[str, ...] = ()
    series: tuple[str, ...] = ()
    extra: bool = False
    may_be_empty: bool = False
    stride: bool = False
    ragged: bool = False


_INTEGER_TEXT = r"[-+]?\d+"
# What pandas writes for NaN: a missing float (refused in a ``finite`` column), and refused
# outright in a column of another kind.
MISSING = ["", "nan", "NaN"]


def _kind_problem(values: pd.Series, kind: str) -> int | None:
    """The position of the first text in ``values`` that is not of ``kind``, or None.
    Empty cells (NaN) are checked apart."""
    present = values.notna()
    if kind == STR:
        return None
    if kind == BOOL:
        ok = values.isin(["True", "False"])
    elif kind == INT:
        ok = values.str.fullmatch(_INTEGER_TEXT).fillna(False).astype(bool)
    else:
        ok = pd.to_numeric(values, errors="coerce").notna()
    bad = np.flatnonzero((present & ~ok).to_numpy())
    return int(bad[0]) if bad.size else None


def _as_kind(values: pd.Series, kind: str) -> pd.Series:
    if kind == FLOAT:
        return pd.to_numeric(values).astype(float)
    if kind == INT:
        return pd.to_numeric(values).astype(np.int64)
    if kind == BOOL:
        return values == "True"
    return values


def check_table(frame: pd.DataFrame, table: Table, where: str, rows: int | None = None) -> None:
    """Raise TableError if ``frame`` (read from ``where``) breaks ``table``'s promise."""

    def fail(problem: str) -> None:
        raise TableError(f"{where}: not a valid {table.name} table: {problem}")

    missing = [c for c in table.columns if c not in frame.columns]
    if missing:
        fail(f"missing column(s) {', '.join(missing)} (has: {', '.join(map(str, frame.columns))})")
    unexpected = [c for c in frame.columns if c not in table.columns]
    if unexpected and not table.extra:
        fail(f"unexpected column(s) {', '.join(map(str, unexpected))}")
    if frame.empty and not table.may_be_empty:
        fail("no rows")
    if rows is not None and len(frame) != rows:
        fail(f"{len(frame)} rows, expected {rows}")
    for column, kind in table.columns.items():
        values = frame[column]
        empty = np.flatnonzero(values.isna().to_numpy()) if kind != FLOAT else []
        if len(empty):
            fail(f"column {column!r} is empty in data row {empty[0] + 1}")
        bad = _kind_problem(values, kind)
        if bad is not None:
            fail(f"column {column!r}, data row {bad + 1}: {values.iloc[bad]!r} is not {kind}")
    for column in table.finite:
        numbers = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(numbers))
        if bad.size:
            fail(f"column {column!r}, data row {bad[0] + 1}: {numbers[bad[0]]} is not finite")
    if table.series:
        counter, *group = table.series
        lengths = set()
        for name, part in frame.groupby(group, sort=False):
            steps = pd.to_numeric(part[counter], errors="coerce").to_numpy()
            k = steps[1] - steps[0] if table.stride and len(steps) > 1 else 1
            if not (k > 0 and np.array_equal(steps, np.arange(len(steps)) * k)):
                where_in = ", ".join(f"{g} {v}" for g, v in zip(group, name, strict=True))
                runs = "0, k, 2k, ... (one k > 0)" if table.stride else "0, 1, 2, ..."
                fail(f"{counter} does not run {runs} without a gap at {where_in}")
            lengths.add(len(steps))
        if len(lengths) > 1 and not table.ragged:
            fail(f"the series by {', '.join(group)} differ in length ({sorted(lengths)} rows)")


def read_table(path: str | os.PathLike[str], table: Table, rows: int | None = None) -> pd.DataFrame:
    """The CSV at ``path`` with its promised columns as their kinds, after checking it
    against ``table`` (and, if given, its number of data ``rows``)."""
    where = os.fspath(path)
    try:
        # Everything as text first: a stray word must not turn a number column into text
        # silently, and bytes that are no text must not pass as odd values.
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, na_values=MISSING, encoding="utf-8"
        )
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise TableError(f"{where}: not a valid {table.name} table: {error}") from None
    if table.extra:
        for column in frame.columns:
            if column not in table.columns:
                frame[column] = _maybe_numeric(frame[column])
    check_table(frame, table, where, rows)
    for column, kind in table.columns.items():
        frame[column] = _as_kind(frame[column], kind)
    return frame


def _maybe_numeric(values: pd.Series) -> pd.Series:
    """An extra column (a sweep setting) as pandas' CSV reader types it: booleans or
    numbers where every value present is one, else text."""
    present = values.dropna()
    if len(present) and present.isin(["True", "False"]).all():
        return values.map({"True": True, "False": False})
    numbers = pd.to_numeric(values, errors="coerce")
    return numbers if numbers[values.notna()].notna().all() else values


def read_tables(
    paths: Sequence[str], table: Table, labels: Sequence[str] | None = None
) -> dict[str, pd.DataFrame]:
    """Several files of one kind, keyed by ``labels`` (default: the paths), in order."""
    labels = list(paths) if labels is None else list(labels)
    return {label: read_table(path, table) for label, path in zip(labels, paths, strict=True)}


def read_stacked(paths: Sequence[str], table: Table) -> pd.DataFrame:
    """Several files of one kind (one per chunk job) as one table."""
    return pd.concat([read_table(path, table) for path in paths], ignore_index=True)
