"""Moments of a stream from its bundle: ranked highlights, exports (chapters, CSV, JSON, EDL,
VOD links) and search by meaning. Nothing here re-embeds messages or re-clusters."""

from __future__ import annotations

__all__ = ["find_moments"]


def find_moments(*args, **kwargs):  # a thin lazy re-export
    """See `twitchtopics.moments.highlights.find_moments`."""
    from twitchtopics.moments.highlights import find_moments as _find

    return _find(*args, **kwargs)
