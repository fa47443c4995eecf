"""brandwatch: find, evidence and track imitators of Chinese brands.

The public namespace; the modules behind it are private to the package.
"""

from .config import load_config, load_watchlists
from .errors import BrandwatchError, ConfigError, InputError
from .match import RULES, Matcher, split_company_name
from .models import Hit, Mark, Watchlist

__version__ = "0.1.0"

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
