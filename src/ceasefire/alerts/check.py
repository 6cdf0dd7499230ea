"""State check of alerts, subscriptions and deliveries against the ledger.

``ceasefire ledger verify`` replays this area's entries — alerts raised with the deliveries
they queued, subscriptions added and ended, deliveries that succeeded or were dead-lettered
— and compares them with the tables, so an alert, a subscription's address or a delivery's
outcome changed behind the application's back shows up. A delivery's attempts, its retry
time and its claim are bookkeeping, not compared.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from ceasefire.access import Viewer
from ceasefire.alerts.events import (
    AlertRaised,
    AlertTag,
    DeliveryFinished,
    Subscribed,
    Unsubscribed,
)
from ceasefire.alerts.service import readable_alerts
from ceasefire.alerts.tables import AlertRow, DeliveryRow, SubscriptionRow
from ceasefire.ledger.check import (
    ActualRows,
    EntryAbout,
    ExpectedRows,
    PayloadRule,
    changed_row,
    picked,
    projection_checker,
    read_payload,
)
from ceasefire.ledger.entry import text_sha256
from ceasefire.ledger.verify import CollectedEntry
from ceasefire.members.scope import ReadScope

# The fields an ``alert:raised`` and an ``alert:subscribed`` entry give as the tables hold
# them, but for the last, a digest of a column the check hashes (``_actual``).
_ALERT_FIELDS = ("kind", "severity", "subject", "dedup_key", "classification", "summary_sha256")
_LANG_BEFORE = "en"
"""A subscription's language where its entry names none: those made before subscriptions
had one were told in English (migration 0019 gave them ``en``)."""
_SUBSCRIPTION_FIELDS = (
    "member_id",
    "user_id",
    "kinds",
    "areas",
    "min_severity",
    "channel",
    "target_sha256",
)


def _expected(entries: Sequence[CollectedEntry]) -> ExpectedRows:
    state: ExpectedRows = {"alerts": {}, "alert_subscriptions": {}, "alert_deliveries": {}}
    for entry in entries:
        p = read_payload(entry)
        if entry.tag == AlertTag.RAISED:
            raised = cast(AlertRaised, p)
            state["alerts"][str(raised["alert_id"])] = (entry.seq, picked(p, *_ALERT_FIELDS))
            for queued in raised["deliveries"] or []:
                state["alert_deliveries"][str(queued["delivery_id"])] = (
                    entry.seq,
                    {
                        "alert_id": raised["alert_id"],
                        "subscription_id": queued["subscription_id"],
                        "finished": None,
                    },
                )
        elif entry.tag == AlertTag.SUBSCRIBED:
            sub = cast(Subscribed, p)
            state["alert_subscriptions"][str(sub["subscription_id"])] = (
                entry.seq,
                {
                    **picked(p, *_SUBSCRIPTION_FIELDS),
                    "lang": sub.get("lang", _LANG_BEFORE),
                    "ended_at": None,
                },
            )
        elif entry.tag == AlertTag.UNSUBSCRIBED:
            ended = cast(Unsubscribed, p)
            key = str(ended["subscription_id"])
            changed_row(
                state["alert_subscriptions"], key, entry.seq, {"ended_at": ended["ended_at"]}
            )
        elif entry.tag in (AlertTag.DELIVERED, AlertTag.DEAD_LETTERED, AlertTag.REQUEUED):
            done = cast(DeliveryFinished, p)
            outcome = {AlertTag.DELIVERED: "succeeded", AlertTag.DEAD_LETTERED: "dead"}.get(
                AlertTag(entry.tag)
            )
            changed_row(
                state["alert_deliveries"],
                str(done["delivery_id"]),
                entry.seq,
                {"alert_id": done["alert_id"], "finished": outcome},
            )
    return state


def _actual(session: Session) -> ActualRows:
    rows: dict[str, dict[str, dict[str, Any]]] = {
        "alerts": {
            a.id: {
                **{name: getattr(a, name) for name in _ALERT_FIELDS[:-1]},
                "summary_sha256": text_sha256(a.summary),
            }
            for a in session.scalars(select(AlertRow))
        },
        "alert_subscriptions": {
            s.id: {
                **{name: getattr(s, name) for name in _SUBSCRIPTION_FIELDS[:-1]},
                "kinds": list(s.kinds),
                "areas": list(s.areas),
                "target_sha256": text_sha256(s.target),
                "lang": s.lang,
                "ended_at": s.ended_at.isoformat() if s.ended_at else None,
            }
            for s in session.scalars(select(SubscriptionRow))
        },
        "alert_deliveries": {
            d.id: {
                "alert_id": d.alert_id,
                "subscription_id": d.subscription_id,
                "finished": None if d.state == "pending" else d.state,
            }
            for d in session.scalars(select(DeliveryRow))
        },
    }
    return rows


CHECKER = projection_checker(
    "alerts: alerts, subscriptions, deliveries", AlertTag, _expected, _actual
)


# -- who reads the payloads -------------------------------------------------------------------


def _subscriptions_named(entry: EntryAbout) -> set[str]:
    """The subscriptions an alert's or a delivery's entry names (those it queued, the one it
    is a delivery to): ``alerts:delivery:*`` names its delivery, whose subscription is read
    from the table (:func:`_readable`)."""
    deliveries = entry.payload.get("deliveries")
    if isinstance(deliveries, list):
        return {str(d["subscription_id"]) for d in deliveries if isinstance(d, dict)}
    return set()


def _readable(session: Session, viewer: Viewer, entries: Sequence[EntryAbout]) -> Iterator[int]:
    about_alerts = [e for e in entries if not e.tag.startswith(_SUBSCRIPTION_TAGS)]
    ids = {str(e.payload["alert_id"]) for e in about_alerts}
    readable: set[str] = set()
    if ids:
        scope = ReadScope.load(session, viewer)
        rows = list(session.scalars(select(AlertRow).where(AlertRow.id.in_(ids))))
        readable = {row.id for row in readable_alerts(session, scope, rows)}
    # Which subscriptions an alert reached, and a delivery's fate, are the subscription's
    # member's (``GET /api/v1/alerts/deliveries`` lists its own): an entry naming another
    # member's subscription is withheld even from a reader of the alert.
    named: dict[int, set[str]] = {}
    delivered = {
        str(e.payload["delivery_id"]): e.seq
        for e in about_alerts
        if e.tag.startswith("alerts:delivery:") and "delivery_id" in e.payload
    }
    for entry in about_alerts:
        named[entry.seq] = _subscriptions_named(entry)
    if delivered:
        for delivery_id, subscription_id in session.execute(
            select(DeliveryRow.id, DeliveryRow.subscription_id).where(
                DeliveryRow.id.in_(set(delivered))
            )
        ):
            named[delivered[delivery_id]].add(subscription_id)
    mine = _own_subscriptions(session, viewer, {s for subs in named.values() for s in subs})
    yield from (
        e.seq
        for e in about_alerts
        if str(e.payload["alert_id"]) in readable
        and named[e.seq] <= mine
        # (a delivery whose row is gone is judged as another member's)
        and (not e.tag.startswith("alerts:delivery:") or named[e.seq])
    )
    # A subscription is its member's, as ``GET /api/v1/alerts/subscriptions`` lists it.
    subscriptions = {
        e.seq: e.subject.removeprefix("alert-subscription/")
        for e in entries
        if e.tag.startswith(_SUBSCRIPTION_TAGS)
    }
    own = _own_subscriptions(session, viewer, set(subscriptions.values()))
    yield from (seq for seq, sub in subscriptions.items() if sub in own)


def _own_subscriptions(session: Session, viewer: Viewer, ids: set[str]) -> set[str]:
    """Of the subscriptions ``ids``, those of ``viewer``'s member."""
    if not ids or viewer.member_id is None:
        return set()
    return set(
        session.scalars(
            select(SubscriptionRow.id).where(
                SubscriptionRow.id.in_(ids), SubscriptionRow.member_id == viewer.member_id
            )
        )
    )


_SUBSCRIPTION_TAGS = (AlertTag.SUBSCRIBED.value, AlertTag.UNSUBSCRIBED.value)

PAYLOAD_RULE = PayloadRule(
    "alerts",
    (AlertTag.RAISED.value, "alerts:delivery:", *_SUBSCRIPTION_TAGS),
    _readable,
)
"""An alert's entry, and those of its deliveries, are read by whoever may read the alert
(the read rule of the record it is about, as ``GET /api/v1/alerts``) and whose member's are
the subscriptions it names (the deliveries an alert queued, a delivery's own). A subscription's
entries (the user, the kinds and areas it follows, a digest of its address, which a guess
would confirm) by its own member, as ``GET /api/v1/alerts/subscriptions`` lists it: another
member's subscription is as absent there (404) as in the ledger's payloads."""
