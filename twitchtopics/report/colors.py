"""The categories' colours and display labels, the same in the terminal, PNG and HTML views."""

from __future__ import annotations

from functools import lru_cache

from twitchtopics.describe import CATEGORY_LABELS

UNKNOWN_LABEL = "uncategorised"
# One distinct colour per category (matplotlib's tab10 family); "?" is grey.
CATEGORY_COLORS = {
    "laughter": "#e6a100",
    "emotes": "#9467bd",
    "greetings": "#2ca02c",
    "commands": "#bcbd22",
    "questions": "#1f77b4",
    "votes": "#17becf",
    "reactions": "#d62728",
    "quiz": "#ff7f0e",
    "discussion": "#8c564b",
    "copypasta": "#f7b6d2",
    "spam": "#e377c2",
    "chants": "#aec7e8",
    "replies": "#7f7f7f",
    "answers": "#ffbb78",
    "thanks": "#98df8a",
    "?": "#9e9e9e",
}


@lru_cache(maxsize=1)
def category_labels() -> dict[str, str]:
    """Display labels of the categories (describe/categories.py's), plus "?" for a group without one."""
    return {**CATEGORY_LABELS, "?": UNKNOWN_LABEL}


def category_color(category: str | None) -> str:
    """A category's colour; grey for a group without one or a category unknown here."""
    return CATEGORY_COLORS.get(category or "?", CATEGORY_COLORS["?"])
