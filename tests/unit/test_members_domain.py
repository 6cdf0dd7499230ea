"""Members, roles, posts and sensors: validation and how a user's role is chosen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceasefire.access import Classification, Role
from ceasefire.errors import InvalidInput
from ceasefire.members.model import (
    GeoPoint,
    Member,
    MemberKind,
    MemberRole,
    ObservationPost,
    Sensor,
    SensorKind,
    intervals_overlap,
    narrowest_role,
    viewer_for_roles,
)

T0 = datetime(2020, 11, 9, 21, tzinfo=UTC)
AGR = "nk-2020-trilateral"


def _locs(exc: pytest.ExceptionInfo[InvalidInput]) -> list[str]:
    return [d["loc"] for d in exc.value.details]


def test_state_member_needs_iso3_and_organisation_has_none() -> None:
    assert Member(id="tur", name="Turkey", kind=MemberKind.STATE, iso3="tur").iso3 == "TUR"
    with pytest.raises(InvalidInput) as exc:
        Member(id="tur", name="Turkey", kind=MemberKind.STATE)
    assert _locs(exc) == ["iso3"]
    with pytest.raises(InvalidInput) as exc:
        Member(id="osce-mg", name="OSCE MG", kind=MemberKind.ORGANISATION, iso3="OSC")
    assert _locs(exc) == ["iso3"]
    with pytest.raises(InvalidInput) as exc:
        Member(id="fra", name="France", kind=MemberKind.STATE, iso3="FR")
    assert _locs(exc) == ["iso3"]


@pytest.mark.parametrize("bad", ["", "T", "Tur", "1ab", "a b", "tur_x", "a" * 65])
def test_member_id_must_be_a_slug(bad: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        Member(id=bad, name="X", kind=MemberKind.ORGANISATION)
    assert _locs(exc) == ["id"]


def test_party_liaison_names_its_party_others_do_not() -> None:
    role = MemberRole("arm", AGR, Role.PARTY_LIAISON, T0, party="arm")
    assert role.party == "ARM"
    with pytest.raises(InvalidInput) as exc:
        MemberRole("arm", AGR, Role.PARTY_LIAISON, T0)
    assert _locs(exc) == ["party"]
    with pytest.raises(InvalidInput) as exc:
        MemberRole("rus", AGR, Role.MONITOR, T0, party="RUS")
    assert _locs(exc) == ["party"]


def test_role_interval_is_checked_and_half_open() -> None:
    with pytest.raises(InvalidInput) as exc:
        MemberRole("rus", AGR, Role.MONITOR, T0, valid_to=T0)
    assert _locs(exc) == ["valid_to"]
    with pytest.raises(InvalidInput) as exc:
        MemberRole("rus", AGR, Role.MONITOR, datetime(2020, 11, 10))
    assert _locs(exc) == ["valid_from"]
    role = MemberRole("rus", AGR, Role.MONITOR, T0, valid_to=T0 + timedelta(days=1))
    assert role.is_valid_at(T0)
    assert not role.is_valid_at(T0 - timedelta(seconds=1))
    assert not role.is_valid_at(T0 + timedelta(days=1))


def test_viewer_takes_the_role_in_the_agreement_asked_for() -> None:
    roles = [
        MemberRole("tur", AGR, Role.MONITOR, T0),
        MemberRole("tur", "other-agreement", Role.OBSERVER, T0),
    ]
    now = T0 + timedelta(days=10)
    viewer = viewer_for_roles(member_id="tur", user_id="u", roles=roles, at=now, agreement_id=AGR)
    assert (viewer.role, viewer.agreement_id) == (Role.MONITOR, AGR)
    other = viewer_for_roles(
        member_id="tur", user_id="u", roles=roles, at=now, agreement_id="other-agreement"
    )
    assert other.role is Role.OBSERVER
    none = viewer_for_roles(member_id="tur", user_id="u", roles=roles, at=now, agreement_id="x")
    assert none.role is None
    assert not none.is_public


def test_without_an_agreement_the_narrowest_current_role_is_used() -> None:
    roles = [
        MemberRole("arm", AGR, Role.PARTY_LIAISON, T0, party="ARM"),
        MemberRole("arm", "other", Role.MONITOR, T0),
        MemberRole("arm", "old", Role.OBSERVER, T0, valid_to=T0 + timedelta(days=1)),
        MemberRole("rus", AGR, Role.MONITOR, T0),
    ]
    viewer = viewer_for_roles(member_id="arm", user_id="u", roles=roles, at=T0 + timedelta(days=2))
    assert (viewer.role, viewer.party) == (Role.PARTY_LIAISON, "ARM")
    assert narrowest_role([]) is None
    ended = viewer_for_roles(
        member_id="arm", user_id="u", roles=roles[2:3], at=T0 + timedelta(days=2)
    )
    assert ended.role is None


def test_operator_flag_is_carried() -> None:
    viewer = viewer_for_roles(member_id="centre", user_id="op", roles=[], at=T0, operator=True)
    assert viewer.operator
    assert viewer.role is None


instants = st.integers(min_value=0, max_value=150).map(lambda h: T0 + timedelta(hours=h))


@given(instants, st.integers(1, 100), instants, st.integers(1, 100), st.booleans(), st.booleans())
def test_overlap_agrees_with_shared_instants(
    a0: datetime, alen: int, b0: datetime, blen: int, a_open: bool, b_open: bool
) -> None:
    a1 = None if a_open else a0 + timedelta(hours=alen)
    b1 = None if b_open else b0 + timedelta(hours=blen)
    horizon = T0 + timedelta(hours=260)
    hours = [T0 + timedelta(hours=h) for h in range(260)]
    shared = any(a0 <= t < (a1 or horizon) and b0 <= t < (b1 or horizon) for t in hours)
    assert intervals_overlap(a0, a1, b0, b1) is shared


@pytest.mark.parametrize(
    ("lon", "lat", "locs"),
    [(181, 0, ["lon"]), (0, -91, ["lat"]), (-200, 100, ["lon", "lat"])],
)
def test_coordinates_out_of_range(lon: float, lat: float, locs: list[str]) -> None:
    with pytest.raises(InvalidInput) as exc:
        GeoPoint(lon=lon, lat=lat)
    assert _locs(exc) == locs


def _post(**changes: Any) -> ObservationPost:
    fields: dict[str, Any] = {
        "id": "jmc",
        "name": "JMC",
        "owners": ("rus", "tur"),
        "location": GeoPoint(47.05, 39.97),
        "active_from": T0,
    }
    fields.update(changes)
    return ObservationPost(**fields)


def test_post_rules() -> None:
    post = _post(active_to=T0 + timedelta(days=1))
    assert post.classification is Classification.SHARED
    with pytest.raises(InvalidInput) as exc:
        _post(owners=())
    assert _locs(exc) == ["owners"]
    with pytest.raises(InvalidInput) as exc:
        _post(owners=("rus", "rus"))
    assert _locs(exc) == ["owners"]
    with pytest.raises(InvalidInput) as exc:
        _post(independent=True)
    assert _locs(exc) == ["owners"]
    assert _post(owners=("tur",), independent=True).independent
    with pytest.raises(InvalidInput) as exc:
        _post(active_to=T0 - timedelta(days=1))
    assert _locs(exc) == ["active_to"]


def test_sensor_is_attached_to_exactly_one_post_or_member() -> None:
    assert Sensor("tur-uav-1", SensorKind.UAV, "UAV", member_id="tur").post_id is None
    assert Sensor("cam-1", SensorKind.CAMERA, "Cam", post_id="jmc").member_id is None
    with pytest.raises(InvalidInput):
        Sensor("x1", SensorKind.ACOUSTIC, "Mic")
    with pytest.raises(InvalidInput):
        Sensor("x1", SensorKind.ACOUSTIC, "Mic", post_id="jmc", member_id="tur")
