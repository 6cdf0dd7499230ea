"""Per-address rate limits: requests without a valid token, and sign-in attempts.

- **Requests without a valid token** (the public API, the public web pages, the static files,
  a request with an unknown, expired or revoked token) share one token bucket per client
  address: ``CEASEFIRE_PUBLIC_REQUESTS_PER_MINUTE`` (a burst of that many, then refilled
  evenly). Over it, a 429 in the API's JSON error shape with ``Retry-After``.
- **Requests with a valid token are limited per token**, not per address (a sensor feed
  posts hundreds of reports a second from one address, and an office shares one NAT
  address): ``CEASEFIRE_TOKEN_REQUESTS_PER_MINUTE`` (6000 by default, a burst of that many),
  keyed by the same salted hash as below. So a member's leaked or misused token cannot
  occupy the server without limit, and one member's burst spends nothing of another's.
  To tell a valid token from a made-up one without a database look-up per request, the
  middleware remembers the tokens it has checked, valid or not, for ``CHECKED_TOKEN_TTL_S``,
  by Python's per-process salted ``hash()`` of the token
  (neither the token nor the SHA-256 the database stores is kept): a member's request costs
  that hash and a dictionary look-up (about 3 µs in all), and one token look-up every few
  minutes. A made-up token whose 64-bit salted hash equals a checked valid token's would
  only escape the rate limit, never gain access. An unknown credential is checked once
  (the same look-up the route would make) before the request goes on. Without this, any
  ``Authorization`` header would bypass the limit on the routes that ignore the caller.
  The cache decides only the rate limit: the route still checks the token itself, so a token
  revoked a moment ago is refused by the route as before.
- **Successful password checks per user name** (the tenth audit): each sign-in, token minted
  or password changed spends an argon2 check and writes a token and a ledger entry, and
  succeeding gives the address its attempt back, so a member knowing its own password could
  repeat them without end. ``CEASEFIRE_SIGN_INS_PER_USER_PER_MINUTE`` (10, a burst of that
  many) bounds them per name: an attempt finding the name's bucket empty is a 429 before its
  password is checked, and only a success spends a token (a failure, or a name that does not
  exist, spends none: nobody can empty another user's bucket without its password).
- **Sign-in attempts** (``POST /api/v1/auth/token``, ``POST /login``, and the current-password
  check of a password change) take one token from a second bucket per address,
  ``CEASEFIRE_LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE``, before the password is checked; a
  successful attempt gives it back. So one address cannot try many user names (the per-name
  lockout in ``services.login_throttle`` cannot see that), while an office of many users
  behind one NAT address signing in successfully is not held back.

The address is the ASGI scope's client: behind a reverse proxy, that is whatever Uvicorn
makes of ``X-Forwarded-For`` (``--proxy-headers``, trusted only from ``--forwarded-allow-ips``).
An IPv6 client is limited by its /64 prefix (one host usually owns a whole /64). The limits
are in-process: each worker process keeps its own buckets.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from ceasefire.api.errors import error_response
from ceasefire.api.ratelimit import DEFAULT_MAX_KEYS, TokenBuckets
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.errors import TooManyRequests, Unauthorized
from ceasefire.i18n.markers import N_

# How long a checked token's verdict decides the rate limit (never its access).
CHECKED_TOKEN_TTL_S = 300.0
MAX_CHECKED_TOKENS = 10_000
UNKNOWN_CLIENT = "unknown"


@lru_cache(maxsize=4096)
def address_key(host: str) -> str:
    """The key a client address is limited under: IPv4 as is, IPv6 by its /64."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host  # not an IP address (a Unix socket peer, a test client's name)
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def client_key(scope: Scope) -> str:
    """The rate-limit key of the request's client (see ``address_key``)."""
    client = scope.get("client")
    if not client:
        return UNKNOWN_CLIENT
    return address_key(str(client[0]))


class AddressLimits:
    """The buckets of one application, and the tokens checked for them.

    ``check_token`` says whether a token is valid now (a database look-up); ``clock`` is
    injectable for tests.
    """

    def __init__(
        self,
        *,
        public_per_minute: int,
        login_per_minute: int,
        token_per_minute: int = 0,
        user_per_minute: int = 0,
        check_token: Callable[[str], bool],
        session_cookie: str,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = DEFAULT_MAX_KEYS,
    ) -> None:
        self.public = TokenBuckets(public_per_minute, clock=clock, max_keys=max_keys)
        self.per_token = TokenBuckets(token_per_minute, clock=clock, max_keys=max_keys)
        self.login = TokenBuckets(login_per_minute, clock=clock, max_keys=max_keys)
        self.per_user = TokenBuckets(user_per_minute, clock=clock, max_keys=max_keys)
        self.session_cookie = session_cookie
        self._check_token = check_token
        self._clock = clock
        self._lock = threading.Lock()
        # hash(token) -> (valid, checked until), oldest first; never the token itself
        self._checked: OrderedDict[int, tuple[bool, float]] = OrderedDict()

    def checked(self, token_key: int) -> bool | None:
        """The remembered verdict on a token (by ``hash(token)``), or ``None``."""
        found = self._checked.get(token_key)
        if found is None or found[1] <= self._clock():
            return None
        return found[0]

    def check(self, token_key: int, token: str) -> bool:
        """Check a token now (blocking: a database look-up) and remember the verdict."""
        valid = self._check_token(token)
        self.remember(token_key, valid=valid)
        return valid

    def remember(self, token_key: int, *, valid: bool) -> None:
        """Remember a verdict on a token reached elsewhere (``authfirst``'s look-up)."""
        with self._lock:
            self._checked[token_key] = (valid, self._clock() + CHECKED_TOKEN_TTL_S)
            self._checked.move_to_end(token_key)
            while len(self._checked) > MAX_CHECKED_TOKENS:
                self._checked.popitem(last=False)

    def credential(self, scope: Scope) -> str | None:
        """The bearer token or the sign-in cookie the request presents, if any."""
        cookie_header: bytes | None = None
        for name, value in scope.get("headers") or ():
            if name == b"authorization":
                scheme, _, token = value.decode("latin-1").partition(" ")
                token = token.strip()
                return token if scheme.lower() == "bearer" and token else None
            if name == b"cookie":
                cookie_header = value
        if cookie_header is None or self.session_cookie.encode() not in cookie_header:
            return None
        # The parser the pages' ``request.cookies`` use, so both see the same value.
        return cookie_parser(cookie_header.decode("latin-1")).get(self.session_cookie) or None


class AddressRateLimit:
    """ASGI middleware: refuses (429) requests without a valid token over the public rate."""

    def __init__(self, app: ASGIApp, limits: AddressLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limits = self.limits
        if scope["type"] != "http" or not (limits.public.enabled or limits.per_token.enabled):
            await self.app(scope, receive, send)
            return
        token = limits.credential(scope)
        if token is not None:
            token_key = hash(token)
            valid = limits.checked(token_key)
            if valid is None:
                valid = await run_in_threadpool(limits.check, token_key, token)
            if valid:
                retry_after = limits.per_token.take(str(token_key))
                if retry_after is None:
                    await self.app(scope, receive, send)
                    return
                refusal = _refused(
                    N_("too many requests with this token; try again in %(seconds)s s"),
                    retry_after,
                )
                await error_response(refusal)(scope, receive, send)
                return
        retry_after = limits.public.take(client_key(scope))
        if retry_after is None:
            await self.app(scope, receive, send)
            return
        refusal = _refused(
            N_(
                "too many requests without a valid token from this address; try again in "
                "%(seconds)s s, or sign in"
            ),
            retry_after,
        )
        await error_response(refusal)(scope, receive, send)


def _limits(request: Request) -> AddressLimits:
    limits = request.app.state.address_limits
    assert isinstance(limits, AddressLimits)
    return limits


class SignInAttempt:
    """One sign-in attempt counted against the client's address; ``succeeded`` undoes it."""

    def __init__(self, limits: AddressLimits, key: str, user_key: str) -> None:
        self._limits = limits
        self._key = key
        self._user_key = user_key

    @property
    def client(self) -> str:
        """The client's address key: an untrusted client's failures are counted under it too,
        and given back on its success (``members.throttle``)."""
        return self._key

    def succeeded(self) -> None:
        """The password was right: the attempt is not held against the address, and is one
        of the user name's successes."""
        self._limits.login.give_back(self._key)
        self._limits.per_user.take(self._user_key)


def _refused(msgid: str, seconds: int) -> TooManyRequests:
    return TooManyRequests.worded(
        msgid, details={"retry_after_s": seconds}, seconds=seconds
    ).retrying_after(seconds)


def count_sign_in(request: Request, user_name: str) -> SignInAttempt:
    """Count a sign-in attempt for ``user_name`` from the request's address, or refuse it
    (429): the address's failures, or the name's successes, are over their rate.

    Call before the password is checked (parallel guesses cannot slip past the limit),
    and ``succeeded()`` once it was right.
    """
    limits = _limits(request)
    key = client_key(request.scope)
    user_key = user_name[:200]
    # Only a success spends the name's token (``succeeded``): here it is only looked at.
    waited = limits.per_user.wait(user_key)
    if waited is not None:
        raise _refused(
            N_("too many sign-ins for this user name; try again in %(seconds)s s"), waited
        )
    retry_after = limits.login.take(key)
    if retry_after is not None:
        raise _refused(
            N_("too many sign-in attempts from this address; try again in %(seconds)s s"),
            retry_after,
        )
    return SignInAttempt(limits, key, user_key)


def address_limits_for(
    ctx: ServiceContext,
    settings: Settings,
    *,
    session_cookie: str,
    authenticate: Callable[[ServiceContext, str], object],
) -> AddressLimits:
    """The limits of one application, checking tokens against ``ctx``'s database with
    ``authenticate`` (the members area's token check, handed in by the application)."""

    def check_token(token: str) -> bool:
        try:
            authenticate(ctx, token)
        except Unauthorized:
            return False
        return True

    return AddressLimits(
        public_per_minute=settings.public_requests_per_minute,
        login_per_minute=settings.login_attempts_per_address_per_minute,
        token_per_minute=settings.token_requests_per_minute,
        user_per_minute=settings.sign_ins_per_user_per_minute,
        check_token=check_token,
        session_cookie=session_cookie,
    )
