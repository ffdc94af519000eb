"""Bad inputs written here (never copied from ../shared), and a CLI runner for fault tests."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from twitchtopics.cli import cli


def invoke(*args: str, **kwargs):
    """Run the CLI in-process; tracebacks would surface as exceptions (catch_exceptions off)."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, **kwargs)


def assert_one_line_error(result, code: int = 1) -> str:
    """Exit `code`, no traceback, and one `Error:` line on stderr."""
    assert result.exit_code == code, (result.exit_code, result.output)
    err = result.stderr.strip()
    assert "Traceback" not in result.output and "Traceback" not in err
    if code == 1:
        assert err.startswith("Error: ") and "\n" not in err, err
    return err


def td_lines(n: int, *, minute0: int = 0) -> list[str]:
    """TwitchDownloader relative lines, one every 5 seconds."""
    out = []
    for i in range(n):
        t = minute0 * 60 + i * 5
        out.append(f"[{t // 3600}:{t % 3600 // 60:02d}:{t % 60:02d}] viewer{i % 7}: message {i}")
    return out


def td_abs_lines(n: int) -> list[str]:
    """TwitchDownloader absolute UTC lines, one every 5 seconds from 2024-05-17 15:00:00."""
    out = []
    for i in range(n):
        t = i * 5
        out.append(
            f"[2024-05-17 {15 + t // 3600:02d}:{t % 3600 // 60:02d}:{t % 60:02d} UTC] "
            f"viewer{i % 7}: message {i}"
        )
    return out


def irc_line(i: int, ts_ms: int | None) -> str:
    """One IRCv3 PRIVMSG, with a tmi-sent-ts tag unless `ts_ms` is None."""
    tags = f"display-name=viewer{i % 5};id={i}"
    if ts_ms is not None:
        tags += f";tmi-sent-ts={ts_ms}"
    return f"@{tags} :viewer{i % 5}!v@v.tmi.twitch.tv PRIVMSG #chan :message number {i}"


def td_json(path: Path, *, created_span_s: float, offsets_span_s: float, n: int = 50) -> Path:
    """A TwitchDownloader JSON whose comments' created_at span `created_span_s` while their
    offsets span `offsets_span_s` (what Twitch's API returned for real VODs)."""
    import pandas as pd

    start = pd.Timestamp("2021-07-15T01:59:24Z")
    comments = []
    for i in range(n):
        offset = offsets_span_s * i / (n - 1)
        created = start + pd.Timedelta(seconds=140 + created_span_s * i / (n - 1))
        comments.append(
            {
                "_id": str(i),
                "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "content_offset_seconds": offset,
                "commenter": {"display_name": f"viewer{i % 6}", "name": f"viewer{i % 6}"},
                "message": {"body": f"message {i}", "fragments": [{"text": f"message {i}"}]},
            }
        )
    doc = {
        "video": {"id": "1", "title": "t", "created_at": "2021-07-15T01:59:24Z"},
        "comments": comments,
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path
