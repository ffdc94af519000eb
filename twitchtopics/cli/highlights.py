"""`twitchtopics highlights [BUNDLE]`: the stream's moments, ranked, with why and VOD links."""

from __future__ import annotations

import re
from pathlib import Path

import click

from twitchtopics.cli._common import echo, one_line_errors, render
from twitchtopics.cli.report import WINDOW_HELP, _resolve_bundle

_DURATION = re.compile(
    r"^\s*(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+(?:\.\d+)?)m)?\s*(?:(\d+(?:\.\d+)?)s?)?\s*$"
)


def parse_duration(value: str, option: str) -> float:
    """`2m`, `90s`, `1m30s`, `1h`, `120` -> seconds; a UsageError naming the option otherwise."""
    match = _DURATION.match(value or "")
    if not value or not value.strip() or match is None or not any(match.groups()):
        raise click.BadParameter(
            f"{value!r} is not a duration like 2m, 90s or 1m30s", param_hint=option
        )
    h, m, s = (float(g) if g else 0.0 for g in match.groups())
    return h * 3600 + m * 60 + s


def video_id_option(value: str | None) -> str | None:
    """--vod: a Twitch video id or URL."""
    if value is None:
        return None
    from twitchtopics.readers._base import twitch_video_id

    found = twitch_video_id(value)
    if not found:
        raise click.BadParameter(
            f"{value!r} is not a Twitch video id or https://www.twitch.tv/videos/... URL",
            param_hint="--vod",
        )
    return found


@click.command(epilog=WINDOW_HELP)
@click.argument("bundle", required=False, type=click.Path(path_type=Path))
@click.option(
    "--top",
    "-n",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Number of moments.",
)
@click.option(
    "--min-gap",
    default="2m",
    show_default=True,
    metavar="DURATION",
    help="Least time between two moments (2m, 90s, 1m30s).",
)
@click.option(
    "--window",
    "-w",
    default=None,
    metavar="FROM-TO",
    help="Only moments in this part of the stream (see below).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv", "chapters", "edl"]),
    default="text",
    show_default=True,
    help="chapters = YouTube description lines; edl = CMX 3600 markers for editors.",
)
@click.option(
    "--vod",
    default=None,
    metavar="ID|URL",
    help="Twitch video for the links, when the log does not name it.",
)
@click.option(
    "--lead",
    default="15s",
    show_default=True,
    metavar="DURATION",
    help="Links, chapters and EDL cuts start this long before chat's burst.",
)
@click.option(
    "--fps",
    type=click.IntRange(min=1, max=120),
    default=30,
    show_default=True,
    help="Frame rate of the EDL timecodes.",
)
@click.option(
    "--timeline-start",
    default="0s",
    show_default=True,
    metavar="DURATION",
    help="EDL: where the editor's timeline starts (DaVinci Resolve: 1h).",
)
@one_line_errors
def highlights(
    bundle: Path | None,
    top: int,
    min_gap: str,
    window: str | None,
    fmt: str,
    vod: str | None,
    lead: str,
    fps: int,
    timeline_start: str,
) -> None:
    """The stream's moments: when chat stands out from the minutes around it.

    Each moment has its span, score, the groups that drove it, why it ranked and, when the
    log names its video (or --vod is given), a link into the VOD. From the bundle alone.
    """
    from twitchtopics.bundle import load_bundle
    from twitchtopics.bundle_view import bundle_window, stream_name
    from twitchtopics.moments.exports import render_chapters, render_csv, render_edl
    from twitchtopics.moments.highlights import find_moments
    from twitchtopics.moments.render import render_moments_text

    gap_s = parse_duration(min_gap, "--min-gap")
    lead_s = parse_duration(lead, "--lead")
    record_start_s = parse_duration(timeline_start, "--timeline-start")
    video_id = video_id_option(vod)
    loaded = load_bundle(_resolve_bundle(bundle))
    resolved = bundle_window(loaded, window)
    moments = find_moments(
        loaded, resolved, top=top, min_gap_s=gap_s, video_id=video_id, lead_s=lead_s
    )
    name = stream_name(loaded)
    vid = video_id or (loaded.meta.get("stream") or {}).get("video_id")
    stream = {"name": name, "window": resolved.describe(), "video_id": vid}
    if fmt == "json":
        click.echo(render({"stream": stream, "moments": moments}, "json"))
    elif fmt == "csv":
        echo(render_csv(moments))
    elif fmt == "chapters":
        echo(render_chapters(moments))
    elif fmt == "edl":
        click.echo(render_edl(moments, name, fps=fps, record_start_s=record_start_s), nl=False)
    else:
        echo(render_moments_text(stream, moments))
