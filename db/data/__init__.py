"""Data shipped with accords: the seed article's text and its facts."""
