"""brandwatch: find, evidence and track imitators of Chinese brands.

The public namespace; the modules behind it are private to the package. The
matcher and config are loaded when first named, so that ``import
brandwatch.store`` (the web workspace, ``status``) does not load the matcher.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .errors import BrandwatchError, ConfigError, InputError
from .version import __version__

_LAZY = {
    "load_config": ".config", "load_watchlists": ".config",
    "RULES": ".match", "Matcher": ".match", "split_company_name": ".match",
    "Hit": ".models", "Mark": ".models", "Watchlist": ".models",
}

__all__ = [
    "RULES",
    "BrandwatchError",
    "ConfigError",
    "Hit",
    "InputError",
    "Mark",
    "Matcher",
    "Watchlist",
    "__version__",
    "load_config",
    "load_watchlists",
    "split_company_name",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'brandwatch' has no attribute {name!r}")
