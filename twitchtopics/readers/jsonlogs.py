"""Twitch's own comment JSON: TwitchDownloader / Twitch API v5 and Twitch GQL comments.

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
Both shapes are one comment reader (``_comment``, snake_case or camelCase keys). A comment
without a usable text is counted as skipped (its 1-based record number). chat-downloader's
JSON is in ``chat_downloader.py``; defensive JSON value helpers in ``_json.py``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from twitchtopics.readers._base import NAT, Rows, register, twitch_video_id
from twitchtopics.readers._io import Source
from twitchtopics.readers._json import as_dict, as_list, as_number, text_of, zoned_time


def _slice_emotes(text: str, ranges: list[Any], begin_key: str, end_key: str) -> list[str]:
    """Emote names from inclusive ``begin``/``end`` character ranges into ``text``."""
    names: list[str] = []
    for r in ranges:
        r = as_dict(r)
        b, e = as_number(r.get(begin_key)), as_number(r.get(end_key))
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
    if "content_offset_seconds" in first or "display_name" in as_dict(first.get("commenter")):
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
    video = as_dict(doc.get("video"))
    start = zoned_time(video.get("created_at"))
    if start == NAT:
        start = zoned_time(video.get("start"))
    if start != NAT:
        rows.start = pd.Timestamp(start, unit="ns", tz="UTC")
    rows.video_id = twitch_video_id(video.get("id")) or twitch_video_id(video.get("url"))
    title = video.get("title")
    rows.title = title if isinstance(title, str) and title else None
    streamer = as_dict(doc.get("streamer"))
    for candidate in (
        video.get("user_name"),
        video.get("user_login"),
        streamer.get("name"),
        streamer.get("login"),
    ):
        if isinstance(candidate, str) and candidate:
            rows.channel = candidate
            break
    for chapter in as_list(video.get("chapters")):
        chapter = as_dict(chapter)
        ms = as_number(chapter.get("startMilliseconds"))
        name = chapter.get("description") or chapter.get("gameDisplayName") or ""
        if ms is not None and isinstance(name, str):
            rows.chapters.append((ms / 1000.0, name))
    for key in ("embeddedData", "emotes"):
        embedded = as_dict(doc.get(key))
        for party in ("firstParty", "thirdParty"):
            for emote in as_list(embedded.get(party)):
                name = as_dict(emote).get("name")
                if isinstance(name, str) and name:
                    rows.emote_set.add(name)


def _comment(rows: Rows, number: int, comment: Any, *, snake: bool) -> None:
    """Add one TwitchDownloader (snake_case) or GQL (camelCase) comment."""
    comment = as_dict(comment)
    if isinstance(comment.get("node"), dict):
        comment = comment["node"]
    if not comment:
        rows.skip(number, f"comment #{number} is not an object")
        return
    message = as_dict(comment.get("message"))
    fragments = as_list(message.get("fragments"))
    body = message.get("body")
    if not isinstance(body, str):
        parts = [text_of(as_dict(f).get("text")) for f in fragments]
        if not parts:
            rows.skip(number, f"comment #{number} has no message body")
            return
        body = "".join(parts)
    commenter = as_dict(comment.get("commenter"))
    if snake:
        user = text_of(commenter.get("display_name")) or text_of(commenter.get("name"))
        offset = as_number(comment.get("content_offset_seconds"))
        time = zoned_time(comment.get("created_at"))
        notice = as_dict(message.get("user_notice_params")).get("msg-id")
        is_action = message.get("is_action") is True
    else:
        user = text_of(commenter.get("displayName")) or text_of(commenter.get("login"))
        offset = as_number(comment.get("contentOffsetSeconds"))
        time = zoned_time(comment.get("createdAt"))
        notice = as_dict(message.get("userNoticeParams")).get("msg-id")
        is_action = message.get("isAction") is True
    if offset is None and time == NAT:
        rows.skip(number, f"comment #{number} has no time")
        return
    emotes = _fragment_emotes(fragments)
    if not emotes:
        emotes = _slice_emotes(body, as_list(message.get("emoticons")), "begin", "end")
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
        fragment = as_dict(fragment)
        if fragment.get("emoticon") or fragment.get("emote"):
            name = text_of(fragment.get("text")).strip()
            if name:
                names.append(name)
    return names


# ---------------------------------------------------------------------------------------- GQL


def _gql_comments(doc: Any) -> list[Any] | None:
    """The comment list of a twitch-archiver / GQL document, or None."""
    if isinstance(doc, dict):
        if isinstance(doc.get("comments"), list):
            return doc["comments"]
        edges = as_dict(as_dict(as_dict(doc.get("data")).get("video")).get("comments")).get("edges")
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
    first = as_dict(comments[0])
    first = as_dict(first.get("node")) or first
    if "contentOffsetSeconds" in first or "displayName" in as_dict(first.get("commenter")):
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
        rows.video_id = twitch_video_id(as_dict(as_dict(doc.get("data")).get("video")).get("id"))
    for number, comment in enumerate(comments, 1):
        _comment(rows, number, comment, snake=False)
    return rows
