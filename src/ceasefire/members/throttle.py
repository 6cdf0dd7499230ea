"""Sign-in throttling: too many failed sign-ins for one user name lock that name for a while.

After ``login_max_failures`` failed sign-ins for a user name within
``login_failure_window_s`` seconds, every further attempt for that name is refused with a
429 (``TooManyRequests``) for ``login_lockout_s`` seconds, whatever the password. The count
lives in the database (``login_failures``), so every server process sees the same count.

- Each attempt is counted *before* its password is checked, in a short transaction that
  locks the name's row: parallel guesses cannot all slip past the limit while the others'
  slow argon2 checks run. A successful sign-in clears the count in the transaction that
  issues its token.
- Names are counted as typed, known or not, through the same statements: a wrong user name
  and a wrong password cost the same and leave the same trace, and a 429 says nothing about
  whether the name exists.
- A refused attempt checks no password and does not extend the lockout.

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
# key within its column and costs nothing.
MAX_KEY_LENGTH = 200


def throttle_key(user_name: str) -> str:
    """The row key a submitted user name is counted under."""
    return user_name[:MAX_KEY_LENGTH]


def _insert_if_missing(session: Session, key: str, now: datetime) -> None:
    values = {"user_name": key, "failures": 0, "window_started_at": now, "locked_until": None}
    statement: Insert
    if session.get_bind().dialect.name == "postgresql":
        statement = postgresql_insert(LoginFailureRow).values(values).on_conflict_do_nothing()
    else:
        statement = sqlite_insert(LoginFailureRow).values(values).on_conflict_do_nothing()
    session.execute(statement)


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


def count_attempt(ctx: ServiceContext, user_name: str) -> None:
    """Count one sign-in attempt for ``user_name``, or refuse it (429) while the name is locked.

    Call before checking the password; a successful sign-in then calls ``clear``.
    """
    settings = ctx.settings
    window = timedelta(seconds=settings.login_failure_window_s)
    lockout = timedelta(seconds=settings.login_lockout_s)
    key = throttle_key(user_name)
    now = utcnow()
    with ctx.unit_of_work() as session:
        _purge_stale(session, now, window + lockout)
        _insert_if_missing(session, key, now)
        row = session.scalars(
            select(LoginFailureRow).where(LoginFailureRow.user_name == key).with_for_update()
        ).one()
        if row.locked_until is not None and row.locked_until > now:
            retry_after = math.ceil((row.locked_until - now).total_seconds())
            raise TooManyRequests.worded(
                N_(
                    "too many failed sign-ins for this user name; try again in "
                    "%(minutes)s minute(s)"
                ),
                minutes=max(1, math.ceil(retry_after / 60)),
                retry_after_s=retry_after,
                details={
                    "retry_after_s": retry_after,
                    "locked_until": row.locked_until.isoformat(),
                },
            )
        if row.locked_until is not None or now - row.window_started_at >= window:
            row.failures = 0
            row.window_started_at = now
            row.locked_until = None
        row.failures += 1
        if row.failures >= settings.login_max_failures:
            row.locked_until = now + lockout


def clear(session: Session, user_name: str) -> None:
    """Forget the failures counted for ``user_name`` (inside the caller's unit of work)."""
    session.execute(
        delete(LoginFailureRow).where(LoginFailureRow.user_name == throttle_key(user_name))
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
