"""The device cookie's value: several users' markers, newest first, bounded (members.devices;
the markers' checks are tests/api/test_device_markers.py's)."""

from __future__ import annotations

import base64

from ceasefire.members import devices


def _marker(user_id: str, nonce: str) -> str:
    user = base64.urlsafe_b64encode(user_id.encode()).decode().rstrip("=")
    return f"{user}.1700000000.{nonce}.mac"


def test_a_new_marker_replaces_its_users_old_one_and_keeps_the_others() -> None:
    old = devices.merged(_marker("arm-duty", "n1"), None)
    both = devices.merged(_marker("tur-duty", "n2"), old)
    again = devices.merged(_marker("arm-duty", "n3"), both)
    assert devices.markers_of(again) == [_marker("arm-duty", "n3"), _marker("tur-duty", "n2")]


def test_a_cookie_keeps_at_most_five_users_markers_newest_first() -> None:
    value = None
    for n in range(devices.MAX_MARKERS + 2):
        value = devices.merged(_marker(f"user-{n}", f"n{n}"), value)
    kept = devices.markers_of(value)
    assert len(kept) == devices.MAX_MARKERS
    assert kept[0] == _marker(f"user-{devices.MAX_MARKERS + 1}", f"n{devices.MAX_MARKERS + 1}")


def test_an_oversized_or_empty_value_holds_no_marker() -> None:
    assert devices.markers_of(None) == []
    assert devices.markers_of("") == []
    assert devices.markers_of("~" * 3) == []
    assert devices.markers_of("x" * (devices.MAX_COOKIE_LENGTH + 1)) == []
