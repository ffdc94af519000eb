"""A window's report in the terminal and as CSV rows (the dict `window_report` returns).

Chat text is untrusted: every line goes through `safe_output.safe_line` (no control characters), CSV
cells through `safe_output` when written.
"""

from __future__ import annotations

from typing import Any

from twitchtopics.bundle_view import shorten
from twitchtopics.safe_output import display_width, safe_line

CSV_COLUMNS = (
    "rank",
    "topic",
    "label",
    "count",
    "share",
    "category",
    "answers",
    "moderation",
    "representative",
    "keywords",
    "first",
    "last",
    "first_offset_s",
    "last_offset_s",
    "silhouette",
)


def report_rows(d: dict[str, Any]) -> list[dict[str, Any]]:
    """One flat row per group, for `render(rows, "csv", columns=CSV_COLUMNS)`."""
    rows = []
    for g in d["groups"]:
        row = {k: g.get(k) for k in CSV_COLUMNS}
        row["keywords"] = " / ".join(g["keywords"])
        row["answers"] = " · ".join(f"{a} {n}" for a, n in g.get("answers") or [])
        rows.append(row)
    return rows


def _fmt_num(n: float) -> str:
    return f"{n:,.0f}" if float(n).is_integer() else f"{n:,.1f}"


def render_report_text(d: dict[str, Any], *, width: int = 44) -> str:
    """The terminal view: header, one line per top group, then rate and moments."""
    s, w, t, r = d["stream"], d["window"], d["totals"], d["rate"]
    lines = [f"{s['name']} \u00b7 window {w['text']} \u00b7 {w['minutes']:g} min"]
    others = ", ".join(
        f"{k} {v}"
        for k, v in sorted(t["by_kind"].items(), key=lambda kv: -kv[1])
        if k not in ("chat", "action")
    )
    summary = (
        f"{t['messages']:,} messages: {t['chat']:,} chat ({t['grouped']:,} in {t['groups']} groups, "
        f"{t['outliers']:,} outliers)"
    )
    if t["other"]:
        summary += f", {t['other']:,} other ({others})"
    lines.append(summary)
    lines.append("")
    if not d["groups"]:
        lines.append("no group in this window")
    else:
        kw_width = 30
        label_width = 32
        header = (
            f"{'#':>3}  {'label':<{label_width}}  {'count':>6}  {'share':>6}  {'category':<12}  "
            f"{'keywords':<{kw_width}}  {'time':<19}  silh"
        )
        lines.append(header)
        lines.append("-" * len(header))
        for g in d["groups"]:
            label = column(safe_line(g.get("label") or "?"), label_width)
            kws = column(safe_line(" / ".join(g["keywords"][:3])), kw_width)
            span = g["first"] if g["first"] == g["last"] else f"{g['first']}\u2013{g['last']}"
            sil = "  -" if g["silhouette"] is None else f"{g['silhouette']:.2f}"
            lines.append(
                f"{g['rank']:>3}  {label}  {g['count']:>6,}  {g['share']:>6.1%}  "
                f"{g['category']:<12.12}  {kws}  {span:<19}  {sil}"
            )
            extra = [f"\u201c{shorten(safe_line(g['representative']), width + 30)}\u201d"]
            if g.get("answers"):
                extra.append("answers: " + " · ".join(f"{a} {n}" for a, n in g["answers"][:6]))
            if g.get("moderation"):
                extra.append(
                    f"{g['moderation']} bans/timeouts within a minute after the group's messages (whole stream)"
                )
            lines.append(" " * 5 + safe_line("  ·  ".join(extra)))
    lines.append("")
    lines.append(
        f"rate: {_fmt_num(r['chat_per_minute'])} chat messages/min in the window "
        f"(stream median {_fmt_num(r['stream_median_per_minute'])}/min)"
    )
    mod = d.get("moderation") or {}
    if mod.get("stream_total"):
        lines.append(
            f"moderation: {mod['window_total']:,} bans/timeouts in the window, "
            f"{mod['stream_total']:,} in the stream (busiest minute {mod['busiest_minute']}: "
            f"{mod['busiest_count']})"
        )
    lines.extend(moment_lines(d.get("moments") or []))
    return "\n".join(lines)


def moment_lines(moments: list[dict[str, Any]]) -> list[str]:
    """The report's moments: one line each (span, score, title), then why it ranked (chat
    text made one line without control characters)."""
    from twitchtopics.moments.exports import one_line

    if not moments:
        return ["moments: none stands out from the chat around it in this window"]
    lines = [f"moments ({len(moments)}, against the minutes around them):"]
    for m in moments:
        span = m["start"] if m["start"] == m["end"] else f"{m['start']}\u2013{m['end']}"
        lines.append(f"  #{m['rank']} {span}  score {m['score']:.2f}  {one_line(m['title'], 60)}")
        lines.append(f"      {one_line('; '.join(m['why']), 400)}")
    return lines


def column(text: str, width: int) -> str:
    """``text`` in a table column of ``width`` terminal columns: cut to fit with an ellipsis
    (`shorten`), then padded by its display width, so a row holding an emoji
    lines up with the others (``str.ljust`` counts 🤔 as one column; a terminal draws two)."""
    cut, limit = shorten(text, width), width
    while display_width(cut) > width and limit > 1:
        limit -= 1
        cut = shorten(text, limit)
    return cut + " " * max(width - display_width(cut), 0)
