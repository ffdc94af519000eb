"""Components found by name: embedders, clustering methods, describers and labelers.

Built-in components register here like plugins do, by import path (``"module:attribute"``),
so that importing this module imports nothing heavy (`twitchtopics --help` stays fast).
Anything else registers a callable::

    from twitchtopics import registry

    registry.embedders.register("my-model", MyEmbedder)      # a class or a factory function
    ChatTopics(embedder="my-model")                          # or: --model my-model

A factory is called with the keyword arguments it declares among those the caller offers
(`progress` for embedders; `random_state`, `time_scale`, `min_cluster_size`, ... for
clusterers), so `MyEmbedder()` with no parameters is fine.

Installed packages can also provide components through entry points (see `Registry`).

Registrations made at run time travel to the worker processes of a multi-log run
(`snapshot` in the parent, `restore` in each worker): a factory registered there must be
picklable, i.e. a module-level class or function (a lambda is refused at snapshot time with
one clear line). Tests register fakes this way instead of monkeypatching loaders.
"""

from __future__ import annotations

import importlib
import inspect
import pickle
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from twitchtopics.errors import OptionError
from twitchtopics.options import DEFAULT_MODEL

Factory = Callable[..., Any] | str


@dataclass
class _Entry:
    factory: Factory
    origin: str  # "builtin", "plugin" (an installed package's entry point) or "runtime"


class Registry:
    """Named factories of one kind of component, with a default name.

    Installed packages add components without any import on the user's side through the
    entry-point group `entry_point_group` (e.g. in their pyproject.toml:
    `[project.entry-points."twitchtopics.embedders"]  my-model = "my_pkg.embed:MyEmbedder"`);
    they are looked up the first time a name is not found.
    """

    def __init__(self, kind: str, default: str, entry_point_group: str | None = None) -> None:
        self.kind = kind
        self.entry_point_group = entry_point_group
        self._entries: dict[str, _Entry] = {}
        self._aliases: dict[str, str] = {}
        self._plugins_loaded = entry_point_group is None
        self.default = default
        self._builtin_default = default
        self._builtins: set[str] = set()

    def register(
        self,
        name: str,
        factory: Factory | None = None,
        *,
        aliases: tuple[str, ...] = (),
        replace: bool = False,
        builtin: bool = False,
    ) -> Any:
        """Register `factory` under `name` (and `aliases`); usable as a decorator.

        Registering a name that exists raises OptionError unless `replace=True`.
        """
        if factory is None:
            return lambda f: self.register(
                name, f, aliases=aliases, replace=replace, builtin=builtin
            )
        return self._add(name, factory, aliases, replace, "builtin" if builtin else "runtime")

    def _add(
        self, name: str, factory: Factory, aliases: tuple[str, ...], replace: bool, origin: str
    ) -> Any:
        key = self._key(name)
        if not key:
            raise OptionError(f"a {self.kind} name cannot be empty")
        if not replace and (key in self._entries or key in self._aliases):
            raise OptionError(f"{self.kind} {name!r} is already registered (pass replace=True)")
        self._aliases.pop(key, None)
        self._entries[key] = _Entry(factory, origin)
        if origin == "builtin":
            self._builtins.add(key)
        for alias in aliases:
            self._aliases[self._key(alias)] = key
        return factory

    def unregister(self, name: str) -> None:
        """Forget `name` (and the aliases pointing at it); a built-in comes back on restart."""
        key = self._canonical(name)
        self._entries.pop(key, None)
        for alias in [a for a, target in self._aliases.items() if target == key]:
            del self._aliases[alias]

    def names(self) -> list[str]:
        """Registered names, sorted (aliases left out), installed plugins included."""
        self._load_plugins()
        return sorted(self._entries)

    def is_builtin(self, name: str) -> bool:
        """True when `name` is one of the package's own components (not replaced)."""
        entry = self._entries.get(self._canonical(name))
        return entry is not None and entry.origin == "builtin"

    def untouched(self) -> bool:
        """True while this registry holds the package's own components as shipped: no
        registration made at run time, no built-in removed, the default unchanged. Only such
        runs may be reused whole (`twitchtopics.cache.runs`): a run-time factory's output is
        unknown to any cache key."""
        return (
            self.default == self._builtin_default
            and all(entry.origin != "runtime" for entry in self._entries.values())
            and all(self._entries.get(key, _RUNTIME).origin == "builtin" for key in self._builtins)
        )

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._lookup(name) is not None

    def _lookup(self, name: str) -> _Entry | None:
        entry = self._entries.get(self._canonical(name))
        if entry is None and not self._plugins_loaded:
            self._load_plugins()
            entry = self._entries.get(self._canonical(name))
        return entry

    def _load_plugins(self) -> None:
        """Register the entry points of installed packages (once; names already taken win)."""
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        from importlib.metadata import entry_points

        for point in entry_points(group=self.entry_point_group):
            if self._key(point.name) not in self._entries:
                self._add(point.name, point.value, (), False, "plugin")

    def factory(self, name: str | None) -> Callable[..., Any]:
        """The factory registered as `name` (the default for None), imported if needed."""
        key = self._canonical(name or self.default)
        entry = self._lookup(key)
        if entry is None:
            known = ", ".join(self.names()) or "none"
            raise OptionError(f"unknown {self.kind} {name!r} (registered: {known})")
        return _import_factory(entry.factory)

    def create(self, name: str | None, **offered: Any) -> Any:
        """Build the component `name` with the offered keyword arguments it accepts."""
        return call_with_accepted(self.factory(name), offered)

    @contextmanager
    def temporarily(self, name: str, factory: Factory, *, default: bool = False) -> Iterator[None]:
        """Register `name` (and make it the default) for the duration of a `with` block."""
        previous = self._entries.get(self._key(name))
        previous_default = self.default
        self.register(name, factory, replace=True)
        if default:
            self.default = self._key(name)
        try:
            yield
        finally:
            self.default = previous_default
            if previous is None:
                self.unregister(name)
            else:
                self._entries[self._key(name)] = previous

    def snapshot(self) -> dict[str, Any]:
        """The registrations made at run time, and the default: what a worker needs."""
        entries = {k: e.factory for k, e in self._entries.items() if e.origin == "runtime"}
        aliases = {a: k for a, k in self._aliases.items() if k in entries}
        state = {"entries": entries, "aliases": aliases, "default": self.default}
        try:
            pickle.dumps(state)
        except Exception as exc:  # lambdas, closures, local classes
            raise OptionError(
                f"a registered {self.kind} cannot be sent to worker processes ({exc}); "
                "register a module-level class or function, or use --jobs 1"
            ) from None
        return state

    def restore(self, state: dict[str, Any]) -> None:
        """Apply a `snapshot` taken in another process."""
        for key, factory in state["entries"].items():
            self.register(key, factory, replace=True)
        self._aliases.update(state["aliases"])
        self.default = state["default"]

    def _key(self, name: str) -> str:
        return name.strip().lower()

    def _canonical(self, name: str) -> str:
        key = self._key(name)
        return self._aliases.get(key, key)


_RUNTIME = _Entry("", "runtime")  # what a removed built-in counts as


def _import_factory(factory: Factory) -> Callable[..., Any]:
    if not isinstance(factory, str):
        return factory
    module_name, _, attribute = factory.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def call_with_accepted(factory: Callable[..., Any], offered: dict[str, Any]) -> Any:
    """Call `factory` with the offered keyword arguments its signature accepts."""
    try:
        parameters = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):  # some builtins have no signature
        return factory()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return factory(**offered)
    names = {p.name for p in parameters if p.kind is not inspect.Parameter.POSITIONAL_ONLY}
    return factory(**{k: v for k, v in offered.items() if k in names})


embedders = Registry("embedder", default=DEFAULT_MODEL, entry_point_group="twitchtopics.embedders")
"""Sentence encoders: a factory returns an object with `name` and `encode(list[str])`."""

clusterers = Registry("clusterer", default="ward", entry_point_group="twitchtopics.clusterers")
"""Clustering methods: a factory returns a chat clusterer or any scikit-learn-style estimator
(see `twitchtopics.topics_model`)."""

describers = Registry("describer", default="ctfidf", entry_point_group="twitchtopics.describers")
"""Group describers: a factory returns an object with `describe(messages, known_emotes, top_n)`."""

labelers = Registry("labeler", default="phrase", entry_point_group="twitchtopics.labelers")
"""Group labelers: a factory returns an object with `name` and `label(topic) -> str | None`
(None keeps the phrase label); a name that is not registered is a local model folder
(`twitchtopics.describe.labeler.ModelLabeler`)."""

ALL = {
    "embedders": embedders,
    "clusterers": clusterers,
    "describers": describers,
    "labelers": labelers,
}

for _name, _path, _aliases in (
    ("minilm", "twitchtopics.components:packaged_minilm", ()),
    ("static", "twitchtopics.components:static_minilm", ()),
    ("hashing", "twitchtopics.components:hashing_embedder", ("hash",)),
):
    aliases = (*_aliases, "default") if _name == DEFAULT_MODEL else _aliases
    embedders.register(_name, _path, aliases=aliases, builtin=True)
clusterers.register("ward", "twitchtopics.components:ward_clusterer", builtin=True)
clusterers.register("hdbscan", "twitchtopics.components:hdbscan_clusterer", builtin=True)
describers.register("ctfidf", "twitchtopics.components:CTfidfDescriber", builtin=True)
labelers.register("phrase", "twitchtopics.components:phrase_labeler", builtin=True)


def snapshot() -> dict[str, Any]:
    """Every registry's run-time registrations (see `Registry.snapshot`)."""
    return {name: registry.snapshot() for name, registry in ALL.items()}


def restore(state: dict[str, Any]) -> None:
    """Apply `snapshot()` from the parent process (a worker's start-up)."""
    for name, registry_state in state.items():
        ALL[name].restore(registry_state)


def builtin_run(request: Mapping[str, Any] | None) -> bool:
    """True when a run's options (`cache.runs.run_request`) name only the package's own
    components and no registry was changed at run time: `--model` none or a built-in name,
    a built-in `--method`, no `--labeler`. Only such a run may be reused whole from the run
    cache (a folder's or a registered factory's output is known to no key)."""
    if request is None or not all(registry.untouched() for registry in ALL.values()):
        return False
    model, method = request.get("model"), request.get("method")
    if model is not None and not (isinstance(model, str) and embedders.is_builtin(model)):
        return False
    if not (isinstance(method, str) and clusterers.is_builtin(method)):
        return False
    return request.get("labeler") is None
