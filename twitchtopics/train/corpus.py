"""Step 1 of `twitchtopics train`: the corpus.

Every input is read with `read_log` (any format `cluster` reads) and its chat and
action messages kept (the kinds `cluster` clusters); a `.txt` file that `read_log` rejects, or
whose lines it mostly could not parse, is one message per line (all lines kept). Messages are
normalised exactly as `cluster` does (`pipeline.normalized_texts`), empty ones dropped,
exact duplicates removed, and the rest shuffled with the seed (then cut to `max_messages`).
"""

from __future__ import annotations

import random
from pathlib import Path

from twitchtopics.errors import ModelError, ReadError
from twitchtopics.train.steps import fresh_step_dir, mark_done, say

MIN_DISTINCT_MESSAGES = 200
KEPT_KINDS = ("chat", "action")  # the kinds `cluster` clusters


def _plain_lines(path: Path) -> list[str]:
    with open(path, encoding="utf-8", errors="replace") as handle:
        return [line.rstrip("\r\n") for line in handle]


def read_corpus_file(path: Path) -> tuple[list[str], set[str], dict]:
    """Normalised messages of one input, the log's emote names, and what was read.

    A chat log (any format `read_log` knows) gives its chat and action messages; a `.txt` that
    `read_log` rejects, or whose lines it mostly could not parse, is one message per line.
    """
    import pandas as pd

    from twitchtopics.pipeline import normalized_texts
    from twitchtopics.readers import read_log

    if not path.exists():
        raise ReadError(f"{path}: no such file")
    if path.is_dir():
        raise ReadError(f"{path} is a folder: pass its files (e.g. {path}/*.json)")
    is_txt = path.suffix.lower() == ".txt"
    log = None
    try:
        log = read_log(path)
    except ReadError:
        if not is_txt:
            raise
    if log is not None and is_txt and log.info.lines_skipped > len(log.messages):
        log = None  # mostly unparsable as a log: a plain message-per-line file
    if log is None:
        texts = pd.Series(_plain_lines(path), dtype=object)
        emotes: set[str] = set()
        info = {"path": str(path), "format": "lines", "messages": len(texts)}
    else:
        messages = log.messages
        texts = messages.loc[messages["kind"].isin(KEPT_KINDS), "text"].astype(object)
        emotes = set(log.info.emotes)
        info = {"path": str(path), "format": log.info.format, "messages": len(messages)}
    clean = normalized_texts(texts.reset_index(drop=True), frozenset(emotes))
    clean = [" ".join(t.split()) for t in clean]  # one line per message, no stray whitespace
    info["kept"] = len(clean)
    return clean, emotes, info


def build_corpus(
    inputs: list[Path], step_dir: Path, *, max_messages: int | None, seed: int, progress: bool
) -> dict:
    """Read, normalise, deduplicate and (seeded) shuffle/sample all inputs into corpus.txt."""
    all_texts: list[str] = []
    emotes: set[str] = set()
    files = []
    for path in inputs:
        texts, log_emotes, info = read_corpus_file(path)
        say(progress, f"read {path}: {info['format']}, {info['kept']} messages kept")
        all_texts.extend(texts)
        emotes |= log_emotes
        files.append(info)
    nonempty = [t for t in all_texts if t]
    distinct = list(dict.fromkeys(nonempty))
    if len(distinct) < MIN_DISTINCT_MESSAGES:
        raise ModelError(
            f"corpus too small: {len(distinct)} distinct messages after normalisation and "
            f"deduplication; training needs at least {MIN_DISTINCT_MESSAGES}"
        )
    rng = random.Random(seed)
    rng.shuffle(distinct)
    used = distinct[:max_messages] if max_messages else distinct
    fresh_step_dir(step_dir)
    (step_dir / "corpus.txt").write_text("\n".join(used) + "\n", encoding="utf-8")
    (step_dir / "log_emotes.txt").write_text("\n".join(sorted(emotes)) + "\n", encoding="utf-8")
    stats = {
        "inputs": files,
        "messages_read": sum(f["messages"] for f in files),
        "messages_kept": len(all_texts),
        "nonempty": len(nonempty),
        "distinct": len(distinct),
        "used": len(used),
        "log_emotes": len(emotes),
    }
    mark_done(step_dir, stats)
    return stats


def load_corpus(step_dir: Path) -> list[str]:
    """The messages of a finished corpus step, in their (seeded) order."""
    text = (step_dir / "corpus.txt").read_text(encoding="utf-8")
    return [line for line in text.split("\n") if line]
