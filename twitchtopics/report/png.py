"""The PNG chart of a window: its top groups as horizontal bars, coloured by category.

Drawn with matplotlib's Agg canvas on a `Figure` (no pyplot, no global state). Each bar is
named by the group's label, then its keywords (or answers, for a tally). Characters the font
cannot draw (emoji, most symbols outside DejaVu Sans; no colour-emoji font ships with
matplotlib and none is installed on a bare machine) are replaced by their Unicode names
(``😂`` -> ``:face with tears of joy:``), so nothing is silently dropped, nothing crashes
and no "missing glyph" warning reaches the user.
"""

from __future__ import annotations

import logging
import textwrap
import unicodedata
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

from twitchtopics.chat.emotes import emoji_name
from twitchtopics.report.colors import CATEGORY_COLORS, category_color, category_labels

LABEL_WIDTH = 46  # characters per label line; labels are wrapped to two lines
FONT_FAMILY = "DejaVu Sans"


@lru_cache(maxsize=1)
def _drawable() -> frozenset[int]:
    """Code points the chart's font has glyphs for."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = font_manager.findfont(font_manager.FontProperties(family=FONT_FAMILY))
    return frozenset(FT2Font(path).get_charmap())


def drawable_text(text: str) -> str:
    """`text` with each character the font cannot draw replaced by its name; spaces tidied.

    Emoji modifiers and joiners (skin tones, variation selectors, ZWJ) are dropped: they only
    change how the emoji before them looks.
    """
    ok = _drawable()
    out: list[str] = []
    for ch in str(text):
        if ord(ch) in ok or ch in " \n":
            out.append(ch)
            continue
        category = unicodedata.category(ch)
        if category in ("Mn", "Cf", "Sk") or 0x1F3FB <= ord(ch) <= 0x1F3FF:
            continue
        out.append(f" {emoji_name(ch)} ")
    return " ".join("".join(out).split())


def _label(group: dict[str, Any]) -> str:
    """`label (kw1 / kw2 / kw3)` (answers for a tally) on at most two lines."""
    label = drawable_text(group.get("label") or group.get("representative") or "") or "?"
    answers = group.get("answers") or []
    detail = (
        " \u00b7 ".join(f"{a} {n}" for a, n in answers[:4])
        if answers
        else " / ".join(group.get("keywords", [])[:3])
    )
    kws = drawable_text(detail)
    text = f"{label} ({kws})" if kws and kws != label else label
    lines = textwrap.wrap(text, LABEL_WIDTH, break_long_words=True) or [""]
    if len(lines) > 2:
        second = lines[1]
        lines = [lines[0], second[: LABEL_WIDTH - 1].rstrip() + "\u2026"]
    return "\n".join(lines)


def write_png(d: dict[str, Any], path: str | Path) -> Path:
    """Write the bar chart of `window_report(...)`'s top groups to `path` (PNG)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    target = Path(path)
    groups = d.get("groups") or []
    n = max(1, len(groups))
    height = 1.6 + 0.62 * n
    labels = category_labels()

    logger = logging.getLogger("matplotlib.font_manager")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            fig = Figure(figsize=(11, height), dpi=110)
            FigureCanvasAgg(fig)
            ax = fig.add_subplot(1, 1, 1)
            fig.patch.set_facecolor("white")
            stream = d["stream"]
            window = d["window"]
            title = drawable_text(f"{stream['name']} \u2014 {window['text']}")
            ax.set_title(
                "\n".join(textwrap.wrap(title, 90)) or "twitchtopics",
                loc="left",
                fontsize=12,
                fontfamily=FONT_FAMILY,
            )
            if not groups:
                ax.text(
                    0.5,
                    0.5,
                    "no group in this window",
                    ha="center",
                    va="center",
                    transform=ax.transAxes,
                )
                ax.set_axis_off()
            else:
                ys = list(range(len(groups)))[::-1]  # largest at the top
                counts = [g["count"] for g in groups]
                colors = [category_color(g.get("category")) for g in groups]
                ax.barh(ys, counts, color=colors, height=0.7, edgecolor="none")
                ax.set_yticks(ys)
                ax.set_yticklabels([_label(g) for g in groups], fontsize=9, fontfamily=FONT_FAMILY)
                peak = max(counts)
                for y, g in zip(ys, groups, strict=True):
                    ax.text(
                        g["count"] + peak * 0.01,
                        y,
                        f"{g['count']:,}  ({g['share']:.1%})",
                        va="center",
                        fontsize=8.5,
                        color="#333333",
                    )
                ax.set_xlim(0, peak * 1.18)
                ax.set_ylim(-0.6, len(groups) - 0.4)
                ax.set_xlabel(f"messages in the window (of {d['totals']['chat']:,} chat messages)")
                for side in ("top", "right"):
                    ax.spines[side].set_visible(False)
                ax.grid(axis="x", color="#e5e5e5", linewidth=0.8)
                ax.set_axisbelow(True)
                present = list(dict.fromkeys(g.get("category") or "?" for g in groups))
                order = [c for c in CATEGORY_COLORS if c in present] + [
                    c for c in present if c not in CATEGORY_COLORS
                ]
                handles = [Patch(color=category_color(c), label=labels.get(c, c)) for c in order]
                ax.legend(
                    handles=handles,
                    title="category",
                    loc="upper left",
                    bbox_to_anchor=(1.01, 1.0),
                    fontsize=8,
                    title_fontsize=8.5,
                    frameon=True,
                    framealpha=0.9,
                )
            fig.savefig(target, format="png", bbox_inches="tight", facecolor="white")
    finally:
        logger.setLevel(previous)
    return target
