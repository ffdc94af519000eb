"""JSON chat downloads: TwitchDownloader / Twitch API v5, Twitch GQL comments, chat-downloader.

twitchdownloader-json
    A dict with ``comments[]`` (snake_case: ``content_offset_seconds``, ``commenter``
    ``display_name``/``name``, ``message.body``/``fragments``/``emoticons``), ``video``
    (``created_at`` = stream start, or ``start`` when it is a date; ``title``; ``chapters``),
    optional ``streamer``, ``FileInfo`` and ``embeddedData`` (or the older ``emotes``) whose
    ``firstParty[].name``/``thirdParty[].name`` (BTTV, FFZ, 7TV) join ``info.emotes``. The
    older Twitch API v5 shape (``video.user_name``, ``message.user_notice_params``,
    ``is_action``) is the same format. A comment's time is its ``created_at`` (UTC) when
    present, else video start + offset; ``offset_s`` is ``content_offset_seconds`` (the VOD
    position viewers see). ``user_notice_params["msg-id"]`` (sub, resub, raid...) makes the
    comment ``system``; ``is_action`` makes it ``action``.
twitch-gql
    Twitch GQL comment lists as written by twitch-archiver (camelCase
    ``contentOffsetSeconds``, ``createdAt``, ``commenter.displayName``/``login``,
    ``message.fragments[].emote``), as a list, a dict with ``comments``, or raw GQL
    responses (``data.video.comments.edges[].node``); gzipped or not.
chat-downloader
    xenova/chat-downloader output, a JSON list or JSON Lines of items with ``message``,
    ``author.display_name``/``name``, ``time_in_seconds`` (offset) and ``timestamp``
    (microseconds since the epoch, UTC); ``message_type`` other than ``text_message`` (subs,
    raids, bans...) is ``system``; ``emotes[].name`` are the message's emotes.

A comment without a usable text is counted as skipped (its 1-based record number, or line
number for JSON Lines).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import pandas as pd

from twitchtopics.readers._base import NAT, Rows, parse_iso, register, twitch_video_id
from twitchtopics.readers._io import Source

CHAT_DOWNLOADER_CHAT_TYPES = {"text_message", "chat_message", "action", "me_message", ""}


def _num(value: Any) -> float | None:
    """A finite number from an int, float or numeric string, else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        out = float(value)
    elif isinstance(value, str):
        try:
            out = float(value)
        except ValueError:
            return None
    else:
        return None
    return out if math.isfinite(out) else None


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _time(value: Any) -> int:
    """ns UTC from an ISO string with a zone (Twitch's ``created_at``), else NAT."""
    if isinstance(value, str):
        parsed = parse_iso(value)
        if parsed and parsed[1]:
            return parsed[0]
    return NAT


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _slice_emotes(text: str, ranges: list[Any], begin_key: str, end_key: str) -> list[str]:
    """Emote names from inclusive ``begin``/``end`` character ranges into ``text``."""
    names: list[str] = []
    for r in ranges:
        r = _dict(r)
        b, e = _num(r.get(begin_key)), _num(r.get(end_key))
        if b is None or e is None or b < 0 or e < b or e >= len(text) + 1:
            continue
        name = text[int(b) : int(e) + 1].strip()
        if name:
            names.append(name)
    return names


# --------------------------------------------------------------------- TwitchDownloader / v5


def _td_comments(doc: Any) -> list[Any] | None:
    if isinstance(doc, dict) and isinstance(doc.get("comments"), list):
        return doc["comments"]
    return None


def _sniff_td_json(source: Source) -> float:
    doc = source.json()
    comments = _td_comments(doc)
    if comments is None:
        return 0.0
    first = next((c for c in comments if isinstance(c, dict)), None)
    if first is None:
        return 0.9 if ("video" in doc or "FileInfo" in doc) else 0.3
    if "content_offset_seconds" in first or "display_name" in _dict(first.get("commenter")):
        return 0.95
    if "contentOffsetSeconds" in first:
        return 0.0
    return 0.4


@register(
    "twitchdownloader-json",
    sniff=_sniff_td_json,
    description="TwitchDownloader JSON (all versions, with embeddedData) and Twitch API v5 comments",
)
def read_twitchdownloader_json(source: Source, *, columns: dict[str, str] | None = None) -> Rows:
    """Read TwitchDownloader / API v5 JSON: video metadata, embedded emotes, comments."""
    doc = source.json()
    comments = _td_comments(doc)
    rows = Rows(time_aware=True, tz="UTC")
    if comments is None:
        rows.skip(1, "not a JSON object with a 'comments' list")
        return rows
    _td_metadata(doc, rows)
    embedded = set(rows.emote_set)
    for number, comment in enumerate(comments, 1):
        _comment(rows, number, comment, snake=True)
    if embedded:
        _add_embedded_emotes(rows, embedded)
    return rows


def _add_embedded_emotes(rows: Rows, embedded: set[str]) -> None:
    """Per-message emotes from the text's tokens that are fragment or embedded emote names.

    Third-party emotes (BTTV, FFZ, 7TV) are plain text in fragments; only ``embeddedData``
    knows them, so tokens are matched against it (in text order, repeats kept).
    """
    for i, text in enumerate(rows.texts):
        known = embedded.union(rows.emotes[i])
        rows.emotes[i] = [token for token in text.split() if token in known]


def _td_metadata(doc: dict[str, Any], rows: Rows) -> None:
    """Stream start, title, channel, chapters and embedded emote names."""
    video = _dict(doc.get("video"))
    start = _time(video.get("created_at"))
    if start == NAT:
        start = _time(video.get("start"))
    if start != NAT:
        rows.start = pd.Timestamp(start, unit="ns", tz="UTC")
    rows.video_id = twitch_video_id(video.get("id")) or twitch_video_id(video.get("url"))
    title = video.get("title")
    rows.title = title if isinstance(title, str) and title else None
    streamer = _dict(doc.get("streamer"))
    for candidate in (
        video.get("user_name"),
        video.get("user_login"),
        streamer.get("name"),
        streamer.get("login"),
    ):
        if isinstance(candidate, str) and candidate:
            rows.channel = candidate
            break
    for chapter in _list(video.get("chapters")):
        chapter = _dict(chapter)
        ms = _num(chapter.get("startMilliseconds"))
        name = chapter.get("description") or chapter.get("gameDisplayName") or ""
        if ms is not None and isinstance(name, str):
            rows.chapters.append((ms / 1000.0, name))
    for key in ("embeddedData", "emotes"):
        embedded = _dict(doc.get(key))
        for party in ("firstParty", "thirdParty"):
            for emote in _list(embedded.get(party)):
                name = _dict(emote).get("name")
                if isinstance(name, str) and name:
                    rows.emote_set.add(name)


def _comment(rows: Rows, number: int, comment: Any, *, snake: bool) -> None:
    """Add one TwitchDownloader (snake_case) or GQL (camelCase) comment."""
    comment = _dict(comment)
    if isinstance(comment.get("node"), dict):
        comment = comment["node"]
    if not comment:
        rows.skip(number, f"comment #{number} is not an object")
        return
    message = _dict(comment.get("message"))
    fragments = _list(message.get("fragments"))
    body = message.get("body")
    if not isinstance(body, str):
        parts = [_str(_dict(f).get("text")) for f in fragments]
        if not parts:
            rows.skip(number, f"comment #{number} has no message body")
            return
        body = "".join(parts)
    commenter = _dict(comment.get("commenter"))
    if snake:
        user = _str(commenter.get("display_name")) or _str(commenter.get("name"))
        offset = _num(comment.get("content_offset_seconds"))
        time = _time(comment.get("created_at"))
        notice = _dict(message.get("user_notice_params")).get("msg-id")
        is_action = message.get("is_action") is True
    else:
        user = _str(commenter.get("displayName")) or _str(commenter.get("login"))
        offset = _num(comment.get("contentOffsetSeconds"))
        time = _time(comment.get("createdAt"))
        notice = _dict(message.get("userNoticeParams")).get("msg-id")
        is_action = message.get("isAction") is True
    if offset is None and time == NAT:
        rows.skip(number, f"comment #{number} has no time")
        return
    emotes = _fragment_emotes(fragments)
    if not emotes:
        emotes = _slice_emotes(body, _list(message.get("emoticons")), "begin", "end")
    rows.emote_set.update(emotes)
    hint = "system" if notice else ("action" if is_action else None)
    rows.add(user, body, time=time, offset=offset, hint=hint, emotes=emotes, line=number)
    if rows.video_id is None:
        rows.video_id = _comment_video_id(comment, snake=snake)


def _comment_video_id(comment: dict[str, Any], *, snake: bool) -> str | None:
    """The VOD a comment belongs to: ``content_id`` when ``content_type`` is ``video``."""
    kind = comment.get("content_type" if snake else "contentType")
    if kind != "video":
        return None
    return twitch_video_id(comment.get("content_id" if snake else "contentId"))


def _fragment_emotes(fragments: list[Any]) -> list[str]:
    """Names of fragments that carry an emote (``emoticon`` or ``emote``, non-empty)."""
    names: list[str] = []
    for fragment in fragments:
        fragment = _dict(fragment)
        if fragment.get("emoticon") or fragment.get("emote"):
            name = _str(fragment.get("text")).strip()
            if name:
                names.append(name)
    return names


# ---------------------------------------------------------------------------------------- GQL


def _gql_comments(doc: Any) -> list[Any] | None:
    """The comment list of a twitch-archiver / GQL document, or None."""
    if isinstance(doc, dict):
        if isinstance(doc.get("comments"), list):
            return doc["comments"]
        edges = _dict(_dict(_dict(doc.get("data")).get("video")).get("comments")).get("edges")
        return edges if isinstance(edges, list) else None
    if isinstance(doc, list):
        if doc and all(isinstance(d, dict) and "data" in d for d in doc[:5]):
            out: list[Any] = []
            for page in doc:
                out.extend(_gql_comments(page) or [])
            return out
        return doc
    return None


def _sniff_gql(source: Source) -> float:
    comments = _gql_comments(source.json())
    if not comments:
        return 0.0
    first = _dict(comments[0])
    first = _dict(first.get("node")) or first
    if "contentOffsetSeconds" in first or "displayName" in _dict(first.get("commenter")):
        return 0.95
    return 0.0


@register(
    "twitch-gql",
    sniff=_sniff_gql,
    description="Twitch GQL comment list (camelCase, e.g. twitch-archiver verbose_chat.json[.gz])",
)
def read_gql(source: Source, *, columns: dict[str, str] | None = None) -> Rows:
    """Read GQL comments (times from ``createdAt``, offsets from ``contentOffsetSeconds``)."""
    rows = Rows(time_aware=True, tz="UTC")
    comments = _gql_comments(source.json())
    if comments is None:
        rows.skip(1, "not a JSON list of GQL comments")
        return rows
    doc = source.json()
    if isinstance(doc, dict):
        rows.video_id = twitch_video_id(_dict(_dict(doc.get("data")).get("video")).get("id"))
    for number, comment in enumerate(comments, 1):
        _comment(rows, number, comment, snake=False)
    return rows


# ---------------------------------------------------------------------------- chat-downloader


def _is_cd_item(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and "message" in item
        and ("time_in_seconds" in item or ("timestamp" in item and "author" in item))
    )


def _jsonl(source: Source) -> Iterator[tuple[int, Any]]:
    """(line number, parsed object or a ``ValueError``) for each non-blank line."""
    for number, line in enumerate(source.lines, 1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except (ValueError, RecursionError) as exc:
            yield number, ValueError(str(exc)[:80])


JSONL_SNIFF_LINES = 5


def first_jsonl_object(source: Source) -> Any:
    """The first of the first few lines that parses as JSON, when the text looks like JSON
    Lines (its first line starts with ``{``), else None. A broken first line (a truncated
    write, a stray log line) must not hide the thousands of good ones after it."""
    head = source.head_lines(JSONL_SNIFF_LINES)
    if not head or not head[0].lstrip().startswith("{"):
        return None
    for line in head:
        try:
            return json.loads(line)
        except (ValueError, RecursionError):
            continue
    return None


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
        items = _jsonl(source)
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
    item = _dict(item)
    text = item.get("message")
    if not isinstance(text, str):
        rows.skip(number, f"record {number} has no 'message' text")
        return False
    offset = _num(item.get("time_in_seconds"))
    stamp = _num(item.get("timestamp"))
    time = NAT
    if stamp is not None and abs(stamp) < 9e15:  # microseconds since the epoch
        time = int(stamp) * 1000
    if offset is None and time == NAT:
        rows.skip(number, f"record {number} has no time")
        return False
    author = _dict(item.get("author"))
    user = _str(author.get("display_name")) or _str(author.get("name"))
    mtype = _str(item.get("message_type"))
    hint = None
    if mtype not in CHAT_DOWNLOADER_CHAT_TYPES:
        hint = "system"
    elif item.get("is_action") is True or mtype in ("action", "me_message"):
        hint = "action"
    emotes = [
        n for n in (_dict(e).get("name") for e in _list(item.get("emotes"))) if isinstance(n, str)
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
