"""Opening a log file: compression, binary check, decoding.

Rules (shared by every reader, so that no reader ever sees raw bytes it cannot handle):

- Compression is detected by magic bytes, not by extension: gzip (``1f 8b``), bz2 (``BZh``)
  and xz (``fd 37 7a 58 5a 00``). A truncated or corrupt archive is a ``ReadError``.
- Parquet (``PAR1`` magic) is kept as bytes for the parquet reader.
- A UTF-8 BOM is dropped; UTF-16 with a BOM is decoded as UTF-16.
- Text is decoded as UTF-8. Undecodable bytes are replaced by U+FFFD and counted
  (``decode_errors``, one per byte), never fatal.
- A file whose start holds NUL bytes or many control characters is "binary": a ``ReadError``
  (a chat log is text; this catches images, archives we do not know, executables).
- Lines are split on ``\\n`` only (then a trailing ``\\r`` is dropped), not with
  ``str.splitlines``: that would also split on U+2028, U+0085, form feeds... which can appear
  inside chat messages.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ReadError

GZIP_MAGIC = b"\x1f\x8b"
BZ2_MAGIC = b"BZh"
XZ_MAGIC = b"\xfd7zXZ\x00"
PARQUET_MAGIC = b"PAR1"
COMPRESSED_SUFFIXES = (".gz", ".gzip", ".bz2", ".xz", ".lzma")

_SURROGATES = re.compile("[\udc80-\udcff]")
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_NOT_PARSED = object()


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
        """The text's lines (``\\n``-separated, trailing ``\\r`` removed)."""
        if self._lines is None:
            lines = self.text.split("\n")
            self._lines = [ln[:-1] if ln.endswith("\r") else ln for ln in lines]
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
            line = text[start:end].rstrip("\r")
            if line.strip():
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


def open_source(path: str | Path) -> Source:
    """Read, decompress and decode ``path``; raise ``ReadError`` for what is not a text log."""
    p = Path(path)
    if not p.exists():
        raise ReadError(f"{p}: no such file")
    if p.is_dir():
        raise ReadError(f"{p}: is a directory, not a chat log file")
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ReadError(f"{p}: cannot read ({exc.strerror or exc})") from None
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


def _decompress(path: Path, raw: bytes) -> tuple[bytes, str | None]:
    """Undo gzip/bz2/xz compression found by magic bytes."""
    if raw.startswith(GZIP_MAGIC):
        kind, opener = "gzip", gzip.decompress
    elif raw.startswith(BZ2_MAGIC):
        kind, opener = "bz2", bz2.decompress
    elif raw.startswith(XZ_MAGIC):
        kind, opener = "xz", lzma.decompress
    else:
        return raw, None
    try:
        return opener(raw), kind
    except EOFError:
        raise ReadError(f"{path}: truncated {kind} file") from None
    except (OSError, ValueError, lzma.LZMAError, zlib.error) as exc:
        raise ReadError(f"{path}: corrupt {kind} file ({exc})") from None


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
