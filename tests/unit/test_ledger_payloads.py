"""Every ledger entry the application writes has the payload its tag's type declares.

Each area's ``events.py`` gives every tag one ``TypedDict`` (its ``PAYLOADS``); the writers
build their payloads through them, so mypy checks the keys. This test checks the other half
on real entries: the demo installation plus one of most other actions, every stored payload
validated against the type of its tag, with no key the type does not name.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints, is_typeddict

import pytest
import typing_extensions
from pydantic import TypeAdapter
from sqlalchemy import select

from ceasefire.access import Classification, Role, Viewer
from ceasefire.actor import Actor
from ceasefire.agreements import events as agreement_events
from ceasefire.areas import areas, contributions, resolve
from ceasefire.bootstrap import initialise
from ceasefire.compliance import events as compliance_events
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.fusion import events as fusion_events
from ceasefire.fusion import service as fusion
from ceasefire.incidents import events as incident_events
from ceasefire.incidents import service as incidents
from ceasefire.incidents.model import OccurrenceStatus
from ceasefire.incidents.tables import IncidentRow
from ceasefire.ledger import events as ledger_events
from ceasefire.ledger import service as ledger
from ceasefire.ledger.events import blinded
from ceasefire.ledger.keys import SigningKey
from ceasefire.ledger.tables import LedgerEntryRow
from ceasefire.members import auth
from ceasefire.members import events as member_events
from ceasefire.members import service as members
from ceasefire.members.setup import DEMO_AGREEMENT_ID
from ceasefire.news import events as news_events
from ceasefire.publish import events as publish_events
from ceasefire.publish import service as publishing
from ceasefire.publish.model import Edition, Kind, OutputFormat
from ceasefire.reports import events as report_events
from ceasefire.reports import service as reports
from ceasefire.reports.imports import import_csv
from ceasefire.timeutil import utcnow
from tests.factories.reports import AGHDAM, CSV_HEADER, csv_row, shelling_body, write_csv

EVENTS = (
    agreement_events,
    compliance_events,
    fusion_events,
    incident_events,
    ledger_events,
    member_events,
    news_events,
    publish_events,
    report_events,
)
OPERATOR = Viewer.cli_operator()
CENTRE = Actor("centre")


def _payload_types() -> dict[str, type]:
    types: dict[str, type] = {}
    for module in EVENTS:
        for tag, payload_type in module.PAYLOADS.items():
            assert str(tag) not in types, f"{tag} is declared twice"
            types[str(tag)] = payload_type
    return types


PAYLOAD_TYPES = _payload_types()


def _tag_enums() -> Iterator[type[StrEnum]]:
    for module in EVENTS:
        enums = [
            value
            for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum
        ]
        assert len(enums) == 1, f"{module.__name__} declares one tag enum"
        yield enums[0]


def test_every_tag_has_exactly_one_payload_type() -> None:
    for enum, module in zip(_tag_enums(), EVENTS, strict=True):
        assert set(module.PAYLOADS) == set(enum), module.__name__
        for tag, payload_type in module.PAYLOADS.items():
            assert is_typeddict(payload_type), f"{tag}: {payload_type} is not a TypedDict"
            assert payload_type.__doc__, f"{tag}: {payload_type.__name__} has no docstring"


def test_the_writer_blinds_the_tags_whose_type_declares_a_nonce() -> None:
    """The ledger writer adds the nonce (``ledger.service.blinded_tags``, read from every
    area's ``PAYLOADS``); an area declares it on the tag's type, never at a call site."""
    declared = {tag for tag, payload_type in PAYLOAD_TYPES.items() if blinded(payload_type)}
    assert declared <= ledger.blinded_tags()
    assert not ledger.blinded_tags() & (set(PAYLOAD_TYPES) - declared)
    assert {"member:post:added", "member:sensor:added", "intake:report:received"} <= declared


def test_every_payload_a_rule_may_withhold_is_blinded() -> None:
    """A payload a rule withholds from a member is still hashed in the header every member
    reads: its type must declare the nonce, or a guess of the payload is confirmed."""
    types = {
        str(tag): payload_type
        for area in areas()
        if area.payloads
        for tag, payload_type in resolve(area.payloads).items()
    }
    rules = contributions("payload_rule")
    assert rules
    withheld = [tag for tag in types if any(tag.startswith(rule.tags) for rule in rules)]
    assert "member:post:added" in withheld
    assert [tag for tag in withheld if not blinded(types[tag])] == []


def _monitor(member_id: str) -> Viewer:
    return Viewer(member_id=member_id, user_id=None, role=Role.MONITOR)


def _extra_actions(ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One of most actions the demo does not take, so that most tags have an entry."""
    tur, rus = _monitor("tur"), _monitor("rus")
    # members: an observer's role ended; a user, its token, disabled and enabled, a password
    # set, the token revoked
    members.end_role(ctx, OPERATOR, member_id="usa", agreement_id=DEMO_AGREEMENT_ID)
    auth.add_user(ctx, OPERATOR, user_id="tur-clerk", member_id="tur")
    token = auth.create_token(ctx, OPERATOR, user_id="tur-clerk", label="feed")
    auth.disable_user(ctx, OPERATOR, "tur-clerk")
    auth.enable_user(ctx, OPERATOR, "tur-clerk")
    auth.set_password(ctx, OPERATOR, "tur-clerk", "correct horse battery staple")
    clerk = auth.viewer_for_token(ctx, token.token)
    assert clerk is not None
    auth.set_preferences(ctx, clerk, lang="tr", time_zone="Europe/Istanbul")
    auth.revoke_token(ctx, OPERATOR, token.info.id)
    # reports: one filed, an attachment, a CSV import of two rows
    filed = reports.submit_report(ctx, tur, shelling_body()).report
    reports.add_attachment(ctx, tur, filed.id, [b"%PDF-1.4 evidence"], filename="a.pdf")
    # (of the demo agreement: an incident groups reports of its own agreement only)
    rows = [csv_row(i, agreement_id=DEMO_AGREEMENT_ID) for i in (1, 2)]
    csv = write_csv(tmp_path / "reports.csv", rows, header=[*CSV_HEADER, "agreement_id"])
    imported = import_csv(ctx, tur, csv)
    assert imported.imported == 2
    # incidents: every change on a second incident, then the demo incident decided and reopened
    second = incidents.create_incident(
        ctx, tur, report_ids=[filed.id], title="second", classification=Classification.SHARED
    )
    incidents.add_reports(ctx, tur, second.id, imported.report_ids)
    # compliance: an exact place turns the "possible" Aghdam finding into a breach (the
    # possible one withdrawn)
    exact = shelling_body(event_position={"place_name": "Aghdam", "precision": 1, **AGHDAM})
    incidents.add_reports(ctx, tur, second.id, [reports.submit_report(ctx, tur, exact).report.id])
    incidents.remove_report(ctx, tur, second.id, imported.report_ids[0], reason="not related")
    incidents.edit_incident(ctx, tur, second.id, title="second, edited", summary="a summary")
    incidents.classify(ctx, tur, second.id, Classification.INTERNAL, reason="deliberation")
    task = incidents.assign_task(ctx, rus, second.id, team=["patrol 1"], lead_member="rus")
    incidents.complete_task(ctx, rus, task.id, findings="craters found")
    incidents.add_note(ctx, tur, second.id, text="a working note")
    with ctx.reader() as session:
        demo_id, agreement_id = session.execute(
            select(IncidentRow.id, IncidentRow.agreement_id).where(IncidentRow.id != second.id)
        ).one()
    incidents.set_decision_rule(
        ctx, OPERATOR, str(agreement_id), {"kind": "presiding_member", "presiding": "tur"}
    )
    incidents.evaluate(ctx, tur, demo_id)
    incidents.change_status(
        ctx, tur, demo_id, OccurrenceStatus.UNDER_INVESTIGATION, reason="new evidence"
    )
    # fusion: the queue drained (left alone, a new incident, a link), a merge, a split and
    # its undoing
    # (on a day of their own: the demo's reports of 26 November are an equal match)
    day = {"observed": {"start": "2020-11-20T10:00:00+00:00"}}
    a = reports.submit_report(ctx, tur, shelling_body(client_report_id="f-a", **day)).report
    reports.submit_report(ctx, rus, shelling_body(client_report_id="f-b", **day))
    later = shelling_body(client_report_id="f-c", observed={"start": "2020-11-28T10:00:00+00:00"})
    c = reports.submit_report(ctx, tur, later).report
    fusion.drain(ctx)
    first, other = (reports.get_report(ctx, OPERATOR, r.id).incident_id for r in (a, c))
    assert first
    assert other
    assert first != other
    fusion.merge(ctx, tur, str(first), str(other))
    fusion.undo(ctx, tur, fusion.split(ctx, tur, str(first), [c.id]).id)
    # publish: a spot report of the demo incident (HTML: fast)
    publishing.generate(
        ctx,
        OPERATOR,
        publishing.Request(
            Kind.SPOT, Edition.INTERNAL, format=OutputFormat.HTML, incident_id=demo_id
        ),
    )
    # ledger: a member's own key added and revoked, a server key rotated, a day sealed
    own = SigningKey.generate("tur")
    added = ledger.add_member_key(ctx, member_id="tur", public_key=own.public_key_hex, actor=CENTRE)
    ledger.revoke_key(ctx, key_id=added.key_id, actor=CENTRE, reason="lost")
    ledger.rotate_key(ctx, member_id="rus", actor=CENTRE)
    tomorrow = utcnow() + timedelta(days=1)
    monkeypatch.setattr("ceasefire.ledger.service.utcnow", lambda: tomorrow)
    assert ledger.seal_closed_days(ctx)


@pytest.fixture
def demo_ctx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServiceContext]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'ceasefire.db'}",
        key_file=tmp_path / "keys.json",
        data_dir=tmp_path / "data",
    )
    ctx = ServiceContext.from_settings(settings)
    try:
        initialise(ctx, demo=True, demo_month=False)
        _extra_actions(ctx, tmp_path, monkeypatch)
        yield ctx
    finally:
        ctx.dispose()


def _unknown_keys(hint: Any, value: Any, where: str) -> Iterator[str]:
    """Keys of ``value``, at any depth, that the TypedDicts of ``hint`` do not name."""
    if is_typeddict(hint):
        if isinstance(value, dict):
            known = hint.__required_keys__ | hint.__optional_keys__
            yield from (f"{where}.{key}" for key in sorted(set(value) - known))
            hints = get_type_hints(hint)
            for key, item in value.items():
                if key in hints:
                    yield from _unknown_keys(hints[key], item, f"{where}.{key}")
        return
    origin = get_origin(hint)
    if origin is list and isinstance(value, list):
        (item_hint,) = get_args(hint)
        for index, item in enumerate(value):
            yield from _unknown_keys(item_hint, item, f"{where}[{index}]")
    elif origin in (Union, UnionType):
        for arm in get_args(hint):
            yield from _unknown_keys(arm, value, where)


@cache
def _for_pydantic(hint: Any) -> Any:
    """``hint`` with every ``typing.TypedDict`` in it remade as a ``typing_extensions`` one:
    the same keys, requiredness and value types. Pydantic reads ``typing.TypedDict`` only
    from Python 3.12 on (it needs ``__orig_bases__``); the payload types use ``typing``'s,
    which need no dependency the application does not declare."""
    if is_typeddict(hint):
        fields = {
            key: typing_extensions.NotRequired[_for_pydantic(value)]
            if key in hint.__optional_keys__
            else _for_pydantic(value)
            for key, value in get_type_hints(hint).items()
        }
        return typing_extensions.TypedDict(hint.__name__, fields)  # type: ignore[operator]
    origin, args = get_origin(hint), get_args(hint)
    if origin is list:
        return list[_for_pydantic(args[0])]  # type: ignore[misc]
    if origin in (Union, UnionType):
        return Union[tuple(_for_pydantic(arm) for arm in args)]  # noqa: UP007
    return hint


def _stored(ctx: ServiceContext) -> list[tuple[int, str, Any]]:
    with ctx.reader() as session:
        rows = session.execute(
            select(LedgerEntryRow.seq, LedgerEntryRow.tag, LedgerEntryRow.payload).order_by(
                LedgerEntryRow.seq
            )
        ).all()
    return [(seq, tag, json.loads(payload)) for seq, tag, payload in rows]


def test_every_stored_payload_has_its_tag_type(demo_ctx: ServiceContext) -> None:
    entries = _stored(demo_ctx)
    problems = []
    for seq, tag, payload in entries:
        payload_type = PAYLOAD_TYPES.get(tag)
        if payload_type is None:
            problems.append(f"entry {seq}: tag {tag!r} is in no area's tag enum")
            continue
        if blinded(payload_type) and "nonce" not in payload:
            problems.append(f"entry {seq} ({tag}): no nonce, which {payload_type.__name__} has")
        unknown = list(_unknown_keys(payload_type, payload, "payload"))
        if unknown:
            problems.append(f"entry {seq} ({tag}): {unknown} not in {payload_type.__name__}")
        try:
            TypeAdapter(_for_pydantic(payload_type)).validate_python(payload, strict=False)
        except ValueError as exc:
            problems.append(f"entry {seq} ({tag}): {exc}")
    assert not problems, "\n".join(problems)
    written = {tag for _, tag, _ in entries}
    # Every tag is written but a retired provision (a second version of an agreement file
    # without one of its provisions) and a withdrawn edition (an incident made internal
    # after an edition named it: tests/api/test_fifteenth_audit.py checks that payload).
    missing = set(PAYLOAD_TYPES) - written
    assert missing <= {
        agreement_events.AgreementTag.PROVISION_RETIRED,
        publish_events.PublishTag.WITHDRAWN,
    }, sorted(missing)
    assert ledger.verify(demo_ctx).ok
