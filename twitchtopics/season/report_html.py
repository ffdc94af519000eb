"""The season's HTML page: a themes x streams heatmap; click a cell for that stream's moments
of the theme (each topic of the theme in that stream: VOD time, size, keywords, messages).

Self-contained and offline like the stream page (`report/html.py`): every chat text in the
markup goes through `html.escape`, the moments travel in a JSON block escaped by
`script_json`, and the script writes them with `textContent` only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from twitchtopics.report.colors import category_color
from twitchtopics.safe_output import html_text as _e
from twitchtopics.safe_output import script_json
from twitchtopics.season.report import heatmap_matrix

MAX_MOMENTS = 20
"""Moments listed per cell (the theme's biggest topics in that stream); a running joke in a
four-hour stream can be 50 topics, and the page must stay light for 100 streams."""


def _clock(seconds: float | None) -> str:
    """VOD time `H:MM:SS` (what a video editor seeks to)."""
    if seconds is None:
        return "?"
    s = int(max(seconds, 0))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _stream_topics(folder: Path, bundle: str) -> dict[int, dict[str, Any]]:
    """A stream's topics.json by id; empty when its bundle is not here (moments not shown)."""
    try:
        data = json.loads((folder / bundle / "topics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {int(t["id"]): t for t in data.get("topics") or [] if "id" in t}


BUSIEST_MINUTES = 3
"""Busiest minutes listed per moment: a laughter or greeting topic spans the whole stream
(reactions are one topic whatever their time), so its minutes are where an editor looks."""


def _busiest_minutes(folder: Path, bundle: str) -> dict[int, list[list[Any]]]:
    """Each topic's `BUSIEST_MINUTES` busiest minutes of the stream: [[VOD time, messages]]."""
    import pandas as pd

    try:
        table = pd.read_parquet(folder / bundle / "messages.parquet", columns=["topic", "offset_s"])
    except (OSError, ValueError, KeyError):
        return {}
    table = table[table["topic"] >= 0]
    minutes = (table["offset_s"] // 60).astype("int64")
    counts = table.groupby([table["topic"], minutes]).size().rename("n").reset_index()
    counts = counts.sort_values(["topic", "n", "offset_s"], ascending=[True, False, True])
    busiest: dict[int, list[list[Any]]] = {}
    for topic, group in counts.groupby("topic", sort=False):
        busiest[int(topic)] = [
            [_clock(60.0 * m), int(n)]
            for m, n in zip(
                group["offset_s"][:BUSIEST_MINUTES], group["n"][:BUSIEST_MINUTES], strict=True
            )
        ]
    return busiest


def cell_moments(folder: Path, season: dict[str, Any], rows: list[dict]) -> dict[str, Any]:
    """`"theme:stream"` -> the moments of that theme in that stream, biggest first."""
    streams = season.get("streams") or []
    topics_of: dict[int, dict[int, dict[str, Any]]] = {}
    minutes_of: dict[int, dict[int, list[list[Any]]]] = {}
    cells: dict[str, Any] = {}
    for theme in rows:
        for entry in theme.get("streams") or []:
            s = entry["stream"]
            if s not in topics_of:
                topics_of[s] = _stream_topics(folder, streams[s]["bundle"])
                minutes_of[s] = _busiest_minutes(folder, streams[s]["bundle"])
            found = [topics_of[s][t] for t in entry["topics"] if t in topics_of[s]]
            found.sort(key=lambda t: (-(t.get("size") or 0), t["id"]))
            cells[f"{theme['id']}:{s}"] = {
                "theme": theme.get("label") or "",
                "stream": streams[s]["bundle"],
                "messages": entry["messages"],
                "share": entry.get("share"),
                "more": max(0, len(entry["topics"]) - MAX_MOMENTS),
                "moments": [
                    {
                        "from": _clock(t.get("first_offset_s")),
                        "to": _clock(t.get("last_offset_s")),
                        "size": t.get("size"),
                        "keywords": [w for w, _ in (t.get("keywords") or [])[:5]],
                        "messages": [str(m) for m in (t.get("representatives") or [])[:3]],
                        "busiest": minutes_of[s].get(int(t["id"]), []),
                    }
                    for t in sorted(found[:MAX_MOMENTS], key=lambda t: t.get("first_offset_s") or 0)
                ],
            }
    return cells


def render_season_html(folder: Path, season: dict[str, Any], *, top: int = 25) -> str:
    """The page as a string."""
    rows, matrix = heatmap_matrix(season, top)
    streams = season.get("streams") or []
    peak = float(matrix.max()) if matrix.size else 0.0
    head = "".join(
        f'<th class="s" title="{_e(s["bundle"])}">{_e((s.get("start") or s["bundle"])[:10])}</th>'
        for s in streams
    )
    body = []
    for i, theme in enumerate(rows):
        cells = []
        for s in range(len(streams)):
            share = float(matrix[i, s])
            if share <= 0:
                cells.append("<td></td>")
                continue
            alpha = 0.15 + 0.85 * (share / peak if peak else 0)
            cells.append(
                f'<td class="c" data-k="{theme["id"]}:{s}" style="background:rgba(31,119,180,'
                f'{alpha:.2f})" title="{100 * share:.1f}% of the chat">{100 * share:.0f}</td>'
            )
        swatch = (
            f'<span class="sw" style="background:{category_color(theme.get("category"))}"></span>'
        )
        body.append(
            f'<tr><th class="t">{swatch}{_e(theme.get("label") or "")}'
            f" <small>{theme['n_streams']} streams</small></th>{''.join(cells)}</tr>"
        )
    data = cell_moments(folder, season, rows)
    recurring = sum(1 for t in season.get("themes") or [] if t.get("n_streams", 0) > 1)
    summary = (
        f"{len(streams)} streams, {len(season.get('themes') or []):,} season themes, "
        f"{recurring:,} in more than one stream. Cells: % of the stream's chat; click one for "
        "that stream's moments of the theme."
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Season \u00b7 twitchtopics</title><style>{_CSS}</style></head><body>"
        f"<h1>Season themes</h1><p>{_e(summary)}</p>"
        f'<div class="wrap"><table><thead><tr><th></th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
        '<div id="moments"><p>Click a cell.</p></div>'
        f'<script type="application/json" id="tt-data">{script_json(data)}</script>'
        f"<script>{_JS}</script></body></html>\n"
    )


def write_season_html(folder: Path, season: dict[str, Any], path: str | Path, *, top: int = 25):
    """Write the season page to `path`."""
    target = Path(path)
    target.write_text(render_season_html(folder, season, top=top), encoding="utf-8")
    return target


_CSS = """
body{font:14px system-ui,sans-serif;margin:20px;color:#222}
.wrap{overflow-x:auto}table{border-collapse:collapse}
th.t{text-align:left;font-weight:normal;white-space:nowrap;max-width:360px;overflow:hidden;
text-overflow:ellipsis;padding-right:8px}
th.s{writing-mode:vertical-rl;font-weight:normal;font-size:11px}
td{width:22px;height:20px;border:1px solid #eee;text-align:center;font-size:10px}
td.c{cursor:pointer;color:#fff}td.c.on{outline:2px solid #d62728}
.sw{display:inline-block;width:10px;height:10px;margin-right:5px;border-radius:2px}
small{color:#888}#moments{margin-top:18px}.m{margin:8px 0;padding:6px;border-left:3px solid #1f77b4}
.kw{color:#555}.msg{margin-left:12px;color:#333}
"""

_JS = """
const data=JSON.parse(document.getElementById('tt-data').textContent);
const box=document.getElementById('moments');
function el(tag,cls,text){const e=document.createElement(tag);if(cls)e.className=cls;
if(text!==undefined)e.textContent=text;return e;}
document.querySelectorAll('td.c').forEach(td=>td.addEventListener('click',()=>{
 document.querySelectorAll('td.on').forEach(x=>x.classList.remove('on'));td.classList.add('on');
 const c=data[td.dataset.k];box.replaceChildren();if(!c)return;
 box.append(el('h2',null,c.theme+' \\u2014 '+c.stream));
 box.append(el('p',null,c.messages+' messages'+(c.share!=null?' ('+(100*c.share).toFixed(1)+'% of the chat)':'')));
 if(!c.moments.length)box.append(el('p',null,'(this stream\\'s bundle is not in the season folder)'));
 c.moments.forEach(m=>{const d=el('div','m');
  d.append(el('b',null,m.from+' \\u2013 '+m.to+' \\u00b7 '+m.size+' messages'));
  d.append(el('div','kw',m.keywords.join(' / ')));
  if(m.busiest.length)d.append(el('div','kw','busiest minutes: '+m.busiest.map(b=>b[0]+' ('+b[1]+')').join(', ')));
  m.messages.forEach(t=>d.append(el('div','msg',t)));box.append(d);});
 if(c.more)box.append(el('p',null,'+ '+c.more+' smaller moments'));
}));
"""
