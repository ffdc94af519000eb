"""A season of streams: every log clustered into its own bundle, then the streams' themes
linked into season themes, written to `DIR/season.json`.

    run_season(logs, out_dir, options)              # local processes
    run_season(logs, out_dir, options, scheduler="tcp://host:8786")   # a Dask cluster

Modules: `streams` (one stream's work and summary, run by a process or a Dask worker),
`runners` (where the streams run, one progress bar), `linking` (season themes from the
summaries, without re-embedding), `build` (season.json), `report` (terminal, JSON, PNG)
and `report_html` (themes x streams heatmap).
"""

from twitchtopics.season.build import (
    SEASON_FILE,
    SeasonRun,
    build_season,
    is_season_folder,
    load_season,
    run_season,
)

__all__ = [
    "SEASON_FILE",
    "SeasonRun",
    "build_season",
    "is_season_folder",
    "load_season",
    "run_season",
]
