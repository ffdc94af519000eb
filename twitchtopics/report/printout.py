"""The terminal view of a `cluster` run, and the same content as JSON.

Each group is led by its label, then category, size, chatters and first-last time on the same
line; then its keywords, its answers (tallies) and the bans/timeouts that followed it when
there are any, then its most typical messages (``describe.typical_order``: near the group's
centre, carrying its keywords, readable, all different), 5 by default. ``top=None`` lists
every message of the group in time order. Scores per message only with ``scores=True``:
centrality (1 = the most central message of its group in the space that grouped them) and
silhouette (-1..1: how much closer a message is to its group than to the nearest other).
Chat text is untrusted: control characters (terminal escapes) are never printed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from twitchtopics.describe.representatives import TypicalTexts
from twitchtopics.describe.tallies import format_answers
from twitchtopics.report.payload import cluster_payload
from twitchtopics.safe_output import safe_line
from twitchtopics.timefmt import display_times

DEFAULT_TOP = 5
MESSAGE_WIDTH = 160  # characters of a typical message shown (``top=None`` shows them whole)
INDENT = "    "


class _Groups:
    """Each group's rows of a table, as positions (``members``); no DataFrame per group.

    The printout and ``--json`` read the columns they show as lists taken once: a DataFrame
    per group (its take, its typical order, its lines) was most of a warm 1M-message run,
    166 of 228 s profiled for 36,486 groups; an empty one per group for ``--json --top 0``
    (`benchmarks/speed.py`'s run) was 40 s of it. Display times are made only for the rows shown
    (``show_times``), at once: for every row they were 3.4 s of that printout."""

    def __init__(self, table: pd.DataFrame, tz: str | None) -> None:
        from twitchtopics.describe.group import group_positions

        self._table = table
        self._tz = tz
        self._rows = dict(group_positions(table["topic"].to_numpy()))
        self.text = table["text"].tolist()
        self.centrality = _centrality(table).to_numpy(dtype=float)
        self.silhouette = table["silhouette"].tolist()
        self._shown: dict[int, str] = {}
        self._typical: TypicalTexts | None = None
        self._offsets: list[Any] | None = None
        self._users: list[Any] = []

    def show_times(self, positions: list[int]) -> None:
        """Make the display times of the rows at these positions (one call for all)."""
        todo = sorted({i for i in positions if i not in self._shown})
        if todo:
            times = display_times(
                self._table["time"].iloc[todo], self._table["offset_s"].iloc[todo], self._tz
            )
            self._shown.update(zip(todo, times, strict=True))

    def shown(self, position: int) -> str:
        """The display time of a row made by ``show_times``."""
        return self._shown[position]

    def json_rows(self, rows: np.ndarray) -> list[dict[str, Any]]:
        """`--json`'s messages of the rows at these positions (their display times made)."""
        positions = rows.tolist()
        self.show_times(positions)
        if self._offsets is None:  # the columns only `--json` reads, taken once
            self._offsets = self._table["offset_s"].tolist()
            self._users = self._table["user"].tolist()
        return _json_rows(
            [self._shown[i] for i in positions],
            [self._offsets[i] for i in positions],
            [self._users[i] for i in positions],
            [self.text[i] for i in positions],
            self.centrality[rows].tolist(),
            [self.silhouette[i] for i in positions],
        )

    def members(self, topic_id: int) -> np.ndarray | None:
        """The positions of a group's rows, in table order (None for an unknown group)."""
        return self._rows.get(int(topic_id))

    def typical(self) -> TypicalTexts:
        """Typical order over the whole table, its texts read as strings (made once)."""
        if self._typical is None:
            self._typical = TypicalTexts([str(t) for t in self.text], self.centrality)
        return self._typical


def _split_for_display(
    messages: pd.DataFrame, meta: dict[str, Any]
) -> tuple[_Groups, pd.DataFrame]:
    """(messages of each group, clustered-kind outliers); display times as they are shown."""
    tz = meta["stream"].get("tz")
    groups = _Groups(messages[messages["topic"] >= 0], tz)
    considered = messages["kind"].isin(meta["params"]["include"])
    return groups, messages[(messages["topic"] < 0) & considered]


def _centrality(rows: pd.DataFrame) -> pd.Series:
    """The rows' centrality, NaN throughout when the table has none (an older bundle)."""
    return rows["centrality"] if "centrality" in rows else pd.Series(np.nan, index=rows.index)


def _with_display_times(rows: pd.DataFrame, meta: dict[str, Any]) -> pd.DataFrame:
    """These rows with a ``shown_time`` column (wall clock in the log's zone, else offset)."""
    tz = meta["stream"].get("tz")
    return rows.assign(shown_time=display_times(rows["time"], rows["offset_s"], tz))


def _fmt_score(value: float | None) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "  n/a"
    return f"{value:5.2f}"


def _keyword_words(topic: dict[str, Any], n: int = 5) -> list[str]:
    return [safe_line(item[0]) for item in (topic.get("keywords") or [])[:n]]


def _span(first_shown: object, last_shown: object) -> str:
    first, last = str(first_shown), str(last_shown)
    day = first.partition(" ")[0]
    if " " in first and last.startswith(day + " "):
        last = last[len(day) + 1 :]  # 2016-09-21 08:17:08-08:19:42
    return f"{first}-{last}"


def group_header(topic: dict[str, Any], span: str) -> str:
    """``#3 "label" · category · N messages · C chatters · first-last`` (``span``)."""
    label = safe_line(topic.get("label") or " / ".join(_keyword_words(topic, 3)) or "?")
    parts = [
        f"#{topic['id']} \u201c{label}\u201d",
        str(topic.get("category", "?")),
        f"{topic['size']} messages",
    ]
    if topic.get("users") is not None:
        parts.append(f"{topic['users']} chatters")
    if span:
        parts.append(span)
    return " \u00b7 ".join(parts)


def format_groups(
    result_messages: pd.DataFrame,
    topics: list[dict[str, Any]],
    meta: dict[str, Any],
    *,
    top: int | None = DEFAULT_TOP,
    scores: bool = False,
    themes: list[dict[str, Any]] | None = None,
) -> str:
    """Every group in order of first appearance, then the outliers, then the summary line.

    With ``themes`` (topics.json's, when the grouping made them), groups are shown under their
    theme's heading, themes in order of first appearance."""
    groups, outliers = _split_for_display(result_messages, meta)
    shown_of = _shown_of_all(topics, groups, top)
    sections = [
        (heading, [(topic, shown_of[int(topic["id"])]) for topic in section])
        for heading, section in theme_sections(topics, themes)
    ]
    groups.show_times(
        [
            i
            for _, section in sections
            for _, (members, shown) in section
            for i in _timed(members, shown)
        ]
    )
    lines: list[str] = []
    for heading, section in sections:
        if heading:
            lines.extend([heading, ""])
        for topic, (members, shown) in section:
            lines.extend(_group_lines(topic, groups, members, shown, scores, top))
            lines.append("")
    if len(outliers):
        lines.append(f"outliers (not in any group): {len(outliers)} messages")
        shown = _with_display_times(outliers if top is None else outliers.head(top), meta)
        lines.extend(
            _message_lines(shown, scores=False, width=None if top is None else MESSAGE_WIDTH)
        )
        if len(outliers) > len(shown):
            lines.append(f"{INDENT}... {len(outliers) - len(shown)} more")
        lines.append("")
    lines.append(summary_line(meta))
    return "\n".join(lines)


THEME_RULE = "=" * 20


def theme_sections(
    topics: list[dict[str, Any]], themes: list[dict[str, Any]] | None
) -> list[tuple[str, list[dict[str, Any]]]]:
    """(heading, its groups) per theme; groups of no known theme last, without a heading."""
    ordered = sorted(topics, key=lambda t: t["id"])
    if not themes:
        return [("", ordered)]
    by_theme: dict[int, list[dict[str, Any]]] = {}
    for topic in ordered:
        by_theme.setdefault(int(topic.get("theme", -1)), []).append(topic)
    sections = []
    for theme in sorted(themes, key=lambda t: t["id"]):
        members = by_theme.pop(int(theme["id"]), [])
        if members:
            sections.append((theme_heading(theme), members))
    rest = [t for group in by_theme.values() for t in group]
    if rest:
        sections.append(("", sorted(rest, key=lambda t: t["id"])))
    return sections


def theme_heading(theme: dict[str, Any]) -> str:
    """``==== THEME 3: label · 120 messages · 4 moments · 0:31:02-0:44:10 ====``"""
    from twitchtopics.timefmt import format_offset

    span = f"{format_offset(theme['first_offset_s'])}-{format_offset(theme['last_offset_s'])}"
    moments = len(theme.get("topics", []))
    label = safe_line(theme.get("label") or "")
    return (
        f"{THEME_RULE} THEME {theme['id']}: {label} \u00b7 {theme['size']} messages "
        f"\u00b7 {moments} moment{'s' if moments != 1 else ''} \u00b7 {span} {THEME_RULE}"
    )


def _shown_of_all(
    topics: list[dict[str, Any]], groups: _Groups, top: int | None
) -> dict[int, tuple[np.ndarray | None, np.ndarray]]:
    """Per group id: (its rows, the rows its printout shows: the ``top`` most typical
    distinct messages, or all of them in time order when ``top`` is None)."""
    members = {int(t["id"]): groups.members(t["id"]) for t in topics}
    none = np.zeros(0, dtype=np.int64)
    if top is not None and top <= 0:
        return {tid: (rows, none) for tid, rows in members.items()}
    if top is None:
        return {tid: (rows, none if rows is None else rows) for tid, rows in members.items()}
    known = [t for t in topics if members[int(t["id"])] is not None]
    orders = groups.typical().orders(
        [members[int(t["id"])] for t in known],
        [[str(item[0]) for item in (t.get("keywords") or [])] for t in known],
        k=top,
    )
    shown = {tid: (None, none) for tid in members}
    for topic, order in zip(known, orders, strict=True):
        rows = members[int(topic["id"])]
        shown[int(topic["id"])] = (rows, rows[np.asarray(order, dtype=np.int64)])
    return shown


def _timed(members: np.ndarray | None, shown: np.ndarray) -> list[int]:
    """The rows whose display time a group's lines print: its first, its last, those shown."""
    if members is None or not len(members):
        return []
    return [int(members[0]), int(members[-1]), *shown.tolist()]


def _group_lines(
    topic: dict[str, Any],
    groups: _Groups,
    members: np.ndarray | None,
    shown: np.ndarray,
    scores: bool,
    top: int | None,
) -> list[str]:
    span = (
        ""
        if members is None or not len(members)
        else _span(groups.shown(int(members[0])), groups.shown(int(members[-1])))
    )
    lines = [group_header(topic, span)]
    lines.append(f"{INDENT}keywords: {' / '.join(_keyword_words(topic)) or '(none)'}")
    answers = format_answers(topic.get("answers"))
    if answers:
        lines.append(f"{INDENT}answers: {safe_line(answers)}")
    if topic.get("moderation"):
        lines.append(
            f"{INDENT}moderation: {topic['moderation']} bans/timeouts within a minute after"
        )
    if scores:
        mean = topic.get("silhouette")
        lines.append(
            f"{INDENT}mean silhouette: {mean:.2f}"
            if mean is not None
            else f"{INDENT}mean silhouette: n/a"
        )
    if members is None or top == 0:
        return lines
    lines.extend(
        _lines_of(
            [groups.shown(i) for i in shown.tolist()],
            groups.centrality[shown].tolist(),
            [groups.silhouette[i] for i in shown],
            [groups.text[i] for i in shown],
            scores=scores,
            width=None if top is None else MESSAGE_WIDTH,
        )
    )
    if len(members) > len(shown):
        lines.append(f"{INDENT}... {len(members) - len(shown)} more")
    return lines


def _message_lines(rows: pd.DataFrame, *, scores: bool, width: int | None = None) -> list[str]:
    """One line per message; cut to ``width`` characters (with "…") unless None."""
    return _lines_of(
        rows["shown_time"],
        _centrality(rows),
        rows["silhouette"],
        rows["text"],
        scores=scores,
        width=width,
    )


def _lines_of(
    shown_times: Any,
    centrality: Any,
    silhouette: Any,
    texts: Any,
    *,
    scores: bool,
    width: int | None,
) -> list[str]:
    """One line per message from its parallel columns (`_message_lines`)."""
    from twitchtopics.chat.normalize import shorten

    out = []
    for shown, cen, sil, text in zip(shown_times, centrality, silhouette, texts, strict=True):
        score = f" {_fmt_score(cen)} {_fmt_score(sil)}" if scores else ""
        line = safe_line(text)
        out.append(f"{INDENT}{shown}{score}  {line if width is None else shorten(line, width)}")
    return out


def summary_line(meta: dict[str, Any]) -> str:
    """messages read, clustered, outliers (%), groups, mean silhouette, seconds taken."""
    c = meta["counts"]
    considered = max(c["considered"], 1)
    sil = c.get("mean_silhouette")
    parts = [
        f"{c['read']} messages read",
        f"{c['clustered']} clustered",
        f"{c['outliers']} outliers ({100 * c['outliers'] / considered:.1f}%)",
        f"{c['groups']} groups" + (f" in {c['themes']} themes" if c.get("themes") else ""),
        f"mean silhouette {sil:.2f}" if sil is not None else "mean silhouette n/a",
        f"{sum(meta.get('timings', {}).values()):.1f} s",
    ]
    line = ", ".join(parts)
    others = {k: v for k, v in c["by_kind"].items() if k not in meta["params"]["include"]}
    if others:
        line += "; not clustered: " + ", ".join(f"{v} {k}" for k, v in sorted(others.items()))
    if c.get("lines_skipped"):
        examples = ", ".join(str(n) for n, _ in c.get("skipped_examples", [])[:5])
        line += f"; {c['lines_skipped']} lines could not be read (lines {examples})"
    if c.get("decode_errors"):
        line += f"; {c['decode_errors']} undecodable bytes replaced"
    return line


def _json_rows(
    shown_times: Any, offsets: Any, users: Any, texts: Any, centrality: Any, silhouette: Any
) -> list[dict[str, Any]]:
    """`--json`'s messages from parallel columns: display time, offset, chatter, text and the
    two scores rounded to 4 places (None when missing)."""
    return [
        {
            "time": t,
            "offset_s": float(o),
            "user": u,
            "text": x,
            "centrality": None if pd.isna(c) else round(float(c), 4),
            "silhouette": None if pd.isna(s) else round(float(s), 4),
        }
        for t, o, u, x, c, s in zip(
            shown_times, offsets, users, texts, centrality, silhouette, strict=True
        )
    ]


def groups_as_json(
    result_messages: pd.DataFrame,
    topics: list[dict[str, Any]],
    meta: dict[str, Any],
    *,
    top: int | None = DEFAULT_TOP,
    themes: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The printed content as data: summary, themes, groups with their shown messages,
    outliers."""
    groups, outliers = _split_for_display(result_messages, meta)

    def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
        return _json_rows(
            frame["shown_time"],
            frame["offset_s"],
            frame["user"],
            frame["text"],
            _centrality(frame),
            frame["silhouette"],
        )

    shown = _shown_of_all(topics, groups, top)
    groups.show_times([i for _, rows_shown in shown.values() for i in rows_shown.tolist()])

    def group_messages(topic: dict[str, Any]) -> list[dict[str, Any]]:
        members, rows_shown = shown[int(topic["id"])]
        if members is None or not len(rows_shown):
            return []  # nothing shown (`--top 0`), or an unknown group
        return groups.json_rows(rows_shown)

    return cluster_payload(
        meta,
        topics,
        themes,
        messages_of=group_messages,
        outliers=len(outliers),
        outlier_rows=rows(
            _with_display_times(outliers if top is None else outliers.head(top), meta)
        ),
    )
