"""Make cross-lingual training data from English task files."""

__version__ = "0.1.0"
