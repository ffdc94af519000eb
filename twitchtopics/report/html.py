"""One self-contained HTML page: the whole stream's timeline with the window highlighted,
and the window's table.

The page opens offline: no CDN, no external file. The timeline is inline SVG
(`report/html_timeline.py`); a few lines of inline vanilla JS show rich tooltips from a JSON
block. Every piece of chat text goes through `html_text` (`html.escape`) in the markup, and
the JSON block (`script_json`) escapes `<`, `>` and `&` as `\\u003c`, `\\u003e`,
`\\u0026`, so chat text can never become markup or script. The JS writes tooltips with
`textContent` only. Hover a bin for its count and leading groups, a cell for the group's
keywords, its count there and a representative message of that bin. Emoji the browser has no font
for (it draws them like a character no font has) are written as their names
(`chat.emotes.emoji_names`, listed in a JSON block), never left as boxes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from twitchtopics.bundle import Bundle
from twitchtopics.bundle_view import shorten
from twitchtopics.chat.emotes import emoji_names
from twitchtopics.report.colors import CATEGORY_COLORS, category_color, category_labels
from twitchtopics.report.html_timeline import MESSAGE_WIDTH, timeline_svg
from twitchtopics.safe_output import html_text as _e
from twitchtopics.safe_output import script_json

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
  var named = emojiFallback();
  var fold = document.getElementById('fold');
  if (fold) fold.addEventListener('change', function(){
    document.getElementById('level-main').hidden = fold.checked !== (fold.getAttribute('data-main') === 'themes');
    document.getElementById('level-alt').hidden = !document.getElementById('level-main').hidden;
  });
  document.querySelectorAll('svg.timeline').forEach(function(svg){
  var data = JSON.parse(document.getElementById(svg.getAttribute('data-tt')).textContent);
  function line(cls, text){var d=document.createElement('div');d.className=cls;d.textContent=named(text);tip.appendChild(d);}
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
  function emojiFallback(){
    // The page's emoji the browser has no font for (drawn like a character no font has)
    // are written as their names, in the page and in the tooltips: never a box.
    var names = JSON.parse(document.getElementById('tt-emoji').textContent), missing = [];
    var c = document.createElement('canvas'), x = c.getContext && c.getContext('2d');
    if (!x) return function(t){ return t; };
    c.width = c.height = 32;
    x.font = '20px ' + getComputedStyle(document.body).fontFamily; x.textBaseline = 'top';
    function ink(t){ x.clearRect(0, 0, 32, 32); x.fillText(t, 2, 2);
      return Array.prototype.join.call(x.getImageData(0, 0, 32, 32).data, ','); }
    var none = ink('\\u{10FFFD}');
    Object.keys(names).forEach(function(ch){ if (ink(ch) === none) missing.push(ch); });
    if (!missing.length) return function(t){ return t; };
    var re = new RegExp('(' + missing.join('|') + ')[\\u{FE0F}\\u{1F3FB}-\\u{1F3FF}]*', 'gu');
    function named(t){ return String(t).replace(re, function(m, ch, at, all){
      var next = all.charAt(at + m.length);  // a space on each side unless one is there
      return (at > 0 && all.charAt(at - 1) !== ' ' ? ' ' : '') + names[ch] + (next && next !== ' ' ? ' ' : ''); }); }
    var walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT), texts = [];
    while (walk.nextNode()) if (walk.currentNode.parentNode.nodeName !== 'SCRIPT') texts.push(walk.currentNode);
    texts.forEach(function(n){ var t = named(n.data); if (t !== n.data) n.data = t; });
    document.querySelectorAll('[title]').forEach(function(el){ el.title = named(el.title); });
    document.title = named(document.title);
    return named;
  }
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
    svg, data, lanes = timeline_svg(bundle, d)
    scripts = f'<script type="application/json" id="tt-timeline">{script_json(data)}</script>'
    timeline = svg
    if alt is not None:
        alt_svg, alt_data, alt_lanes = timeline_svg(alt[0], alt[1], "timeline-alt")
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
    page = (
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
    )
    emoji = (
        f'<script type="application/json" id="tt-emoji">{script_json(emoji_names(page))}</script>'
    )
    return f"{page}{emoji}<script>{_JS}</script></body></html>\n"


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
