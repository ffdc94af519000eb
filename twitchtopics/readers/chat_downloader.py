"""chat-downloader (xenova/chat-downloader) output: a JSON list or JSON Lines of items.

Items hold ``message``, ``author.display_name``/``name``, ``time_in_seconds`` (offset) and
``timestamp`` (microseconds since the epoch, UTC); ``message_type`` other than
``text_message`` (subs, raids, bans...) is ``system``; ``emotes[].name`` are the message's
emotes. An item without a usable text or time is counted as skipped (its 1-based record
number, or line number for JSON Lines).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from twitchtopics.readers._base import NAT, Rows, register, twitch_video_id
from twitchtopics.readers._io import Source
from twitchtopics.readers._json import (
    as_dict,
    as_list,
    as_number,
    first_jsonl_object,
    jsonl_records,
    text_of,
)

CHAT_DOWNLOADER_CHAT_TYPES = {"text_message", "chat_message", "action", "me_message", ""}


def _is_cd_item(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and "message" in item
        and ("time_in_seconds" in item or ("timestamp" in item and "author" in item))
    )


def _sniff_chat_downloader(source: Source) -> float:
    doc = source.json()
    if isinstance(doc, list) and doc and _is_cd_item(doc[0]):
        return 0.9
    if doc is None and _is_cd_item(first_jsonl_object(source)):
        return 0.9
    if isinstance(doc, dict) and _is_cd_item(doc):
        return 0.9
    return 0.0


@register(
    "chat-downloader",
    sniff=_sniff_chat_downloader,
    description="chat-downloader (xenova) JSON or JSON Lines: time_in_seconds, timestamp (us), author.name",
)
def read_chat_downloader(source: Source, *, columns: dict[str, str] | None = None) -> Rows:
    """Read chat-downloader items from a JSON list or JSON Lines."""
    rows = Rows()
    doc = source.json()
    if isinstance(doc, list):
        items: Iterator[tuple[int, Any]] = iter(enumerate(doc, 1))
    elif isinstance(doc, dict):
        items = iter([(1, doc)])
    else:
        items = jsonl_records(source)
    any_time = False
    for number, item in items:
        if isinstance(item, ValueError):
            rows.skip(number, f"invalid JSON line: {item}")
            continue
        any_time = _cd_item(rows, number, item) or any_time
    if any_time:
        rows.time_aware, rows.tz = True, "UTC"
    return rows


def _cd_item(rows: Rows, number: int, item: Any) -> bool:
    """Add one chat-downloader item; return whether it had a wall-clock timestamp."""
    item = as_dict(item)
    text = item.get("message")
    if not isinstance(text, str):
        rows.skip(number, f"record {number} has no 'message' text")
        return False
    offset = as_number(item.get("time_in_seconds"))
    stamp = as_number(item.get("timestamp"))
    time = NAT
    if stamp is not None and abs(stamp) < 9e15:  # microseconds since the epoch
        time = int(stamp) * 1000
    if offset is None and time == NAT:
        rows.skip(number, f"record {number} has no time")
        return False
    author = as_dict(item.get("author"))
    user = text_of(author.get("display_name")) or text_of(author.get("name"))
    mtype = text_of(item.get("message_type"))
    hint = None
    if mtype not in CHAT_DOWNLOADER_CHAT_TYPES:
        hint = "system"
    elif item.get("is_action") is True or mtype in ("action", "me_message"):
        hint = "action"
    emotes = [
        n
        for n in (as_dict(e).get("name") for e in as_list(item.get("emotes")))
        if isinstance(n, str)
    ]
    rows.emote_set.update(emotes)
    rows.add(user, text, time=time, offset=offset, hint=hint, emotes=emotes, line=number)
    if rows.video_id is None:
        rows.video_id = _cd_video_id(item)
    return time != NAT


def _cd_video_id(item: dict[str, Any]) -> str | None:
    """A Twitch VOD named by a chat-downloader item (its ``video_id`` or a ``twitch.tv/videos``
    URL in ``url``/``video_url``/``source_url``), when the writer kept one."""
    for key in ("video_url", "source_url", "url"):
        found = twitch_video_id(item.get(key)) if isinstance(item.get(key), str) else None
        if found and "/videos/" in str(item.get(key)):
            return found
    return twitch_video_id(item.get("video_id"))
