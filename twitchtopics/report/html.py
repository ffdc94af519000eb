"""One self-contained HTML page: the whole stream's timeline with the window highlighted,
and the window's table.

The page opens offline: no CDN, no external file. The timeline is inline SVG drawn here;
a few lines of inline vanilla JS show rich tooltips from a JSON block. Every piece of chat
text goes through `html.escape` in the markup, and the JSON block escapes `<`, `>` and `&`
as `\\u003c`, `\\u003e`, `\\u0026`, so chat text can never become markup or script. The JS
writes tooltips with `textContent` only.

Timeline: chat messages per minute (bins of one or more minutes, so a long stream stays
light) with the moments marked (ranked bands), then one lane per group for the stream's largest
groups plus the window's top groups, each lane's cells coloured by category with an opacity
that follows the group's count in that bin. Hover a bin for its count and leading groups,
a cell for the group's keywords, its count there and a representative message of that bin.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from twitchtopics.bundle import Bundle
from twitchtopics.report.window import (
    CATEGORY_COLORS,
    _flood,
    _keywords,
    category_color,
    category_labels,
    chat_kinds,
    minute_origin,
    shorten,
    stream_clock,
)

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


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def script_json(data: Any) -> str:
    """JSON safe to embed inside `<script type="application/json">`."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, esc in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(raw, esc)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _nice_step(span_s: float) -> int:
    """Axis tick step in seconds: about 8-14 ticks."""
    for step in (60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400):
        if span_s / step <= 14:
            return step
    return 86400 * math.ceil(span_s / 86400 / 14)


def _timeline(
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
    cells["score"] = cells["score"] - 0.5 * np.array([_flood(t) for t in cells["text"]])
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
        kws = _keywords(topic, 5)
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


_CSS = """
body{font:14px/1.45 "DejaVu Sans",system-ui,-apple-system,"Segoe UI",sans-serif,"Apple Color Emoji","Segoe UI Emoji","Noto Color Emoji","Twemoji Mozilla","Symbola";margin:24px 32px;color:#222;background:#fff}
h1{font-size:22px;margin:0 0 2px}h2{font-size:16px;margin:26px 0 8px}
.sub{color:#666;margin:0 0 12px}.summary{margin:6px 0}
.timeline{max-width:1400px;display:block;border:1px solid #eee;border-radius:6px;background:#fff}
.timeline .rate{fill:#6b8fd6;fill-opacity:.55;stroke:#3b62b5;stroke-width:1}
.timeline .win{fill:#ffd54f;fill-opacity:.16;stroke:#e0a800;stroke-width:1;pointer-events:none}
.timeline .winlabel{font-size:11px;fill:#8a6d00;font-weight:bold;pointer-events:none}
.timeline .grid{stroke:#ececec;stroke-width:1}.timeline .axisline{stroke:#999}
.timeline .tick{font-size:11px;fill:#666}.timeline .axis{font-size:11px;fill:#444}
.timeline .peak{fill:#d62728}.timeline .mrank{font-size:10px;fill:#d62728;font-weight:bold}
.timeline .moment{fill:#d62728;fill-opacity:.12;pointer-events:none}
.timeline .hov{fill:transparent}.timeline .hov:hover{fill:#000;fill-opacity:.06}
.timeline .band{fill:#f7f7f7}.timeline .lane{font-size:11px;fill:#444}
.timeline .lane.inwin{font-weight:bold;fill:#111}
.timeline .cell:hover{stroke:#000;stroke-width:1}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;margin:8px 0 0;font-size:12px;color:#444}
.sw{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:5px;vertical-align:-1px}
table{border-collapse:collapse;width:100%;max-width:1400px;font-size:13px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eee;vertical-align:top}
th{background:#fafafa;font-weight:600;border-bottom:2px solid #ddd}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.msg{max-width:460px;overflow-wrap:anywhere}td.time{white-space:nowrap}
ul.peaks{padding-left:18px}ul.peaks li{margin:3px 0}
#tip{position:fixed;z-index:10;max-width:420px;background:#fff;border:1px solid #bbb;border-radius:6px;
box-shadow:0 3px 12px rgba(0,0,0,.18);padding:8px 10px;font-size:12px;pointer-events:none}
#tip .h{font-weight:bold;margin-bottom:3px}#tip .k{color:#555;margin-bottom:4px}
#tip .m{margin:2px 0;padding-left:8px;border-left:3px solid #ddd;overflow-wrap:anywhere}
.foot{color:#888;font-size:12px;margin-top:24px}.ans{color:#555;font-size:12px}
#timeline .mod{fill:#b71c1c;fill-opacity:.85}#timeline .modlabel{font-size:10px;fill:#b71c1c}
"""

_JS = """
(function(){
  var tip = document.getElementById('tip');
  var fold = document.getElementById('fold');
  if (fold) fold.addEventListener('change', function(){
    document.getElementById('level-main').hidden = fold.checked !== (fold.getAttribute('data-main') === 'themes');
    document.getElementById('level-alt').hidden = !document.getElementById('level-main').hidden;
  });
  document.querySelectorAll('svg.timeline').forEach(function(svg){
  var data = JSON.parse(document.getElementById(svg.getAttribute('data-tt')).textContent);
  function line(cls, text){var d=document.createElement('div');d.className=cls;d.textContent=text;tip.appendChild(d);}
  function show(ev, el){
    while (tip.firstChild) tip.removeChild(tip.firstChild);
    var g = el.getAttribute('data-g'), b = el.getAttribute('data-b');
    if (g !== null) {
      var grp = data.groups[g];
      if (!grp) return hide();
      var head = '#' + grp.id + ' \u201c' + grp.label + '\u201d \u00b7 ' + grp.category;
      if (b !== null) head += ' \\u00b7 ' + el.getAttribute('data-n') + ' msg at ' + data.bins[b].t;
      else head += ' \\u00b7 ' + grp.size + ' messages in the stream';
      line('h', head);
      line('k', grp.keywords.join(' / '));
      if (grp.answers) line('k', 'answers: ' + grp.answers);
      var msgs = [];
      if (b !== null && data.cells[g + ',' + b]) msgs.push(data.cells[g + ',' + b]);
      grp.reps.forEach(function(r){ if (msgs.indexOf(r) < 0) msgs.push(r); });
      msgs.slice(0, 4).forEach(function(m){ line('m', m); });
    } else if (b !== null) {
      var bin = data.bins[b];
      line('h', bin.t + ' \\u00b7 ' + bin.n + ' chat messages' + (data.binMinutes > 1 ? ' in ' + data.binMinutes + ' min' : ''));
      bin.top.forEach(function(tc){
        var grp = data.groups[tc[0]];
        line('m', '#' + tc[0] + ' ' + (grp ? grp.label + ' \\u00b7 ' + grp.category : '') + ': ' + tc[1]);
      });
    } else { return hide(); }
    tip.hidden = false;
    var x = ev.clientX + 14, y = ev.clientY + 14;
    var r = tip.getBoundingClientRect();
    if (x + r.width > window.innerWidth - 8) x = ev.clientX - r.width - 14;
    if (y + r.height > window.innerHeight - 8) y = ev.clientY - r.height - 14;
    tip.style.left = x + 'px'; tip.style.top = y + 'px';
  }
  function hide(){ tip.hidden = true; }
  svg.addEventListener('mousemove', function(ev){
    var el = ev.target.closest('[data-g],[data-b]');
    if (el) show(ev, el); else hide();
  });
  svg.addEventListener('mouseleave', hide);
  });
})();
"""


def _table(d: dict[str, Any]) -> str:
    labels = category_labels()
    if not d["groups"]:
        return '<p id="window-table">No group in this window.</p>'
    rows = []
    for g in d["groups"]:
        color = category_color(g["category"])
        span = g["first"] if g["first"] == g["last"] else f"{g['first']} \u2013 {g['last']}"
        sil = "\u2013" if g["silhouette"] is None else f"{g['silhouette']:.2f}"
        others = " | ".join(g.get("representatives", [])[1:])
        answers = (
            '<div class="ans">answers: '
            + _e(" \u00b7 ".join(f"{a} {n}" for a, n in g["answers"][:6]))
            + "</div>"
            if g.get("answers")
            else ""
        )
        if g.get("moderation"):
            answers += f'<div class="ans">{g["moderation"]} bans/timeouts within a minute after the group&#39;s messages (whole stream)</div>'
        rows.append(
            "<tr>"
            f'<td class="num">{g["rank"]}</td>'
            f"<td><b>{_e(g.get('label') or '')}</b>{answers}</td>"
            f'<td class="num">{g["count"]:,}</td>'
            f'<td class="num">{g["share"]:.1%}</td>'
            f'<td><span class="sw" style="background:{color}"></span>{_e(labels.get(g["category"], g["category"]))}</td>'
            f'<td class="msg" title="{_e(others)}">{_e(shorten(g["representative"], MESSAGE_WIDTH))}</td>'
            f"<td>{_e(' / '.join(g['keywords']))}</td>"
            f'<td class="time">{_e(span)}</td>'
            f'<td class="num">{sil}</td>'
            f'<td class="num">#{g["topic"]}</td>'
            "</tr>"
        )
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "#",
            "label",
            "count",
            "share",
            "category",
            "representative message",
            "keywords",
            "time",
            "silhouette",
            "group",
        )
    )
    return f'<table id="window-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _moments(d: dict[str, Any]) -> str:
    moments = d.get("moments") or []
    if not moments:
        return '<p class="peaks">No moment stands out from the chat around it in this window.</p>'
    items = []
    for m in moments:
        span = m["start"] if m["start"] == m["end"] else f"{m['start']} \u2013 {m['end']}"
        drivers = "; ".join(
            f"#{g['topic']} <b>{_e(shorten(g['label'], 70))}</b> ({_e(g['category'])}, {g['count']})"
            for g in m["groups"]
        )
        link = (
            f' <a href="{_e(m["vod_url"])}" rel="noopener noreferrer">VOD</a>'
            if m.get("vod_url")
            else ""
        )
        items.append(
            f"<li><b>#{m['rank']} {_e(span)}</b> \u2014 {_e(shorten(m['title'], 90))} "
            f"(score {m['score']:g}){link}<br><small>{_e('; '.join(m['why']))}</small>"
            f"<br><small>{drivers}</small></li>"
        )
    return f'<ul class="peaks">{"".join(items)}</ul>'


def render_html(
    bundle: Bundle,
    d: dict[str, Any],
    alt: tuple[Bundle, dict[str, Any]] | None = None,
    level: str = "moments",
) -> str:
    """The page as a string. With `alt` (the bundle and report at the other level, see
    `twitchtopics.report.levels`), the timeline can be switched between moments and themes."""
    svg, data, lanes = _timeline(bundle, d)
    scripts = f'<script type="application/json" id="tt-timeline">{script_json(data)}</script>'
    timeline = svg
    if alt is not None:
        alt_svg, alt_data, alt_lanes = _timeline(alt[0], alt[1], "timeline-alt")
        lanes = lanes + alt_lanes
        scripts += (
            f'<script type="application/json" id="tt-timeline-alt">{script_json(alt_data)}</script>'
        )
        checked = " checked" if level == "themes" else ""
        timeline = (
            f'<p><label><input type="checkbox" id="fold" data-main="{_e(level)}"{checked}> '
            "fold groups into themes</label></p>"
            f'<div id="level-main">{svg}</div><div id="level-alt" hidden>{alt_svg}</div>'
        )
    s, w, t, r = d["stream"], d["window"], d["totals"], d["rate"]
    labels = category_labels()
    present = list(dict.fromkeys(lane["category"] for lane in lanes))
    ordered = [c for c in CATEGORY_COLORS if c in present] + [
        c for c in present if c not in CATEGORY_COLORS
    ]
    legend = "".join(
        f'<span><span class="sw" style="background:{category_color(c)}"></span>{_e(labels.get(c, c))}</span>'
        for c in ordered
    )
    sub = " \u00b7 ".join(_e(v) for v in (s.get("title"), s.get("channel"), s["span"]) if v)
    summary = (
        f"<b>Window {_e(w['text'])}</b>, {w['minutes']:g} min: {t['messages']:,} messages, "
        f"{t['chat']:,} chat ({t['grouped']:,} in {t['groups']} groups, {t['outliers']:,} outliers), "
        f"{t['other']:,} other kinds. Rate {r['chat_per_minute']:g} chat messages/min "
        f"(stream median {r['stream_median_per_minute']:g}/min)."
    )
    mod = d.get("moderation") or {}
    if mod.get("stream_total"):
        summary += (
            f" Moderation: {mod['window_total']:,} bans/timeouts in the window, "
            f"{mod['stream_total']:,} in the stream (busiest minute {_e(mod['busiest_minute'])}: "
            f"{mod['busiest_count']})."
        )
    title = f"{s['name']} \u2014 {w['label']}"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)} \u00b7 twitchtopics</title><style>{_CSS}</style></head><body>"
        f'<h1>{_e(s["name"])}</h1><p class="sub">{sub}</p>'
        f'<p class="summary">{summary}</p>'
        "<h2>Timeline of the stream</h2>"
        f"{timeline}"
        f'<div class="legend">{legend}<span><span class="sw" style="background:#ffd54f"></span>window</span>'
        '<span><span class="sw" style="background:#d62728"></span>moment</span>'
        '<span><span class="sw" style="background:#b71c1c"></span>bans/timeouts</span></div>'
        f"<h2>Top {'themes' if level == 'themes' else 'groups'} in the window</h2>{_table(d)}"
        f"<h2>Moments (chat against the minutes around it)</h2>{_moments(d)}"
        '<p class="foot">Made by twitchtopics from the bundle alone; hover the timeline for details.</p>'
        '<div id="tip" hidden></div>'
        f"{scripts}"
        f"<script>{_JS}</script>"
        "</body></html>\n"
    )


def write_html(
    bundle: Bundle,
    d: dict[str, Any],
    path: str | Path,
    alt: tuple[Bundle, dict[str, Any]] | None = None,
    level: str = "moments",
) -> Path:
    """Write the page for `window_report(bundle, ...)`'s result `d` to `path`."""
    target = Path(path)
    target.write_text(render_html(bundle, d, alt, level), encoding="utf-8")
    return target
