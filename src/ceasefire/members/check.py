"""State check of members, roles, users, tokens, posts and sensors against the ledger.

``ceasefire ledger verify`` replays this area's entries (added, granted, ended, created,
revoked, disabled, enabled, password set) into the state they describe and compares it with
the tables, so a member, role, user, token, post or sensor added, edited or deleted behind
the application's back shows up. Bookkeeping that is not a ledgered change (a token's
``last_used_at``, sign-in failure counts, a password rehash on login) is not compared.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ceasefire.ledger.check import StateChecker
from ceasefire.ledger.verify import CollectedEntry, Finding, compare_projection
from ceasefire.members.events import MemberTag
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


def _expected(
    entries: Sequence[CollectedEntry],
) -> dict[str, dict[str, tuple[int, dict[str, Any]]]]:
    """Table name → row key → (sequence number of the last entry, fields it says)."""
    state: dict[str, dict[str, tuple[int, dict[str, Any]]]] = {
        name: {} for name in ("members", "member_roles", "users", "api_tokens", "posts", "sensors")
    }
    for entry in entries:
        p = entry.payload if isinstance(entry.payload, dict) else {}
        if entry.tag == MemberTag.MEMBER_ADDED:
            fields = {"name": p.get("name"), "kind": p.get("kind"), "iso3": p.get("iso3")}
            state["members"][str(p.get("member_id"))] = (entry.seq, fields)
        elif entry.tag == MemberTag.ROLE_GRANTED:
            fields = {
                k: p.get(k)
                for k in ("member_id", "agreement_id", "role", "party", "valid_from", "valid_to")
            }
            state["member_roles"][str(p.get("role_id"))] = (entry.seq, fields)
        elif entry.tag == MemberTag.ROLE_ENDED:
            key = str(p.get("role_id"))
            if key in state["member_roles"]:
                fields = {**state["member_roles"][key][1], "valid_to": p.get("valid_to")}
            else:
                fields = {"valid_to": p.get("valid_to")}
            state["member_roles"][key] = (entry.seq, fields)
        elif entry.tag == MemberTag.USER_ADDED:
            fields = {k: p.get(k) for k in ("member_id", "operator", "has_password")}
            state["users"][str(p.get("user_id"))] = (entry.seq, {**fields, "disabled": False})
        elif entry.tag in (
            MemberTag.USER_DISABLED,
            MemberTag.USER_ENABLED,
            MemberTag.USER_PASSWORD_SET,
        ):
            key = str(p.get("user_id"))
            before = state["users"].get(key, (entry.seq, {}))[1]
            change = (
                {"has_password": True}
                if entry.tag == MemberTag.USER_PASSWORD_SET
                else {"disabled": entry.tag == MemberTag.USER_DISABLED}
            )
            state["users"][key] = (entry.seq, {**before, **change})
        elif entry.tag == MemberTag.TOKEN_CREATED:
            fields = {
                "user_id": p.get("user_id"),
                "label": p.get("label"),
                "expires_at": p.get("expires_at"),
                "revoked": False,
            }
            state["api_tokens"][str(p.get("token_id"))] = (entry.seq, fields)
        elif entry.tag == MemberTag.TOKEN_REVOKED:
            key = str(p.get("token_id"))
            before = state["api_tokens"].get(key, (entry.seq, {}))[1]
            state["api_tokens"][key] = (entry.seq, {**before, "revoked": True})
        elif entry.tag == MemberTag.POST_ADDED:
            coordinates = (p.get("location") or {}).get("coordinates") or [None, None]
            fields = {
                "name": p.get("name"),
                "owners": p.get("owners"),
                "lon": coordinates[0],
                "lat": coordinates[1],
                "location_note": p.get("location_note"),
                "active_from": p.get("active_from"),
                "active_to": p.get("active_to"),
                "independent": p.get("independent"),
                "classification": p.get("classification"),
            }
            state["posts"][str(p.get("post_id"))] = (entry.seq, fields)
        elif entry.tag == MemberTag.SENSOR_ADDED:
            fields = {
                k: p.get(k)
                for k in ("kind", "name", "post_id", "member_id", "classification", "notes")
            }
            state["sensors"][str(p.get("sensor_id"))] = (entry.seq, fields)
    return state


def _actual(session: Session) -> dict[str, dict[str, dict[str, Any]]]:
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


def check_members(session: Session, entries: Sequence[CollectedEntry]) -> Iterator[Finding]:
    """Report every row of this area that its ledger entries do not describe exactly."""
    yield from compare_projection(
        _expected(entries),
        _actual(session),
        differ_message=lambda table, key, seq, fields: (
            f"{table} row {key}: {', '.join(fields)} differ from ledger entry {seq}"
        ),
    )


CHECKER = StateChecker(
    name="members: members, roles, users, tokens, posts, sensors",
    tags=tuple(MemberTag),
    check=check_members,
)
