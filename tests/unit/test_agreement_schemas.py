"""The typed models of the agreement JSON reproduce the views exactly, and notice drift."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pydantic
import pytest

from ceasefire.agreements.loader import check_file
from ceasefire.agreements.model import Agreement
from ceasefire.agreements.schemas import (
    AgreementProvisionsPublic,
    AgreementPublic,
    EvidencePublic,
    SourceInstantPublic,
)
from ceasefire.agreements.service import shipped_agreement_paths
from ceasefire.agreements.views import agreement_view, provisions_view

VERSION: dict[str, Any] = {
    "number": 2,
    "current": 2,
    "is_current": True,
    "content_sha256": "0" * 64,
    "source_name": "file.yaml",
    "loaded_at": "2026-11-28T10:00:00.123456Z",
    "loaded_by": "centre",
    "changes": {"provisions": {"changed": {"p1": ["text"]}, "added": [], "retired": []}},
}
INSTANTS = [
    datetime(2020, 11, 9, tzinfo=UTC),  # before the statement took effect
    datetime(2020, 11, 14, tzinfo=UTC),  # before the Kalbajar extension was decided
    datetime(2020, 11, 26, tzinfo=UTC),
    datetime(2026, 11, 28, tzinfo=UTC),  # a renewed term period
]


def shipped() -> list[Agreement]:
    return [check_file(path).raise_if_invalid() for path in shipped_agreement_paths()]


@pytest.mark.parametrize("as_of", INSTANTS, ids=lambda t: t.date().isoformat())
def test_models_reproduce_the_views_exactly(as_of: datetime) -> None:
    for agreement in shipped():
        view = agreement_view(agreement, as_of, version=VERSION)
        assert AgreementPublic.model_validate(view).model_dump(mode="json") == view
        for due_within in (None, 7):
            flat = provisions_view(agreement, as_of, version=None, due_within_days=due_within)
            dumped = AgreementProvisionsPublic.model_validate(flat).model_dump(mode="json")
            assert dumped == flat


def test_absent_optional_keys_stay_absent() -> None:
    instant = {
        "at": "2020-11-10T00:00:00Z",
        "local": "2020-11-10",
        "time_zone": "UTC",
        "precision": "day",
    }
    assert SourceInstantPublic.model_validate(instant).model_dump(mode="json") == instant
    assert EvidencePublic(ref="report:r-1").model_dump(mode="json") == {"ref": "report:r-1"}


def test_a_key_the_model_does_not_know_is_an_error() -> None:
    view = agreement_view(shipped()[0], INSTANTS[-1], version=VERSION)
    view["provisions"][0]["surprise"] = 1
    with pytest.raises(pydantic.ValidationError, match="surprise"):
        AgreementPublic.model_validate(view)
