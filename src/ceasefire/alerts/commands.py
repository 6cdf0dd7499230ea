"""``ceasefire alerts``: subscriptions, scanning for alerts, and the delivery worker.

By default a command acts as the centre's operator; with ``--token`` (or
``CEASEFIRE_TOKEN``) as that token's member user, with exactly its rights.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from ceasefire.alerts import service as alerts
from ceasefire.alerts.model import AlertKind
from ceasefire.alerts.schemas import (
    AlertPublic,
    DeliveryChannel,
    DeliveryPublic,
    DeliveryRun,
    DeliveryState,
    Language,
    ScanResult,
    SeverityName,
    SubscriptionCreate,
    SubscriptionPublic,
)
from ceasefire.alerts.wording import alert_about, alert_summary
from ceasefire.commandline import acting
from ceasefire.console.context import get_context
from ceasefire.console.lang import _, language, pgettext, word
from ceasefire.console.options import JSON, LIMIT, TOKEN
from ceasefire.console.output import print_result, print_table
from ceasefire.i18n.markers import N_
from ceasefire.timeutil import parse_instant

alerts_app = typer.Typer(help=N_("Alerts: subscriptions, scans and deliveries."))


def _print_subscriptions(rows: list[SubscriptionPublic]) -> None:
    print_table(
        N_("Alert subscriptions"),
        [
            N_("id"),
            N_("member"),
            N_("user"),
            N_("channel"),
            pgettext("alert subscription", "target"),
            N_("kinds"),
            N_("areas"),
            N_("min"),
            N_("language"),
            N_("ended"),
        ],
        [
            (
                s.id,
                s.member_id,
                s.user_id,
                word("alert_channel", s.channel),
                s.target,
                ", ".join(word("alert_kind", k) for k in s.kinds) or _("all"),
                ",".join(s.areas) or _("all"),
                word("severity", s.min_severity),
                s.lang.value,
                s.ended_at.isoformat() if s.ended_at else "",
            )
            for s in rows
        ],
    )


@alerts_app.command(
    "subscribe",
    help=N_("Subscribe a user to alerts (by webhook or e-mail), told in --lang (en, ru, tr)."),
)
def subscribe(
    channel: Annotated[DeliveryChannel, typer.Option("--channel")],
    target: Annotated[str, typer.Option("--target", help=N_("Webhook URL or e-mail address."))],
    secret: Annotated[
        str | None,
        typer.Option("--secret", envvar="CEASEFIRE_WEBHOOK_SECRET", help=N_("Webhook secret.")),
    ] = None,
    kind: Annotated[list[AlertKind] | None, typer.Option("--kind", help=N_("Repeat; all."))] = None,
    area: Annotated[
        list[str] | None, typer.Option("--area", help=N_("Repeat; everywhere."))
    ] = None,
    min_severity: Annotated[SeverityName, typer.Option("--min-severity")] = SeverityName.INFO,
    lang: Annotated[
        Language,
        typer.Option("--lang", help=N_("Language of its e-mails or webhook text (en, ru, tr).")),
    ] = Language.EN,
    user: Annotated[str | None, typer.Option("--user", help=N_("For this user."))] = None,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    body = SubscriptionCreate(
        channel=channel,
        target=target,
        secret=secret,
        kinds=kind or [],
        areas=area or [],
        min_severity=min_severity,
        lang=lang,
        user_id=user,
    )
    created = alerts.subscribe(*acting(token), body)
    print_result(
        created,
        as_json,
        _("subscription {id} for {user}").format(id=created.id, user=created.user_id),
    )


@alerts_app.command("list", help=N_("List subscriptions (a member's own; the operator's: all)."))
def list_subscriptions(
    include_ended: Annotated[bool, typer.Option("--include-ended")] = False,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    rows = alerts.list_subscriptions(*acting(token), include_ended=include_ended)
    print_result(rows, as_json, _print_subscriptions)


@alerts_app.command("unsubscribe", help=N_("End a subscription."))
def unsubscribe(
    subscription_id: Annotated[str, typer.Argument()],
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    ended = alerts.unsubscribe(*acting(token), subscription_id)
    print_result(ended, as_json, _("subscription {id} ended").format(id=ended.id))


def _print_alerts(rows: list[AlertPublic]) -> None:
    print_table(
        N_("Alerts"),
        [N_("id"), N_("kind"), N_("severity"), N_("about"), N_("summary")],
        [
            (
                a.id,
                word("alert_kind", a.kind),
                word("severity", a.severity),
                alert_about(a, language()),
                alert_summary(a, language()),
            )
            for a in rows
        ],
        free_text=["summary"],
        # What it is about is in its summary too: at 80 columns it goes first, rather than
        # every id and date folding in four narrow columns.
        optional=["about"],
    )


@alerts_app.command(
    "scan",
    help=N_("Raise the alerts whose conditions hold (each once) and queue their deliveries."),
)
def scan(
    now: Annotated[
        str | None, typer.Option("--now", help=N_("Scan as of this instant (ISO 8601)."))
    ] = None,
    due_within_days: Annotated[
        int | None, typer.Option("--due-within-days", min=0, help=N_("Deadline warning, days."))
    ] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    result = alerts.scan(
        get_context(),
        parse_instant(now, field="--now") if now else None,
        due_within=timedelta(days=due_within_days) if due_within_days is not None else None,
    )

    def show(r: ScanResult) -> None:
        _print_alerts(r.raised)
        print(
            _("{raised} raised, {skipped} already raised, {queued} queued").format(
                raised=len(r.raised), skipped=r.skipped, queued=r.deliveries_queued
            )
        )

    print_result(result, as_json, show)


@alerts_app.command(
    "deliver", help=N_("Run the due deliveries of the outbox once (what the server's worker does).")
)
def deliver(
    now: Annotated[
        str | None, typer.Option("--now", help=N_("Deliver what is due at this instant."))
    ] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    run = alerts.deliver_due(get_context(), parse_instant(now, field="--now") if now else None)

    def show(r: DeliveryRun) -> None:
        print(
            _(
                "{attempted} attempted: {succeeded} delivered, {failed} to retry,"
                " {dead} dead-lettered"
            ).format(
                attempted=r.attempted,
                succeeded=r.succeeded,
                failed=r.failed,
                dead=r.dead_lettered,
            )
        )

    print_result(run, as_json, show)


@alerts_app.command("show", help=N_("Recent alerts the caller may read."))
def show_alerts(
    kind: Annotated[AlertKind | None, typer.Option("--kind")] = None,
    limit: Annotated[int, LIMIT] = 50,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    rows = alerts.list_alerts(*acting(token), kind=kind, limit=limit)
    print_result(rows, as_json, _print_alerts)


@alerts_app.command("deliveries", help=N_("Deliveries with their attempts."))
def deliveries(
    state: Annotated[
        DeliveryState | None, typer.Option("--state", help=N_("dead: dead letters"))
    ] = None,
    limit: Annotated[int, LIMIT] = 100,
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    rows = alerts.list_deliveries(*acting(token), state=state, limit=limit)

    def show(items: list[DeliveryPublic]) -> None:
        print_table(
            N_("Deliveries"),
            [
                N_("id"),
                N_("alert"),
                N_("channel"),
                N_("state"),
                N_("attempts"),
                N_("next"),
                N_("last error"),
            ],
            [
                (
                    d.id,
                    d.alert_id,
                    word("alert_channel", d.channel),
                    word("delivery_state", d.state),
                    d.attempts,
                    d.next_attempt_at.isoformat() if d.next_attempt_at else "",
                    d.last_error or "",
                )
                for d in items
            ],
        )

    print_result(rows, as_json, show)


@alerts_app.command(
    "requeue", help=N_("Put a dead-lettered delivery back in the outbox (operators).")
)
def requeue(
    delivery_id: Annotated[str, typer.Argument()],
    token: Annotated[str | None, TOKEN] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    delivery = alerts.requeue_dead(*acting(token), delivery_id)
    print_result(delivery, as_json, _("delivery {id} requeued").format(id=delivery.id))


def register(app: typer.Typer) -> None:
    """Add the alerts command group."""
    app.add_typer(alerts_app, name="alerts")
