"""`twitchtopics search [BUNDLE] QUERY`: messages and groups by meaning, from the bundle alone."""

from __future__ import annotations

from pathlib import Path

import click

from twitchtopics.cli._common import echo, one_line_errors, render
from twitchtopics.cli.report import _resolve_bundle


@click.command()
@click.argument("args", nargs=-1, required=True, metavar="[BUNDLE] QUERY")
@click.option(
    "--top",
    "-n",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Messages and groups to show.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write a page with the query's lane over the stream.",
)
@click.option(
    "--model",
    default=None,
    metavar="NAME",
    help="Refuse to search unless the bundle was made with this model.",
)
@click.option("--no-cache", is_flag=True, help="Do not look the query up in the embedding cache.")
@one_line_errors
def search(
    args: tuple[str, ...],
    top: int,
    as_json: bool,
    html_path: Path | None,
    model: str | None,
    no_cache: bool,
) -> None:
    """Messages and groups closest in meaning to QUERY, with their times, and the query's rate
    over the stream.

    BUNDLE is a folder written by `twitchtopics cluster` (or its log); without it, the most
    recently written bundle in the current directory. Only the query is embedded, with the
    bundle's own model; nothing is re-clustered.
    """
    from twitchtopics.bundle import load_bundle
    from twitchtopics.bundle_view import stream_name
    from twitchtopics.moments.render import render_search_text
    from twitchtopics.moments.search import search as run_search

    if len(args) > 2:
        raise click.UsageError("give one BUNDLE and one QUERY (quote a query of several words)")
    bundle = Path(args[0]) if len(args) == 2 else None
    query = args[-1]
    if bundle is None and query.endswith(".twitchtopics") and Path(query).is_dir():
        raise click.UsageError(f"what should be searched in {query}? give a QUERY after it")
    loaded = load_bundle(_resolve_bundle(bundle))
    result = run_search(loaded, query, top=top, model=model, use_cache=not no_cache)
    name = stream_name(loaded)
    if as_json:
        click.echo(render(result, "json"))
    else:
        echo(render_search_text(name, result))
    if html_path is not None:
        from twitchtopics.moments.search_html import write_search_html

        try:
            write_search_html(loaded, result, html_path)
        except OSError as exc:
            raise click.ClickException(f"cannot write {html_path}: {exc.strerror or exc}") from None
        click.echo(f"wrote {html_path}", err=True)
