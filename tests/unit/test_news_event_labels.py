"""Every PLOVER event type the news coder finds has a label the pages show (a code such as
``CONSULT`` reached the map's table and the article page as it was)."""

from __future__ import annotations

from typing import get_args

from ceasefire.i18n.labels import MODALITY_LABELS, NEWS_EVENT_LABELS
from ceasefire.news.components.lexicon import PLOVER_TYPES
from ceasefire.news.model import Modality


def test_every_event_type_and_modality_has_a_label() -> None:
    assert set(NEWS_EVENT_LABELS) == set(PLOVER_TYPES)
    assert set(MODALITY_LABELS) == set(get_args(Modality))
