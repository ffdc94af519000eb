"""The terminal view of a `cluster` run, in the seed's layout, and the same content as JSON."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from twitchtopics.timefmt import display_times

RULE = "-" * 20


def _split_for_display(
    messages: pd.DataFrame, meta: dict[str, Any]
) -> tuple[dict[int, pd.DataFrame], pd.DataFrame]:
    """Display times computed once, then (messages of each group, clustered-kind outliers)."""
    tz = meta["stream"].get("tz")
    shown = messages.assign(shown_time=display_times(messages["time"], messages["offset_s"], tz))
    groups = {int(k): g for k, g in shown[shown["topic"] >= 0].groupby("topic", sort=True)}
    considered = shown["kind"].isin(meta["params"]["include"])
    return groups, shown[(shown["topic"] < 0) & considered]


def _fmt_score(value: float | None) -> str:
    return (
        "  nan"
        if value is None or (isinstance(value, float) and np.isnan(value))
        else f"{value:5.2f}"
    )


def format_groups(
    result_messages: pd.DataFrame,
    topics: list[dict[str, Any]],
    meta: dict[str, Any],
    *,
    top: int | None = None,
    themes: list[dict[str, Any]] | None = None,
) -> str:
    """Every group in order of first appearance, then the outliers, then the summary line.

    With `themes`, the groups (moments) are shown under their theme's heading, themes in
    order of first appearance."""
    groups, outliers = _split_for_display(result_messages, meta)
    lines: list[str] = []
    for heading, members in _theme_sections(topics, themes):
        if heading:
            lines.append(heading)
            lines.append("")
        for topic in members:
            lines.extend(_group_block(topic, groups, top))
    if len(outliers):
        lines.append(f"{RULE} OUTLIERS (-1): {len(outliers)} messages {RULE}")
        lines.extend(_message_lines(outliers, top, outlier=True))
        lines.append("")
    lines.append(summary_line(meta))
    return "\n".join(lines)


THEME_RULE = "=" * 20


def _theme_sections(
    topics: list[dict[str, Any]], themes: list[dict[str, Any]] | None
) -> list[tuple[str, list[dict[str, Any]]]]:
    """(heading, its groups) per theme; groups of no known theme last, without a heading."""
    ordered = sorted(topics, key=lambda t: t["id"])
    if not themes:
        return [("", ordered)]
    by_theme: dict[int, list[dict[str, Any]]] = {}
    for topic in ordered:
        by_theme.setdefault(int(topic.get("theme", -1)), []).append(topic)
    sections = []
    for theme in sorted(themes, key=lambda t: t["id"]):
        members = by_theme.pop(int(theme["id"]), [])
        if members:
            sections.append((theme_heading(theme), members))
    rest = [t for group in by_theme.values() for t in group]
    if rest:
        sections.append(("", sorted(rest, key=lambda t: t["id"])))
    return sections


def theme_heading(theme: dict[str, Any]) -> str:
    """`==== THEME 3: label · 120 messages · 4 moments · 0:31:02-0:44:10 ====`"""
    from twitchtopics.timefmt import format_offset

    span = f"{format_offset(theme['first_offset_s'])}-{format_offset(theme['last_offset_s'])}"
    moments = len(theme.get("topics", []))
    return (
        f"{THEME_RULE} THEME {theme['id']}: {_one_line(theme.get('label', ''))} · "
        f"{theme['size']} messages · {moments} moment{'s' if moments != 1 else ''} · "
        f"{span} {THEME_RULE}"
    )


def _group_block(
    topic: dict[str, Any], groups: dict[int, pd.DataFrame], top: int | None
) -> list[str]:
    """One group in the seed's layout: rule, keywords, silhouette, category, messages."""
    lines = [f"{RULE} LABEL {topic['id']} {RULE}"]
    lines.append("/".join(f"{w} ({s:.2f})" for w, s in topic["keywords"][:5]) or "(no keywords)")
    mean = topic.get("silhouette")
    lines.append(
        f"silhouette moyenne: {mean:.2f}" if mean is not None else "silhouette moyenne: n/a"
    )
    lines.append(
        f"category: {topic.get('category', '?')} · {topic['size']} messages · {topic.get('users', '?')} chatters"
    )
    members = groups.get(topic["id"])
    if members is not None:
        lines.extend(_message_lines(members, top))
    lines.append("")
    return lines


def _message_lines(members: pd.DataFrame, top: int | None, *, outlier: bool = False) -> list[str]:
    rows = members if top is None else members.head(top)
    out = []
    for shown, sil, text in zip(rows["shown_time"], rows["silhouette"], rows["text"], strict=True):
        score = "   -1" if outlier else _fmt_score(sil)
        out.append(f"{shown} {score}: {_one_line(text)}")
    if top is not None and len(members) > top:
        out.append(f"... {len(members) - top} more")
    return out


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def summary_line(meta: dict[str, Any]) -> str:
    """messages read, clustered, outliers (%), groups, mean silhouette, seconds taken."""
    c = meta["counts"]
    considered = max(c["considered"], 1)
    sil = c.get("mean_silhouette")
    parts = [
        f"{c['read']} messages read",
        f"{c['clustered']} clustered",
        f"{c['outliers']} outliers ({100 * c['outliers'] / considered:.1f}%)",
        f"{c['groups']} groups" + (f" in {c['themes']} themes" if c.get("themes") else ""),
        f"mean silhouette {sil:.2f}" if sil is not None else "mean silhouette n/a",
        f"{sum(meta.get('timings', {}).values()):.1f} s",
    ]
    line = ", ".join(parts)
    others = {k: v for k, v in c["by_kind"].items() if k not in meta["params"]["include"]}
    if others:
        line += "; not clustered: " + ", ".join(f"{v} {k}" for k, v in sorted(others.items()))
    if c.get("lines_skipped"):
        examples = ", ".join(str(n) for n, _ in c.get("skipped_examples", [])[:5])
        line += f"; {c['lines_skipped']} lines could not be read (lines {examples})"
    if c.get("decode_errors"):
        line += f"; {c['decode_errors']} undecodable bytes replaced"
    return line


def groups_as_json(
    result_messages: pd.DataFrame,
    topics: list[dict[str, Any]],
    meta: dict[str, Any],
    *,
    top: int | None = None,
    themes: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The printed content as data: summary, themes, groups with their messages, outliers."""
    groups, outliers = _split_for_display(result_messages, meta)

    def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
        frame = frame if top is None else frame.head(top)
        return [
            {
                "time": t,
                "offset_s": float(o),
                "user": u,
                "text": x,
                "silhouette": None if pd.isna(s) else round(float(s), 4),
            }
            for t, o, u, x, s in zip(
                frame["shown_time"],
                frame["offset_s"],
                frame["user"],
                frame["text"],
                frame["silhouette"],
                strict=True,
            )
        ]

    return {
        "summary": {**meta["counts"], "seconds": round(sum(meta.get("timings", {}).values()), 2)},
        "bundle": meta.get("bundle_path"),
        "themes": themes or [],
        "groups": [
            {**t, "messages": rows(groups[t["id"]]) if t["id"] in groups else []} for t in topics
        ],
        "outliers": {"count": int(len(outliers)), "messages": rows(outliers)},
    }
