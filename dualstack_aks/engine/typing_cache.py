"""Python's typing caches, grown to hold every type the generated bindings name (docs/performance.md).

Each property of a generated struct class returns `typing.cast(<its type>, value)`, and that type
expression (`typing.Optional[typing.List[typing.Union[...]]]`) is evaluated again on every read; jsii
reads every property of every struct it passes to node. typing caches each subscription in an LRU
cache of 128 entries per kind; the default synth names ~720 distinct `Optional[...]`/`Union[...]` and
~140 `List[...]`/`Mapping[...]`, read in turn, so nearly every read missed and built its type again
(~15 ms a region). Grown, each is built once. Only the cache's size changes: the same function makes
each type, and typing's own `_cleanups` (which clear its caches) clear these too.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable
from typing import Any

# The measured need is ~860 entries (the default synth); room for every layout's types, a few hundred bytes each.
TYPING_CACHE_SIZE = 4096
# typing's cached subscriptions the generated bindings evaluate: Optional, Union (a _SpecialForm) and
# List, Mapping (a _SpecialGenericAlias). Each method is typing's `_tp_cache` wrapper of the function
# that makes the type, which it keeps as `__wrapped__`.
GROWN = ((typing._SpecialForm, "__getitem__"), (typing._SpecialGenericAlias, "__getitem__"))  # type: ignore[attr-defined]


def _cached_function(owner: type, name: str) -> Callable[..., Any] | None:
    """The function typing's cache wrapper makes types with, or None if the method is not such a wrapper."""
    made = getattr(owner.__dict__.get(name), "__wrapped__", None)
    return made if callable(made) else None


def _with_cache(make: Callable[..., Any], size: int) -> Callable[..., Any]:
    """typing's `_tp_cache` wrapper, with a cache of `size` entries."""
    cached = functools.lru_cache(maxsize=size)(make)
    typing._cleanups.append(cached.cache_clear)  # type: ignore[attr-defined]

    @functools.wraps(make)
    def subscribe(*args: Any, **kwargs: Any) -> Any:
        try:
            return cached(*args, **kwargs)
        except TypeError:  # unhashable arguments; a real error is raised again below
            pass
        return make(*args, **kwargs)

    subscribe.cache_info = cached.cache_info  # type: ignore[attr-defined]
    return subscribe


def grow_typing_caches(size: int = TYPING_CACHE_SIZE) -> None:
    """Give each of GROWN a cache of `size` entries; once per process (a process of its own: main.py).
    A method that is not typing's cache wrapper, as in another Python, is left as it is."""
    for owner, name in GROWN:
        make = _cached_function(owner, name)
        if make is not None and not hasattr(owner.__dict__[name], "cache_info"):
            setattr(owner, name, _with_cache(make, size))
