"""`twitchtopics export BUNDLE --bertopic DIR`: a bundle in another tool's format."""

from __future__ import annotations

from pathlib import Path

import click

from twitchtopics.cli._common import one_line_errors
from twitchtopics.errors import TwitchTopicsError


@click.command()
@click.argument("bundle", required=False, type=click.Path(path_type=Path))
@click.option(
    "--bertopic",
    "bertopic_dir",
    type=click.Path(path_type=Path),
    default=None,
    metavar="DIR",
    help="Write a BERTopic model folder (safetensors) that BERTopic.load(DIR) opens.",
)
@one_line_errors
def export(bundle: Path | None, bertopic_dir: Path | None) -> None:
    """Export BUNDLE (default: the latest bundle in the current folder).

    Nothing is recomputed: groups, keywords and centroids come from the bundle.
    """
    from twitchtopics.bundle import find_latest_bundle

    if bertopic_dir is None:
        raise TwitchTopicsError("nothing to export: give --bertopic DIR")
    from twitchtopics.report.bertopic_export import export_bertopic

    path = export_bertopic(bundle if bundle is not None else find_latest_bundle("."), bertopic_dir)
    click.echo(
        f"BERTopic model: {path}  (from bertopic import BERTopic; BERTopic.load({str(path)!r}))"
    )
