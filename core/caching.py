"""The one cache mechanism: Django's cache (shared by web processes and workers), with keys
versioned per namespace, so an edit anywhere makes every key of its namespace stale at once.

    value = caching.get_or_build("advice", (run.pk, "zh-hans"), build, timeout=300)
    caching.bump("advice")   # e.g. after a catalogue edit in admin

What is kept, and what makes it stale:

- ``reference``: dimensions, indicators and published schemes' engine views; stale after an
  edit of a dimension or an indicator (signals in ``evaluations/apps.py``);
- ``advice``: a run's ranked recommendations; stale after a catalogue edit, or 5 minutes;
- ``peers``: cohort summaries (quantile grids); rebuilt by beat, or 15 minutes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.cache import cache

FOREVER = None


def _version_key(namespace: str) -> str:
    return f"cbec:{namespace}:version"


def _key(namespace: str, parts: Iterable[object]) -> str:
    return ":".join(["cbec", namespace, *(str(part) for part in parts)])


def version(namespace: str) -> int:
    return cache.get_or_set(_version_key(namespace), 1, FOREVER)


def get_or_build[T](
    namespace: str, parts: Iterable[object], build: Callable[[], T], *, timeout: float | None
) -> T:
    """The kept value for ``parts`` under the namespace's current version, built on a miss."""
    key, current = _key(namespace, parts), version(namespace)
    value = cache.get(key, version=current)
    if value is None:
        value = build()
        cache.set(key, value, timeout, version=current)
    return value


def put(namespace: str, parts: Iterable[object], value: object, *, timeout: float | None) -> None:
    """Replace the kept value (a beat task rebuilding it ahead of readers)."""
    cache.set(_key(namespace, parts), value, timeout, version=version(namespace))


def bump(namespace: str, **signal_kwargs) -> None:
    """Make everything kept under ``namespace`` stale (usable as a signal receiver)."""
    try:
        cache.incr(_version_key(namespace))
    except ValueError:  # never read yet: nothing to make stale, but start above the default
        cache.set(_version_key(namespace), 2, FOREVER)
