"""Ledger tags of the alerts area: alerts raised (with the deliveries they queued),
subscriptions added and ended, deliveries that succeeded, were dead-lettered or requeued.

One payload type per tag, written by ``ceasefire.alerts.service``. Every member reads the
ledger: an alert's summary, a subscription's address or URL are ledgered as SHA-256 digests,
a webhook's secret never; single delivery attempts are bookkeeping (their own table), not
ledger entries.
"""

from enum import StrEnum
from typing import NotRequired, TypedDict

from ceasefire.ledger.events import Blinded


class AlertTag(StrEnum):
    """Every ledger tag the alerts area writes."""

    RAISED = "alerts:alert:raised"
    SUBSCRIBED = "alerts:subscription:added"
    UNSUBSCRIBED = "alerts:subscription:ended"
    DELIVERED = "alerts:delivery:succeeded"
    DEAD_LETTERED = "alerts:delivery:dead-lettered"
    REQUEUED = "alerts:delivery:requeued"


class QueuedDelivery(TypedDict):
    """A delivery an alert queued in the outbox."""

    delivery_id: str
    subscription_id: str


class AlertRaised(Blinded):
    """``alerts:alert:raised``: an alert and the deliveries it queued."""

    alert_id: str
    kind: str
    severity: int
    subject: str
    dedup_key: str
    classification: str
    summary_sha256: str
    deliveries: list[QueuedDelivery]


class Subscribed(Blinded):
    """``alerts:subscription:added``: what a member's user asked to hear of."""

    subscription_id: str
    member_id: str
    user_id: str
    kinds: list[str]
    areas: list[str]
    min_severity: int
    channel: str
    lang: NotRequired[str]
    """The language its deliveries are written in; absent from the entries written before
    subscriptions had one, which were all ``en``."""
    target_sha256: str


class Unsubscribed(Blinded):
    """``alerts:subscription:ended``."""

    subscription_id: str
    ended_at: str


class DeliveryFinished(Blinded):
    """``alerts:delivery:succeeded`` or ``alerts:delivery:dead-lettered``: the outcome;
    ``alerts:delivery:requeued``: an operator put a dead letter back in the outbox."""

    delivery_id: str
    alert_id: str
    attempts: int


PAYLOADS: dict[AlertTag, type] = {
    AlertTag.RAISED: AlertRaised,
    AlertTag.SUBSCRIBED: Subscribed,
    AlertTag.UNSUBSCRIBED: Unsubscribed,
    AlertTag.DELIVERED: DeliveryFinished,
    AlertTag.DEAD_LETTERED: DeliveryFinished,
    AlertTag.REQUEUED: DeliveryFinished,
}
"""The payload type of every tag."""
