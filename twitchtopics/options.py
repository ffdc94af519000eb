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
1, 2, 7, 42 (`benchmarks/default_model.py`, grouping 2026-12-02.10, 3 December; hsdogdog3 /
admiralbulldog / 1699408450 / chat) static scores 0.559 / 0.624 / 0.478 / 0.476 and minilm
0.571 / 0.636 / 0.468 / 0.475: within 0.012 everywhere, better on the slow French windows.
It embeds 100k messages in 0.9 s against MiniLM's 29 s (bfloat16 CPU; 97 s without), so a
cold 10k / 100k run took 5.6 / 34.0 s against 11.6 / 64.2 s (README "Speed").
What it costs: its groups are somewhat more mixed (B³ precision 0.015-0.052 lower, ARI
0.030-0.052 lower on three windows); on the Fall Guys stream the microphone talk MiniLM
keeps apart shares a 142-message group with other talk (`search` still finds it first, by
the group's best messages). `--model minilm` keeps MiniLM. README "The default model"."""
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
