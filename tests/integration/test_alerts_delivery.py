"""Alert delivery through the outbox, on both backends, against real local servers: a
webhook receiver (``http.server`` in a thread) that checks every signature, and an SMTP
server (aiosmtpd). Time is a parameter of the worker: the retries of minutes run at once."""

from __future__ import annotations

import email.policy
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import select

from ceasefire.access import Classification
from ceasefire.alerts import service as alerts
from ceasefire.alerts.model import SIGNATURE_HEADER, RetryPolicy, verify_webhook
from ceasefire.alerts.schemas import DeliveryChannel, DeliveryState, SubscriptionCreate
from ceasefire.alerts.transport import Outcome
from ceasefire.db.context import ServiceContext
from ceasefire.errors import Forbidden, InvalidInput
from ceasefire.incidents import service as incidents
from ceasefire.ledger import service as ledger
from ceasefire.ledger.tables import LedgerEntryRow
from ceasefire.reports import service as reports
from tests.factories.members import OPERATOR, Cast
from tests.factories.reports import incident_of, shelling_body

SECRET = "a-webhook-secret-of-32-characters"
FAST = RetryPolicy(max_attempts=3, base_s=10, factor=2, cap_s=60, jitter=0.0)


@dataclass
class Receiver:
    """What the receiver got, and the answers it gives in turn (then 200)."""

    url: str = ""
    answers: list[int] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            header = self.headers.get(SIGNATURE_HEADER, "")
            state.received.append(
                {
                    "body": json.loads(body),
                    "delivery": self.headers.get("X-Ceasefire-Delivery"),
                    # The receiver's own check, with its own clock and the shared secret.
                    "verified": verify_webhook(
                        SECRET.encode(), body, header, now=int(time.time()), tolerance_s=600
                    ),
                }
            )
            status = state.answers.pop(0) if state.answers else 200
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"busy" if status >= 300 else b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/ceasefire"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def fresh(receiver: Receiver) -> Receiver:
    receiver.answers.clear()
    receiver.received.clear()
    return receiver


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(  # noqa: N802  (the name aiosmtpd calls)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.content
        assert isinstance(content, bytes)
        self.messages.append((list(envelope.rcpt_tos), content))
        return "250 Message accepted for delivery"


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[tuple[int, Inbox]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox
    controller.stop()


def mailing_context(ctx: ServiceContext, port: int) -> ServiceContext:
    """``ctx`` sending its e-mail through the local SMTP server on ``port``."""
    return ServiceContext(
        settings=ctx.settings.model_copy(
            update={
                "alerts_smtp_host": "127.0.0.1",
                "alerts_smtp_port": port,
                "alerts_smtp_starttls": False,
                "alerts_mail_from": "alerts@jmc.example.org",
            }
        ),
        engine=ctx.engine,
    )


def casualty_incident(ctx: ServiceContext, cast: Cast) -> None:
    turkey = cast.viewer(ctx, "tur")
    report = reports.submit_report(
        ctx,
        turkey,
        shelling_body(casualties={"killed_civilian": 1}, classification="shared"),
    ).report
    incidents.create_incident(
        ctx,
        turkey,
        report_ids=[report.id],
        title="Shelling",
        classification=Classification.SHARED,
    )


def webhook_for(ctx: ServiceContext, cast: Cast, url: str) -> str:
    body = SubscriptionCreate(channel=DeliveryChannel.WEBHOOK, target=url, secret=SECRET)
    return alerts.subscribe(ctx, cast.viewer(ctx, "arm"), body).id


def ledger_tags(ctx: ServiceContext, prefix: str) -> list[str]:
    with ctx.reader() as session:
        return list(
            session.scalars(
                select(LedgerEntryRow.tag)
                .where(LedgerEntryRow.tag.startswith(prefix))
                .order_by(LedgerEntryRow.seq)
            )
        )


def test_a_webhook_failing_twice_then_succeeding_is_delivered_once(
    ctx: ServiceContext, cast: Cast, fresh: Receiver
) -> None:
    subscription = webhook_for(ctx, cast, fresh.url)
    casualty_incident(ctx, cast)
    now = datetime.now(UTC)
    assert len(alerts.scan(ctx, now).raised) == 1
    fresh.answers.extend([500, 503])

    first = alerts.deliver_due(ctx, now, policy=FAST)
    assert (first.attempted, first.failed) == (1, 1)
    assert alerts.deliver_due(ctx, now + timedelta(seconds=9), policy=FAST).attempted == 0
    second = alerts.deliver_due(ctx, now + timedelta(seconds=10), policy=FAST)
    assert second.failed == 1
    third = alerts.deliver_due(ctx, now + timedelta(seconds=30), policy=FAST)
    assert (third.attempted, third.succeeded) == (1, 1)
    assert alerts.deliver_due(ctx, now + timedelta(days=1), policy=FAST).attempted == 0

    (delivery,) = alerts.list_deliveries(ctx, OPERATOR, subscription_id=subscription)
    assert delivery.state is DeliveryState.SUCCEEDED
    assert [(a.succeeded, a.status_code) for a in delivery.history] == [
        (False, 500),
        (False, 503),
        (True, 200),
    ]
    # The receiver got the same signed delivery three times and checked each signature.
    assert len(fresh.received) == 3
    assert all(r["verified"] for r in fresh.received)
    assert {r["delivery"] for r in fresh.received} == {delivery.id}
    assert fresh.received[-1]["body"]["alert"]["kind"] == "casualties"
    assert fresh.received[-1]["body"]["alert"]["severity"] == "critical"
    assert ledger_tags(ctx, "alerts:delivery:") == ["alerts:delivery:succeeded"]
    assert ledger.verify(ctx).ok


def test_the_last_failure_dead_letters_the_delivery(
    ctx: ServiceContext, cast: Cast, fresh: Receiver
) -> None:
    subscription = webhook_for(ctx, cast, fresh.url)
    casualty_incident(ctx, cast)
    now = datetime.now(UTC)
    alerts.scan(ctx, now)
    fresh.answers.extend([500] * 5)
    runs = [
        alerts.deliver_due(ctx, now + timedelta(seconds=s), policy=FAST) for s in (0, 10, 30, 90)
    ]
    assert [r.failed for r in runs] == [1, 1, 0, 0]
    assert [r.dead_lettered for r in runs] == [0, 0, 1, 0]
    (dead,) = alerts.list_deliveries(ctx, cast.viewer(ctx, "arm"), state=DeliveryState.DEAD)
    assert dead.subscription_id == subscription
    assert dead.attempts == 3
    assert dead.last_error == "HTTP 500 busy"
    assert len(dead.history) == 3
    assert not any(a.succeeded for a in dead.history)
    assert ledger_tags(ctx, "alerts:delivery:") == ["alerts:delivery:dead-lettered"]
    # Another member sees nothing of it.
    assert alerts.list_deliveries(ctx, cast.viewer(ctx, "aze")) == []
    # The receiver is fixed: an operator (only) puts the dead letter back in the outbox.
    with pytest.raises(Forbidden):
        alerts.requeue_dead(ctx, cast.viewer(ctx, "arm"), dead.id)
    requeued = alerts.requeue_dead(ctx, OPERATOR, dead.id)
    assert requeued.state is DeliveryState.PENDING
    with pytest.raises(InvalidInput):
        alerts.requeue_dead(ctx, OPERATOR, dead.id)
    fresh.answers.clear()
    assert alerts.deliver_due(ctx, datetime.now(UTC), policy=FAST).succeeded == 1
    (done,) = alerts.list_deliveries(ctx, OPERATOR, subscription_id=subscription)
    assert done.state is DeliveryState.SUCCEEDED
    assert done.attempts == 4
    assert ledger_tags(ctx, "alerts:delivery:") == [
        "alerts:delivery:dead-lettered",
        "alerts:delivery:requeued",
        "alerts:delivery:succeeded",
    ]
    assert ledger.verify(ctx).ok


def test_a_worker_that_dies_mid_delivery_loses_nothing(
    ctx: ServiceContext, cast: Cast, fresh: Receiver
) -> None:
    webhook_for(ctx, cast, fresh.url)
    casualty_incident(ctx, cast)
    now = datetime.now(UTC)
    alerts.scan(ctx, now)

    def killed(*args: Any) -> Outcome:
        raise SystemExit("the process is stopped after claiming")

    with pytest.raises(SystemExit):
        alerts.deliver_due(ctx, now, send=killed)
    # Claimed, not recorded: no other worker takes it while the claim holds ...
    assert alerts.deliver_due(ctx, now + timedelta(seconds=5)).attempted == 0
    # ... and once it lapses the delivery is sent, exactly as if nothing had happened.
    after = alerts.deliver_due(ctx, now + timedelta(minutes=5))
    assert (after.attempted, after.succeeded) == (1, 1)
    (delivery,) = alerts.list_deliveries(ctx, OPERATOR)
    assert delivery.state is DeliveryState.SUCCEEDED
    assert delivery.attempts == 1
    assert len(fresh.received) == 1


def test_email_is_delivered_through_a_real_smtp_server(
    ctx: ServiceContext, cast: Cast, smtp_server: tuple[int, Inbox]
) -> None:
    port, inbox = smtp_server
    inbox.messages.clear()
    mailing = mailing_context(ctx, port)
    alerts.subscribe(
        ctx,
        cast.viewer(ctx, "fra"),
        SubscriptionCreate(channel=DeliveryChannel.EMAIL, target="duty@fra.example.org"),
    )
    casualty_incident(ctx, cast)
    now = datetime.now(UTC)
    alerts.scan(ctx, now)
    # Without an SMTP server configured the attempt fails and is retried later.
    unconfigured = alerts.deliver_due(ctx, now)
    assert unconfigured.failed == 1
    assert inbox.messages == []
    run = alerts.deliver_due(mailing, now + timedelta(hours=1))
    assert run.succeeded == 1
    ((recipients, raw),) = inbox.messages
    assert recipients == ["duty@fra.example.org"]
    message = message_from_bytes(raw)
    assert message["From"] == "alerts@jmc.example.org"
    assert message["Subject"].startswith("[ceasefire] CRITICAL casualties: incident inc-")
    assert "civilians killed: 1" in message.get_payload()


def test_an_email_is_written_in_its_subscriptions_language(
    ctx: ServiceContext, cast: Cast, smtp_server: tuple[int, Inbox]
) -> None:
    port, inbox = smtp_server
    inbox.messages.clear()
    mailing = mailing_context(ctx, port)
    france = cast.viewer(ctx, "fra")
    for lang in ("ru", "tr", "en"):
        body = SubscriptionCreate(
            channel=DeliveryChannel.EMAIL, target=f"duty-{lang}@fra.example.org", lang=lang
        )
        alerts.subscribe(ctx, france, body)
    casualty_incident(ctx, cast)
    now = datetime.now(UTC)
    alerts.scan(ctx, now)
    assert alerts.deliver_due(mailing, now).succeeded == 3
    mails = {
        recipients[0]: message_from_bytes(raw, policy=email.policy.default)
        for recipients, raw in inbox.messages
    }
    russian = mails["duty-ru@fra.example.org"]
    assert russian["Subject"].startswith("[ceasefire] КРИТИЧНО жертвы: инцидент inc-")
    text = russian.get_content()
    assert "(обстрел): погибло мирных жителей: 1" in text
    assert "\nвид: жертвы\nважность: критично\n" in text
    assert "killed" not in text
    turkish = mails["duty-tr@fra.example.org"]
    assert turkish["Subject"].startswith("[ceasefire] KRİTİK kayıplar: olay inc-")
    assert "(topçu atışı): ölen sivil: 1" in turkish.get_content()
    english = mails["duty-en@fra.example.org"]
    assert english["Subject"].startswith("[ceasefire] CRITICAL casualties: incident inc-")
    assert "civilians killed: 1" in english.get_content()


def test_a_webhook_says_its_summary_in_its_language_and_keeps_the_codes(
    ctx: ServiceContext, cast: Cast, fresh: Receiver
) -> None:
    body = SubscriptionCreate(
        channel=DeliveryChannel.WEBHOOK, target=fresh.url, secret=SECRET, lang="tr"
    )
    alerts.subscribe(ctx, cast.viewer(ctx, "arm"), body)
    casualty_incident(ctx, cast)
    now = datetime.now(UTC)
    (raised,) = alerts.scan(ctx, now).raised
    assert alerts.deliver_due(ctx, now).succeeded == 1
    (got,) = fresh.received
    assert got["verified"]
    document = got["body"]
    assert document["lang"] == "tr"
    alert = document["alert"]
    assert (alert["kind"], alert["severity"], alert["period"]) == (
        "casualties",
        "critical",
        "critical",
    )
    assert alert["details"]["category"] == "shelling"
    assert alert["details"]["casualties"] == {"killed_civilian": 1}
    assert alert["summary"].startswith(f"Olay {alert['details']['incident_id']} (topçu atışı)")
    assert alert["summary"].endswith("ölen sivil: 1")
    # The alert as the API answers it keeps its English summary.
    assert raised.summary != alert["summary"]
    assert "killed (civilian)" in raised.summary


def test_a_refused_webhook_does_not_tell_its_member_the_centres_private_addresses(
    ctx: ServiceContext, cast: Cast
) -> None:
    """A member aims webhooks at names of the centre's own network: the deliveries are
    refused, and what the member reads of them (``last_error``) must not map that network:
    neither the private address a name resolves to nor whether the name resolves at all."""
    strict = ServiceContext(
        settings=ctx.settings.model_copy(update={"alerts_webhook_allow_private": False}),
        engine=ctx.engine,
    )
    internal = {"db.centre.internal": ["10.1.2.3"], "backup.centre.internal": ["fd00::7"]}

    def resolver(host: str, port: int) -> list[str]:
        if host not in internal:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return internal[host]

    for host in (*internal, "nothing.centre.internal"):
        webhook_for(strict, cast, f"https://{host}/hook")
    casualty_incident(ctx, cast)
    alerts.scan(strict, datetime.now(UTC))
    run = alerts.deliver_due(strict, datetime.now(UTC), policy=FAST, resolver=resolver)
    assert run.failed == 3
    errors = [d.last_error or "" for d in alerts.list_deliveries(strict, cast.viewer(ctx, "arm"))]
    assert len(errors) == 3
    assert not any(address in e for e in errors for address in ("10.1.2.3", "fd00::7"))
    # The same words whether the name resolves to a private address or not at all.
    hosts = (*internal, "nothing.centre.internal")
    worded = set()
    for error in errors:
        for host in hosts:
            error = error.replace(host, "HOST")
        worded.add(error)
    assert len(worded) == 1, errors


def test_a_delivery_is_not_sent_once_its_reader_may_no_longer_read_the_incident(
    ctx: ServiceContext, cast: Cast
) -> None:
    """Armenia's liaison subscribed; a casualty alert about a shared incident is queued for
    it and for Turkey's monitor. Before the worker sends them the monitors make the
    incident internal: Turkey's goes out, Armenia's is dead-lettered unsent (never handed to
    a transport), so no retry or requeue tells the liaison of an incident it may not read."""
    turkey = cast.viewer(ctx, "tur")
    subscribed = {
        member: alerts.subscribe(
            ctx,
            cast.viewer(ctx, member),
            SubscriptionCreate(channel=DeliveryChannel.EMAIL, target=f"duty@{member}.example.org"),
        ).id
        for member in ("tur", "arm")
    }
    body = shelling_body(casualties={"injured_military": 3})
    _, incident_id = incident_of(ctx, turkey, body, classification=Classification.SHARED)
    now = datetime.now(UTC)
    assert len(alerts.scan(ctx, now).raised) == 1
    incidents.classify(ctx, turkey, incident_id, Classification.INTERNAL, reason="deliberating")
    handed: list[str] = []

    def send(work: Any, *_: Any) -> Outcome:
        handed.append(work.delivery_id)
        return Outcome(True, status_code=250)

    run = alerts.deliver_due(ctx, now, policy=FAST, send=send)
    assert (run.succeeded, run.dead_lettered) == (1, 1)
    states = {
        member: alerts.list_deliveries(ctx, OPERATOR, subscription_id=sub)[0]
        for member, sub in subscribed.items()
    }
    assert handed == [states["tur"].id]
    assert states["tur"].state is DeliveryState.SUCCEEDED
    assert states["arm"].state is DeliveryState.DEAD
