"""A self-contained page for a search: the query's lane over the whole stream and the hits.

Offline (no network), every piece of chat text escaped (`safe_output.html_text`); no script.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from twitchtopics.bundle import Bundle
from twitchtopics.safe_output import html_text as _e

WIDTH = 1100
LEFT = 70
LANE_H = 60


def lane_svg(rate: dict[str, Any], query: str) -> str:
    """One bar per bin, height = matching messages; hover titles give the bin's count."""
    counts = rate["counts"]
    top = max(counts) if counts else 0
    n = max(1, len(counts))
    step = (WIDTH - LEFT - 10) / n
    bars = []
    for i, c in enumerate(counts):
        if c <= 0:
            continue
        h = max(2.0, (LANE_H - 6) * c / top)
        x = LEFT + i * step
        minute = i * rate["bin_minutes"]
        bars.append(
            f'<rect x="{x:.1f}" y="{LANE_H - h:.1f}" width="{max(step - 1, 1):.1f}" '
            f'height="{h:.1f}"><title>+{minute // 60}:{minute % 60:02d}: {c} '
            f"matching message{'s' if c != 1 else ''}</title></rect>"
        )
    return (
        f'<svg viewBox="0 0 {WIDTH} {LANE_H + 18}" width="100%" role="img" '
        f'aria-label="{_e(query)} over the stream">'
        f'<text x="4" y="{LANE_H / 2:.0f}" class="lab">{_e(query[:12])}</text>'
        f'<line x1="{LEFT}" x2="{WIDTH - 10}" y1="{LANE_H}" y2="{LANE_H}" stroke="#999"/>'
        + "".join(bars)
        + f'<text x="{LEFT}" y="{LANE_H + 14}" class="tick">{_e(rate["start"])}</text>'
        f'<text x="{WIDTH - 10}" y="{LANE_H + 14}" class="tick" text-anchor="end">'
        f"{_e(rate['end'])}</text></svg>"
    )


def _rows(items: list[dict[str, Any]], cells) -> str:
    return "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in cells(i)) + "</tr>" for i in items)


def render_search_html(bundle: Bundle, result: dict[str, Any]) -> str:
    from twitchtopics.bundle_view import stream_name

    name = stream_name(bundle)
    messages = _rows(
        result["messages"],
        lambda h: (
            f"{h['score']:.2f}",
            h["first"],
            h["count"],
            h["text"],
            " ".join(f"#{t}" for t in h["topics"]),
        ),
    )
    groups = _rows(
        result["groups"],
        lambda g: (
            f"{g['score']:.2f}",
            f"#{g['topic']}",
            g["category"],
            g["size"],
            f"{g['first']} \u2013 {g['last']}",
            g["label"],
            " / ".join(g["keywords"]),
        ),
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(result['query'])} \u00b7 {_e(name)} \u00b7 twitchtopics</title><style>"
        "body{font:14px/1.45 system-ui,sans-serif;margin:24px 32px;color:#222}"
        "svg rect{fill:#d62728}svg .lab{font-size:12px;fill:#444}svg .tick{font-size:11px;fill:#666}"
        "table{border-collapse:collapse;width:100%;max-width:1100px;font-size:13px;margin-bottom:20px}"
        "td,th{text-align:left;padding:4px 8px;border-bottom:1px solid #eee;vertical-align:top;"
        "overflow-wrap:anywhere}</style></head><body>"
        f"<h1>\u201c{_e(result['query'])}\u201d in {_e(name)}</h1>"
        f"<p>Model {_e(result['model'])}: {result['matches']:,} of {result['chat_messages']:,} "
        f"chat messages match (similarity \u2265 {result['match_threshold']:.2f}); one bar = "
        f"{result['rate']['bin_minutes']} min.</p>"
        f"{lane_svg(result['rate'], result['query'])}"
        "<h2>Messages</h2><table><tr><th>score</th><th>first</th><th>times</th><th>message</th>"
        f"<th>groups</th></tr>{messages}</table>"
        "<h2>Groups</h2><table><tr><th>score</th><th>group</th><th>category</th><th>size</th>"
        f"<th>time</th><th>label</th><th>keywords</th></tr>{groups}</table>"
        "<p>Made by twitchtopics search from the bundle alone.</p></body></html>\n"
    )


def write_search_html(bundle: Bundle, result: dict[str, Any], path: str | Path) -> Path:
    target = Path(path)
    target.write_text(render_search_html(bundle, result), encoding="utf-8")
    return target
