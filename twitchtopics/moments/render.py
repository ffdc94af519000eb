"""Terminal views of moments and search results (chat text made one safe line first)."""

from __future__ import annotations

from typing import Any

from twitchtopics.moments.exports import one_line

SPARK = " \u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"


def render_moments_text(stream: dict[str, Any], moments: list[dict[str, Any]]) -> str:
    """Header, then per moment: rank, span, score, title; why; driving groups; VOD link."""
    head = f"{stream['name']} \u00b7 {len(moments)} moments \u00b7 {stream['window']}"
    if stream.get("video_id"):
        head += f" \u00b7 VOD {stream['video_id']}"
    lines = [head, ""]
    if not moments:
        lines.append("no moment stands out from the chat around it in this window")
    for m in moments:
        span = m["start"] if m["start"] == m["end"] else f"{m['start']}\u2013{m['end']}"
        lines.append(f"#{m['rank']:<2} {span}  score {m['score']:.2f}  {one_line(m['title'], 70)}")
        lines.append(f"    why: {one_line('; '.join(m['why']), 400)}")
        for g in m["groups"]:
            rep = one_line(g["representatives"][0], 50) if g["representatives"] else ""
            kws = " / ".join(one_line(k, 20) for k in g["keywords"][:4])
            lines.append(
                f"    #{g['topic']} {g['category']} {g['count']} ({g['share']:.0%}) "
                f"\u201c{rep}\u201d  [{kws}]"
            )
        if m.get("vod_url"):
            lines.append(f"    {one_line(m['vod_url'], 200)}")
        lines.append("")
    return "\n".join(lines).rstrip("\n")


def sparkline(values: list[float]) -> str:
    """One character per value, eight levels scaled to the largest (blank = 0)."""
    top = max(values) if values else 0.0
    if top <= 0:
        return SPARK[0] * len(values)
    out = []
    for v in values:
        level = 0 if v <= 0 else max(1, round(v / top * (len(SPARK) - 1)))
        out.append(SPARK[level])
    return "".join(out)


def render_search_text(stream_name: str, result: dict[str, Any]) -> str:
    """The terminal view of a search: header, rate sparkline, messages, groups."""
    rate = result["rate"]
    lines = [
        f"\u201c{one_line(result['query'], 60)}\u201d in {stream_name} \u00b7 model "
        f"{result['model']} \u00b7 {result['matches']:,} of {result['chat_messages']:,} chat "
        f"messages match (similarity \u2265 {result['match_threshold']:.2f})",
        f"rate  {rate['start']} {sparkline(rate['counts'])} {rate['end']}  "
        f"(1 column = {rate['bin_minutes']} min"
        + (f"; most at {rate['peak']}: {rate['peak_count']})" if rate["peak_count"] else ")"),
        "",
        "messages",
    ]
    if not result["messages"]:
        lines.append("  none")
    for hit in result["messages"]:
        times = "" if hit["count"] == 1 else f" \u00d7{hit['count']}"
        topics = " ".join(f"#{t}" for t in hit["topics"])
        lines.append(
            f"  {hit['score']:.2f}  {hit['first']}{times:<6} "
            f"{one_line(hit['text'], 70)}  {topics}".rstrip()
        )
    lines += ["", "groups"]
    if not result["groups"]:
        lines.append("  none")
    for g in result["groups"]:
        span = g["first"] if g["first"] == g["last"] else f"{g['first']}\u2013{g['last']}"
        kws = " / ".join(one_line(k, 20) for k in g["keywords"][:4])
        lines.append(
            f"  {g['score']:.2f}  #{g['topic']} {g['category']} {g['size']} msgs {span}  "
            f"\u201c{one_line(g['label'], 50)}\u201d  [{kws}]"
        )
    return "\n".join(lines)
