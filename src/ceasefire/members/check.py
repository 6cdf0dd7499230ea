"""State check of members, roles, users, tokens, posts and sensors against the ledger.

``ceasefire ledger verify`` replays this area's entries (added, granted, ended, created,
revoked, disabled, enabled, password set) into the state they describe and compares it with
the tables, so a member, role, user, token, post or sensor added, edited or deleted behind
the application's back shows up. Bookkeeping that is not a ledgered change (a token's
``last_used_at``, sign-in failure counts, a password rehash on login) is not compared.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from ceasefire.access import Viewer
from ceasefire.errors import worded_text
from ceasefire.i18n.markers import N_
from ceasefire.ledger.check import (
    ActualRows,
    EntryAbout,
    PayloadRule,
    changed_row,
    picked,
    projection_checker,
    read_payload,
)
from ceasefire.ledger.verify import CollectedEntry
from ceasefire.members.events import (
    MemberTag,
    PostAdded,
    RoleEnded,
    TokenRevoked,
    UserDisabled,
    UserEnabled,
    UserPasswordSet,
    UserPreferencesSet,
)
from ceasefire.members.posts import readable_posts, readable_sensors
from ceasefire.members.tables import (
    ApiTokenRow,
    MemberRoleRow,
    MemberRow,
    ObservationPostRow,
    PostOwnerRow,
    SensorRow,
    UserRow,
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class _Added(NamedTuple):
    """An entry that adds a row: its table, the payload field keying the row, the payload
    fields the row holds, and the state a new row starts in."""

    table: str
    key: str
    fields: tuple[str, ...]
    starts: Mapping[str, Any] = {}


_ADDED: dict[str, _Added] = {
    MemberTag.MEMBER_ADDED: _Added("members", "member_id", ("name", "kind", "iso3")),
    MemberTag.ROLE_GRANTED: _Added(
        "member_roles",
        "role_id",
        ("member_id", "agreement_id", "role", "party", "valid_from", "valid_to"),
    ),
    MemberTag.USER_ADDED: _Added(
        "users",
        "user_id",
        ("member_id", "operator", "has_password"),
        {"disabled": False, "lang": None, "time_zone": None},
    ),
    MemberTag.TOKEN_CREATED: _Added(
        "api_tokens", "token_id", ("user_id", "label", "expires_at"), {"revoked": False}
    ),
    MemberTag.SENSOR_ADDED: _Added(
        "sensors",
        "sensor_id",
        ("kind", "name", "post_id", "member_id", "classification", "notes"),
    ),
}


def _expected(
    entries: Sequence[CollectedEntry],
) -> dict[str, dict[str, tuple[int, dict[str, Any]]]]:
    """Table name → row key → (sequence number of the last entry, fields it says)."""
    state: dict[str, dict[str, tuple[int, dict[str, Any]]]] = {
        name: {} for name in ("members", "member_roles", "users", "api_tokens", "posts", "sensors")
    }
    for entry in entries:
        p = read_payload(entry)
        added = _ADDED.get(entry.tag)
        if added is not None:
            row = {**picked(p, *added.fields), **added.starts}
            state[added.table][str(p[added.key])] = (entry.seq, row)
        elif entry.tag == MemberTag.ROLE_ENDED:
            ended = cast(RoleEnded, p)
            key = str(ended["role_id"])
            changed_row(state["member_roles"], key, entry.seq, {"valid_to": ended["valid_to"]})
        elif entry.tag == MemberTag.USER_PREFERENCES_SET:
            prefs = cast(UserPreferencesSet, p)
            changed_row(
                state["users"],
                str(prefs["user_id"]),
                entry.seq,
                {"lang": prefs["lang"], "time_zone": prefs["time_zone"]},
            )
        elif entry.tag in (
            MemberTag.USER_DISABLED,
            MemberTag.USER_ENABLED,
            MemberTag.USER_PASSWORD_SET,
        ):
            # The three payloads all name the user by ``user_id``.
            key = str(cast(UserDisabled | UserEnabled | UserPasswordSet, p)["user_id"])
            change = (
                {"has_password": True}
                if entry.tag == MemberTag.USER_PASSWORD_SET
                else {"disabled": entry.tag == MemberTag.USER_DISABLED}
            )
            changed_row(state["users"], key, entry.seq, change)
        elif entry.tag == MemberTag.TOKEN_REVOKED:
            key = str(cast(TokenRevoked, p)["token_id"])
            changed_row(state["api_tokens"], key, entry.seq, {"revoked": True})
        elif entry.tag == MemberTag.POST_ADDED:
            post = cast(PostAdded, p)
            coordinates: list[Any] = (post["location"] or {}).get("coordinates") or [None, None]
            fields = {
                **picked(post, "name", "owners"),
                "lon": coordinates[0],
                "lat": coordinates[1],
                **picked(
                    post,
                    "location_note",
                    "active_from",
                    "active_to",
                    "independent",
                    "classification",
                ),
            }
            state["posts"][str(post["post_id"])] = (entry.seq, fields)
    return state


def _actual(session: Session) -> ActualRows:
    owners: dict[str, list[str]] = {}
    for owner in session.scalars(select(PostOwnerRow).order_by(PostOwnerRow.position)):
        owners.setdefault(owner.post_id, []).append(owner.member_id)
    return {
        "members": {
            m.id: {"name": m.name, "kind": m.kind, "iso3": m.iso3}
            for m in session.scalars(select(MemberRow))
        },
        "member_roles": {
            str(r.id): {
                "member_id": r.member_id,
                "agreement_id": r.agreement_id,
                "role": r.role,
                "party": r.party,
                "valid_from": _iso(r.valid_from),
                "valid_to": _iso(r.valid_to),
            }
            for r in session.scalars(select(MemberRoleRow))
        },
        "users": {
            u.id: {
                "member_id": u.member_id,
                "operator": u.operator,
                "has_password": u.password_hash is not None,
                "disabled": u.disabled_at is not None,
                "lang": u.lang,
                "time_zone": u.time_zone,
            }
            for u in session.scalars(select(UserRow))
        },
        "api_tokens": {
            t.id: {
                "user_id": t.user_id,
                "label": t.label,
                "expires_at": _iso(t.expires_at),
                "revoked": t.revoked_at is not None,
            }
            for t in session.scalars(select(ApiTokenRow))
        },
        "posts": {
            p.id: {
                "name": p.name,
                "owners": owners.get(p.id, []),
                "lon": p.lon,
                "lat": p.lat,
                "location_note": p.location_note,
                "active_from": _iso(p.active_from),
                "active_to": _iso(p.active_to),
                "independent": p.independent,
                "classification": p.classification,
            }
            for p in session.scalars(select(ObservationPostRow))
        },
        "sensors": {
            s.id: {
                "kind": s.kind,
                "name": s.name,
                "post_id": s.post_id,
                "member_id": s.member_id,
                "classification": s.classification,
                "notes": s.notes,
            }
            for s in session.scalars(select(SensorRow))
        },
    }


def _differs(table: str, key: str, seq: int, fields: list[str]) -> str:
    return worded_text(
        N_("%(table)s row %(key)s: %(fields)s differ from ledger entry %(seq)s"),
        table=table,
        key=key,
        fields=", ".join(fields),
        seq=seq,
    )


CHECKER = projection_checker(
    "members: members, roles, users, tokens, posts, sensors",
    MemberTag,
    _expected,
    _actual,
    differ_message=_differs,
)


# -- who reads the payloads -------------------------------------------------------------------


def _readable(session: Session, viewer: Viewer, entries: Sequence[EntryAbout]) -> list[int]:
    """A post's entry is read by whoever may read the post, a sensor's by whoever may read
    the sensor (``posts.list_posts`` and ``list_sensors``' rule): its position, name and
    notes tell where monitors stand. A post or sensor no longer there is the centre's only."""
    posts: dict[int, str] = {}
    sensors: dict[int, str] = {}
    for entry in entries:
        kind, _, record_id = entry.subject.partition("/")
        if entry.tag == MemberTag.POST_ADDED and kind == "post":
            posts[entry.seq] = record_id
        elif entry.tag == MemberTag.SENSOR_ADDED and kind == "sensor":
            sensors[entry.seq] = record_id
    shown_posts = readable_posts(session, viewer, posts.values())
    shown_sensors = readable_sensors(session, viewer, sensors.values())
    # A user's language and time zone are its own: no page or API shows them to anyone else.
    own_preferences = [
        entry.seq
        for entry in entries
        if entry.tag == MemberTag.USER_PREFERENCES_SET
        and viewer.user_id is not None
        and entry.payload["user_id"] == viewer.user_id
    ]
    return (
        [seq for seq, post in posts.items() if post in shown_posts]
        + [seq for seq, sensor in sensors.items() if sensor in shown_sensors]
        + own_preferences
    )


PAYLOAD_RULE = PayloadRule(
    "members: posts, sensors and users' preferences",
    (MemberTag.POST_ADDED, MemberTag.SENSOR_ADDED, MemberTag.USER_PREFERENCES_SET),
    _readable,
)
"""The entries of observation posts and sensors are read by whoever may read the post or
sensor; a user's preferences (language, time zone: where it may be) by that user alone (and
operators); the other members' entries (members, roles, users, tokens) by every member."""
