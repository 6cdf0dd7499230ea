"""Markers for translatable strings in Python code.

``N_`` marks a string for extraction and returns it unchanged: the text is translated where
it is shown (a template's ``_()``, or :func:`ceasefire.i18n.gettext`), in the reader's
language, not where it is defined.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 (the gettext convention)
    return message
