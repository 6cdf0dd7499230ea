"""Jinja2 templates in the reader's language: the environment the web pages and the
published reports share, before each adds its own filters."""

from __future__ import annotations

from pathlib import Path

import jinja2

from ceasefire.i18n import translations


def template_environment(folder: Path, lang: str) -> jinja2.Environment:
    """The Jinja2 templates of ``folder`` (HTML escaped), with ``_``/``ngettext`` translating
    into ``lang``, and ``lang`` as a global."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.globals["lang"] = lang
    return env
