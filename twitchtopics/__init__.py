"""twitchtopics: topics over time in a Twitch stream's chat."""

__version__ = "0.1.0"
