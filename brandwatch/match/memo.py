"""Tables built once per process, which a saved index can carry and put back.

``@table`` is ``functools.cache`` for the matcher's data loaders (readings,
lexicons, look-alikes, the public suffix list), with one addition: what has
been built can be taken (``snapshot``) and put back in another process
(``restore``), so a process that loads a saved index (brandwatch/index.py)
does not build them again. Pure: no I/O here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_TABLES: dict[str, dict[tuple[Any, ...], Any]] = {}
_UNSAVED: set[str] = set()


def table(fn: F) -> F:
    """Cache ``fn``'s value per argument tuple, in a store ``snapshot`` can take."""
    memo: dict[tuple[Any, ...], Any] = {}
    _TABLES[f"{fn.__module__}.{fn.__qualname__}"] = memo
    return _wrap(fn, memo)


def compile_table(fn: F) -> F:
    """``table`` for what a snapshot does not carry: what only compiling marks needs (phrase
    readings), and large tables only some names need, built when first asked for (the pinyin of
    ordinary words, for handles and domains)."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    _UNSAVED.add(name)
    return table(fn)


def _wrap(fn: F, memo: dict[tuple[Any, ...], Any]) -> F:

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = (*args, *sorted(kwargs.items())) if kwargs else args
        try:
            return memo[key]
        except KeyError:
            value = memo[key] = fn(*args, **kwargs)
            return value

    wrapper.cache_clear = memo.clear  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def snapshot() -> dict[str, dict[tuple[Any, ...], Any]]:
    """Every table built so far, by the loader's qualified name."""
    return {name: dict(memo) for name, memo in _TABLES.items() if memo and name not in _UNSAVED}


def restore(tables: dict[str, dict[tuple[Any, ...], Any]]) -> None:
    """Put back tables a snapshot took; loaders this code no longer has are ignored."""
    for name, values in tables.items():
        memo = _TABLES.get(name)
        if memo is not None:
            for args, value in values.items():
                memo.setdefault(args, value)
