"""Search a bundle by meaning: the messages and groups closest to a query, and the query's rate
over the stream.

Only the query is embedded, with the model that made the bundle (its vectors are in the
bundle, see `vectors.py`); a query seen before comes from the embedding cache without loading
the model. Nothing is re-clustered.

Scores are cosine similarities. A message *matches* the query (for the rate over the stream)
when its similarity is at least `max(MIN_MATCH, best - MATCH_BAND)`: absolute cosines differ
from model to model, so the band follows the best hit; the floor keeps a query nobody wrote
about from matching the whole stream.

A group's score is the mean similarity of its (up to) `GROUP_EVIDENCE` best distinct texts,
not its centroid's: a centroid averages everything the group holds, so a group
where chat argued about the query beside other talk ranked below groups that never named it.
On the Fall Guys stream (`tests/test_search.py`, static model, grouping 2026-12-03.1) the
117-message group "shure sm7b", which holds 24 of the log's microphone messages beside other
talk, ranked 5th by centroid, behind "Plug and Play"; by its best texts it is first (with
MiniLM it is first either way).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from twitchtopics.bundle import Bundle
from twitchtopics.errors import BundleError, TwitchTopicsError
from twitchtopics.vectors import SearchIndex, l2_normalize, load_search_index

MATCH_BAND = 0.2
MIN_MATCH = 0.35
RATE_BINS = 60  # sparkline width in the terminal
MAX_TIMES = 5  # times listed per distinct text
GROUP_EVIDENCE = 3
"""Distinct texts whose similarities make a group's score: more than one, so that one lucky
message among many does not rank a group, few enough that a small group on the query leads."""
CHUNK = 65_536  # rows of float16 vectors converted at a time
_PRECISION_SUFFIX = re.compile(r":(bf16|fp16|fp32)$")
MODEL_ALIASES = {
    "all-MiniLM-L6-v2": "minilm",
    "static-minilm": "static",
    "hashing-64": "hashing",
}


@dataclass
class QueryVector:
    """The query as the bundle's model sees it."""

    text: str
    clean: str
    vector: np.ndarray  # float32, unit length


def model_argument(bundle_model: str) -> str | None:
    """The `load_embedder` argument that loads the model a bundle names."""
    return MODEL_ALIASES.get(bundle_model, bundle_model)


def same_model(fingerprint_a: str | None, fingerprint_b: str | None) -> bool:
    """Equal fingerprints, ignoring the precision the vectors were computed in."""
    if not fingerprint_a or not fingerprint_b:
        return True
    return _PRECISION_SUFFIX.sub("", fingerprint_a) == _PRECISION_SUFFIX.sub("", fingerprint_b)


def check_model(bundle: Bundle, index: SearchIndex, requested: str | None) -> None:
    """One clear error when a query would be embedded by another model than the bundle's."""
    if requested is None:
        return
    wanted = model_argument(index.model)
    if (requested or None) != wanted and requested != index.model:
        raise BundleError(
            f"{bundle.path.name} was made with model {index.model!r}: its vectors cannot be "
            f"searched with {requested!r} (drop --model, or run `cluster --model {requested}`)"
        )


def embed_query(
    bundle: Bundle, index: SearchIndex, query: str, *, use_cache: bool = True
) -> QueryVector:
    """Normalise the query like the bundle's messages and embed it with the bundle's model."""
    import twitchtopics.embed.embedders as embedders
    from twitchtopics.chat.normalize import normalize_text

    text = " ".join(str(query).split())
    if not text:
        raise TwitchTopicsError("the search query is empty")
    emotes = frozenset((bundle.meta.get("stream") or {}).get("emotes") or ())
    clean = normalize_text(text, emotes) or text
    params = bundle.meta.get("params") or {}
    # the name the bundle was made with (a registered name, a folder), else its model's name
    # a bundle made with the default model records None: name the built-in model it used (the
    # default may have changed since), else keep None (the registry's default, e.g. a test's)
    name = params["model"] if params.get("model") else MODEL_ALIASES.get(index.model)
    embedder = loaded_embedder(name)
    fingerprint = getattr(embedder, "fingerprint", None)
    if not same_model(fingerprint, index.fingerprint):
        raise BundleError(
            f"{bundle.path.name} was made with another version of model {index.model!r} "
            f"({index.fingerprint}; installed: {fingerprint}): run `twitchtopics cluster` again"
        )
    cache = embedders.EmbeddingCache() if use_cache else None
    vector = embedders.embed_texts([clean], embedder, cache=cache)
    if vector.shape[1] != index.text_vectors.shape[1]:
        raise BundleError(
            f"{bundle.path.name}: model {index.model!r} gives {vector.shape[1]}-dim vectors, "
            f"the bundle holds {index.text_vectors.shape[1]}-dim ones"
        )
    return QueryVector(text=text, clean=clean, vector=l2_normalize(vector)[0])


_EMBEDDERS: dict[tuple[Any, str | None], Any] = {}


def loaded_embedder(name: str | None) -> Any:
    """The query model, loaded once per process (a session searching many times pays once),
    found like `cluster` finds it (`twitchtopics.registry`, then folders and hub names)."""
    from twitchtopics import registry
    from twitchtopics.components import resolve_embedder

    registered = name is None or name in registry.embedders
    key = (registry.embedders.factory(name) if registered else None, name)
    if key not in _EMBEDDERS:
        _EMBEDDERS.clear()
        _EMBEDDERS[key] = resolve_embedder(name)
    return _EMBEDDERS[key]


def cosine(vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """`vectors @ query` in float32, converting float16 rows a chunk at a time."""
    out = np.empty(len(vectors), dtype=np.float32)
    for start in range(0, len(vectors), CHUNK):
        block = np.asarray(vectors[start : start + CHUNK], dtype=np.float32)
        out[start : start + CHUNK] = block @ query
    return out


def search(
    bundle: Bundle,
    query: str,
    *,
    top: int = 20,
    model: str | None = None,
    use_cache: bool = True,
) -> dict[str, Any]:
    """Messages (one row per distinct text) and groups closest to the query, with times, and
    the query's rate over the stream; JSON-able."""
    from twitchtopics.bundle_view import chat_kinds, stream_clock

    index = load_search_index(bundle)
    check_model(bundle, index, model)
    q = embed_query(bundle, index, query, use_cache=use_cache)
    text_sims = cosine(index.text_vectors, q.vector)
    clock, duration = stream_clock(bundle)
    multi_day = clock.known and clock.label(0)[:10] != clock.label(duration)[:10]
    msgs = bundle.messages
    rows = np.flatnonzero(index.text_index >= 0)
    sims = text_sims[index.text_index[rows]]
    best = float(sims.max()) if len(sims) else 0.0
    threshold = max(MIN_MATCH, best - MATCH_BAND)
    matched = rows[sims >= threshold]
    offsets = msgs["offset_s"].astype(float).to_numpy()
    return {
        "query": q.text,
        "embedded_as": q.clean,
        "model": index.model,
        "match_threshold": round(threshold, 4),
        "messages": message_hits(bundle, index, text_sims, top, clock, multi_day),
        "groups": group_hits(bundle, index, text_sims, threshold, top, clock, multi_day),
        "rate": query_rate(offsets[matched], duration, clock),
        "matches": int(len(matched)),
        "chat_messages": int(msgs["kind"].isin(chat_kinds(bundle)).sum()),
    }


def message_hits(
    bundle: Bundle, index: SearchIndex, text_sims: np.ndarray, top: int, clock, multi_day: bool
) -> list[dict[str, Any]]:
    """The `top` distinct texts closest to the query: text, score, how often and when."""
    if not len(text_sims):
        return []
    msgs = bundle.messages
    holders = np.argsort(index.text_index, kind="stable")  # message rows grouped by text
    keys = index.text_index[holders]
    offsets = msgs["offset_s"].to_numpy(dtype=float)
    topics = msgs["topic"].fillna(-1).astype(int).to_numpy()
    text_col, user_col = msgs["text"], msgs["user"]  # read per hit: 100k strings cost 0.1 s
    order = np.argpartition(-text_sims, min(len(text_sims) - 1, top))[: top + 1]
    order = order[np.argsort(-text_sims[order], kind="stable")]
    hits = []
    for t in order:
        lo, hi = np.searchsorted(keys, t, side="left"), np.searchsorted(keys, t, side="right")
        rows = np.sort(holders[lo:hi])
        if not len(rows):
            continue
        when = offsets[rows]
        hits.append(
            {
                "text": str(text_col.iloc[int(rows[0])]),
                "score": round(float(text_sims[t]), 4),
                "count": int(len(rows)),
                "users": int(user_col.iloc[rows].nunique()),
                "first": clock.label(float(when.min()), date=multi_day),
                "first_offset_s": round(float(when.min()), 3),
                "times": [clock.label(float(o), date=multi_day) for o in when[:MAX_TIMES]],
                "topics": sorted({int(x) for x in topics[rows] if x >= 0}),
            }
        )
        if len(hits) >= top:
            break
    return hits


def group_hits(
    bundle: Bundle,
    index: SearchIndex,
    text_sims: np.ndarray,
    threshold: float,
    top: int,
    clock,
    multi_day: bool,
) -> list[dict[str, Any]]:
    """The `top` groups whose best distinct texts are closest to the query (module doc), with
    how many of their messages match, label, keywords and span."""
    from twitchtopics.bundle_view import keywords_of

    topics = bundle.messages["topic"].fillna(-1).astype(int).to_numpy()
    scores, matches = group_scores(topics, index.text_index, text_sims, threshold)
    by_id = {int(t["id"]): t for t in bundle.topics if "id" in t}
    ranked = sorted(scores, key=lambda tid: (-scores[tid], -matches[tid], tid))
    hits = []
    for tid in ranked[: max(0, top)]:
        topic = by_id.get(tid)
        if topic is None:
            continue
        reps = [str(r) for r in topic.get("representatives") or []]
        first = float(topic.get("first_offset_s") or 0.0)
        last = float(topic.get("last_offset_s") or first)
        hits.append(
            {
                "topic": tid,
                "score": round(scores[tid], 4),
                "matches": matches[tid],
                "label": topic.get("label") or (reps[0] if reps else ""),
                "category": topic.get("category") or "?",
                "size": int(topic.get("size") or 0),
                "keywords": keywords_of(topic, 5),
                "representatives": reps[:3],
                "first": clock.label(first, date=multi_day),
                "last": clock.label(last, date=multi_day),
                "first_offset_s": round(first, 3),
                "last_offset_s": round(last, 3),
            }
        )
    return hits


def group_scores(
    topics: np.ndarray, text_index: np.ndarray, text_sims: np.ndarray, threshold: float
) -> tuple[dict[int, float], dict[int, int]]:
    """Per group (topic >= 0): the mean similarity of its `GROUP_EVIDENCE` best distinct texts
    (of all of them when it has fewer: a "pâtes ou riz" wave of one text is on the query as
    much as a discussion of it), and how many of its messages reach `threshold`."""
    rows = np.flatnonzero((topics >= 0) & (text_index >= 0))
    if not len(rows) or not len(text_sims):
        return {}, {}
    group, text = topics[rows].astype(np.int64), text_index[rows].astype(np.int64)
    sims = text_sims[text]
    ids, per_group = np.unique(group, return_inverse=True)
    matches = np.bincount(per_group, weights=sims >= threshold, minlength=len(ids))
    pairs = np.unique(per_group * len(text_sims) + text)  # each (group, text) once
    pair_group, pair_sims = pairs // len(text_sims), text_sims[pairs % len(text_sims)]
    order = np.lexsort((-pair_sims, pair_group))  # by group, best text first
    pair_group, pair_sims = pair_group[order], pair_sims[order]
    starts = np.searchsorted(pair_group, np.arange(len(ids)))
    rank = np.arange(len(pair_group)) - starts[pair_group]
    best = rank < GROUP_EVIDENCE
    totals = np.bincount(pair_group[best], weights=pair_sims[best], minlength=len(ids))
    score = totals / np.bincount(pair_group[best], minlength=len(ids))
    return (
        {int(t): float(v) for t, v in zip(ids, score, strict=True)},
        {int(t): int(v) for t, v in zip(ids, matches, strict=True)},
    )


def query_rate(matched_offsets: np.ndarray, duration: float, clock) -> dict[str, Any]:
    """Matching messages per bin over the whole stream (`RATE_BINS` bins of whole minutes)."""
    minutes = max(1, math.ceil(max(duration, 1.0) / 60.0))
    per_bin = max(1, math.ceil(minutes / RATE_BINS))
    n_bins = math.ceil(minutes / per_bin)
    bins = np.clip((np.asarray(matched_offsets) // (60 * per_bin)).astype(int), 0, n_bins - 1)
    counts = np.bincount(bins, minlength=n_bins)
    peak = int(np.argmax(counts)) if counts.any() else None
    return {
        "bin_minutes": per_bin,
        "counts": [int(c) for c in counts],
        "start": clock.label(0.0, date=False, seconds=False),
        "end": clock.label(max(duration, 0.0), date=False, seconds=False),
        "peak": None if peak is None else clock.label(peak * 60.0 * per_bin, date=False),
        "peak_count": 0 if peak is None else int(counts[peak]),
    }
