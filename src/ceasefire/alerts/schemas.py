"""The alerts area's schemas: subscriptions (``SubscriptionCreate`` what a client sends,
``SubscriptionPublic`` what it reads back: never the webhook's secret), alerts, deliveries,
and what a scan and a delivery run did."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from ceasefire.alerts.model import AlertKind


class DeliveryChannel(StrEnum):
    WEBHOOK = "webhook"
    EMAIL = "email"


class DeliveryState(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    DEAD = "dead"
    """Dead-lettered: the last attempt failed; kept with every attempt for an operator."""


class SeverityName(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class Language(StrEnum):
    """The languages a subscription's deliveries are written in (``i18n.LANGUAGES``)."""

    EN = "en"
    RU = "ru"
    TR = "tr"


class SubscriptionCreate(BaseModel):
    """A subscription: for a user (default: the caller) of the caller's member."""

    channel: DeliveryChannel
    target: str = Field(
        max_length=2000, description="The webhook's http(s) URL, or the e-mail address."
    )
    secret: str | None = Field(
        default=None,
        min_length=16,
        max_length=200,
        description="The webhook's HMAC-SHA256 secret (16 characters or more); required for "
        "a webhook, refused for e-mail.",
    )
    kinds: list[AlertKind] = Field(default_factory=list, description="Empty: every kind.")
    areas: list[str] = Field(
        default_factory=list,
        max_length=200,
        description="Grid cells (`grid0.25:159:187`) or zone ids; empty: everywhere.",
    )
    min_severity: SeverityName = SeverityName.INFO
    lang: Language = Field(
        default=Language.EN,
        description="The language of the e-mail, or of the webhook's text (`en`, `ru`, `tr`); "
        "the webhook's codes stay as they are.",
    )
    user_id: str | None = Field(
        default=None, max_length=64, description="The user it is for (default: the caller)."
    )


class SubscriptionPublic(BaseModel):
    id: str
    member_id: str
    user_id: str
    channel: DeliveryChannel
    lang: Language
    target: str
    has_secret: bool
    kinds: list[AlertKind]
    areas: list[str]
    min_severity: SeverityName
    created_at: datetime
    created_by: str
    ended_at: datetime | None


class AlertPublic(BaseModel):
    id: str
    kind: AlertKind
    severity: SeverityName
    subject: str
    period: str
    agreement_id: str | None
    classification: str
    area: str | None
    summary: str
    details: dict[str, Any]
    raised_at: datetime


class AttemptPublic(BaseModel):
    attempt: int
    at: datetime
    succeeded: bool
    status_code: int | None
    error: str | None


class DeliveryPublic(BaseModel):
    id: str
    alert_id: str
    subscription_id: str
    channel: DeliveryChannel
    state: DeliveryState
    attempts: int
    next_attempt_at: datetime | None
    finished_at: datetime | None
    last_error: str | None
    history: list[AttemptPublic] = []


class ScanResult(BaseModel):
    """What one scan raised (alerts already raised before are not raised again)."""

    now: datetime
    raised: list[AlertPublic]
    deliveries_queued: int
    skipped: int = Field(description="Conditions found that were already alerted.")


class DeliveryRun(BaseModel):
    """What one run of the delivery worker did."""

    now: datetime
    attempted: int
    succeeded: int
    failed: int
    dead_lettered: int
