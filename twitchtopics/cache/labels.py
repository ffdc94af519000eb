"""Remember what a local labeling model answered, so that a rerun does not generate again.

Generation with `--labeler PATH` is greedy, so a model's answer is a function of the model's
files and the prompt: `label_key` hashes both (the model's `fingerprint` covers its files'
names, sizes and contents). An entry is one small JSON file under `<cache>/labels/` holding
the fingerprint, the prompt and the raw answer, written atomically; on reading, an entry
whose fingerprint or prompt differs from the request (a hash collision, a hand edit), or
that is not valid JSON, is ignored and generated again, so a rerun gives the same labels
whatever the cache holds. The raw answer is stored, not the label made from it: a change of
the sanitising rules applies to cached answers too.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

LABELS_FOLDER = "labels"
ENTRY_VERSION = 1


def label_key(fingerprint: str, prompt: str) -> str:
    """A hex digest of the model fingerprint and the prompt."""
    digest = hashlib.sha256(f"v{ENTRY_VERSION}\0{fingerprint}\0".encode())
    digest.update(prompt.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def entry_path(cache_dir: str | os.PathLike[str], key: str) -> Path:
    return Path(cache_dir) / LABELS_FOLDER / f"{key}.json"


def load_answer(cache_dir: str | os.PathLike[str], fingerprint: str, prompt: str) -> str | None:
    """The cached answer to `prompt` by the model `fingerprint`, or None (missing, damaged or
    not this request's: see the module doc)."""
    from twitchtopics.safe_output import load_entry

    path = entry_path(cache_dir, label_key(fingerprint, prompt))
    entry = load_entry(path, lambda p: json.loads(Path(p).read_text(encoding="utf-8")))
    if (
        isinstance(entry, dict)
        and entry.get("version") == ENTRY_VERSION
        and entry.get("fingerprint") == fingerprint
        and entry.get("prompt") == prompt
        and isinstance(entry.get("answer"), str)
    ):
        return entry["answer"]
    return None


def save_answer(
    cache_dir: str | os.PathLike[str], fingerprint: str, prompt: str, answer: str
) -> None:
    """Store an answer atomically; a cache that cannot be written only costs time."""
    from twitchtopics.safe_output import atomic_write_bytes

    entry = {"version": ENTRY_VERSION, "fingerprint": fingerprint, "prompt": prompt}
    entry["answer"] = answer
    data = json.dumps(entry, ensure_ascii=True).encode("ascii")
    try:
        atomic_write_bytes(entry_path(cache_dir, label_key(fingerprint, prompt)), data)
    except OSError:
        pass  # a read-only cache only costs time
