"""brandwatch's version, alone so that the store, fetcher and report can name it without loading the matcher."""

__version__ = "0.1.0"
