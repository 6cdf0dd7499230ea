"""The read rule, case by case: every role × classification × concerned-party situation.

The expectations are written out as a table (not recomputed from the rule) so that a change
to ``can_read`` has to change this table too.
"""

from __future__ import annotations

import pytest

from ceasefire.access import Classification, Role, Viewer, can_read

INT, SHA, PUB = Classification.INTERNAL, Classification.SHARED, Classification.PUBLIC

PUBLIC = Viewer.public()
OPERATOR = Viewer.cli_operator()
RUS = Viewer(member_id="rus", user_id="ivan", role=Role.MONITOR)
TUR = Viewer(member_id="tur", user_id="ayse", role=Role.MONITOR)
ARM = Viewer(member_id="arm", user_id="anna", role=Role.PARTY_LIAISON, party="ARM")
AZE = Viewer(member_id="aze", user_id="elvin", role=Role.PARTY_LIAISON, party="AZE")
FRA = Viewer(member_id="fra", user_id="claire", role=Role.OBSERVER)
NO_ROLE = Viewer(member_id="usa", user_id="john", role=None)
LIAISON_WITHOUT_PARTY = Viewer(member_id="xyz", user_id="x", role=Role.PARTY_LIAISON)

# (viewer, classification, concerns, owner_member, expected)
CASES = [
    # the public: public records only, whatever they concern or whoever filed them
    (PUBLIC, INT, (), None, False),
    (PUBLIC, SHA, (), None, False),
    (PUBLIC, PUB, (), None, True),
    (PUBLIC, SHA, ("ARM",), "arm", False),
    (PUBLIC, INT, ("ARM",), None, False),
    # the operator reads everything
    (OPERATOR, INT, (), None, True),
    (OPERATOR, SHA, ("AZE",), "aze", True),
    (OPERATOR, PUB, (), None, True),
    # monitors read everything
    (RUS, INT, (), None, True),
    (RUS, INT, ("ARM", "AZE"), "tur", True),
    (RUS, SHA, ("AZE",), None, True),
    (RUS, PUB, (), None, True),
    (TUR, INT, ("ARM",), "rus", True),
    # observers: shared and public, never internal
    (FRA, INT, (), None, False),
    (FRA, INT, ("ARM",), "tur", False),
    (FRA, SHA, (), None, True),
    (FRA, SHA, ("ARM", "AZE"), None, True),
    (FRA, PUB, (), None, True),
    # an observer sees what its own member filed, even internal
    (FRA, INT, (), "fra", True),
    # party liaisons: shared only when it concerns their party
    (ARM, INT, ("ARM",), None, False),
    (ARM, INT, (), None, False),
    (ARM, SHA, ("ARM",), None, True),
    (ARM, SHA, ("ARM", "AZE"), None, True),
    (ARM, SHA, ("AZE",), None, False),
    (ARM, SHA, (), None, False),
    (ARM, PUB, ("AZE",), None, True),
    (ARM, PUB, (), None, True),
    (AZE, SHA, ("ARM",), None, False),
    (AZE, SHA, ("AZE",), None, True),
    (AZE, INT, ("AZE",), "tur", False),
    # ... and always their own complaints, whatever the classification
    (ARM, SHA, ("AZE",), "arm", True),
    (ARM, INT, (), "arm", True),
    (AZE, INT, ("ARM",), "aze", True),
    # ... but not another liaison's complaint about the same party
    (AZE, SHA, ("ARM",), "arm", False),
    # a liaison whose party is unknown sees no shared record
    (LIAISON_WITHOUT_PARTY, SHA, ("ARM",), None, False),
    (LIAISON_WITHOUT_PARTY, PUB, (), None, True),
    # a member without a role in the agreement: public and its own records only
    (NO_ROLE, INT, (), None, False),
    (NO_ROLE, SHA, ("ARM",), None, False),
    (NO_ROLE, PUB, (), None, True),
    (NO_ROLE, SHA, (), "usa", True),
]


@pytest.mark.parametrize(("viewer", "classification", "concerns", "owner", "expected"), CASES)
def test_can_read(
    viewer: Viewer,
    classification: Classification,
    concerns: tuple[str, ...],
    owner: str | None,
    expected: bool,
) -> None:
    assert can_read(viewer, classification, concerns=concerns, owner_member=owner) is expected


@pytest.mark.parametrize("role", [*Role, None])
@pytest.mark.parametrize("classification", list(Classification))
@pytest.mark.parametrize("concerned", [True, False])
def test_every_combination_is_covered_and_consistent(
    role: Role | None, classification: Classification, concerned: bool
) -> None:
    """The whole grid: a monitor reads all; public is readable by all; internal by monitors
    only; shared by observers and the concerned liaison."""
    viewer = Viewer(
        member_id="m",
        user_id="u",
        role=role,
        party="ARM" if role is Role.PARTY_LIAISON else None,
    )
    concerns = ("ARM",) if concerned else ("AZE",)
    expected = (
        classification is Classification.PUBLIC
        or role is Role.MONITOR
        or (classification is Classification.SHARED and role is Role.OBSERVER)
        or (classification is Classification.SHARED and role is Role.PARTY_LIAISON and concerned)
    )
    assert can_read(viewer, classification, concerns=concerns) is expected


def test_public_viewer_is_public_and_operator_is_not() -> None:
    assert PUBLIC.is_public
    assert not OPERATOR.is_public
    assert not ARM.is_public
    assert OPERATOR.agreement_id is None
