"""ceasefire: software for a joint ceasefire monitoring centre."""

__version__ = "0.1.0"
