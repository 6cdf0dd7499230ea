"""Every ledger tag has its phrase: the pages name a ledger line by its translated phrase
(``i18n.labels.LEDGER_TAG_LABELS``), never by its tag (``intake:incident:created``). The
tags are read from every area's ``events.py`` (found on disk, so a new area is counted too):
a new tag with no phrase fails here."""

from __future__ import annotations

import importlib
from enum import StrEnum
from pathlib import Path

import pytest

import ceasefire
from ceasefire import i18n
from ceasefire.i18n.labels import LEDGER_TAG_LABELS, label

PACKAGE = Path(ceasefire.__file__).parent


def every_tag() -> set[str]:
    """The tags of every ``StrEnum`` declared in an area's ``events.py``."""
    tags: set[str] = set()
    for path in sorted(PACKAGE.glob("*/events.py")):
        module = importlib.import_module(f"ceasefire.{path.parent.name}.events")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, StrEnum)
                and value is not StrEnum
                and value.__module__ == module.__name__
            ):
                tags |= {str(tag) for tag in value}
    return tags


def test_the_tags_are_found() -> None:
    tags = every_tag()
    assert {"intake:incident:created", "alerts:subscription:added", "ledger:root:sealed"} <= tags
    assert len(tags) >= 50


def test_every_tag_has_a_phrase_and_every_phrase_a_tag() -> None:
    tags = every_tag()
    missing = tags - set(LEDGER_TAG_LABELS)
    assert not missing, f"tags with no phrase in i18n.labels.LEDGER_TAG_LABELS: {missing}"
    assert not set(LEDGER_TAG_LABELS) - tags, "phrases of no tag"


@pytest.mark.parametrize("lang", ["ru", "tr"])
def test_every_phrase_is_translated(lang: str) -> None:
    translate = i18n.translations(lang).gettext
    untranslated = [tag for tag, msgid in LEDGER_TAG_LABELS.items() if translate(msgid) == msgid]
    assert not untranslated
    assert (
        label("ledger_tag", "intake:incident:created", translate)
        == {
            "ru": "инцидент создан",
            "tr": "olay oluşturuldu",
        }[lang]
    )
