"""Sign-in throttling: too many failed sign-ins for one user name lock that name for a while
for every client without a device marker of the user; a client with one has its own lock.

After ``login_max_failures`` failed sign-ins for a user name within
``login_failure_window_s`` seconds from **untrusted** clients (no valid device marker of the
user, ``members.devices``), the name is locked for ``login_lockout_s`` seconds: every further
untrusted attempt for it, from any address, is refused with a 429 (``TooManyRequests``),
whatever the password. So a botnet of many addresses gets those few guesses per window in
all, as a single address does.

A **trusted** client (its marker's nonce is ``device``) is not refused by the name's lock: its
failures count against its own marker's row only, which locks that marker the same way. The
duty officer signing in from a browser it used before is not kept out by another member
failing on purpose (the tenth audit's concern), and a stolen marker gives its thief a
marker's few guesses per window, no more. (The tenth audit had locked only the addresses
that failed: each new address then got a guess, a botnet N of them.)
The counts live in the database (``login_failures``), so every server process sees them.

- Each attempt is counted *before* its password is checked, in a short transaction that
  locks the name's (or the marker's) row: parallel guesses cannot all slip past the limit
  while the others' slow argon2 checks run. A successful untrusted sign-in gives its client's
  own failures back in the transaction that issues its token; a lock others caused stays.
  A trusted one gives back its marker's failures only.
- Names are counted as typed, known or not, through the same statements: a wrong user name
  and a wrong password cost the same and leave the same trace, and a 429 says nothing about
  whether the name exists.
- A refused attempt checks no password and does not extend the lockout.

Rows: one per name (``throttle_key``: the untrusted clients' failures, and the lock), one per
name and untrusted client address (``client_row_key``: its failures since the name's window
began, given back on its success), and one per name and marker
(``client_row_key(name, device_client(nonce))``: its failures and its lock). The counts are
bookkeeping, not records: they are not ledger entries.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.db.inserts import insert_if_missing
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
DEVICE_CLIENT_PREFIX = "device:"


def throttle_key(user_name: str) -> str:
    """The row key a submitted user name is counted under."""
    return user_name[:MAX_KEY_LENGTH].replace(SEPARATOR, "?")


def client_row_key(user_name: str, client: str) -> str:
    """The row key of one client's failures for ``user_name``."""
    return f"{throttle_key(user_name)}{SEPARATOR}{client[:MAX_CLIENT_LENGTH]}"


def _locked_row(session: Session, key: str, now: datetime) -> LoginFailureRow:
    values = {"user_name": key, "failures": 0, "window_started_at": now, "locked_until": None}
    insert_if_missing(session, LoginFailureRow, values)
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


def device_client(device: str) -> str:
    """The client key a trusted device's failures are counted under (``members.devices``)."""
    return DEVICE_CLIENT_PREFIX + device


def _refusal(until: datetime, now: datetime) -> TooManyRequests:
    retry_after = math.ceil((until - now).total_seconds())
    return TooManyRequests.worded(
        N_("too many failed sign-ins for this user name; try again in %(minutes)s minute(s)"),
        details={"retry_after_s": retry_after, "locked_until": until.isoformat()},
        minutes=max(1, math.ceil(retry_after / 60)),
    ).retrying_after(retry_after)


def _count_device(
    session: Session, user_name: str, device: str, now: datetime, settings: Settings
) -> None:
    """A trusted device's attempt: its own failures only, its own lock."""
    row = _locked_row(session, client_row_key(user_name, device_client(device)), now)
    if row.locked_until is not None and row.locked_until > now:
        raise _refusal(row.locked_until, now)
    window = timedelta(seconds=settings.login_failure_window_s)
    if row.locked_until is not None or now - row.window_started_at >= window:
        row.failures = 0
        row.window_started_at = now
        row.locked_until = None
    row.failures += 1
    if row.failures >= settings.login_max_failures:
        row.locked_until = now + timedelta(seconds=settings.login_lockout_s)


def count_attempt(
    ctx: ServiceContext,
    user_name: str,
    client: str = LOCAL_CLIENT,
    *,
    device: str | None = None,
) -> None:
    """Count one sign-in attempt for ``user_name`` from ``client``, or refuse it (429).

    ``device``: the nonce of the client's valid device marker for this name
    (``members.devices.trusted_device``); then only that device's own failures and lock
    count. Without one the client is untrusted: while the name is locked by the untrusted
    clients' failures, every untrusted attempt is refused.

    Call before checking the password; a successful sign-in then calls ``clear``.
    """
    settings = ctx.settings
    window = timedelta(seconds=settings.login_failure_window_s)
    lockout = timedelta(seconds=settings.login_lockout_s)
    now = utcnow()
    with ctx.unit_of_work() as session:
        _purge_stale(session, now, window + lockout)
        if device is not None:
            _count_device(session, user_name, device, now, settings)
            return
        # Always the name's row first, then the client's: no two attempts wait on each other
        # in the opposite order.
        row = _locked_row(session, throttle_key(user_name), now)
        own = _locked_row(session, client_row_key(user_name, client), now)
        if row.locked_until is not None and row.locked_until > now:
            raise _refusal(row.locked_until, now)
        if row.locked_until is not None or now - row.window_started_at >= window:
            row.failures = 0
            row.window_started_at = now
            row.locked_until = None
        if own.window_started_at < row.window_started_at:
            own.failures = 0
            own.window_started_at = now
        row.failures += 1
        own.failures += 1
        if row.failures >= settings.login_max_failures:
            row.locked_until = now + lockout


def clear(
    session: Session,
    user_name: str,
    client: str,
    *,
    max_failures: int,
    device: str | None = None,
) -> None:
    """A successful sign-in of ``user_name`` from ``client`` (inside the caller's unit of
    work). From a trusted ``device``: that device's failures are given back, nothing else.
    Otherwise the client's own failures are given back (this attempt's too, counted before
    its check), and the lock goes with them unless the other untrusted clients' failures
    still reach ``max_failures``."""
    if device is not None:
        found = session.get(
            LoginFailureRow, client_row_key(user_name, device_client(device)), with_for_update=True
        )
        if found is not None:
            session.delete(found)
        return
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
    # A trusted device's own lock (a client row) is not the name's.
    return {name: until for name, until in rows if until is not None and SEPARATOR not in name}
