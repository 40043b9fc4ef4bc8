"""benefit-cli: membership benefits in one SQLite file."""

__version__ = "0.1.0"
