"""Writing what chat controls, safely: CSV cells, terminal text, files on disk.

Chat text is untrusted. Every CSV the tool writes goes through ``csv_text``/``write_csv``
(formula-leading cells neutralised as OWASP recommends), everything printed goes through
``sanitize_terminal`` (no control characters or escape sequences reach a terminal), every
text in an HTML page through ``html_text`` and every JSON block in one through
``script_json`` (no chat text becomes markup or script), and
every file the tool keeps is written with ``atomic_write_bytes`` (temporary file, fsync,
rename, fsync of the folder), so a crash or power loss leaves the old file or the new one,
never an empty one.
"""

from __future__ import annotations

import contextlib
import csv
import html
import io
import json
import math
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

# OWASP "CSV Injection": a cell starting with one of these is read as a formula by
# spreadsheets; prefixing a single quote makes it text.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")

# ANSI/VT escape sequences (CSI ... final byte, OSC ... BEL/ST, two-byte ESC x), then any
# remaining C0/C1 control character except newline and tab, and the bidirectional overrides
# that can make a terminal line read differently from its bytes.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC (title changes, hyperlinks)
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[@-Z\\-_]?"  # other two-byte escapes, or a lone ESC
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def sanitize_terminal(text: str) -> str:
    """``text`` without escape sequences and control characters (newlines and tabs kept):
    a chat message holding BEL, backspace or ``ESC[2J`` prints as plain text."""
    if text.isprintable():
        return text
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def safe_line(text: object) -> str:
    """One line of untrusted text for a terminal: escape sequences and control characters
    removed (``sanitize_terminal``), newlines and runs of spaces made one space."""
    return " ".join(sanitize_terminal(str(text if text is not None else "")).split())


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: wide characters (emoji, CJK) two, combining marks,
    variation selectors and zero-width joiners none."""
    import unicodedata

    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def csv_cell(value: Any) -> Any:
    """A cell made safe for spreadsheets: text starting with ``= + - @``, tab or CR gets a
    leading ``'`` (numbers such as ``-1.5`` stay numbers)."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS) and not _NUMBER.match(value):
        return "'" + value
    return value


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """The CSV text (header + rows, ``\\n`` line ends, no final newline) of flat rows, every
    cell passed through ``csv_cell``; keys not in ``columns`` are ignored."""
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({k: csv_cell(v) for k, v in row.items()})
    return buffer.getvalue().rstrip("\n")


def write_csv(
    path: str | os.PathLike[str], rows: Iterable[Mapping[str, Any]], columns: Sequence[str]
) -> Path:
    """Write rows as a CSV file (UTF-8, escaped as ``csv_text``), atomically."""
    text = csv_text(rows, columns) + "\n"
    return atomic_write_bytes(path, text.encode("utf-8"))


def fsync_dir(folder: str | os.PathLike[str]) -> None:
    """Make a rename in ``folder`` durable (no-op where folders cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary sibling, fsynced before the rename:
    readers see the old file or the whole new one, even after a power loss."""
    return atomic_save(path, lambda handle: handle.write(data))


def atomic_save(path: str | os.PathLike[str], write: Any) -> Path:
    """``write(handle)`` into a temporary sibling of ``path``, fsync, rename: for numpy
    ``np.save``/``np.savez`` cache entries that a crash must never leave half written."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(target.parent)
    return target


def load_entry(path: str | os.PathLike[str], load: Any) -> Any:
    """``load(path)`` for a cache entry, or None when it is missing or damaged; a damaged one
    (0 bytes after a crash, truncated, wrong format) is deleted so the next run heals it.
    A cache entry can only cost time, never abort a run."""
    try:
        return load(path)
    except FileNotFoundError:
        return None
    except Exception:  # any damage: EOFError, ValueError, BadZipFile, KeyError...
        with contextlib.suppress(OSError):
            os.unlink(path)
        return None


def load_array_entry(path: str | os.PathLike[str]) -> Any:
    """A cache entry saved by `save_array_entry`, read without pickle; None when it is missing
    or damaged (then deleted, `load_entry`)."""
    import numpy as np

    return load_entry(path, lambda p: np.load(p, allow_pickle=False))


def save_array_entry(path: str | os.PathLike[str], array: Any) -> None:
    """One array as a `.npy` cache entry, atomically; a cache that cannot be written only
    costs speed, so an OS error is ignored."""
    import numpy as np

    with contextlib.suppress(OSError):  # fsynced before the rename: never a 0-byte entry
        atomic_save(path, lambda handle: np.save(handle, array, allow_pickle=False))


def json_safe(value: Any) -> Any:
    """``value`` with only what JSON holds: the one rule for every JSON the tool writes.

    NaN and infinities become null (numpy's too: scalars are converted before the check);
    numpy scalars and arrays become Python numbers and lists, timestamps and dates their ISO
    form (NaT: null), sets sorted lists, paths strings, keys strings where JSON needs them.
    """
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value  # most values, by exact type first: 1.8 -> 1.0 s for the 1M log's topics.json
    if kind is float:
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {(k if type(k) is str else _json_key(k)): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(json_safe(v) for v in value)
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "isoformat") and not isinstance(value, (str, int, float)):
        return None if _is_missing_time(value) else value.isoformat()
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return json_safe(value.tolist())  # numpy scalars and arrays
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def json_text(value: Any) -> str:
    """``json_safe(value)`` as JSON indented by two spaces, characters as they are (not
    ``\\u`` escapes): the text of every bundle's JSON files and of ``--json``.

    It is ``json.dumps(..., ensure_ascii=False, indent=2)``'s text, written by orjson: the
    standard library indents in pure Python (1.45 s for the 1M log's topics.json, 0.12 s
    here, the same 31 MB byte for byte; 3 s of a 31 s warm rerun went to each of the two).
    One difference: a float under 1e-4 may be spelled otherwise (``1e-05`` is ``0.00001``),
    the same number. What orjson refuses (a lone surrogate from a JSON log's escapes, an int
    past 64 bits) goes through the standard library, as before."""
    import orjson  # here, not at the top: 30 ms of imports `--help` does not need

    safe = json_safe(value)
    try:
        return orjson.dumps(safe, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode()
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(safe, ensure_ascii=False, indent=2)


def _json_key(key: Any) -> Any:
    if key is None or isinstance(key, (str, int, float, bool)):
        return key  # json.dumps writes these keys itself
    return str(key.item() if hasattr(key, "item") else key)


def _is_missing_time(value: Any) -> bool:
    try:
        return bool(value != value)  # NaT is the one timestamp unequal to itself
    except (TypeError, ValueError):
        return False


def html_text(value: Any) -> str:
    """Any value as HTML text: ``&``, ``<``, ``>`` and both quotes escaped, so it is safe both
    in markup and inside a quoted attribute value."""
    return html.escape(str(value), quote=True)


def script_json(data: Any) -> str:
    """JSON safe to embed inside `<script type="application/json">`."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, esc in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(raw, esc)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
