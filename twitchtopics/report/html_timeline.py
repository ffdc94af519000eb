"""The HTML page's timeline: inline SVG of the whole stream, and the data its tooltips read.

Chat messages per minute (bins of one or more minutes, so a long stream stays light) with the
moments marked (ranked bands) and the stream's bans/timeouts, then one lane per group for the
stream's largest groups plus the window's top groups, each lane's cells coloured by category
with an opacity that follows the group's count in that bin. Every chat text in the markup
goes through `html_text`; the tooltip data goes to the page as JSON (`script_json`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from twitchtopics.bundle import Bundle
from twitchtopics.bundle_view import chat_kinds, keywords_of, shorten, stream_clock
from twitchtopics.report.colors import category_color, category_labels
from twitchtopics.report.window import minute_origin
from twitchtopics.safe_output import html_text as _e

MAX_BINS = 600
STREAM_LANES = 15
CHART_W = 1200
LEFT = 230
RIGHT = 16
RATE_H = 150
LANE_H = 18
AXIS_H = 26
TOP_PAD = 22
MESSAGE_WIDTH = 160


def flood_share(text: str) -> float:
    """0 for varied text, close to 1 for the same token repeated many times: a cell's
    representative message is chosen with this as a penalty, so a lane's tooltip shows words,
    not an emote flood."""
    tokens = str(text).lower().split()
    if len(tokens) < 3:
        return 0.0
    return 1.0 - len(set(tokens)) / len(tokens)


def _nice_step(span_s: float) -> int:
    """Axis tick step in seconds: about 8-14 ticks."""
    for step in (60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400):
        if span_s / step <= 14:
            return step
    return 86400 * math.ceil(span_s / 86400 / 14)


def timeline_svg(
    bundle: Bundle, d: dict[str, Any], svg_id: str = "timeline"
) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    """The SVG markup, the data its tooltips read, and the lanes drawn (for the legend)."""
    clock, duration = stream_clock(bundle)
    msgs = bundle.messages
    chat = msgs[msgs["kind"].isin(chat_kinds(bundle))]
    offsets = chat["offset_s"].astype(float).to_numpy()
    origin = minute_origin(clock)
    n_minutes = int((max(duration, 0.0) + origin) // 60) + 1
    per_bin_minutes = max(1, math.ceil(n_minutes / MAX_BINS))
    bin_s = 60 * per_bin_minutes
    n_bins = int((max(duration, 0.0) + origin) // bin_s) + 1
    bins = np.clip(((offsets + origin) // bin_s).astype(int), 0, n_bins - 1)
    counts = np.bincount(bins, minlength=n_bins)
    rates = counts / per_bin_minutes

    multi_day = clock.known and clock.label(0)[:10] != clock.label(duration)[:10]
    width = CHART_W - LEFT - RIGHT
    t0 = -origin
    t1 = n_bins * bin_s - origin

    def x(offset: float) -> float:
        return LEFT + (offset - t0) / (t1 - t0) * width

    # Lanes: the stream's largest groups, then the window's top groups not among them.
    topics = chat["topic"].fillna(-1).astype(int).to_numpy()
    grouped = topics >= 0
    sizes = pd.Series(topics[grouped]).value_counts()
    lane_ids = [
        int(t) for t, _ in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))[:STREAM_LANES]
    ]
    lane_ids += [g["topic"] for g in d["groups"] if g["topic"] not in lane_ids]
    topics_by_id = {int(t["id"]): t for t in bundle.topics if "id" in t}
    labels = category_labels()

    # Per-cell representative: the best-scoring message of each (group, bin).
    cells = pd.DataFrame(
        {
            "topic": topics[grouped],
            "bin": bins[grouped],
            "text": chat["text"].astype(str).to_numpy()[grouped],
            "score": (
                chat["centrality"].astype(float).fillna(-1.0).to_numpy()[grouped]
                if "centrality" in chat.columns
                else np.zeros(int(grouped.sum()))
            ),
        }
    )
    cells = cells[cells["topic"].isin(lane_ids)]
    cells["score"] = cells["score"] - 0.5 * np.array([flood_share(t) for t in cells["text"]])
    cell_counts = cells.groupby(["topic", "bin"]).size()
    best = cells.sort_values("score", ascending=False, kind="stable").drop_duplicates(
        ["topic", "bin"]
    )
    best_text = {(int(r.topic), int(r.bin)): r.text for r in best.itertuples()}
    by_bin = cells.groupby(["bin", "topic"]).size()

    window = d["window"]
    lanes_y0 = TOP_PAD + RATE_H + AXIS_H + 10
    height = lanes_y0 + LANE_H * len(lane_ids) + 8
    peak_max = float(rates.max()) if rates.size else 0.0
    y_max = max(peak_max, 1.0) * 1.1

    def y(rate: float) -> float:
        return TOP_PAD + RATE_H - rate / y_max * RATE_H

    parts: list[str] = [
        f'<svg id="{svg_id}" class="timeline" data-tt="tt-{svg_id}" '
        f'viewBox="0 0 {CHART_W} {height}" width="100%" '
        f'role="img" aria-label="chat messages per minute and groups over the stream">'
    ]
    # window highlight: drawn last, over everything, and transparent to the mouse
    wx0, wx1 = x(window["start_offset_s"]), x(window["end_offset_s"])
    highlight = (
        f'<rect class="win" x="{wx0:.1f}" y="{TOP_PAD - 14}" width="{max(wx1 - wx0, 1.5):.1f}" '
        f'height="{height - TOP_PAD + 14 - 4}"/>'
        f'<text class="winlabel" x="{(wx0 + wx1) / 2:.1f}" y="{TOP_PAD - 4}" text-anchor="middle">'
        f"window {_e(window['label'])}</text>"
    )
    # rate area
    pts = [f"{x(t0):.1f},{y(0):.1f}"]
    for b, rate in enumerate(rates):
        xa, xb = x(b * bin_s - origin), x((b + 1) * bin_s - origin)
        pts.append(f"{xa:.1f},{y(rate):.1f} {xb:.1f},{y(rate):.1f}")
    pts.append(f"{x(t1):.1f},{y(0):.1f}")
    parts.append(f'<polygon class="rate" points="{" ".join(pts)}"/>')
    # y axis
    for frac in (0, 0.5, 1):
        value = y_max / 1.1 * frac
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{CHART_W - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{value:.0f}</text>'
        )
    parts.append(
        f'<text class="axis" transform="translate({LEFT - 42},{TOP_PAD + RATE_H / 2:.0f}) rotate(-90)" '
        'text-anchor="middle">chat messages / min</text>'
    )
    # x axis
    axis_y = TOP_PAD + RATE_H
    parts.append(
        f'<line class="axisline" x1="{LEFT}" x2="{CHART_W - RIGHT}" y1="{axis_y}" y2="{axis_y}"/>'
    )
    step = _nice_step(t1 - t0)
    first_tick = math.ceil((t0 + origin) / step) * step - origin
    tick = first_tick
    while tick <= t1 + 1e-6:
        xt = x(tick)
        label = clock.label(max(tick, 0.0), date=False, seconds=False)
        if multi_day and clock.known:
            local = clock.at(max(tick, 0.0))
            if local is not None and local.hour == 0 and local.minute == 0:
                label = local.strftime("%m-%d")
        parts.append(
            f'<line class="grid" x1="{xt:.1f}" x2="{xt:.1f}" y1="{TOP_PAD}" y2="{height - 6}"/>'
            f'<text class="tick" x="{xt:.1f}" y="{axis_y + 16}" text-anchor="middle">{_e(label)}</text>'
        )
        tick += step
    # moment marks: a band over the moment's span and its rank above the chart
    for m in d.get("moments", []):
        xa, xb = x(m["start_offset_s"]), x(m["end_offset_s"])
        xm = (xa + xb) / 2
        parts.append(
            f'<rect class="moment" x="{xa:.1f}" y="{TOP_PAD}" width="{max(xb - xa, 2.0):.1f}" '
            f'height="{RATE_H}"/>'
            f'<path class="peak" d="M{xm - 5:.1f},{TOP_PAD - 2} L{xm + 5:.1f},{TOP_PAD - 2} '
            f'L{xm:.1f},{TOP_PAD + 6} Z"/>'
            f'<text class="mrank" x="{xm:.1f}" y="{TOP_PAD + 18}" text-anchor="middle">'
            f"{m['rank']}</text>"
        )
    # hover columns over the rate chart
    bin_data = []
    for b in range(n_bins):
        xa, xb = x(b * bin_s - origin), x((b + 1) * bin_s - origin)
        top_groups: list[list[int]] = []
        if b in by_bin.index.get_level_values(0):
            top = by_bin.loc[b].sort_values(ascending=False).head(3)
            top_groups = [[int(t), int(c)] for t, c in top.items()]
        bin_data.append(
            {
                "t": clock.label(max(b * bin_s - origin, 0.0), date=multi_day, seconds=False),
                "n": int(counts[b]),
                "top": top_groups,
            }
        )
        parts.append(
            f'<rect class="hov" data-b="{b}" x="{xa:.1f}" y="{TOP_PAD}" width="{max(xb - xa, 0.5):.2f}" '
            f'height="{RATE_H}"/>'
        )
    # lanes
    group_data: dict[str, Any] = {}
    cell_data: dict[str, str] = {}
    lanes = []
    for i, tid in enumerate(lane_ids):
        topic = topics_by_id.get(tid, {})
        category = topic.get("category") or "?"
        color = category_color(category)
        kws = keywords_of(topic, 5)
        ly = lanes_y0 + i * LANE_H
        in_window = any(g["topic"] == tid for g in d["groups"])
        label = str(topic.get("label") or " / ".join(kws[:3]) or category)
        name = f"#{tid} {label}"
        reps = [str(r) for r in (topic.get("representatives") or [])][:3]
        size = int(sizes.get(tid, 0))
        group_data[str(tid)] = {
            "id": tid,
            "label": label,
            "answers": " \u00b7 ".join(f"{a} {n}" for a, n in (topic.get("answers") or [])[:6]),
            "category": labels.get(category, category),
            "keywords": kws,
            "size": size,
            "reps": [shorten(r, MESSAGE_WIDTH) for r in reps],
        }
        lanes.append({"id": tid, "category": category})
        if i % 2 == 0:
            parts.append(
                f'<rect class="band" x="{LEFT}" y="{ly}" width="{width}" height="{LANE_H}"/>'
            )
        parts.append(
            f'<text class="lane{" inwin" if in_window else ""}" x="{LEFT - 6}" y="{ly + LANE_H - 5}" '
            f'text-anchor="end" data-g="{tid}">{_e(shorten(name, 34))}</text>'
        )
        if tid not in cell_counts.index.get_level_values(0):
            continue
        per_cell = cell_counts.loc[tid]
        peak = float(per_cell.max())
        for b, c in per_cell.items():
            b = int(b)
            xa, xb = x(b * bin_s - origin), x((b + 1) * bin_s - origin)
            opacity = 0.25 + 0.75 * (c / peak)
            cell_data[f"{tid},{b}"] = shorten(best_text.get((tid, b), ""), MESSAGE_WIDTH)
            parts.append(
                f'<rect class="cell" data-g="{tid}" data-b="{b}" data-n="{int(c)}" x="{xa:.1f}" '
                f'y="{ly + 2}" width="{max(xb - xa, 1.2):.2f}" height="{LANE_H - 4}" fill="{color}" '
                f'fill-opacity="{opacity:.2f}"/>'
            )
    parts.extend(_moderation_marks(d, n_bins, per_bin_minutes, bin_s, origin, x, y(0)))
    parts.append(highlight)
    parts.append("</svg>")
    data = {
        "bins": bin_data,
        "groups": group_data,
        "cells": cell_data,
        "binMinutes": per_bin_minutes,
    }
    return "".join(parts), data, lanes


MODERATION_H = 40  # px: the tallest moderation bar, at the bottom of the rate chart


def _moderation_marks(
    d: dict[str, Any],
    n_bins: int,
    per_bin_minutes: int,
    bin_s: float,
    origin: float,
    x: Any,
    base_y: float,
) -> list[str]:
    """Dark red bars: the stream's bans and timeouts per bin, on their own scale."""
    per_minute = np.asarray((d.get("moderation") or {}).get("per_minute") or [], dtype=float)
    if not per_minute.size or per_minute.max() <= 0:
        return []
    per_bin = np.zeros(n_bins)
    for minute, count in enumerate(per_minute):
        per_bin[min(minute // per_bin_minutes, n_bins - 1)] += count
    top = float(per_bin.max())
    parts = []
    for b in np.flatnonzero(per_bin):
        xa, xb = x(b * bin_s - origin), x((b + 1) * bin_s - origin)
        h = max(2.0, per_bin[b] / top * MODERATION_H)
        parts.append(
            f'<rect class="mod" x="{xa:.1f}" y="{base_y - h:.1f}" width="{max(xb - xa, 1.2):.2f}" '
            f'height="{h:.1f}"><title>{int(per_bin[b])} bans/timeouts</title></rect>'
        )
    unit = f"per {per_bin_minutes} min" if per_bin_minutes > 1 else "per min"
    parts.append(
        f'<text class="modlabel" x="{x(-origin) + 4:.1f}" y="{base_y - MODERATION_H - 4:.1f}">'
        f"bans/timeouts {unit} (max {int(top)})</text>"
    )
    return parts
