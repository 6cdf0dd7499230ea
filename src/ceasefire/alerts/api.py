"""Alerts: subscriptions (a member's users manage their own member's; operators all), the
alerts a caller may read, and the deliveries of its subscriptions (dead letters included).
Scanning and delivering run in the server's background worker or from the CLI."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ceasefire.alerts import service as alerts
from ceasefire.alerts.model import AlertKind
from ceasefire.alerts.schemas import (
    AlertPublic,
    DeliveryPublic,
    DeliveryState,
    SubscriptionCreate,
    SubscriptionPublic,
)
from ceasefire.api.deps import ContextDep, RequireMember

router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"])


@router.post("/subscriptions", response_model=SubscriptionPublic, status_code=201)
def subscribe(
    ctx: ContextDep, viewer: RequireMember, body: SubscriptionCreate
) -> SubscriptionPublic:
    """Subscribe a user of the caller's member (the caller by default) to alerts, by webhook
    (http(s) URL and a signing secret) or e-mail."""
    return alerts.subscribe(ctx, viewer, body)


@router.get("/subscriptions", response_model=list[SubscriptionPublic])
def list_subscriptions(
    ctx: ContextDep, viewer: RequireMember, include_ended: bool = False
) -> list[SubscriptionPublic]:
    """The caller's member's subscriptions (an operator: everyone's)."""
    return alerts.list_subscriptions(ctx, viewer, include_ended=include_ended)


@router.delete("/subscriptions/{subscription_id}", response_model=SubscriptionPublic)
def unsubscribe(ctx: ContextDep, viewer: RequireMember, subscription_id: str) -> SubscriptionPublic:
    """End a subscription (it is kept, with its deliveries)."""
    return alerts.unsubscribe(ctx, viewer, subscription_id)


@router.get("", response_model=list[AlertPublic])
def list_alerts(
    ctx: ContextDep,
    viewer: RequireMember,
    kind: AlertKind | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[AlertPublic]:
    """Recent alerts about records the caller may read, newest first."""
    return alerts.list_alerts(ctx, viewer, kind=kind, limit=limit)


@router.get("/deliveries", response_model=list[DeliveryPublic])
def list_deliveries(
    ctx: ContextDep,
    viewer: RequireMember,
    state: DeliveryState | None = None,
    subscription_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryPublic]:
    """Deliveries of the caller's member's subscriptions with their attempts (``state=dead``:
    the dead letters)."""
    return alerts.list_deliveries(
        ctx, viewer, state=state, subscription_id=subscription_id, limit=limit
    )


@router.post("/deliveries/{delivery_id}/requeue", response_model=DeliveryPublic)
def requeue(ctx: ContextDep, viewer: RequireMember, delivery_id: str) -> DeliveryPublic:
    """Put a dead-lettered delivery back in the outbox, due now (operators)."""
    return alerts.requeue_dead(ctx, viewer, delivery_id)
