"""accords: a relational database of who does what in geopolitics."""

__version__ = "0.1.0"
