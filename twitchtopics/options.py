"""Validation of clustering options, shared by the Python API and the CLI.

Every check raises `OptionError` (a `TwitchTopicsError` and a `ValueError`) with one line
that names the option; the CLI only turns these into click's usage errors.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from numbers import Integral, Real
from typing import Any

from twitchtopics.errors import OptionError

KINDS = ("chat", "action", "command", "bot", "system")
"""Every message kind (see `chat/kinds.py` for the rule that gives each message one): the one
list, here in the foundations because the option checks need it and may not import `chat/`;
`chat.kinds.KINDS` and `inspect` read it from here."""
CLUSTERED_KINDS = ("chat", "action")
"""What is clustered by default; the other kinds stay in the bundle with topic -1."""
DEFAULT_MODEL = "static"
"""The registered embedder `--model` defaults to (also named `default`), by issue 17's rule:
the fastest model whose B³ F1 is within 0.02 of the best on every dev window. Over seeds 0,
1, 2, 7, 42 (`benchmarks/default_model.py`, grouping 2026-12-03.1, 3 December; hsdogdog3 /
admiralbulldog / 1699408450 / chat) static scores 0.556 / 0.621 / 0.471 / 0.486 and minilm
0.569 / 0.639 / 0.469 / 0.484: within 0.018 everywhere, ahead on the slow French windows.
It embeds 100k messages in 1.0 s against MiniLM's 25 s (bfloat16 CPU; 97 s without), so a
cold 10k / 100k run took 4.1 / 28.5 s against 10.1 / 52.0 s (README "Speed").
What it costs: its groups are more mixed (B³ precision 0.004-0.081 lower; ARI 0.019-0.087
lower on three windows); on the Fall Guys stream the microphone talk MiniLM keeps apart
shares a 117-message group with other talk (`search` still ranks it first, by the group's
best texts). `--model minilm` keeps MiniLM. README "The default model"."""
KIND_ALIASES = {"commands": "command", "bots": "bot", "actions": "action"}
MAX_SEED = 2**32 - 1
"""numpy's RandomState (used by UMAP and scikit-learn) takes seeds in 0..2**32-1."""
MIN_TIME_SCALE = 1e-3
"""Below a millisecond every message is its own moment, and 1e-300 overflows the time
feature to inf (issue 16)."""
MAX_TIME_SCALE = 3.2e8
"""About ten years: beyond that time plays no role (use 'none')."""


def parse_time_scale(value: Any) -> float | str | None:
    """Seconds (a number or `"600"`), `"auto"`, or None / `"none"` (no time feature)."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("none", "off", "0"):
            return None
        if text == "auto":
            return "auto"
        try:
            value = float(text)
        except ValueError:
            raise OptionError(
                f"time_scale: expected seconds (e.g. 600), 'auto' or 'none', not {value!r}"
            ) from None
    if isinstance(value, bool) or not isinstance(value, Real):
        raise OptionError(f"time_scale: expected seconds, 'auto' or None, not {value!r}")
    seconds = float(value)
    if not math.isfinite(seconds) or seconds <= 0:
        raise OptionError(f"time_scale must be a finite positive number of seconds, not {value}")
    if not MIN_TIME_SCALE <= seconds <= MAX_TIME_SCALE:
        raise OptionError(
            f"time_scale must be between {MIN_TIME_SCALE:g} and {MAX_TIME_SCALE:g} seconds, "
            f"not {value}"
        )
    return seconds


def parse_kinds(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """Kinds to cluster: chat and action always, plus e.g. `"commands,bots"`."""
    names = value.split(",") if isinstance(value, str) else list(value or ())
    kinds = ["chat", "action"]
    for name in names:
        key = str(name).strip().lower()
        if not key:
            continue
        kind = KIND_ALIASES.get(key, key)
        if kind not in KINDS:
            raise OptionError(f"unknown kind {name!r} (commands, bots, system)")
        if kind not in kinds:
            kinds.append(kind)
    return tuple(kinds)


def check_int(name: str, value: Any, *, low: int, high: int | None = None, none: bool = False):
    """An integer in [low, high] (or None when `none`), else OptionError."""
    if value is None and none:
        return None
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise OptionError(f"{name} must be an integer, not {value!r}")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise OptionError(f"{name} must be {bound}, not {value}")
    return int(value)


def check_settings(
    *,
    random_state: Any,
    time_scale: Any,
    min_cluster_size: Any,
    min_samples: Any,
    n_components: Any,
    n_neighbors: Any,
    keywords: Any,
    include: Iterable[str],
) -> None:
    """Every clustering option's range; raises OptionError on the first bad one."""
    check_int("random_state (seed)", random_state, low=0, high=MAX_SEED)
    parse_time_scale(time_scale)
    check_int("min_cluster_size", min_cluster_size, low=2, none=True)
    check_int("min_samples", min_samples, low=1, none=True)
    check_int("n_components", n_components, low=1)
    check_int("n_neighbors", n_neighbors, low=2)
    check_int("keywords", keywords, low=1)
    bad = [k for k in include if k not in KINDS]
    if bad or not include:
        raise OptionError(f"include: kinds are {', '.join(KINDS)}; got {list(include)!r}")
