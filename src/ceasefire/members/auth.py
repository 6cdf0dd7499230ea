"""Users, passwords, API tokens and who a caller is.

- Passwords are hashed with argon2id (argon2-cffi); a login returns an API token.
- A token is 32 random bytes, shown once; only its SHA-256 is stored (a high-entropy secret
  needs no slow hash). Tokens expire, can be revoked, and remember when they were last used.
- ``viewer_for_token`` turns a bearer token into the ``Viewer`` every read is filtered by.
- Sign-ins are throttled per user name (``login_throttle``), and per device marker for a
  client that signed in as the user before (``devices``); ``logout`` revokes a login's
  token; operators disable, enable and reset users (each a ledger entry); a signed-in user
  changes its own password with the current one (``change_password``). A new password ends
  the user's sign-in sessions and the tokens it minted with the old one.

Tokens and device markers are never logged or written to the ledger; ledger entries name
the token's id only.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ceasefire import i18n
from ceasefire.access import Viewer
from ceasefire.actor import Actor
from ceasefire.config import Settings
from ceasefire.db.base import shape_of
from ceasefire.db.context import ServiceContext
from ceasefire.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized, problem
from ceasefire.i18n.markers import N_
from ceasefire.ledger.service import add_ledgered, append, subjects_recorded_by
from ceasefire.members import devices
from ceasefire.members import throttle as login_throttle
from ceasefire.members.events import (
    MemberTag,
    TokenCreated,
    TokenRevoked,
    UserAdded,
    UserDisabled,
    UserEnabled,
    UserPasswordSet,
    UserPreferencesSet,
)
from ceasefire.members.model import MemberRole, check_slug, viewer_for_roles
from ceasefire.members.passwords import MIN_LENGTH, MIN_SCORE, REFUSALS, Weakness, strength
from ceasefire.members.schemas import (
    IssuedToken,
    PasswordChanged,
    TokenPublic,
    UserPublic,
    UserRolePublic,
    UserSummary,
)
from ceasefire.members.service import actor_of, load_roles, member_or_404
from ceasefire.members.tables import ApiTokenRow, MemberRoleRow, MemberRow, UserRow
from ceasefire.timeutil import ensure_utc, utcnow

log = logging.getLogger(__name__)

TOKEN_PREFIX = "cft_"  # noqa: S105  (a marker that makes leaked tokens greppable, not a secret)
MIN_PASSWORD_LENGTH = MIN_LENGTH
DEFAULT_TOKEN_TTL = timedelta(days=30)
LOGIN_TOKEN_TTL = timedelta(hours=12)
MAX_TOKEN_TTL = timedelta(days=366)
MAX_OWN_TOKENS_IN_FORCE = 20
"""API tokens a user minted itself (with its password) in force at once; past it a 409 naming
``user_id`` until one is revoked or expires. Requests with a token are rate-limited per token
(``api.address_limits``): without a bound, minting tokens multiplied a user's rate. Tokens an
operator issued (sensor feeds) are not counted."""
MAX_SESSIONS_IN_FORCE = 20
"""Sign-in sessions of one user in force at once: a sign-in past it ends the oldest (a
session's token is a bearer token too, so signing in again and again multiplied the rate as
minting did); no sign-in is refused for it."""
# Writing last_used_at on every request would turn each read into a write transaction;
# a minute's resolution is enough to see which tokens are in use.
LAST_USED_RESOLUTION = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class UserPreferences:
    """What a user chose for its pages (``None``: not chosen)."""

    lang: str | None
    time_zone: str | None


def _hasher(settings: Settings) -> PasswordHasher:
    """The hasher of new passwords, with the costs ``settings`` name (any stored hash
    verifies: it records its own)."""
    return _hasher_with(
        settings.password_hash_time_cost,
        settings.password_hash_memory_kib,
        settings.password_hash_parallelism,
    )


@cache
def _hasher_with(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    # Verified against when the user does not exist, so a wrong user name costs the same
    # time as a wrong password and does not reveal which user names exist.
    return hasher.hash(secrets.token_hex(16))


def _verified_hash(
    session: Session, hasher: PasswordHasher, user_id: str, stored: str | None
) -> str:
    """The hash a sign-in as ``user_id`` verifies its password against: the user's own
    (``stored``), or for a name without one (unknown, or no password set) a dummy with the
    costs of one of the stored hashes, picked by the name under the installation's key
    (``devices.name_digest``). A stored hash keeps the costs it was made with until its user
    signs in; so the same name always costs the same, and unknown names are drawn as the
    stored hashes are: after the costs change (``CEASEFIRE_PASSWORD_HASH_TIME_COST``, …),
    a failure's time tells a name not signed in since from an unknown one no better than
    chance. Every sign-in makes the choice, used or not, so both read the same."""
    count = session.scalar(select(func.count()).where(UserRow.password_hash.is_not(None)))
    digest = devices.name_digest(session, user_id)
    dummy = _dummy_hash(hasher)
    if count and digest is not None:
        picked = session.scalar(
            select(UserRow.password_hash)
            .where(UserRow.password_hash.is_not(None))
            .order_by(UserRow.id)
            .offset(digest % count)
            .limit(1)
        )
        costs = _costs_of(picked)
        if costs is not None:
            dummy = _dummy_hash(_hasher_with(*costs))
    return stored or dummy


def _costs_of(stored: str | None) -> tuple[int, int, int] | None:
    """A stored hash's argon2 costs (time, memory in KiB, parallelism); ``None`` if none."""
    try:
        found = extract_parameters(stored) if stored else None
    except InvalidHashError:
        return None
    return None if found is None else (found.time_cost, found.memory_cost, found.parallelism)


def hash_token(token: str) -> str:
    """The stored form of a token: SHA-256 hex of its text."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _token_state(row: ApiTokenRow, at: datetime) -> str:
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at is not None and row.expires_at <= at:
        return "expired"
    return "active"


def _token_public(row: ApiTokenRow, at: datetime | None = None) -> TokenPublic:
    return shape_of(TokenPublic, row, state=_token_state(row, at or utcnow()))


def _user_public(row: UserRow, locked_until: datetime | None = None) -> UserPublic:
    return shape_of(
        UserPublic, row, has_password=row.password_hash is not None, locked_until=locked_until
    )


def _check_password(
    password: str, known: Sequence[str | None] = (), *, loc: str = "password"
) -> None:
    """Refuse a password that is short or easy to guess (``passwords.strength``), ``known``
    being the user's and its member's names (coded E422 naming ``loc``)."""
    verdict = strength(password, known)
    if verdict.weakness is None:
        return
    message = f"shorter than {MIN_PASSWORD_LENGTH} characters"
    if verdict.weakness is not Weakness.TOO_SHORT:
        message = f"too easy to guess (score {verdict.score} of 4, at least {MIN_SCORE})"
    raise InvalidInput.worded(
        REFUSALS[verdict.weakness],
        details=[problem(loc, message, extra={"reason": verdict.weakness.value})],
        length=MIN_PASSWORD_LENGTH,
    )


def _names_of(ctx: ServiceContext, user_id: str, member_id: str | None = None) -> list[str | None]:
    """What another member knows of a user (the ledger names it and its member): its id,
    display name, member id and member name, zxcvbn's ``user_inputs``."""
    with ctx.reader() as session:
        user = session.get(UserRow, user_id)
        member_id = member_id or (user.member_id if user is not None else None)
        member = session.get(MemberRow, member_id) if member_id else None
        return [
            user_id,
            user.display_name if user is not None else None,
            member_id,
            member.name if member is not None else None,
        ]


def add_user(
    ctx: ServiceContext,
    viewer: Viewer,
    *,
    user_id: str,
    member_id: str,
    password: str | None = None,
    display_name: str | None = None,
    operator: bool = False,
) -> UserPublic:
    """Create a user of ``member_id`` (operators only). Same user again → Conflict."""
    if not viewer.operator:
        raise Forbidden.worded(N_("only an operator may add users"))
    check_slug(user_id, field_name="user_id")
    if password is not None:
        _check_password(password, [*_names_of(ctx, user_id, member_id), display_name])
    password_hash = _hasher(ctx.settings).hash(password) if password is not None else None
    actor = actor_of(viewer)
    with ctx.unit_of_work() as session:
        member_or_404(session, member_id)
        if session.get(UserRow, user_id) is not None:
            raise Conflict.worded(
                N_("user %(user_id)s already exists"),
                details=[problem("user_id", N_("taken"))],
                user_id=repr(user_id),
            )
        row = UserRow(
            id=user_id,
            member_id=member_id,
            display_name=display_name,
            password_hash=password_hash,
            operator=operator,
            created_at=utcnow(),
        )
        add_ledgered(
            session,
            ctx.settings,
            row,
            tag=MemberTag.USER_ADDED,
            subject=f"user/{user_id}",
            payload=UserAdded(
                {
                    "user_id": user_id,
                    "member_id": member_id,
                    "operator": operator,
                    "has_password": password_hash is not None,
                }
            ),
            actor=actor,
        )
        return _user_public(row)


def list_users(ctx: ServiceContext, viewer: Viewer) -> list[UserPublic]:
    """Users the viewer may see: all for an operator, its own member's users otherwise."""
    if viewer.is_public:
        raise Unauthorized.worded(N_("sign in to list users"))
    with ctx.reader() as session:
        query = select(UserRow).order_by(UserRow.member_id, UserRow.id)
        if not viewer.operator:
            query = query.where(UserRow.member_id == viewer.member_id)
        locked = login_throttle.locked_until(session)
        return [_user_public(row, locked.get(row.id)) for row in session.scalars(query)]


def _issue_token(
    session: Session,
    ctx: ServiceContext,
    *,
    user: UserRow,
    label: str,
    expires_at: datetime | None,
    actor: Actor,
    via: str,
) -> IssuedToken:
    now = utcnow()
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiTokenRow(
        id="tok-" + secrets.token_hex(6),
        user_id=user.id,
        token_hash=hash_token(token),
        label=label,
        created_at=now,
        expires_at=expires_at,
    )
    add_ledgered(
        session,
        ctx.settings,
        row,
        tag=MemberTag.TOKEN_CREATED,
        subject=f"token/{row.id}",
        payload=TokenCreated(
            {
                "token_id": row.id,
                "user_id": user.id,
                "member_id": user.member_id,
                "label": label,
                "via": via,
                "expires_at": expires_at.isoformat() if expires_at else None,
            }
        ),
        actor=actor,
    )
    return IssuedToken(token=token, info=_token_public(row, now))


def create_token(
    ctx: ServiceContext,
    viewer: Viewer,
    *,
    user_id: str,
    label: str = "api",
    expires_in: timedelta | None = DEFAULT_TOKEN_TTL,
    expires_at: datetime | None = None,
    password: str | None = None,
    client: str = login_throttle.LOCAL_CLIENT,
    device_cookie: str | None = None,
) -> IssuedToken:
    """Issue an API token for ``user_id``: users for themselves, operators for anyone.

    ``expires_at`` wins over ``expires_in``; both ``None`` means a token that never expires
    (operators only, for unattended sensors). Every caller but the local CLI operator gives
    its own ``password`` (checked, and counted, as a sign-in of its name): a token alone
    cannot mint tokens, so a leaked token does not outlive its revocation. Checked with the
    password, the answer carries a new device marker of the caller (``device_cookie``; the
    presented one decides how the check is throttled, see ``login``).
    """
    if viewer.is_public:
        raise Unauthorized.worded(N_("sign in to create tokens"))
    if not viewer.operator and viewer.user_id != user_id:
        raise Forbidden.worded(N_("a user may create tokens only for themselves"))
    checked: _Checked | None = None
    if viewer != Viewer.cli_operator():
        if not viewer.operator:
            # Before the password is checked: no argon2 spent, and a refusal here is no
            # failed sign-in of the name (five would lock the user out).
            with ctx.reader() as session:
                _check_own_tokens(session, _user_or_404(session, user_id))
        if password is None:
            raise InvalidInput.worded(
                N_("creating a token needs your password"),
                details=[problem("password", N_("required: a token alone cannot mint tokens"))],
            )
        checked = _verify_current_password(
            ctx, viewer.user_id or "", password, client, device_cookie
        )
    now = utcnow()
    if expires_at is not None:
        expires_at = ensure_utc(expires_at, field="expires_at")
    elif expires_in is not None:
        if expires_in <= timedelta(0):
            raise InvalidInput.worded(
                N_("token lifetime must be positive"),
                details=[problem("expires_in", N_("not positive"))],
            )
        expires_at = now + expires_in
    if expires_at is None and not viewer.operator:
        raise Forbidden.worded(N_("only an operator may create a token that never expires"))
    if expires_at is not None and expires_at <= now:
        raise InvalidInput.worded(
            N_("expires_at is in the past"),
            details=[problem("expires_at", N_("not in the future"))],
        )
    if expires_at is not None and expires_at - now > MAX_TOKEN_TTL:
        raise InvalidInput.worded(
            N_("token lifetime over a year"),
            details=[problem("expires_at", N_("more than 366 days"))],
        )
    if not label.strip() or len(label) > 100:
        raise InvalidInput.worded(
            N_("label must be 1-100 characters"), details=[problem("label", N_("length"))]
        )
    actor = actor_of(viewer)
    with ctx.unit_of_work() as session:
        user = _user_or_404(session, user_id)
        if user.disabled_at is not None:
            raise Conflict.worded(N_("user %(user_id)s is disabled"), user_id=repr(user_id))
        issued = _issue_token(
            session, ctx, user=user, label=label, expires_at=expires_at, actor=actor, via="api"
        )
        if checked is not None and viewer.user_id is not None:
            # The password was right: its counted attempt is given back, as a sign-in's.
            login_throttle.clear(
                session,
                viewer.user_id,
                client,
                max_failures=ctx.settings.login_max_failures,
                device=checked.device,
            )
            if viewer.user_id == user.id and user.password_hash:
                issued.device_cookie = devices.issue(session, user)
        return issued


def login(
    ctx: ServiceContext,
    *,
    user_id: str,
    password: str,
    client: str = login_throttle.LOCAL_CLIENT,
    device_cookie: str | None = None,
) -> IssuedToken:
    """Check a password and issue a short-lived token (the web login). Any failure → 401.

    Throttled per user name (``login_throttle``): a client presenting a valid device marker
    of this user (``device_cookie``, ``members.devices``) is limited by that marker's own
    failures only; every other client, whatever its address (``client``), is a 429 without
    a password check while the name is locked by the untrusted clients' failures. A success
    answers a new marker for the client (``IssuedToken.device_cookie``).
    """
    failure = Unauthorized.worded(N_("wrong user name or password"))
    device = _trusted_device(ctx, user_id, device_cookie)
    # Counted for every name, known or not, before anything about the user is read, so
    # the two failures cost the same.
    login_throttle.count_attempt(ctx, user_id, client, device=device)
    hasher = _hasher(ctx.settings)
    with ctx.reader() as session:
        user = session.get(UserRow, user_id)
        stored = user.password_hash if user is not None else None
        disabled = user is None or user.disabled_at is not None
        checked = _verified_hash(session, hasher, user_id, stored)
    try:
        hasher.verify(checked, password)
    except (VerificationError, InvalidHashError):
        raise failure from None
    if stored is None or disabled:
        raise failure
    with ctx.unit_of_work() as session:
        fresh = session.get(UserRow, user_id)
        if fresh is None or fresh.disabled_at is not None:
            raise failure
        if hasher.check_needs_rehash(stored):
            fresh.password_hash = hasher.hash(password)
        login_throttle.clear(
            session, user_id, client, max_failures=ctx.settings.login_max_failures, device=device
        )
        actor = Actor(member_id=fresh.member_id, user_id=fresh.id)
        _end_oldest_sessions(session, ctx, fresh, actor)
        issued = _issue_token(
            session,
            ctx,
            user=fresh,
            label="login",
            expires_at=utcnow() + LOGIN_TOKEN_TTL,
            actor=actor,
            via="password",
        )
        issued.device_cookie = devices.issue(session, fresh)
        return issued


def _trusted_device(ctx: ServiceContext, user_name: str, presented: str | None) -> str | None:
    """The device a sign-in of ``user_name`` is throttled as: its valid marker's nonce, or
    ``None`` (untrusted: no marker, another user's, forged, expired, or from before the
    password changed)."""
    if not presented:
        return None
    with ctx.reader() as session:
        return devices.trusted_device(session, user_name, presented)


def revoke_token(ctx: ServiceContext, viewer: Viewer, token_id: str) -> TokenPublic:
    """Revoke a token (its owner or an operator). Revoking twice is a no-op."""
    if viewer.is_public:
        raise Unauthorized.worded(N_("sign in to revoke tokens"))
    actor = actor_of(viewer)
    with ctx.unit_of_work() as session:
        row = session.get(ApiTokenRow, token_id)
        # Someone else's token is reported as unknown, not forbidden: ids are not secrets,
        # but there is no reason to confirm which exist.
        if row is None or (not viewer.operator and row.user_id != viewer.user_id):
            raise NotFound.unknown(
                N_("no token %(id)s"), token_id, field="token_id", reason=N_("unknown")
            )
        if row.revoked_at is not None:
            return _token_public(row)
        _revoke(session, ctx, row, actor=actor)
        return _token_public(row)


def _tokens_in_force(session: Session, user: UserRow) -> list[ApiTokenRow]:
    """The user's tokens neither revoked nor expired, oldest first."""
    now = utcnow()
    return [
        row
        for row in session.scalars(
            select(ApiTokenRow)
            .where(ApiTokenRow.user_id == user.id, ApiTokenRow.revoked_at.is_(None))
            .order_by(ApiTokenRow.created_at, ApiTokenRow.id)
        )
        if _token_state(row, now) == "active"
    ]


def _check_own_tokens(session: Session, user: UserRow) -> None:
    """Refuse a token the user mints itself past :data:`MAX_OWN_TOKENS_IN_FORCE`."""
    minted = [row.id for row in _tokens_in_force(session, user) if row.label != "login"]
    if len(minted) < MAX_OWN_TOKENS_IN_FORCE:
        return
    if len(_minted_by_user(session, user, minted)) >= MAX_OWN_TOKENS_IN_FORCE:
        raise Conflict.worded(
            N_("%(user_id)s holds %(limit)s tokens it created in force: revoke one first"),
            details=[problem("user_id", N_("at most %(limit)s"), limit=MAX_OWN_TOKENS_IN_FORCE)],
            user_id=repr(user.id),
            limit=MAX_OWN_TOKENS_IN_FORCE,
        )


def _end_oldest_sessions(
    session: Session, ctx: ServiceContext, user: UserRow, actor: Actor
) -> None:
    """Before a new sign-in session: end the oldest of the user's sessions in force so that
    at most :data:`MAX_SESSIONS_IN_FORCE` remain with the new one."""
    sessions = [row for row in _tokens_in_force(session, user) if row.label == "login"]
    for row in sessions[: max(0, len(sessions) - MAX_SESSIONS_IN_FORCE + 1)]:
        _revoke(session, ctx, row, actor=actor, via="sessions-limit")


def _revoke(
    session: Session, ctx: ServiceContext, row: ApiTokenRow, *, actor: Actor, via: str | None = None
) -> None:
    row.revoked_at = utcnow()
    session.flush()
    payload = TokenRevoked({"token_id": row.id, "user_id": row.user_id})
    if via is not None:
        payload["via"] = via
    append(
        session,
        ctx.settings,
        tag=MemberTag.TOKEN_REVOKED,
        subject=f"token/{row.id}",
        payload=payload,
        actor=actor,
    )


def logout(ctx: ServiceContext, token: str) -> bool:
    """Revoke the token a sign-out presents (the web session). True if it was active.

    An unknown, expired or already revoked token is left as it is: signing out twice, or
    with a stale cookie, is not an error.
    """
    with ctx.unit_of_work() as session:
        row = session.scalars(
            select(ApiTokenRow).where(ApiTokenRow.token_hash == hash_token(token))
        ).one_or_none()
        if row is None or _token_state(row, utcnow()) != "active":
            return False
        user = session.get(UserRow, row.user_id)
        assert user is not None  # api_tokens.user_id is a foreign key
        _revoke(
            session, ctx, row, actor=Actor(member_id=user.member_id, user_id=user.id), via="logout"
        )
        return True


def token_id_of(ctx: ServiceContext, token: str | None) -> str | None:
    """The id of the token whose text is ``token`` (the web session's cookie), whatever its
    state; ``None`` for none or an unknown one. Lets a page tell the session's own token
    among the user's."""
    if not token:
        return None
    with ctx.reader() as session:
        found: str | None = session.scalars(
            select(ApiTokenRow.id).where(ApiTokenRow.token_hash == hash_token(token))
        ).one_or_none()
        return found


def list_tokens(
    ctx: ServiceContext, viewer: Viewer, *, user_id: str | None = None
) -> list[TokenPublic]:
    """Token metadata: one's own, or (operators) anyone's / everyone's."""
    if viewer.is_public:
        raise Unauthorized.worded(N_("sign in to list tokens"))
    if not viewer.operator:
        if user_id is not None and user_id != viewer.user_id:
            raise Forbidden.worded(N_("a user may list only their own tokens"))
        user_id = viewer.user_id
    with ctx.reader() as session:
        query = select(ApiTokenRow).order_by(ApiTokenRow.created_at, ApiTokenRow.id)
        if user_id is not None:
            query = query.where(ApiTokenRow.user_id == user_id)
        now = utcnow()
        return [_token_public(row, now) for row in session.scalars(query)]


def _user_or_404(session: Session, user_id: str) -> UserRow:
    user = session.get(UserRow, user_id)
    if user is None:
        raise NotFound.unknown(
            N_("no user %(id)s"), user_id, field="user_id", reason=N_("unknown user")
        )
    return user


def user_viewer(session: Session, user_id: str) -> Viewer | None:
    """The Viewer user ``user_id`` reads as (its member, operator flag; roles are resolved
    per record by ``ReadScope``); ``None`` for an unknown or disabled user, on whose behalf
    nothing is read (what the alerts area tells a subscriber)."""
    user = session.get(UserRow, user_id)
    if user is None or user.disabled_at is not None:
        return None
    return Viewer(member_id=user.member_id, user_id=user.id, operator=user.operator)


def user_is_operator(session: Session, user_id: str) -> bool:
    """Whether ``user_id`` is an operator's user (disabled or not: enabled again, it reads
    everything again)."""
    user = session.get(UserRow, user_id)
    return user is not None and user.operator


def user_member(session: Session, user_id: str) -> str | None:
    """The member of user ``user_id`` (``None``: no such user)."""
    user = session.get(UserRow, user_id)
    return user.member_id if user is not None else None


def _set_disabled(
    ctx: ServiceContext, viewer: Viewer, user_id: str, *, disabled: bool
) -> UserPublic:
    if viewer.is_public:
        raise Unauthorized.worded(N_("sign in to manage users"))
    if not viewer.operator:
        raise Forbidden.worded(
            N_("only an operator may disable users")
            if disabled
            else N_("only an operator may enable users")
        )
    actor = actor_of(viewer)
    with ctx.unit_of_work() as session:
        user = _user_or_404(session, user_id)
        if (user.disabled_at is not None) == disabled:
            return _user_public(user)  # already so: a retry changes nothing
        user.disabled_at = utcnow() if disabled else None
        session.flush()
        append(
            session,
            ctx.settings,
            tag=MemberTag.USER_DISABLED if disabled else MemberTag.USER_ENABLED,
            subject=f"user/{user.id}",
            payload=(
                UserDisabled(user_id=user.id, member_id=user.member_id)
                if disabled
                else UserEnabled(user_id=user.id, member_id=user.member_id)
            ),
            actor=actor,
        )
        return _user_public(user)


def disable_user(ctx: ServiceContext, viewer: Viewer, user_id: str) -> UserPublic:
    """Disable a user (operators): it cannot sign in, and its tokens are refused (401).

    The tokens are kept, not revoked, so that ``enable_user`` restores e.g. a sensor feed.
    Disabling a disabled user is a no-op.
    """
    return _set_disabled(ctx, viewer, user_id, disabled=True)


def enable_user(ctx: ServiceContext, viewer: Viewer, user_id: str) -> UserPublic:
    """Enable a disabled user again (operators); its unexpired, unrevoked tokens work again."""
    return _set_disabled(ctx, viewer, user_id, disabled=False)


def set_password(
    ctx: ServiceContext,
    viewer: Viewer,
    user_id: str,
    password: str,
    *,
    current_password: str | None = None,
    client: str = login_throttle.LOCAL_CLIENT,
) -> UserPublic:
    """Set a user's password: an operator for anyone, a user for itself.

    A user changing its own password must give the current one (a stolen token alone must
    not take over the account), and a wrong one counts as a failed sign-in of its name; see
    ``change_password``, which also keeps the session it is called from. The user's
    password sessions (tokens labelled ``login``) and the API tokens it minted itself (with
    the password now replaced) are revoked, and any sign-in lockout of the name is lifted.
    """
    if viewer.is_public:
        raise Unauthorized.worded(N_("sign in to change a password"))
    own = viewer.user_id == user_id and not viewer.operator
    if not viewer.operator and not own:
        raise Forbidden.worded(N_("a user may change only its own password"))
    _check_password(password, _names_of(ctx, user_id))
    verified = (
        _verify_current_password(ctx, user_id, current_password or "", client, None).stored
        if own
        else None
    )
    password_hash = _hasher(ctx.settings).hash(password)
    actor = actor_of(viewer)
    with ctx.unit_of_work() as session:
        user = _user_or_404(session, user_id)
        _store_password(
            session, ctx, user, password_hash, actor=actor, by_self=own, verified=verified
        )
        return _user_public(user)


def change_password(
    ctx: ServiceContext,
    viewer: Viewer,
    *,
    current_password: str,
    new_password: str,
    current_token: str | None = None,
    client: str = login_throttle.LOCAL_CLIENT,
    device_cookie: str | None = None,
) -> PasswordChanged:
    """A signed-in user changes its own password, giving the current one (operators too).

    A wrong current password is a 403 and counts as a failed sign-in of the user's name
    (``login_throttle``: five lock the name, 429). On success the password is stored
    (argon2id, ledger entry ``auth:user:password-set`` with ``by_self``), the user's other
    sign-in sessions (active tokens labelled ``login``) and the API tokens it minted itself
    are revoked — not ``current_token``, the session the change was made from — and the API
    tokens an operator issued for it stay valid. Every device marker of the user is void
    with the old password; the answer carries a new one for this client (``device_cookie``).
    """
    if viewer.is_public or viewer.user_id is None:
        raise Unauthorized.worded(N_("sign in to change your password"))
    user_id = viewer.user_id
    _check_password(new_password, _names_of(ctx, user_id), loc="new_password")
    if new_password == current_password:
        # Compares the two submitted values only: it says nothing about the stored one.
        raise InvalidInput.worded(
            N_("the new password must differ from the current one"),
            details=[problem("new_password", N_("same as current_password"))],
        )
    verified = _verify_current_password(
        ctx, user_id, current_password, client, device_cookie
    ).stored
    password_hash = _hasher(ctx.settings).hash(new_password)
    actor = actor_of(viewer)
    keep = hash_token(current_token) if current_token else None
    with ctx.unit_of_work() as session:
        user = _user_or_404(session, user_id)
        revoked = _store_password(
            session,
            ctx,
            user,
            password_hash,
            actor=actor,
            by_self=True,
            verified=verified,
            keep_token_hash=keep,
        )
        return PasswordChanged(
            user=_user_public(user),
            sessions_revoked=revoked,
            device_cookie=devices.issue(session, user),
        )


class _Checked(NamedTuple):
    stored: str
    """The stored hash that matched."""
    device: str | None
    """The trusted device the check was counted under (``login_throttle``), if any."""


def _verify_current_password(
    ctx: ServiceContext,
    user_id: str,
    current_password: str,
    client: str,
    device_cookie: str | None,
) -> _Checked:
    """Check a user's current password, counted as a sign-in attempt of its name (from a
    trusted device if ``device_cookie`` holds a valid marker of the user, see ``login``).

    Returns the stored hash that matched (the caller writes only if it is still stored) and
    the device it was counted under.
    Wrong → Forbidden, the name locked → TooManyRequests (``login_throttle``).
    """
    device = _trusted_device(ctx, user_id, device_cookie)
    login_throttle.count_attempt(ctx, user_id, client, device=device)
    with ctx.reader() as session:
        stored = _user_or_404(session, user_id).password_hash
    if stored is None:
        raise Forbidden.worded(N_("this user has no password; an operator sets the first one"))
    try:
        _hasher(ctx.settings).verify(stored, current_password)
    except (VerificationError, InvalidHashError):
        raise Forbidden.worded(
            N_("the current password is wrong"),
            details=[problem("current_password", N_("does not match"))],
        ) from None
    return _Checked(stored, device)


def _store_password(
    session: Session,
    ctx: ServiceContext,
    user: UserRow,
    password_hash: str,
    *,
    actor: Actor,
    by_self: bool,
    verified: str | None = None,
    keep_token_hash: str | None = None,
) -> list[str]:
    """Store a new password hash, ledger it, end the user's sign-in sessions and the tokens it
    minted itself, lift a lockout.

    Whoever knew the old password could mint itself a 366-day token with it (minting needs
    only the password): a password changed because it leaked must shut that token out too.
    Tokens an operator issued (``_minted_by_user``) did not come from the password and stay.

    ``verified``: the hash the current password was checked against; if another change came
    in between, this one is refused (Conflict) rather than silently overwriting it.
    Returns the ids of the tokens revoked (never the one hashed ``keep_token_hash``).
    """
    if verified is not None and user.password_hash != verified:
        raise Conflict.worded(N_("the password was changed meanwhile; sign in again"))
    user.password_hash = password_hash
    session.flush()
    # Whose password, and whether by the user itself: never the password or its hash.
    append(
        session,
        ctx.settings,
        tag=MemberTag.USER_PASSWORD_SET,
        subject=f"user/{user.id}",
        payload=UserPasswordSet(
            {"user_id": user.id, "member_id": user.member_id, "by_self": by_self}
        ),
        actor=actor,
    )
    tokens = [row for row in _tokens_in_force(session, user) if row.token_hash != keep_token_hash]
    self_minted = _minted_by_user(session, user, [r.id for r in tokens if r.label != "login"])
    revoked = []
    for row in tokens:
        if row.label == "login" or row.id in self_minted:
            _revoke(session, ctx, row, actor=actor, via="password-set")
            revoked.append(row.id)
    login_throttle.unlock(session, user.id)
    return revoked


def _minted_by_user(session: Session, user: UserRow, token_ids: Sequence[str]) -> set[str]:
    """Which of ``token_ids`` (tokens of ``user``) the user minted itself, with its password:
    their ``auth:token:created`` entry's actor is the user. A token an operator issued (a
    sensor feed's, ``ceasefire token create``) was not and is not one of them."""
    subjects = {f"token/{token_id}": token_id for token_id in token_ids}
    found = subjects_recorded_by(
        session,
        tag=MemberTag.TOKEN_CREATED.value,
        subjects=list(subjects),
        actor=Actor(member_id=user.member_id, user_id=user.id),
    )
    return {subjects[subject] for subject in found}


def unlock_user(ctx: ServiceContext, viewer: Viewer, user_name: str) -> None:
    """Lift a sign-in lockout of ``user_name`` now (operators). Bookkeeping, not ledgered."""
    if not viewer.operator:
        raise Forbidden.worded(N_("only an operator may lift a sign-in lockout"))
    with ctx.unit_of_work() as session:
        login_throttle.unlock(session, user_name)


# Every API request with a token runs this one statement (one round trip: the token, its
# user and the member's roles, one row per role). It is built once, from the tables rather
# than the ORM classes, so a look-up costs no statement construction, cache-key generation
# or ORM work: that overhead, not the database, dominated the look-up.
_tokens = ApiTokenRow.__table__
_users = UserRow.__table__
_roles = MemberRoleRow.__table__
_TOKEN_ROWS = select(
    _tokens.c.id,
    _tokens.c.token_hash,
    _tokens.c.label,
    _tokens.c.created_at,
    _tokens.c.revoked_at,
    _tokens.c.expires_at,
    _tokens.c.last_used_at,
    _users.c.id.label("user_id"),
    _users.c.member_id,
    _users.c.operator,
    _users.c.disabled_at,
    _roles.c.agreement_id,
    _roles.c.role,
    _roles.c.party,
    _roles.c.valid_from,
    _roles.c.valid_to,
).select_from(
    _tokens.join(_users, _users.c.id == _tokens.c.user_id).outerjoin(
        _roles, _roles.c.member_id == _users.c.member_id
    )
)
_TOKEN_LOOKUP = _TOKEN_ROWS.where(_tokens.c.token_hash == bindparam("token_hash"))
_TOKENS_LOOKUP = _TOKEN_ROWS.where(
    _tokens.c.token_hash.in_(bindparam("token_hashes", expanding=True))
)


def viewer_for_token(
    ctx: ServiceContext,
    token: str,
    *,
    agreement_id: str | None = None,
    at: datetime | None = None,
) -> Viewer:
    """The Viewer a bearer token stands for; Unauthorized if unknown, expired or revoked.

    With ``agreement_id`` the viewer's role is its role in that agreement; otherwise the
    narrowest role its member currently holds (see ``viewer_for_roles``).
    """
    found = viewers_for_tokens(ctx, [token], agreement_id=agreement_id, at=at)[token]
    if isinstance(found, Unauthorized):
        raise found
    return found


@dataclass(frozen=True)
class Caller:
    """Who a token stands for: its Viewer and every role its member holds (any time)."""

    viewer: Viewer
    roles: tuple[MemberRole, ...]


def viewers_for_tokens(
    ctx: ServiceContext,
    tokens: Sequence[str],
    *,
    agreement_id: str | None = None,
    at: datetime | None = None,
) -> dict[str, Viewer | Unauthorized]:
    """:func:`viewer_for_token` for several tokens at once (one statement): each token's
    Viewer, or the Unauthorized error it would raise."""
    callers = callers_for_tokens(ctx, tokens, agreement_id=agreement_id, at=at)
    return {t: c if isinstance(c, Unauthorized) else c.viewer for t, c in callers.items()}


def callers_for_tokens(
    ctx: ServiceContext,
    tokens: Sequence[str],
    *,
    agreement_id: str | None = None,
    at: datetime | None = None,
) -> dict[str, Caller | Unauthorized]:
    """:func:`viewers_for_tokens` with the members' roles, which the same statement reads
    (so a caller's read scope needs no second look-up)."""
    now = utcnow()
    at = at or now
    hashes = {token: hash_token(token) for token in tokens}
    by_hash: dict[str, list[Any]] = {}
    with ctx.engine.connect() as conn:
        statement = _TOKEN_LOOKUP if len(hashes) == 1 else _TOKENS_LOOKUP
        parameters: dict[str, Any] = (
            {"token_hash": next(iter(hashes.values()))}
            if len(hashes) == 1
            else {"token_hashes": sorted(set(hashes.values()))}
        )
        for row in conn.execute(statement, parameters):
            by_hash.setdefault(row.token_hash, []).append(row)
    found: dict[str, Caller | Unauthorized] = {}
    touch: dict[str, datetime] = {}
    idle = timedelta(seconds=ctx.settings.session_idle_s)
    for token, token_hash in hashes.items():
        rows = by_hash.get(token_hash)
        try:
            found[token] = _caller_from(rows, now=now, at=at, agreement_id=agreement_id, idle=idle)
        except Unauthorized as exc:
            found[token] = exc
            continue
        assert rows is not None
        last_used = rows[0].last_used_at
        if last_used is None or now - last_used >= LAST_USED_RESOLUTION:
            touch[rows[0].id] = now
    for token_id, instant in touch.items():
        _touch(ctx, token_id, instant)
    return found


def _caller_from(
    rows: Sequence[Any] | None,
    *,
    now: datetime,
    at: datetime,
    agreement_id: str | None,
    idle: timedelta,
) -> Caller:
    if not rows:
        raise Unauthorized.worded(N_("invalid token"))
    found = rows[0]
    if found.revoked_at is not None:
        raise Unauthorized.worded(N_("token has been revoked"))
    if found.expires_at is not None and found.expires_at <= now:
        raise Unauthorized.worded(N_("token has expired"))
    if found.label == "login" and now - (found.last_used_at or found.created_at) >= idle:
        # A browser left signed in (a shared machine, an unlocked laptop) ends after
        # ``session_idle_s`` unused, not only after its twelve hours; ``last_used_at`` is
        # kept to the minute (``LAST_USED_RESOLUTION``), which is precise enough here.
        raise Unauthorized.worded(N_("sign-in session has been idle too long"))
    if found.disabled_at is not None:
        raise Unauthorized.worded(N_("token's user is disabled"))
    roles = [MemberRole.stored(found.member_id, r) for r in rows if r.role is not None]
    viewer = viewer_for_roles(
        member_id=found.member_id,
        user_id=found.user_id,
        roles=roles,
        at=at,
        agreement_id=agreement_id,
        operator=found.operator,
    )
    return Caller(viewer, tuple(roles))


def _touch(ctx: ServiceContext, token_id: str, now: datetime) -> None:
    # Bookkeeping, not a state change of the record: not a ledger entry. A database that
    # cannot be written (read-only, full disk) must not turn every authenticated read into
    # an error: the token still authenticates, and writes answer 503 on their own.
    try:
        with ctx.unit_of_work() as session:
            session.execute(
                update(ApiTokenRow).where(ApiTokenRow.id == token_id).values(last_used_at=now)
            )
    except DBAPIError as exc:
        log.warning("token %s: last_used_at not recorded (%s)", token_id, exc.orig)


def user_summary(ctx: ServiceContext, viewer: Viewer) -> UserSummary:
    """What ``/auth/me`` shows: the viewer and, for a user, its member and current roles."""
    roles: list[UserRolePublic] = []
    if viewer.member_id is not None:
        with ctx.reader() as session:
            now = utcnow()
            roles = [
                UserRolePublic(
                    agreement_id=r.agreement_id,
                    role=r.role.value,
                    party=r.party,
                    valid_from=r.valid_from.isoformat(),
                    valid_to=r.valid_to.isoformat() if r.valid_to else None,
                    current=r.is_valid_at(now),
                )
                for r in load_roles(session, member_id=viewer.member_id)
            ]
    return UserSummary(
        member_id=viewer.member_id,
        user_id=viewer.user_id,
        role=viewer.role.value if viewer.role else None,
        party=viewer.party,
        operator=viewer.operator,
        agreement_id=viewer.agreement_id,
        public=viewer.is_public,
        roles=roles,
    )


def acting_viewer(ctx: ServiceContext, token: str | None) -> Viewer:
    """Who a command acts as: the token's member user, or the centre's operator."""
    return viewer_for_token(ctx, token) if token else Viewer.cli_operator()


def _check_preferences(lang: str | None, time_zone: str | None) -> None:
    problems = []
    if lang is not None and lang not in i18n.LANGUAGES:
        problems.append(problem("lang", N_("one of %(items)s"), items=", ".join(i18n.LANGUAGES)))
    if time_zone is not None:
        try:
            ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(problem("time_zone", N_("not a known time zone")))
    if problems:
        raise InvalidInput.worded(N_("unknown language or time zone"), details=problems)


def set_preferences(
    ctx: ServiceContext,
    viewer: Viewer,
    *,
    lang: str | None = None,
    time_zone: str | None = None,
) -> UserPreferences:
    """Keep the language and/or time zone the signed-in user chose (``None`` leaves that
    one as it was); a change is a ledger entry, choosing the same again is none."""
    if viewer.is_public or viewer.user_id is None:
        raise Unauthorized.worded(N_("sign in to keep preferences"))
    _check_preferences(lang, time_zone)
    actor = actor_of(viewer)
    with ctx.unit_of_work() as session:
        user = _user_or_404(session, viewer.user_id)
        wanted_lang = lang if lang is not None else user.lang
        wanted_zone = time_zone if time_zone is not None else user.time_zone
        if (wanted_lang, wanted_zone) != (user.lang, user.time_zone):
            user.lang, user.time_zone = wanted_lang, wanted_zone
            session.flush()
            append(
                session,
                ctx.settings,
                tag=MemberTag.USER_PREFERENCES_SET,
                subject=f"user/{user.id}",
                payload=UserPreferencesSet(
                    user_id=user.id,
                    member_id=user.member_id,
                    lang=wanted_lang,
                    time_zone=wanted_zone,
                ),
                actor=actor,
            )
        return UserPreferences(lang=user.lang, time_zone=user.time_zone)


def preferences_of(ctx: ServiceContext, user_id: str) -> UserPreferences:
    """The language and time zone ``user_id`` chose (both ``None`` for an unknown user)."""
    with ctx.reader() as session:
        user = session.get(UserRow, user_id)
        if user is None:
            return UserPreferences(lang=None, time_zone=None)
        return UserPreferences(lang=user.lang, time_zone=user.time_zone)
