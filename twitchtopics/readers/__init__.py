"""Every chat log format -> one ``ChatLog`` (the messages table + ``LogInfo``).

Public API: ``read_log``, ``detect_format``, ``FORMATS`` (name -> ``Reader`` with a one-line
``description``), ``register`` (add a format with one decorated function), ``LogInfo``,
``ChatLog``. Errors are always ``twitchtopics.errors.ReadError`` with a one-line message.

Formats live in one module per family: ``irc`` (raw IRC/IRCv3), ``jsonlogs`` (Twitch's own
comment JSON: TwitchDownloader/API v5, GQL), ``chat_downloader`` (xenova/chat-downloader JSON
or JSON Lines), ``tables`` (CSV, TSV, JSON tables, JSON Lines, Parquet), ``text``
(TwitchDownloader text, tcd: offsets since the VOD start), ``client_logs`` (Chatty,
Chatterino: times of day). Opening, decompression and decoding are in ``_io``; defensive JSON
helpers in ``_json``, rules shared by line logs in ``_lines``; the time rules applied to every
format are in ``_build``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from twitchtopics.errors import ReadError
from twitchtopics.memory import collector_paused

# isort: off
# Importing the format modules registers the formats, in this order: the order of `FORMATS`,
# of `twitchtopics formats`, and the tie-break when two formats sniff a file equally well.
from twitchtopics.readers import irc, jsonlogs, chat_downloader, tables, text, client_logs  # noqa: F401

# isort: on
from twitchtopics.readers._base import FORMATS, ChatLog, LogInfo, Reader, Rows, register
from twitchtopics.readers._build import build
from twitchtopics.readers._io import Source, check_log_path, open_source, read_bounded

__all__ = [
    "FORMATS",
    "ChatLog",
    "LogInfo",
    "Reader",
    "Rows",
    "check_format",
    "check_log_path",
    "detect_format",
    "log_bytes",
    "read_log",
    "register",
]

MIN_SCORE = 0.15


def _detect(source: Source) -> str:
    """The best-scoring format for an opened file; ``ReadError`` when none fits."""
    best_name, best_score = "", 0.0
    for name, reader in FORMATS.items():
        try:
            score = float(reader.sniff(source))
        except ReadError:
            score = 0.0
        if score > best_score:
            best_name, best_score = name, score
    if best_score >= MIN_SCORE:
        return best_name
    head = source.text.lstrip()[:1]
    if head in ("{", "[") and source.json_error:
        raise ReadError(f"{source.path}: invalid or truncated JSON ({source.json_error[:100]})")
    raise ReadError(
        f"{source.path}: unknown log format; pass one of: {', '.join(FORMATS)} "
        "(twitchtopics formats lists them)"
    )


@contextlib.contextmanager
def _last_resort(path: str | Path, doing: str) -> Iterator[None]:
    """Readers and sniffers must only raise ``ReadError``: anything else they raise (but
    ``MemoryError``) becomes one, a one-line "internal error while <doing>" for the CLI."""
    try:
        yield
    except (ReadError, MemoryError):
        raise
    except Exception as exc:
        raise ReadError(f"{path}: internal error while {doing}: {exc!r}") from exc


def detect_format(path: str | Path) -> str:
    """The registry name of the format of the log at ``path`` (``ReadError`` if unknown)."""
    with _last_resort(path, "detecting the format"):
        return _detect(open_source(path))


def check_format(format: str | None) -> None:
    """A one-line ``ReadError`` when ``format`` is given and not a registered format name."""
    if format is not None and format not in FORMATS:
        raise ReadError(f"unknown format {format!r}; known formats: {', '.join(FORMATS)}")


def log_bytes(path: str | Path) -> bytes:
    """The bytes of the log at ``path`` as ``read_log`` reads them (bounded, a FIFO read until
    its writer closes it): for a caller that hashes a log before reading it (the read cache),
    then hands them to ``read_log(..., raw=...)`` so that the file is read once."""
    with _last_resort(path, "reading"):
        return read_bounded(Path(path))


def read_log(
    path: str | Path,
    format: str | None = None,
    *,
    columns: dict[str, str] | None = None,
    start: Any = None,
    tz: str | None = None,
    bots: Iterable[str] = (),
    raw: bytes | None = None,
) -> ChatLog:
    """Read a chat log of any known format into a ``ChatLog``.

    ``format`` forces a registry name instead of auto-detection; ``columns`` names the
    time/user/text columns of a table; ``start`` overrides the stream start (a string like
    ``"2021-11-04 19:15"`` or a Timestamp); ``tz`` names the log's zone (naive logs) or the
    display zone (zoned logs); ``bots`` adds bot names for the ``bot`` kind; ``raw`` is the
    file's bytes when the caller has read them already (``log_bytes``).
    """
    check_format(format)
    with _last_resort(path, "reading"), collector_paused():
        return _read(path, format, columns=columns, start=start, tz=tz, bots=bots, raw=raw)


def _read(
    path: str | Path,
    format: str | None,
    *,
    columns: dict[str, str] | None,
    start: Any,
    tz: str | None,
    bots: Iterable[str],
    raw: bytes | None = None,
) -> ChatLog:
    """Open, detect, read and build: `read_log` without its guard."""
    source = open_source(path, raw=raw)
    name = format or _detect(source)
    rows = FORMATS[name].read(source, columns=columns)
    return build(
        rows,
        path=str(path),
        fmt=name,
        start=start,
        tz=tz,
        bots=bots,
        decode_errors=source.decode_errors,
    )
