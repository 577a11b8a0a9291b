"""Summary pages: a header, sections of findings each with the small table its bullets rest
on, a compact table of numbers, and (HTML only, collapsed) the full table. pandas only."""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

NUMBERS = "Numbers (mean ± sample SD over seeds)"
COMPACT_COLUMNS = 12  # at most this many columns in a page's compact table

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:1200px;margin:1em auto;padding:0 1em;"
    "line-height:1.4;color:#222}"
    "h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.4em;border-bottom:1px solid #ddd}"
    ".header{background:#f6f6f6;border-left:4px solid #888;padding:.4em 1em;font-size:92%}"
    "table{border-collapse:collapse;font-size:88%;margin:.5em 0;max-width:100%}"
    "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}"
    "th{background:#eee}td.n{text-align:right}"
    "li{margin:.3em 0}.scroll{overflow-x:auto;max-width:100%}"
    "details{margin:1em 0}summary{cursor:pointer;font-weight:bold}"
    "td{overflow-wrap:anywhere}"
)


@dataclass
class Section:
    """One family of claims (``core.claims.Claim`` rows, worded), the context notes that
    define what they measure (no finding in them), the numbers they rest on, and the
    figure (a path) that shows them."""

    title: str
    notes: list[str]
    table: pd.DataFrame | None = field(default=None)
    claims: list = field(default_factory=list)
    figure: str | None = None

    def bullets(self) -> list[str]:
        """Context first, then every claim's sentence, as the page shows them."""
        return [*self.notes, *(f"{c.sentence}." for c in self.claims)]


def _cell(value) -> str:
    if value is pd.NA:  # a missing entry of an integer column (pandas' Int64)
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4g}"
    if isinstance(value, (np.integer, int)):
        return str(int(value))
    return "" if value is None else str(value)


def _is_link(value) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://"))


def _md_cell(value) -> str:
    return f"[open]({value})" if _is_link(value) else _cell(value).replace("|", "\\|")


def _html_cell(value) -> str:
    if _is_link(value):
        return f"<a href='{html.escape(value, quote=True)}'>open</a>"
    return html.escape(_cell(value))


def _numeric(value) -> bool:
    """Numbers (and 'mean ± SD' cells) align right, text left."""
    text = _cell(value).lstrip("-")
    return bool(text) and text[0].isdigit()


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    shown = table.dropna(axis=1, how="all")
    if "seeds" in shown and (shown["seeds"] == 1).all():
        # One seed: no spread to show.
        shown = shown.drop(columns=["seeds", *(c for c in shown if c.endswith("_std"))])
    return shown


def _sections(notes: Sequence[str | Section]) -> list[Section]:
    """Loose strings become one 'Observations' section, in place."""
    sections: list[Section] = []
    for note in notes:
        if isinstance(note, Section):
            sections.append(note)
        elif sections and sections[-1].title == "Observations":
            sections[-1].notes.append(note)
        else:
            sections.append(Section("Observations", [note]))
    return sections


def _md_table(table: pd.DataFrame) -> list[str]:
    lines = ["| " + " | ".join(map(str, table.columns)) + " |", "|" + "---|" * len(table.columns)]
    lines += [
        "| " + " | ".join(_md_cell(v) for v in row) + " |" for row in table.itertuples(index=False)
    ]
    return lines


def to_markdown(
    table: pd.DataFrame,
    notes: Sequence[str | Section],
    title: str = "Summary",
    header: Sequence[str] = (),
) -> str:
    """The page in Markdown: header lines, each section's bullets and small table, then
    ``table`` (keep it compact; the full table is in the CSV)."""
    lines = [f"# {title}", ""]
    lines += [f"> {line}" for line in header] + ([""] if header else [])
    sections = _sections(notes)
    for section in sections or [Section("Observations", ["(none)"])]:
        lines += [f"## {section.title}", ""]
        bullets = section.bullets()
        if bullets or section.table is None:
            lines += [f"- {note}" for note in bullets] or ["- (none)"]
            lines.append("")
        if section.table is not None and len(section.table):
            lines += [*_md_table(section.table), ""]
    lines += [f"## {NUMBERS}", "", *_md_table(_shown(table))]
    return "\n".join(lines) + "\n"


def _html_table(table: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    body = "".join(
        "<tr>"
        + "".join(f"<td{' class=n' if _numeric(v) else ''}>{_html_cell(v)}</td>" for v in row)
        + "</tr>"
        for row in table.itertuples(index=False)
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _embedded_figure(path: str) -> str:
    """The figure inline (base64), so the page stands alone and inside the report."""
    suffix = Path(path).suffix.lstrip(".").lower()
    mime = {"png": "image/png", "svg": "image/svg+xml", "pdf": ""}.get(suffix, "")
    if not mime or not Path(path).exists():
        return ""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return (
        f"<figure><img src='data:{mime};base64,{data}' alt='{html.escape(Path(path).stem)}' "
        "style='max-width:100%'></figure>"
    )


def to_html(
    table: pd.DataFrame,
    notes: Sequence[str | Section],
    title: str = "Summary",
    header: Sequence[str] = (),
    full: pd.DataFrame | None = None,
    figures: Mapping[str, str] | None = None,
) -> str:
    """The page in HTML: as ``to_markdown``, with ``full`` (every column) in a collapsed
    section that scrolls within itself."""
    parts = [f"<h1>{html.escape(title)}</h1>"]
    if header:
        parts.append(
            "<div class='header'>"
            + "".join(f"<p>{html.escape(line)}</p>" for line in header)
            + "</div>"
        )
    shown_figures: set[str] = set()
    for section in _sections(notes) or [Section("Observations", ["(none)"])]:
        items = "".join(f"<li>{html.escape(note)}</li>" for note in section.bullets())
        parts.append(f"<h2>{html.escape(section.title)}</h2>")
        if section.figure in (figures or {}) and section.figure not in shown_figures:
            shown_figures.add(section.figure)  # once, beside the first section it shows
            parts.append(_embedded_figure(figures[section.figure]))
        if items:
            parts.append(f"<ul>{items}</ul>")
        if section.table is not None and len(section.table):
            parts.append(_html_table(section.table))
    parts.append(f"<h2>{NUMBERS}</h2>{_html_table(_shown(table))}")
    if full is not None:
        parts.append(
            "<details><summary>Every column (also in the CSV)</summary>"
            f"<div class='scroll'>{_html_table(_shown(full))}</div></details>"
        )
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
        + "".join(parts)
        + "</body></html>\n"
    )
