"""Raw IRC and IRCv3 (Twitch's chat protocol) as logged by bots and scripts.

Rules
-----
- A line is ``[timestamp prefix] [@tags] [:prefix] COMMAND params [:trailing]``. The optional
  timestamp prefix is an ISO-like date and time, optionally in brackets and optionally
  followed by `` ;;;`` (e.g. ``2019-04-30_08:56:59 ;;; :user!user@user.tmi.twitch.tv PRIVMSG
  #chan :message``). Lines without a prefix (the rest of a blank-line separated block) take
  the last prefix seen.
- ``PRIVMSG`` is a message (``\\x01ACTION ...\\x01`` is an ``action``); its user is the
  ``display-name`` tag, else the nick of the prefix. ``USERNOTICE`` (subs, gifts, raids:
  text = the ``system-msg`` tag, then the user's message if any) and ``CLEARCHAT`` (bans,
  timeouts, clears) are rows of kind ``system``.
- Other IRC commands (numerics, JOIN, PART, PING, CAP, NOTICE, ROOMSTATE, USERSTATE,
  CLEARMSG, HOSTTARGET...) are protocol: not messages, and not counted as skipped.
- A line that is not IRC at all (a logger's own notes such as ``START OF RECORDED CHAT``,
  debug output appended to the file) is counted as skipped.
- Time: when at least half the messages carry a valid IRCv3 ``tmi-sent-ts`` (ms since the
  epoch, 1970-2200), that is the time (UTC) and a message without one takes the previous
  message's (noted in ``info.notes``); otherwise the timestamp prefix is used (naive unless it
  has a zone).
- ``emotes`` tag ranges (``25:0-4,12-16/1902:6-10``, inclusive, in characters) give the
  message's emote names by slicing its text.
"""

from __future__ import annotations

import re

from twitchtopics.readers._base import NAT, Rows, parse_iso, register
from twitchtopics.readers._io import Source
from twitchtopics.timefmt import time_in_range

TS_PREFIX = re.compile(
    r"\[?(?P<ts>\d{4}-\d\d-\d\d[ T_]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z| ?UTC|[+-]\d\d:?\d\d)?)\]?"
    r"(?: ;;;)? ?"
)
COMMAND = re.compile(r"[A-Z]+|\d{3}")
KNOWN_COMMANDS = frozenset(
    "PING PONG CAP PASS NICK USER JOIN PART QUIT MODE PRIVMSG NOTICE USERNOTICE CLEARCHAT "
    "CLEARMSG ROOMSTATE USERSTATE GLOBALUSERSTATE HOSTTARGET RECONNECT WHISPER ERROR".split()
)
SNIFF_LINE = re.compile(
    r"(?:\[?\d{4}-\d\d-\d\d[ T_][\d:.]+\S*\]?(?: ;;;)? )?(?:@\S+ )?:\S+ (?:[A-Z]+|\d{3})\b"
)
_TAG_ESCAPES = {"s": " ", ":": ";", "\\": "\\", "r": "\r", "n": "\n"}
_ESCAPE = re.compile(r"\\(.)?")

IrcLine = tuple[dict[str, str], str, str, list[str], str | None]


def unescape_tag(value: str) -> str:
    """IRCv3 tag value unescaping (``\\s`` is a space, ``\\:`` a semicolon...)."""
    if "\\" not in value:
        return value
    return _ESCAPE.sub(lambda m: _TAG_ESCAPES.get(m.group(1) or "", m.group(1) or ""), value)


def parse_tags(raw: str) -> dict[str, str]:
    """``a=1;b=x\\sy`` -> ``{"a": "1", "b": "x y"}``."""
    tags: dict[str, str] = {}
    for item in raw.split(";"):
        key, _, value = item.partition("=")
        if key:
            tags[key] = unescape_tag(value)
    return tags


def parse_irc(line: str) -> IrcLine | None:
    """Split an IRC line into (tags, prefix, command, params, trailing); None if not IRC."""
    s = line
    tags: dict[str, str] = {}
    if s.startswith("@"):
        space = s.find(" ")
        if space < 0:
            return None
        tags = parse_tags(s[1:space])
        s = s[space + 1 :].lstrip(" ")
    prefix = ""
    if s.startswith(":"):
        space = s.find(" ")
        if space < 0:
            return None
        prefix = s[1:space]
        s = s[space + 1 :].lstrip(" ")
    space = s.find(" ")
    command = s if space < 0 else s[:space]
    rest = "" if space < 0 else s[space + 1 :]
    if not COMMAND.fullmatch(command) or (not prefix and command not in KNOWN_COMMANDS):
        return None
    trailing: str | None = None
    if rest.startswith(":"):
        middle, trailing = "", rest[1:]
    else:
        idx = rest.find(" :")
        if idx >= 0:
            middle, trailing = rest[:idx], rest[idx + 2 :]
        else:
            middle = rest
    return tags, prefix, command, middle.split(), trailing


def emotes_from_tag(value: str, text: str) -> list[str]:
    """Emote names from an IRCv3 ``emotes`` tag (inclusive character ranges), in text order."""
    found: list[tuple[int, str]] = []
    for group in value.split("/"):
        _, _, ranges = group.partition(":")
        for r in ranges.split(","):
            b, _, e = r.partition("-")
            if not (b.isdigit() and e.isdigit()):
                continue
            begin, end = int(b), int(e)
            if begin <= end < len(text):
                found.append((begin, text[begin : end + 1]))
    return [name for _, name in sorted(found)]


def _sniff_irc(source: Source) -> float:
    lines = source.head_lines(60)
    if not lines:
        return 0.0
    hits = sum(1 for ln in lines if SNIFF_LINE.match(ln))
    share = hits / len(lines)
    return 0.9 * share if share >= 0.3 else 0.0


@register(
    "irc",
    sniff=_sniff_irc,
    description="raw IRC / IRCv3 lines (PRIVMSG, USERNOTICE, CLEARCHAT), optional timestamp prefix",
)
def read_irc(source: Source, *, columns: dict[str, str] | None = None) -> Rows:
    """Read raw IRC lines; see the module docstring for which commands become rows."""
    rows = Rows()
    prefix_times: list[int] = []
    tmi_times: list[int] = []
    prefix_ns, prefix_aware = NAT, False
    aware_seen = naive_seen = False
    cache: dict[str, tuple[int, bool] | None] = {}
    for number, line in enumerate(source.lines, 1):
        if not line.strip():
            continue
        body = line
        m = TS_PREFIX.match(line)
        if m:
            ts = m["ts"]
            if ts not in cache:
                cache[ts] = parse_iso(ts)
            parsed = cache[ts]
            if parsed is not None:
                prefix_ns, prefix_aware = parsed
                aware_seen = aware_seen or prefix_aware
                naive_seen = naive_seen or not prefix_aware
            body = line[m.end() :]
        irc = parse_irc(body.lstrip(" "))
        if irc is None:
            rows.skip(number, "not an IRC line")
            continue
        tags, prefix, command, params, trailing = irc
        if not _add_irc(rows, tags, prefix, command, params, trailing):
            rows.system_lines += 1
            continue
        tmi_times.append(_tmi_ns(tags.get("tmi-sent-ts", "")))
        prefix_times.append(prefix_ns)
    if _use_tmi(tmi_times, prefix_times):
        rows.times = _fill_tmi(tmi_times, rows)
        rows.time_aware, rows.tz = True, "UTC"
    else:
        rows.times = prefix_times
        if aware_seen and not naive_seen:
            rows.time_aware, rows.tz = True, "UTC"
    return rows


def _tmi_ns(value: str) -> int:
    """An IRCv3 ``tmi-sent-ts`` (ms since the epoch) as ns; NAT when absent or out of range."""
    if not value.isdigit() or len(value) >= 16:
        return NAT
    ns = int(value) * 1_000_000
    return ns if time_in_range(ns) else NAT


def _use_tmi(tmi_times: list[int], prefix_times: list[int]) -> bool:
    """Use ``tmi-sent-ts`` when at least half the messages carry a valid one, or when no
    line has a timestamp prefix to fall back on."""
    valid = sum(1 for t in tmi_times if t != NAT)
    if not valid:
        return False
    return 2 * valid >= len(tmi_times) or all(t == NAT for t in prefix_times)


def _fill_tmi(tmi_times: list[int], rows: Rows) -> list[int]:
    """Messages without a valid ``tmi-sent-ts`` take their neighbour's (the previous one, or
    the next for leading ones), so one bad tag never drops the time of the whole log; the
    count is noted for ``inspect``."""
    missing = sum(1 for t in tmi_times if t == NAT)
    if not missing:
        return tmi_times
    filled = list(tmi_times)
    last = next(t for t in filled if t != NAT)
    for i, t in enumerate(filled):
        if t == NAT:
            filled[i] = last
        else:
            last = t
    rows.notes.append(
        f"{missing} message(s) without a valid tmi-sent-ts took the time of the message before them"
    )
    return filled


def _add_irc(
    rows: Rows,
    tags: dict[str, str],
    prefix: str,
    command: str,
    params: list[str],
    trailing: str | None,
) -> bool:
    """Add the row for a PRIVMSG/USERNOTICE/CLEARCHAT; False for protocol lines."""
    nick = prefix.split("!", 1)[0] if "!" in prefix else ""
    user = tags.get("display-name") or tags.get("login") or nick
    if params and params[0].startswith("#") and rows.channel is None:
        rows.channel = params[0][1:]
    if command == "PRIVMSG":
        if not params or trailing is None:
            return False
        text, hint = trailing, None
        if text.startswith("\x01ACTION") and len(text) >= 8:
            text, hint = text[7:].strip("\x01").strip(" "), "action"
        emotes = emotes_from_tag(tags["emotes"], text) if tags.get("emotes") else []
        rows.emote_set.update(emotes)
        rows.add(user, text, hint=hint, emotes=emotes)
        return True
    if command == "USERNOTICE":
        system = tags.get("system-msg", "").strip()
        text = " ".join(part for part in (system, (trailing or "").strip()) if part)
        rows.add(user, text or tags.get("msg-id", "notice"), hint="system")
        return True
    if command == "CLEARCHAT":
        target = (trailing or "").strip()
        duration = tags.get("ban-duration", "")
        if not target:
            text = "chat was cleared by a moderator"
        elif duration:
            text = f"{target} has been timed out for {duration}s"
        else:
            text = f"{target} has been banned"
        rows.add("", text, hint="system")
        return True
    return False
