"""Sign-in throttling: too many failed sign-ins for one user name lock that name for a while,
for the clients that failed -- not for the user signing in from elsewhere.

After ``login_max_failures`` failed sign-ins for a user name within
``login_failure_window_s`` seconds, the name is locked for ``login_lockout_s`` seconds: every
further attempt for it from a client (an address, ``api.address_limits.client_key``) that
has failed for this name is refused with a 429 (``TooManyRequests``), whatever the password.
A client with no failure for the name is still checked: one member's staff failing on
purpose must not keep another member's duty officer out (the tenth audit; the lock used to
refuse everyone). That client's first wrong password puts it among the refused ones, so
while the name is locked each new address gets one guess per lock (docs/security.md).
The counts live in the database (``login_failures``), so every server process sees them.

- Each attempt is counted *before* its password is checked, in a short transaction that
  locks the name's row: parallel guesses cannot all slip past the limit while the others'
  slow argon2 checks run. A successful sign-in gives its client's own failures back in the
  transaction that issues its token; a lock others caused stays.
- Names are counted as typed, known or not, through the same statements: a wrong user name
  and a wrong password cost the same and leave the same trace, and a 429 says nothing about
  whether the name exists.
- A refused attempt checks no password and does not extend the lockout.

Rows: one per name (``throttle_key``: every client's failures, and the lock) and one per
name and client (``client_row_key``: that client's failures since the name's window began).
The counts are bookkeeping, not records: they are not ledger entries.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import Insert, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ceasefire.db.context import ServiceContext
from ceasefire.errors import TooManyRequests
from ceasefire.i18n.markers import N_
from ceasefire.members.tables import LoginFailureRow
from ceasefire.timeutil import utcnow

# Longer names cannot be user ids (slugs of at most 64 characters); cutting them keeps the
# key within its column (with a client's key after it) and costs nothing.
MAX_KEY_LENGTH = 120
MAX_CLIENT_LENGTH = 64
# Between a name and a client in a client's row key; never part of a name's key.
SEPARATOR = "\x1f"
LOCAL_CLIENT = "local"
"""The client of a sign-in that names none (the CLI, the services called in-process)."""


def throttle_key(user_name: str) -> str:
    """The row key a submitted user name is counted under."""
    return user_name[:MAX_KEY_LENGTH].replace(SEPARATOR, "?")


def client_row_key(user_name: str, client: str) -> str:
    """The row key of one client's failures for ``user_name``."""
    return f"{throttle_key(user_name)}{SEPARATOR}{client[:MAX_CLIENT_LENGTH]}"


def _insert_if_missing(session: Session, key: str, now: datetime) -> None:
    values = {"user_name": key, "failures": 0, "window_started_at": now, "locked_until": None}
    statement: Insert
    if session.get_bind().dialect.name == "postgresql":
        statement = postgresql_insert(LoginFailureRow).values(values).on_conflict_do_nothing()
    else:
        statement = sqlite_insert(LoginFailureRow).values(values).on_conflict_do_nothing()
    session.execute(statement)


def _locked_row(session: Session, key: str, now: datetime) -> LoginFailureRow:
    _insert_if_missing(session, key, now)
    return session.scalars(
        select(LoginFailureRow).where(LoginFailureRow.user_name == key).with_for_update()
    ).one()


def _purge_stale(session: Session, now: datetime, horizon: timedelta) -> None:
    # Names last counted long ago are forgotten so that guessing many different names does
    # not grow the table without bound. SKIP LOCKED (PostgreSQL; SQLite has one writer
    # anyway) keeps this from ever waiting on, or deadlocking with, another attempt.
    stale = (
        select(LoginFailureRow.user_name)
        .where(LoginFailureRow.window_started_at < now - horizon)
        .where((LoginFailureRow.locked_until.is_(None)) | (LoginFailureRow.locked_until < now))
        .limit(500)
        .with_for_update(skip_locked=True)
    )
    names = list(session.scalars(stale))
    if names:
        session.execute(delete(LoginFailureRow).where(LoginFailureRow.user_name.in_(names)))


def _client_failures(name: LoginFailureRow, own: LoginFailureRow) -> int:
    """The client's failures counted in the name's current window (older ones are stale)."""
    return own.failures if own.window_started_at >= name.window_started_at else 0


def count_attempt(ctx: ServiceContext, user_name: str, client: str = LOCAL_CLIENT) -> None:
    """Count one sign-in attempt for ``user_name`` from ``client``, or refuse it (429) while
    the name is locked and this client has failed for it.

    Call before checking the password; a successful sign-in then calls ``clear``.
    """
    settings = ctx.settings
    window = timedelta(seconds=settings.login_failure_window_s)
    lockout = timedelta(seconds=settings.login_lockout_s)
    now = utcnow()
    with ctx.unit_of_work() as session:
        _purge_stale(session, now, window + lockout)
        # Always the name's row first, then the client's: no two attempts wait on each other
        # in the opposite order.
        row = _locked_row(session, throttle_key(user_name), now)
        own = _locked_row(session, client_row_key(user_name, client), now)
        locked = row.locked_until is not None and row.locked_until > now
        if locked and _client_failures(row, own) > 0:
            assert row.locked_until is not None
            retry_after = math.ceil((row.locked_until - now).total_seconds())
            raise TooManyRequests.worded(
                N_(
                    "too many failed sign-ins for this user name; "
                    "try again in %(minutes)s minute(s)"
                ),
                details={
                    "retry_after_s": retry_after,
                    "locked_until": row.locked_until.isoformat(),
                },
                minutes=max(1, math.ceil(retry_after / 60)),
            ).retrying_after(retry_after)
        if not locked and (row.locked_until is not None or now - row.window_started_at >= window):
            row.failures = 0
            row.window_started_at = now
            row.locked_until = None
        if own.window_started_at < row.window_started_at:
            own.failures = 0
            own.window_started_at = now
        row.failures += 1
        own.failures += 1
        if not locked and row.failures >= settings.login_max_failures:
            row.locked_until = now + lockout


def clear(session: Session, user_name: str, client: str, *, max_failures: int) -> None:
    """A successful sign-in of ``user_name`` from ``client`` (inside the caller's unit of
    work): the client's own failures are given back (this attempt's too, counted before its
    check), and the lock goes with them unless the other clients' failures still reach
    ``max_failures``."""
    row = session.get(LoginFailureRow, throttle_key(user_name), with_for_update=True)
    own = session.get(LoginFailureRow, client_row_key(user_name, client), with_for_update=True)
    if own is not None:
        if row is not None:
            row.failures -= _client_failures(row, own)
        session.delete(own)
    if row is None:
        return
    if row.failures < max_failures:
        row.locked_until = None
    if row.failures <= 0:
        session.delete(row)


def unlock(session: Session, user_name: str) -> None:
    """Forget every failure counted for ``user_name``, from any client, and its lock."""
    key = throttle_key(user_name)
    session.execute(
        delete(LoginFailureRow).where(
            (LoginFailureRow.user_name == key)
            | LoginFailureRow.user_name.startswith(key + SEPARATOR, autoescape=True)
        )
    )


def locked_until(session: Session, *, at: datetime | None = None) -> dict[str, datetime]:
    """User names locked at ``at`` (default now) and until when."""
    moment = at or utcnow()
    rows = session.execute(
        select(LoginFailureRow.user_name, LoginFailureRow.locked_until).where(
            LoginFailureRow.locked_until > moment
        )
    )
    return {name: until for name, until in rows if until is not None}
