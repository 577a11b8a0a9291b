"""A summary table and its observations as a Markdown and an HTML page (pandas only)."""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd


def _cell(value) -> str:
    if value is pd.NA:  # a missing entry of an integer column (pandas' Int64)
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4g}"
    if isinstance(value, (np.integer, int)):
        return str(int(value))
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _is_link(value) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://"))


def _md_cell(value) -> str:
    return f"[open]({value})" if _is_link(value) else _cell(value)


def _html_cell(value) -> str:
    if _is_link(value):
        return f"<a href='{html.escape(value, quote=True)}'>open</a>"
    return html.escape(_cell(value))


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    shown = table.dropna(axis=1, how="all")
    if "seeds" in shown and (shown["seeds"] == 1).all():
        # One seed: no spread to show.
        shown = shown.drop(columns=["seeds", *(c for c in shown if c.endswith("_std"))])
    return shown


def to_markdown(table: pd.DataFrame, notes: list[str], title: str = "Summary") -> str:
    shown = _shown(table)
    lines = [f"# {title}", "", "## Observations", ""]
    lines += [f"- {note}" for note in notes] or ["- (none)"]
    lines += [
        "",
        "## Numbers",
        "",
        "| " + " | ".join(shown.columns) + " |",
        "|" + "---|" * len(shown.columns),
    ]
    lines += [
        "| " + " | ".join(_md_cell(v) for v in row) + " |" for row in shown.itertuples(index=False)
    ]
    return "\n".join(lines) + "\n"


def to_html(table: pd.DataFrame, notes: list[str], title: str = "Summary") -> str:
    shown = _shown(table)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in shown.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_html_cell(v)}</td>" for v in row) + "</tr>"
        for row in shown.itertuples(index=False)
    )
    items = "".join(f"<li>{html.escape(note)}</li>" for note in notes)
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>"
        "body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;font-size:90%}"
        "td,th{border:1px solid #bbb;padding:3px 6px;text-align:right}th{background:#eee}"
        "td:first-child,td:nth-child(2),td:nth-child(3){text-align:left}li{margin:.4em 0}"
        f"</style></head><body><h2>Observations</h2><ul>{items}</ul>"
        f"<h2>Numbers</h2><table><tr>{head}</tr>{body}</table></body></html>\n"
    )
