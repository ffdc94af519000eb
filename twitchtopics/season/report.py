"""`twitchtopics report DIR` on a season: recurring themes, each stream's top themes; PNG.

Everything comes from season.json (and, for the HTML page's moments, the streams' bundles):
nothing is re-embedded or re-clustered. Chat text is untrusted: terminal output drops control
characters (no escape sequences reach the terminal), the PNG drops what its font cannot draw.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

PER_STREAM_TOP = 3
"""Themes listed per stream in the terminal: a stream's three biggest themes hold a large
share of its chat (laughter, greetings and the main subject) and fit one line."""


def _term(text: Any, width: int = 48) -> str:
    """One printable line of at most `width` characters."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in str(text)).split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "\u2026"


def _short_start(start: str | None) -> str:
    return start[:16].replace("T", " ") if start else "start unknown"


def season_report(season: dict[str, Any], *, top: int = 10) -> dict[str, Any]:
    """The JSON-able report: recurring themes (in >= 2 streams, most streams first) and each
    stream's `PER_STREAM_TOP` themes by share of its chat."""
    streams = season.get("streams") or []
    themes = season.get("themes") or []
    recurring = [t for t in themes if t.get("n_streams", 0) > 1][:top]
    per_stream: list[list[dict[str, Any]]] = [[] for _ in streams]
    for theme in themes:
        for entry in theme.get("streams") or []:
            per_stream[entry["stream"]].append(
                {
                    "theme": theme["id"],
                    "label": theme.get("label"),
                    "category": theme.get("category"),
                    "n_streams": theme.get("n_streams"),
                    "messages": entry["messages"],
                    "share": entry.get("share"),
                }
            )
    return {
        "n_streams": len(streams),
        "n_themes": len(themes),
        "n_recurring": sum(1 for t in themes if t.get("n_streams", 0) > 1),
        "messages": sum(int(s.get("messages") or 0) for s in streams),
        "recurring": [
            {
                "theme": t["id"],
                "label": t.get("label"),
                "category": t.get("category"),
                "n_streams": t["n_streams"],
                "messages": t["messages"],
                "keywords": [w for w, _ in (t.get("keywords") or [])[:5]],
                "streams": [e["bundle"] for e in t.get("streams") or []],
            }
            for t in recurring
        ],
        "streams": [
            {
                "bundle": s["bundle"],
                "start": s.get("start"),
                "messages": s.get("messages"),
                "top": sorted(rows, key=lambda r: (-r["messages"], r["theme"]))[:PER_STREAM_TOP],
            }
            for s, rows in zip(streams, per_stream, strict=True)
        ],
        "failed": season.get("failed") or [],
    }


def season_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """CSV rows: one per recurring theme."""
    return [
        {
            "theme": r["theme"],
            "n_streams": r["n_streams"],
            "messages": r["messages"],
            "category": r["category"],
            "label": r["label"],
            "keywords": " / ".join(r["keywords"]),
        }
        for r in report["recurring"]
    ]


SEASON_CSV_COLUMNS = ("theme", "n_streams", "messages", "category", "label", "keywords")


def render_season_text(report: dict[str, Any]) -> str:
    """The terminal view of `season_report`."""
    n = report["n_streams"]
    lines = [
        f"season: {n} streams, {report['messages']:,} messages, {report['n_themes']:,} themes, "
        f"{report['n_recurring']:,} in more than one stream",
        "",
        "recurring themes (by number of streams):",
    ]
    if not report["recurring"]:
        lines.append("  (no theme appears in more than one stream)")
    for rank, row in enumerate(report["recurring"], 1):
        words = " / ".join(row["keywords"][:4])
        lines.append(
            f"{rank:>3}. {row['n_streams']:>3}/{n} streams {row['messages']:>8,} msgs  "
            f"{_term(row['category'] or '?', 10):<10} {_term(row['label'], 40)}  ({_term(words, 40)})"
        )
    lines += ["", "top themes per stream (share of its chat):"]
    for stream in report["streams"]:
        tops = " | ".join(
            f"{_term(t['label'], 28)} {100 * (t['share'] or 0):.0f}%"
            + (f" [{t['n_streams']} streams]" if (t["n_streams"] or 0) > 1 else "")
            for t in stream["top"]
        )
        lines.append(f"  {_term(stream['bundle'], 36)}  {_short_start(stream['start'])}  {tops}")
    for failed in report["failed"]:
        lines.append(f"  failed: {_term(failed['log'], 60)}: {_term(failed['reason'], 80)}")
    return "\n".join(lines)


def heatmap_matrix(season: dict[str, Any], top: int) -> tuple[list[dict], Any]:
    """The `top` recurring themes (else the biggest) and their share of each stream's chat."""
    import numpy as np

    themes = season.get("themes") or []
    rows = [t for t in themes if t.get("n_streams", 0) > 1][:top] or themes[:top]
    matrix = np.zeros((len(rows), len(season.get("streams") or [])), dtype=float)
    for i, theme in enumerate(rows):
        for entry in theme.get("streams") or []:
            matrix[i, entry["stream"]] = entry.get("share") or 0.0
    return rows, matrix


def _stream_tick(stream: dict[str, Any]) -> str:
    """A stream's column label: its start date, else its bundle name, short."""
    if stream.get("start"):
        return str(stream["start"])[:10]
    name = str(stream["bundle"]).removesuffix(".twitchtopics")
    return _term(name, 22)


def write_season_png(season: dict[str, Any], path: str | Path, *, top: int = 20) -> Path:
    """A themes x streams heatmap (share of each stream's chat) as a PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from twitchtopics.report.png import drawable_text

    rows, matrix = heatmap_matrix(season, top)
    streams = season.get("streams") or []
    width = min(6.5 + 0.32 * len(streams), 40.0)
    figure = Figure(figsize=(width, 2.4 + 0.3 * max(len(rows), 1)), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    image = axes.imshow(100 * matrix, aspect="auto", cmap="viridis", interpolation="nearest")
    axes.set_yticks(range(len(rows)))
    axes.set_yticklabels(
        [drawable_text(_term(t.get("label") or "", 34)) or f"theme {t['id']}" for t in rows],
        fontsize=8,
    )
    axes.set_xticks(range(len(streams)))
    axes.set_xticklabels([_stream_tick(s) for s in streams], rotation=90, fontsize=7)
    axes.set_title(f"Season themes x {len(streams)} streams", fontsize=10)
    figure.colorbar(image, ax=axes, label="% of the stream's chat", fraction=0.04)
    figure.tight_layout()
    target = Path(path)
    figure.savefig(target, format="png")
    return target
