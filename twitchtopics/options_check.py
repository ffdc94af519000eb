"""Checks of the numeric options of a run, in the library (not only in click), so that a
Python caller gets the same one-line ``TwitchTopicsError`` as the command line."""

from __future__ import annotations

import math
from typing import Any

from twitchtopics.errors import TwitchTopicsError

# numpy's RandomState and UMAP accept seeds in [0, 2**32 - 1].
MAX_SEED = 2**32 - 1
# Seconds per unit of the time feature: below a millisecond every message is its own moment
# (1e-300 overflows to inf in the features); above ten years time plays no role ('none').
MIN_TIME_SCALE = 1e-3
MAX_TIME_SCALE = 3.2e8


def check_seed(seed: Any) -> int:
    """The seed as an int in [0, 2**32 - 1]."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TwitchTopicsError(f"seed must be an integer, not {seed!r}")
    if not 0 <= seed <= MAX_SEED:
        raise TwitchTopicsError(f"seed must be between 0 and {MAX_SEED}, not {seed}")
    return seed


def check_time_scale(value: Any) -> float | str | None:
    """``None`` (text only), ``"auto"``, or finite seconds within the supported range."""
    if value is None or value == "auto":
        return value
    if isinstance(value, bool):
        raise TwitchTopicsError(f"time scale must be seconds, 'auto' or None, not {value!r}")
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise TwitchTopicsError(
            f"time scale must be seconds, 'auto' or None, not {value!r}"
        ) from None
    if not math.isfinite(seconds) or not MIN_TIME_SCALE <= seconds <= MAX_TIME_SCALE:
        raise TwitchTopicsError(
            f"time scale must be between {MIN_TIME_SCALE:g} and {MAX_TIME_SCALE:g} seconds "
            f"(or 'auto' / 'none'), not {value!r}"
        )
    return seconds


def check_sizes(min_cluster_size: Any, min_samples: Any) -> None:
    """Optional positive integers (a group needs two messages)."""
    for name, value, low in (
        ("min_cluster_size", min_cluster_size, 2),
        ("min_samples", min_samples, 1),
    ):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise TwitchTopicsError(f"{name} must be an integer >= {low}, not {value!r}")
