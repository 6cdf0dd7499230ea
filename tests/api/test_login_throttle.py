"""Sign-in throttling: failures per user name are counted in the database, shared by every
server process, for the API and the web form alike; a locked name gets a 429."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from ceasefire.access import Viewer
from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.errors import Forbidden, TooManyRequests, Unauthorized
from ceasefire.members import auth
from ceasefire.members.setup import setup_members
from ceasefire.members.tables import LoginFailureRow
from ceasefire.members.throttle import LOCAL_CLIENT, SEPARATOR, client_row_key
from tests.factories.members import OPERATOR, PASSWORD

USER = "tur-duty"
WRONG = "not the password"


class Counted(NamedTuple):
    failures: int
    locked_until: datetime | None


def _context(settings: Settings, **changes: int) -> ServiceContext:
    return ServiceContext.from_settings(settings.model_copy(update=changes))


@pytest.fixture
def user(ctx: ServiceContext) -> str:
    setup_members(ctx, demo=True)
    auth.add_user(ctx, OPERATOR, user_id=USER, member_id="tur", password=PASSWORD)
    return USER


@pytest.fixture
def strict(settings: Settings, user: str) -> Iterator[ServiceContext]:
    """A context that locks a name after two failures (the same database)."""
    context = _context(settings, login_max_failures=2)
    yield context
    context.dispose()


def _row(ctx: ServiceContext, name: str) -> Counted | None:
    with ctx.reader() as session:
        row = session.get(LoginFailureRow, name)
        return None if row is None else Counted(row.failures, row.locked_until)


def _fail(ctx: ServiceContext, name: str, times: int) -> None:
    for _ in range(times):
        with pytest.raises(Unauthorized, match="wrong user name or password"):
            auth.login(ctx, user_id=name, password=WRONG)


def test_five_failures_lock_the_name_for_every_server_process(
    ctx: ServiceContext, settings: Settings, user: str
) -> None:
    app = create_app(ctx=ctx)
    # A second application with its own engine stands for another server process: all it
    # shares with the first is the database.
    other_ctx = ServiceContext.from_settings(settings)
    try:
        with TestClient(app) as client, TestClient(create_app(ctx=other_ctx)) as other:
            for attempt in range(5):
                response = (client if attempt % 2 else other).post(
                    "/api/v1/auth/token", json={"user_id": USER, "password": WRONG}
                )
                assert response.status_code == 401
                assert response.headers["www-authenticate"] == "Bearer"

            for api in (client, other):
                refused = api.post(
                    "/api/v1/auth/token", json={"user_id": USER, "password": PASSWORD}
                )
                assert refused.status_code == 429
                error = refused.json()["error"]
                assert error["code"] == "E429"
                assert "too many failed sign-ins" in error["message"]
                retry_after = int(refused.headers["retry-after"])
                assert 0 < retry_after <= settings.login_lockout_s
                assert error["details"]["retry_after_s"] == retry_after

            page = other.post("/login", data={"user_id": USER, "password": PASSWORD})
            assert page.status_code == 429
            assert "Too many failed sign-ins for this user name" in page.text
            assert int(page.headers["retry-after"]) > 0
            assert "set-cookie" not in page.headers
    finally:
        other_ctx.dispose()
    row = _row(ctx, USER)
    assert row is not None
    assert row.failures == 5
    assert row.locked_until is not None


def test_unknown_names_are_counted_like_known_ones(strict: ServiceContext) -> None:
    _fail(strict, USER, 2)
    _fail(strict, "no-such-user", 2)
    known, unknown = _row(strict, USER), _row(strict, "no-such-user")
    assert known is not None
    assert unknown is not None
    assert (known.failures, unknown.failures) == (2, 2)
    assert known.locked_until is not None
    assert unknown.locked_until is not None
    for name in (USER, "no-such-user"):
        with pytest.raises(TooManyRequests) as refused:
            auth.login(strict, user_id=name, password=PASSWORD)
        assert refused.value.message.startswith("too many failed sign-ins for this user name")


def test_a_refused_attempt_checks_nothing_and_does_not_extend_the_lock(
    strict: ServiceContext,
) -> None:
    _fail(strict, USER, 2)
    before = _row(strict, USER)
    assert before is not None
    for _ in range(3):
        with pytest.raises(TooManyRequests):
            auth.login(strict, user_id=USER, password=PASSWORD)
    after = _row(strict, USER)
    assert after is not None
    assert (after.failures, after.locked_until) == (before.failures, before.locked_until)


def test_a_successful_sign_in_clears_the_count(settings: Settings, user: str) -> None:
    context = _context(settings, login_max_failures=3)
    try:
        _fail(context, USER, 2)
        auth.login(context, user_id=USER, password=PASSWORD)
        assert _row(context, USER) is None
        _fail(context, USER, 2)  # two more are not the third in a row
        assert auth.login(context, user_id=USER, password=PASSWORD).info.label == "login"
    finally:
        context.dispose()


def _age(ctx: ServiceContext, name: str, **values: datetime) -> None:
    with ctx.unit_of_work() as session:
        session.execute(
            update(LoginFailureRow)
            .where(
                (LoginFailureRow.user_name == name)
                | LoginFailureRow.user_name.startswith(name + SEPARATOR)
            )
            .values(**values)
        )


def test_the_lock_runs_out_and_old_failures_are_forgotten(strict: ServiceContext) -> None:
    now = datetime.now(UTC)
    _fail(strict, USER, 2)
    _age(strict, USER, locked_until=now - timedelta(seconds=1))
    auth.login(strict, user_id=USER, password=PASSWORD)

    _fail(strict, USER, 1)
    window = timedelta(seconds=strict.settings.login_failure_window_s)
    _age(strict, USER, window_started_at=now - window - timedelta(seconds=1))
    _fail(strict, USER, 1)  # a new window: one failure, not two
    row = _row(strict, USER)
    assert row is not None
    assert (row.failures, row.locked_until) == (1, None)


def test_names_not_seen_for_long_are_purged(strict: ServiceContext) -> None:
    _fail(strict, "someone-else", 1)
    settings = strict.settings
    long_ago = datetime.now(UTC) - timedelta(
        seconds=settings.login_failure_window_s + settings.login_lockout_s + 1
    )
    _age(strict, "someone-else", window_started_at=long_ago)
    _fail(strict, USER, 1)
    with strict.reader() as session:
        kept = set(session.scalars(select(LoginFailureRow.user_name)))
    # the name's row and its one client's (``members.throttle``)
    assert kept == {USER, client_row_key(USER, LOCAL_CLIENT)}


def test_an_operator_sees_and_lifts_a_lock(strict: ServiceContext) -> None:
    _fail(strict, USER, 2)
    listed = {u.id: u for u in auth.list_users(strict, OPERATOR)}
    assert listed[USER].locked_until is not None
    with pytest.raises(Forbidden):
        auth.unlock_user(strict, Viewer(member_id="tur", user_id=USER), USER)
    auth.unlock_user(strict, OPERATOR, USER)
    assert {u.id: u for u in auth.list_users(strict, OPERATOR)}[USER].locked_until is None
    assert auth.login(strict, user_id=USER, password=PASSWORD).info.user_id == USER


def test_parallel_guesses_cannot_pass_the_limit(settings: Settings, user: str) -> None:
    context = _context(settings, login_max_failures=3)

    def attempt(_: int) -> str:
        try:
            auth.login(context, user_id=USER, password=WRONG)
        except Unauthorized:
            return "401"
        except TooManyRequests:
            return "429"
        return "signed in"

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            outcomes = sorted(pool.map(attempt, range(8)))
    finally:
        context.dispose()
    # Each attempt is counted before its password check: exactly three get checked.
    assert outcomes == ["401"] * 3 + ["429"] * 5
