"""Opening a log file: compression, binary check, decoding.

Rules (shared by every reader, so that no reader ever sees raw bytes it cannot handle):

- Compression is detected by magic bytes, not by extension: gzip (``1f 8b``), bz2 (``BZh``)
  and xz (``fd 37 7a 58 5a 00``). A truncated or corrupt archive is a ``ReadError``; so is
  one that expands beyond ``decompression_limit`` (checked while decompressing).
- Reads are bounded (``MAX_LOG_BYTES``): devices are refused, FIFOs read until closed with a
  timeout between pieces, symlink loops and broken links named as such.
- Parquet (``PAR1`` magic) is kept as bytes for the parquet reader.
- A UTF-8 BOM is dropped; UTF-16 with a BOM is decoded as UTF-16.
- Text is decoded as UTF-8. Undecodable bytes are replaced by U+FFFD and counted
  (``decode_errors``, one per byte), never fatal.
- A file whose start holds NUL bytes or many control characters is "binary": a ``ReadError``
  (a chat log is text; this catches images, archives we do not know, executables).
- Lines are split on ``\\n``, ``\\r\\n`` and a lone ``\\r``, not with ``str.splitlines``:
  that would also split on U+2028, U+0085, form feeds... which can appear inside chat
  messages.
"""

from __future__ import annotations

import bz2
import errno
import gzip
import io
import json
import lzma
import os
import re
import select
import stat
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twitchtopics.errors import ReadError

GZIP_MAGIC = b"\x1f\x8b"
BZ2_MAGIC = b"BZh"
XZ_MAGIC = b"\xfd7zXZ\x00"
PARQUET_MAGIC = b"PAR1"
COMPRESSED_SUFFIXES = (".gz", ".gzip", ".bz2", ".xz", ".lzma")
# Bounds on what a log may hold, so that /dev/zero or a gzip bomb cannot exhaust memory.
# A million-message TwitchDownloader JSON is about 400 MB; 2 GiB leaves room for five.
MAX_LOG_BYTES = 2 << 30
# Chat compresses 5-12x with gzip and up to ~25x with xz (the real logs in ../shared: the GQL
# log 10x); 200x is a bomb (1 GiB of zeros gzips 1000x). Small files may expand to 64 MiB.
MAX_RATIO = 200
MIN_EXPANDED = 64 << 20
FIFO_WAIT_S = 30.0

_SURROGATES = re.compile("[\udc80-\udcff]")
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_NOT_PARSED = object()
_LINE_ENDS = re.compile(r"\r\n|\r|\n")


@dataclass
class Source:
    """A log file opened once: its bytes, decoded text and lazily parsed JSON.

    Sniffers and readers share one ``Source`` so that detection and reading do not decode or
    parse the same file twice.
    """

    path: Path
    data: bytes
    text: str = ""
    decode_errors: int = 0
    compression: str | None = None
    is_parquet: bool = False
    _json: Any = field(default=_NOT_PARSED, repr=False)
    _json_error: str | None = field(default=None, repr=False)
    _lines: list[str] | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """File name without compression suffixes, lower-cased (for name-based hints)."""
        name = self.path.name.lower()
        for suffix in COMPRESSED_SUFFIXES:
            if name.endswith(suffix):
                name = name[: -len(suffix)]
        return name

    @property
    def lines(self) -> list[str]:
        """The text's lines: split on ``\\n``, ``\\r\\n`` or a lone ``\\r`` (old Mac line ends;
        IRC cannot carry a CR inside a message, so a lone CR always ends a line)."""
        if self._lines is None:
            self._lines = split_lines(self.text)
        return self._lines

    def head_lines(self, n: int = 60) -> list[str]:
        """The first ``n`` non-blank lines, for sniffing."""
        out: list[str] = []
        start = 0
        text = self.text
        while len(out) < n and start < len(text):
            end = text.find("\n", start)
            if end < 0:
                end = len(text)
            for line in split_lines(text[start:end]):
                if line.strip() and len(out) < n:
                    out.append(line)
            start = end + 1
        return out

    def json(self) -> Any:
        """The whole text parsed as one JSON document, or ``None`` when it is not valid JSON."""
        if self._json is _NOT_PARSED:
            stripped = self.text.lstrip()
            if stripped[:1] not in ("{", "["):
                self._json = None
            else:
                try:
                    self._json = json.loads(self.text)
                except (ValueError, RecursionError) as exc:
                    self._json = None
                    self._json_error = str(exc)
        return self._json

    @property
    def json_error(self) -> str | None:
        """Why ``json()`` failed (``None`` if it did not, or was not tried)."""
        self.json()
        return self._json_error


def split_lines(text: str) -> list[str]:
    """Lines ended by ``\\n``, ``\\r\\n`` or a lone ``\\r`` (never U+2028, form feeds...)."""
    if "\r" not in text:
        return text.split("\n")
    return _LINE_ENDS.split(text)


def open_source(path: str | Path, raw: bytes | None = None) -> Source:
    """Read, decompress and decode ``path`` (or its bytes ``raw``, read already by
    ``read_bounded``); raise ``ReadError`` for what is not a text log."""
    p = Path(path)
    raw = read_bounded(p) if raw is None else raw
    if not raw:
        raise ReadError(f"{p}: empty file")
    data, compression = _decompress(p, raw)
    src = Source(path=p, data=data, compression=compression)
    if data.startswith(PARQUET_MAGIC):
        src.is_parquet = True
        return src
    if not data.strip():
        raise ReadError(f"{p}: empty file" + (f" (after {compression})" if compression else ""))
    src.text, src.decode_errors = decode(data, p)
    if not src.text.strip():
        raise ReadError(f"{p}: empty file")
    return src


def _stat(p: Path) -> os.stat_result:
    """``os.stat`` with a one-line ``ReadError`` that says why (missing, loop, denied)."""
    try:
        return os.stat(p)
    except FileNotFoundError:
        if os.path.islink(p):
            raise ReadError(f"{p}: broken symbolic link (its target does not exist)") from None
        raise ReadError(f"{p}: no such file") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ReadError(f"{p}: symbolic link loop") from None
        raise ReadError(f"{p}: cannot read ({exc.strerror or exc})") from None


def check_log_path(path: str | Path) -> None:
    """A ``ReadError`` now (before any work) when ``path`` cannot be a log: missing, a
    broken or looping link, a folder, a device, or unreadable."""
    p = Path(path)
    st = _stat(p)
    if stat.S_ISDIR(st.st_mode):
        raise ReadError(f"{p}: is a directory, not a chat log file")
    if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) or stat.S_ISSOCK(st.st_mode):
        raise ReadError(f"{p}: is a device or socket, not a chat log file")
    if not os.access(p, os.R_OK):
        raise ReadError(f"{p}: cannot read (Permission denied)")


def read_bounded(p: Path, limit: int = MAX_LOG_BYTES) -> bytes:
    """The bytes of a log file, never more than ``limit``; devices are refused and a FIFO
    (``<(zcat log)``, a named pipe) is read until its writer closes it, waiting at most
    ``FIFO_WAIT_S`` for each piece, so ``/dev/zero`` cannot exhaust memory and a FIFO without
    a writer cannot hang."""
    check_log_path(p)
    try:
        if stat.S_ISFIFO(os.stat(p).st_mode):
            return _read_fifo(p, limit)
        with open(p, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise ReadError(f"{p}: cannot read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise ReadError(f"{p}: larger than {limit >> 20} MiB, the most a log may hold")
    return data


def _read_fifo(p: Path, limit: int) -> bytes:
    """A FIFO's bytes: opened without blocking, each read waits ``FIFO_WAIT_S`` at most."""
    fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK)
    chunks: list[bytes] = []
    size = 0
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], FIFO_WAIT_S)
            if not ready:
                raise ReadError(f"{p}: no data from the pipe for {FIFO_WAIT_S:g} s")
            try:
                chunk = os.read(fd, 1 << 20)
            except BlockingIOError:
                continue
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > limit:
                raise ReadError(f"{p}: larger than {limit >> 20} MiB, the most a log may hold")
            chunks.append(chunk)
    finally:
        os.close(fd)


def _decompress(path: Path, raw: bytes) -> tuple[bytes, str | None]:
    """Undo gzip/bz2/xz compression found by magic bytes, within ``decompression_limit``."""
    if raw.startswith(GZIP_MAGIC):
        kind, opener = "gzip", lambda f: gzip.GzipFile(fileobj=f)
    elif raw.startswith(BZ2_MAGIC):
        kind, opener = "bz2", bz2.BZ2File
    elif raw.startswith(XZ_MAGIC):
        kind, opener = "xz", lzma.LZMAFile
    else:
        return raw, None
    limit = decompression_limit(len(raw))
    chunks: list[bytes] = []
    size = 0
    try:
        with opener(io.BytesIO(raw)) as stream:
            while chunk := stream.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    raise ReadError(
                        f"{path}: {kind} file expands beyond {limit >> 20} MiB "
                        f"({len(raw)} bytes compressed): refused as a decompression bomb"
                    )
                chunks.append(chunk)
    except EOFError:
        raise ReadError(f"{path}: truncated {kind} file") from None
    except (OSError, ValueError, lzma.LZMAError, zlib.error) as exc:
        raise ReadError(f"{path}: corrupt {kind} file ({exc})") from None
    return b"".join(chunks), kind


def decompression_limit(compressed_size: int) -> int:
    """The most a compressed log may expand to: ``MAX_RATIO`` times its size, at least
    ``MIN_EXPANDED`` (small real logs), at most ``MAX_LOG_BYTES``."""
    return min(MAX_LOG_BYTES, max(MIN_EXPANDED, MAX_RATIO * compressed_size))


def decode(data: bytes, path: Path) -> tuple[str, int]:
    """Decode bytes as text (UTF-8, or UTF-16 with a BOM); count replaced bytes."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
        return text.lstrip("\ufeff"), 0
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if is_binary(data):
        raise ReadError(f"{path}: binary file, not a text chat log")
    try:
        return data.decode("utf-8"), 0
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="surrogateescape")
    count = len(_SURROGATES.findall(text))
    return _SURROGATES.sub("\ufffd", text), count


def is_binary(data: bytes) -> bool:
    """True when the first 8 KiB look like binary data rather than text."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = len(_CONTROL.findall(head))
    return controls > max(8, len(head) // 20)
