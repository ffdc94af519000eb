"""The tool's own errors: the CLI turns each into a one-line message and a non-zero exit."""


class TwitchTopicsError(Exception):
    """Base class for every error the user should see as one clear line."""


class ReadError(TwitchTopicsError):
    """A log could not be read (missing, empty, unknown or broken format)."""


class BundleError(TwitchTopicsError):
    """A result bundle is missing, incomplete or of an unknown version."""


class WindowError(TwitchTopicsError):
    """A --window value is malformed or outside the stream."""


class ModelError(TwitchTopicsError):
    """An embedding model could not be loaded or trained."""


class OptionError(TwitchTopicsError, ValueError):
    """An option (of the library or the CLI) has a value it cannot take."""


class MissingExtraError(TwitchTopicsError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""
