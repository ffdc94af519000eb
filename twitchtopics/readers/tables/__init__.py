"""Tables of messages: CSV, TSV, JSON array of objects, JSON Lines of objects, Parquet.

Columns
-------
Found by common names (case-insensitive; the first name in each list that exists wins):

- time: time, timestamp, date, datetime, created_at, createdAt, published_datetime, sent_at,
  time_in_seconds, content_offset_seconds, offset, offset_s, seconds
- user: user, username, user_name, author, display_name, displayName, name, nick, nickname,
  login, commenter, sender
- text: message, content, body, text, msg, comment

or given with ``columns={"time": ..., "user": ..., "text": ...}``. Time and text columns are
required (a ``ReadError`` names the columns found otherwise); the user column is optional.

Values
------
- CSV/TSV are read with the ``csv`` module as strings, so a message ``NA``, ``null``,
  ``nan``, ``None`` or empty stays that string (pandas' NA parsing is never involved). The
  delimiter is the most frequent of ``,``, ``;`` and tab in the header line (``tsv``: tab).
  A row with fewer fields than the header is skipped; extra fields are joined back into the
  text when the text is the last column (an unquoted comma in a message), else skipped. A
  record running over several lines (an unbalanced quote: a Twitch message holds no
  newline) is read again line by line, so no message is merged into its neighbour.
- Times may be ISO strings with a zone (stored as UTC; ``info.tz`` is their offset) or
  without (kept naive, as written), epoch seconds/ms/us/ns (told apart by magnitude;
  UTC), or offsets in seconds (numbers below 1e8, ``H:MM:SS`` strings, or a column named
  like ``time_in_seconds``/``offset``). A row whose time cannot be parsed is skipped.
- A null text (JSON ``null``, Parquet null) is the empty string; a user is ``""`` when absent.

Modules
-------
``columns`` (which column is which), ``times`` (a time column parsed at once), ``rows``
(column lists -> ``Rows``), ``delimited`` (CSV, TSV), ``records`` (JSON array, JSON Lines,
Parquet). Importing the package registers the formats, CSV and TSV first.
"""

from __future__ import annotations

from twitchtopics.readers.tables import delimited, records  # noqa: F401  (registers, in order)
