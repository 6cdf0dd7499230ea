"""The tenth audit: bounds and abuse, attacked as an adversarial member would (both databases;
docs/security.md, "Bounds and abuse").

- Sign-in lockout as a weapon: five wrong passwords typed on purpose for another member's
  duty officer used to lock that name for every client for 15 minutes. Now the lock refuses
  the clients without a device marker of the officer (a botnet's addresses together get five
  guesses); the officer's own client, holding its marker, still signs in.
- A narrative's C1 controls (U+009B CSI, U+009D OSC), DEL and bidi overrides reached the
  terminal raw through ``--json`` (JSON escapes only C0 under ``ensure_ascii=False``), and
  the bidi controls through the plain output too. Both now show them escaped or as U+FFFD.
- Agreement files (zones as GeoJSON; loaded by operators) were read and parsed whatever their
  size, and each zone was bounded (100,000 positions) but not all of them together. A file
  over 8 MiB is now a 413 before it is read past the bound, and the zones' positions
  together are bounded (250,000), counted before any position is checked.
- The ``party`` filter of incidents and reports was a LIKE pattern: ``%`` listed every
  party's records, ``_ZE`` matched AZE. It is a code now.
- Successful password checks were unbounded per user: a success gave its address its attempt
  back, so a member could sign in or mint tokens without end (an argon2 check, a token and
  a ledger entry each). Now ten a minute per user name; failures spend none of them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ceasefire.actor import Actor
from ceasefire.agreements import build, loader
from ceasefire.agreements import service as agreements
from ceasefire.agreements.geometry import geojson_problems
from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.errors import InvalidInput, PayloadTooLarge
from ceasefire.ledger import service as ledger
from ceasefire.members import auth
from ceasefire.members.setup import setup_members
from ceasefire.reports import service as reports
from tests.api.test_intake_api import make_incident
from tests.factories.cli import InProcessCli
from tests.factories.members import OPERATOR, PASSWORD, Cast
from tests.factories.reports import shelling_body

OFFICER = "arm-duty-officer"
WRONG = "not the password"
ATTACKER = "203.0.113.7"
OFFICE = "198.51.100.20"


def _client(ctx: ServiceContext, address: str) -> TestClient:
    return TestClient(create_app(ctx=ctx), client=(address, 40000))


def _sign_in(client: TestClient, password: str, device: str | None = None) -> int:
    headers = {"ceasefire-device": device} if device else {}
    response = client.post(
        "/api/v1/auth/token", json={"user_id": OFFICER, "password": password}, headers=headers
    )
    status: int = response.status_code
    return status


def test_failing_on_purpose_does_not_lock_the_officer_out_of_its_own_client(
    ctx: ServiceContext,
) -> None:
    """Changed by the device-marker policy (docs/security.md, "Bounds and abuse"): the
    officer's own client is the one holding its device marker, not any address that did not
    fail; an address that did not fail, without a marker, is now refused like the rest."""
    setup_members(ctx, demo=True)
    auth.add_user(ctx, OPERATOR, user_id=OFFICER, member_id="arm", password=PASSWORD)
    limit = ctx.settings.login_max_failures
    with _client(ctx, ATTACKER) as attacker, _client(ctx, OFFICE) as office:
        # the officer signed in from the office before (API and browser)
        marker = office.post(
            "/api/v1/auth/token", json={"user_id": OFFICER, "password": PASSWORD}
        ).json()["device_cookie"]
        page = office.post(
            "/login", data={"user_id": OFFICER, "password": PASSWORD}, follow_redirects=False
        )
        assert page.status_code == 303, page.text
        assert office.cookies.get("ceasefire_device")
        assert [_sign_in(attacker, WRONG) for _ in range(limit)] == [401] * limit
        # the attacker's address is locked out of the name, right password or not
        assert _sign_in(attacker, PASSWORD) == 429
        # the officer, with its device marker, signs in (API and web form)
        assert _sign_in(office, PASSWORD, marker) == 200
        page = office.post(
            "/login", data={"user_id": OFFICER, "password": PASSWORD}, follow_redirects=False
        )
        assert page.status_code == 303, page.text
        # ...and its success did not lift the lock the attacker caused
        assert _sign_in(attacker, PASSWORD) == 429
        # a fresh address gets no guess while the name is locked (a botnet gets 5 in all)
        with _client(ctx, "192.0.2.99") as fresh:
            assert _sign_in(fresh, WRONG) == 429
            assert _sign_in(fresh, PASSWORD) == 429
        # the officer's own typo counts against its marker only
        assert _sign_in(office, WRONG, marker) == 401
        assert _sign_in(office, PASSWORD, marker) == 200
    # an operator still lifts the lock for everyone
    auth.unlock_user(ctx, OPERATOR, OFFICER)
    with _client(ctx, ATTACKER) as attacker, _client(ctx, OFFICE) as office:
        assert _sign_in(office, PASSWORD) == 200
        assert _sign_in(attacker, PASSWORD) == 200


# C1 controls (CSI, OSC), DEL and a right-to-left override: JSON's encoder escapes none of
# them under ensure_ascii=False, and a terminal acts on each.
TERMINAL_WORDS = "shelling \x9b2J\x9d0;owned\x9c \x7fnear invoice\u202efdp.exe \u2067x\u2069 end"


def test_a_narratives_c1_and_bidi_controls_do_not_reach_the_terminal(
    client: TestClient, cast: Cast, cli: InProcessCli
) -> None:
    filed = client.post(
        "/api/v1/reports", json=shelling_body(narrative=TERMINAL_WORDS), headers=cast.bearer("tur")
    )
    assert filed.status_code == 201, filed.text
    report_id = filed.json()["id"]
    for args in (("report", "show", report_id, "--json"), ("report", "show", report_id)):
        done = cli.text(*args)
        assert done.returncode == 0, done.stderr
        for control in "\x9b\x9d\x9c\x7f\u202e\u2067\u2069":
            assert control not in done.stdout, (args, hex(ord(control)))
    # the JSON still holds the words as written, for the machine that reads it
    shown = json.loads(cli.text("report", "show", report_id, "--json").stdout)
    assert shown["narrative"] == TERMINAL_WORDS


def _shipped_text() -> str:
    return agreements.shipped_agreement_paths()[0].read_text("utf-8")


def test_an_agreement_file_over_the_size_bound_is_a_413_before_it_is_parsed(
    ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _shipped_text()
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", len(text.encode()) - 1)
    with pytest.raises(PayloadTooLarge) as refused:
        agreements.load_text(ctx, text, source_name="zones.yaml", actor=Actor.centre())
    assert refused.value.code == "E413"
    assert refused.value.details == [{"loc": "zones.yaml", "message": "too large"}]
    path = tmp_path / "zones.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PayloadTooLarge):
        agreements.load_file(ctx, path, actor=Actor.centre())
    assert agreements.list_agreements(ctx) == []
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", len(text.encode()))
    assert agreements.load_text(ctx, text, source_name="zones.yaml", actor=Actor.centre())


def test_zones_over_the_positions_bound_together_are_named_before_each_is_checked(
    ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each zone under the bound of one, but together over the agreement's: every incident is
    # tested against every zone, so many zones just under the bound cost as much as one over.
    text = _shipped_text()
    monkeypatch.setattr(build, "MAX_TOTAL_POSITIONS", 10)
    with pytest.raises(InvalidInput) as refused:
        agreements.load_text(ctx, text, source_name="zones.yaml", actor=Actor.centre())
    locs = [d["loc"] for d in refused.value.details]
    assert len(locs) == 1, refused.value.details
    assert locs[0].endswith(" zones"), locs
    assert "more than 10 positions together" in refused.value.details[0]["message"]


def test_a_zones_refused_position_is_quoted_short() -> None:
    problems = geojson_problems({"type": "Point", "coordinates": [list(range(100_000)), 40]})
    assert len(problems) == 1
    assert len(problems[0]) < 200


def test_a_party_filter_is_a_code_not_a_like_pattern(
    ctx: ServiceContext, client: TestClient, cast: Cast
) -> None:
    # ``%`` and ``_`` were LIKE wildcards: "_ZE" matched AZE, "%" every party
    patterns = ("_ZE", "%", "A%")
    incident_id = make_incident(client, cast, "shared")
    for pattern in patterns:
        listed = client.get(
            "/api/v1/incidents", params={"party": pattern}, headers=cast.bearer("tur")
        )
        assert listed.status_code == 200, listed.text
        assert listed.json()["items"] == [], pattern
    listed = client.get("/api/v1/incidents", params={"party": "aze"}, headers=cast.bearer("tur"))
    assert [i["id"] for i in listed.json()["items"]] == [incident_id]
    # the reports' filter (the web's report list and the CLI's ``report list --party``)
    viewer = cast.viewer(ctx, "tur")
    for pattern in patterns:
        assert reports.list_reports(ctx, viewer, party=pattern).items == [], pattern
    assert len(reports.list_reports(ctx, viewer, party="aze").items) == 1


def test_successful_password_checks_are_bounded_per_user_name(
    settings: Settings, ctx: ServiceContext
) -> None:
    # Each sign-in or token minted costs an argon2 check, a token row and a ledger entry, and
    # a success gave its address its attempt back: a member knowing its own password could
    # repeat them without end.
    setup_members(ctx, demo=True)
    auth.add_user(ctx, OPERATOR, user_id=OFFICER, member_id="arm", password=PASSWORD)
    auth.add_user(ctx, OPERATOR, user_id="arm-other", member_id="arm", password=PASSWORD)
    limited = ServiceContext.from_settings(
        settings.model_copy(update={"sign_ins_per_user_per_minute": 2})
    )
    try:
        with _client(limited, OFFICE) as office, _client(limited, ATTACKER) as attacker:
            # failures (and names that do not exist) spend nothing of the name's successes
            assert [_sign_in(attacker, WRONG) for _ in range(3)] == [401] * 3
            first = office.post(
                "/api/v1/auth/token", json={"user_id": OFFICER, "password": PASSWORD}
            )
            assert first.status_code == 200, first.text
            minted = office.post(
                "/api/v1/auth/tokens",
                json={"password": PASSWORD, "label": "backup"},
                headers={"Authorization": f"Bearer {first.json()['token']}"},
            )
            assert minted.status_code == 201, minted.text
            before = ledger.list_entries(ctx, OPERATOR, tag="auth:token:created", limit=500)
            refused = office.post(
                "/api/v1/auth/token", json={"user_id": OFFICER, "password": PASSWORD}
            )
            assert refused.status_code == 429, refused.text
            assert refused.json()["error"]["message"].startswith(
                "too many sign-ins for this user name; try again in"
            )
            assert int(refused.headers["retry-after"]) >= 1
            # the web form says so in the reader's language
            page = office.post("/login?lang=ru", data={"user_id": OFFICER, "password": PASSWORD})
            assert page.status_code == 429
            assert "Слишком много входов под этим именем пользователя" in page.text
            after = ledger.list_entries(ctx, OPERATOR, tag="auth:token:created", limit=500)
            assert len(after) == len(before)
            # another user of the same address is not held back
            other = office.post(
                "/api/v1/auth/token", json={"user_id": "arm-other", "password": PASSWORD}
            )
            assert other.status_code == 200, other.text
    finally:
        limited.dispose()
