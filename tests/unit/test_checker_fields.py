"""The state checkers that copy a payload's fields by name name only fields the tag's
payload type declares.

A checker that reads its fields from a table of names (not through the ``TypedDict``, where
mypy would check each key) would compare a misspelt field as ``None`` on both sides of a
new row and report nothing: this test is the check mypy cannot make there.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import get_type_hints

import pytest

from ceasefire.alerts import check as alerts_check
from ceasefire.alerts.events import PAYLOADS as ALERT_PAYLOADS
from ceasefire.alerts.events import AlertTag
from ceasefire.incidents import check as incidents_check
from ceasefire.incidents.events import PAYLOADS as INCIDENT_PAYLOADS
from ceasefire.reports import check as reports_check
from ceasefire.reports.events import PAYLOADS as REPORT_PAYLOADS
from ceasefire.reports.events import ReportTag

CASES = [
    *(
        (f"incidents {tag}", INCIDENT_PAYLOADS[tag], (key, *fields))
        for tag, (_table, key, fields) in incidents_check._RECORDED.items()
    ),
    ("reports received", REPORT_PAYLOADS[ReportTag.RECEIVED], reports_check._REPORT_FIELDS),
    (
        "reports attachment",
        REPORT_PAYLOADS[ReportTag.ATTACHMENT_RECEIVED],
        reports_check._ATTACHMENT_FIELDS,
    ),
    ("alerts raised", ALERT_PAYLOADS[AlertTag.RAISED], alerts_check._ALERT_FIELDS),
    ("alerts subscribed", ALERT_PAYLOADS[AlertTag.SUBSCRIBED], alerts_check._SUBSCRIPTION_FIELDS),
]


@pytest.mark.parametrize(("payload", "names"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_every_field_read_is_declared(payload: type, names: Iterable[str]) -> None:
    declared = set(get_type_hints(payload))
    assert set(names) <= declared, set(names) - declared
