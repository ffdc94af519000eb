"""Moments written for the tools people cut and publish with: YouTube chapters, CSV, JSON and
CMX 3600 EDL markers.

Times are offsets since the stream's start, which is the VOD's own clock for TwitchDownloader
and GQL logs, and the stream start for wall-clock logs. Every export starts a moment at its
`link_offset_s` (the chat burst minus the lead, see `highlights.LEAD_S`), so that the cut
shows what chat reacted to.

Chat text is untrusted: chapter titles and EDL names are one line without control characters
(EDL: plain ASCII, as NLEs expect), and CSV cells that a spreadsheet would run as a formula
(`=`, `+`, `-`, `@`, tab, CR at the start) get a leading apostrophe.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

CHAPTER_MIN_GAP_S = 10.0  # YouTube: chapters at least 10 s long
CHAPTER_TITLE_WIDTH = 80
FIRST_CHAPTER_TITLE = "Stream start"
EDL_FPS = 30
EDL_NAME_WIDTH = 60
EDL_REEL = "AX"
EXPORT_FORMATS = ("text", "json", "csv", "chapters", "edl")
CSV_COLUMNS = (
    "rank",
    "start",
    "end",
    "start_offset_s",
    "end_offset_s",
    "link_offset_s",
    "score",
    "title",
    "messages",
    "chatters",
    "groups",
    "keywords",
    "why",
    "vod_url",
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: Any, width: int) -> str:
    """A title from chat text: control characters and line breaks become spaces, cut to width."""
    flat = " ".join(_CONTROL.sub(" ", str(text)).split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "\u2026"


def ascii_line(text: Any, width: int) -> str:
    """`one_line`, then accents stripped and anything else non-ASCII dropped (EDL names)."""
    decomposed = unicodedata.normalize("NFKD", one_line(text, 10 * width))
    plain = " ".join("".join(ch for ch in decomposed if 32 <= ord(ch) < 127).split())
    return plain[:width].rstrip()


def chapter_time(offset_s: float) -> str:
    """`0:00`, `4:05`, `1:02:03`: YouTube's description timestamps."""
    total = max(0, int(math.floor(offset_s)))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def chapters(moments: list[dict[str, Any]]) -> list[tuple[float, str]]:
    """YouTube chapters: the first at 0:00, ascending, each at least 10 s after the previous.

    A moment closer than 10 s to the previous chapter is dropped (the better-ranked of two
    such moments is kept); a moment in the first 10 s names the opening chapter.
    """
    kept: list[tuple[float, str]] = [(0.0, FIRST_CHAPTER_TITLE)]
    by_rank = sorted(moments, key=lambda m: m.get("rank", 0))
    chosen: list[tuple[float, str]] = []
    for moment in by_rank:
        at = float(math.floor(moment["link_offset_s"]))
        title = one_line(moment.get("title") or "moment", CHAPTER_TITLE_WIDTH) or "moment"
        if at < CHAPTER_MIN_GAP_S:
            if kept[0][1] == FIRST_CHAPTER_TITLE:
                kept[0] = (0.0, title)
            continue
        if all(abs(at - other) >= CHAPTER_MIN_GAP_S for other, _ in chosen):
            chosen.append((at, title))
    return kept + sorted(chosen)


def render_chapters(moments: list[dict[str, Any]]) -> str:
    """The chapters as lines to paste into a YouTube description."""
    return "\n".join(f"{chapter_time(at)} {title}" for at, title in chapters(moments))


def csv_rows(moments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One flat row per moment (groups, keywords and reasons joined with ` | `); cells are made
    formula-safe when written (`safe_output.csv_text`)."""
    rows = []
    for m in moments:
        row = {key: m.get(key) for key in CSV_COLUMNS}
        row["groups"] = " | ".join(f"#{g['topic']} {g['label']}" for g in m["groups"])
        row["keywords"] = " | ".join(" / ".join(g["keywords"][:5]) for g in m["groups"])
        row["why"] = " | ".join(m["why"])
        rows.append(row)
    return rows


def render_csv(moments: list[dict[str, Any]]) -> str:
    """The moments as CSV, through the tool's one CSV writer (``safe_output.csv_text``)."""
    from twitchtopics.safe_output import csv_text

    return csv_text(csv_rows(moments), CSV_COLUMNS)


def timecode(offset_s: float, fps: int = EDL_FPS) -> str:
    """`HH:MM:SS:FF` (non-drop frame) of an offset."""
    frames = max(0, int(round(offset_s * fps)))
    seconds, ff = divmod(frames, fps)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}:{s:02d}:{ff:02d}"


def render_edl(
    moments: list[dict[str, Any]], title: str, fps: int = EDL_FPS, record_start_s: float = 0.0
) -> str:
    """A CMX 3600 EDL: one cut event per moment, in time order, each with a `* FROM CLIP NAME`
    comment and a marker line (`|C:... |M:... |D:...`, the form DaVinci Resolve imports as
    timeline markers). Source timecodes are the VOD's own time; record timecodes add
    `record_start_s`, the timeline's start (Premiere: 0, DaVinci Resolve: 1 h by default)."""
    lines = [f"TITLE: {ascii_line(title, EDL_NAME_WIDTH) or 'twitchtopics moments'}"]
    lines.append("FCM: NON-DROP FRAME")
    lines.append("")
    ordered = sorted(moments, key=lambda m: m["link_offset_s"])
    for number, m in enumerate(ordered, start=1):
        start = float(m["link_offset_s"])
        end = max(float(m["end_offset_s"]), start + 1.0 / fps)
        tc_in, tc_out = timecode(start, fps), timecode(end, fps)
        rec_in = timecode(start + record_start_s, fps)
        rec_out = timecode(end + record_start_s, fps)
        name = ascii_line(f"#{m['rank']} {m.get('title') or 'moment'}", EDL_NAME_WIDTH)
        duration = max(1, int(round((end - start) * fps)))
        lines.append(
            f"{number:03d}  {EDL_REEL:<8} V     C        {tc_in} {tc_out} {rec_in} {rec_out}"
        )
        lines.append(f"* FROM CLIP NAME: {name}")
        lines.append(f"* COMMENT: score {m['score']:g}, {m['messages']} messages")
        lines.append(f" |C:ResolveColorBlue |M:{name} |D:{duration}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


_EVENT = re.compile(
    r"^(\d{3,})\s+(\S+)\s+(V|A|A2|AA|AA/V|B)\s+(C|D|W\d+)\s+"
    r"(\d\d:\d\d:\d\d[:;]\d\d)\s+(\d\d:\d\d:\d\d[:;]\d\d)\s+"
    r"(\d\d:\d\d:\d\d[:;]\d\d)\s+(\d\d:\d\d:\d\d[:;]\d\d)\s*$"
)


def parse_edl(text: str, fps: int = EDL_FPS) -> list[dict[str, Any]]:
    """Read a CMX 3600 EDL back: events with number, reel, in/out offsets (s) and clip name."""

    def seconds(tc: str) -> float:
        h, m, s, f = (int(x) for x in re.split(r"[:;]", tc))
        return h * 3600 + m * 60 + s + f / fps

    events: list[dict[str, Any]] = []
    for line in text.splitlines():
        match = _EVENT.match(line)
        if match:
            events.append(
                {
                    "event": int(match.group(1)),
                    "reel": match.group(2),
                    "source_in": seconds(match.group(5)),
                    "source_out": seconds(match.group(6)),
                    "record_in": seconds(match.group(7)),
                    "record_out": seconds(match.group(8)),
                    "name": None,
                }
            )
        elif line.startswith("* FROM CLIP NAME:") and events:
            events[-1]["name"] = line.split(":", 1)[1].strip()
    return events
