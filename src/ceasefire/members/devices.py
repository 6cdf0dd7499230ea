"""Device markers: what a client that signed in as a user before shows to be told apart from
a password-guessing stranger (OWASP's "device cookies").

A successful sign-in (the web form, ``POST /api/v1/auth/token``, a token minted or a password
changed with the password) gives its client a marker bound to that user:
``user.issued.nonce.mac``, the user id in base64url, the issue time in Unix seconds, 16 random
bytes, and the HMAC-SHA256 of those under the installation's device key and a fingerprint of
the user's stored password hash. The browser keeps it in the ``ceasefire_device`` cookie (a
few users' markers, one browser shared by a post's staff); an API client gets it in the
answer and sends it back in the ``Ceasefire-Device`` header.

A marker is **valid** for a user name only if it names that user, is under ``MARKER_TTL``
old, and its MAC checks against the key and the user's *current* password hash: a marker of
another user, a forged or altered one, an expired one, or one issued before the password
changed is ignored, and its client is treated as any other (``members.throttle``). The key
(32 random bytes) is made on first use and kept in the ``installation`` table, so every server
process shares it; whoever reads the database can forge markers, which only lets it guess at
the pace of a trusted client (five a window per marker), never sign in. Markers, like tokens,
are never logged nor written to the ledger.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ceasefire.db.inserts import insert_if_missing
from ceasefire.db.installation import InstallationFact
from ceasefire.members.tables import UserRow
from ceasefire.timeutil import utcnow

MARKER_TTL = timedelta(days=365)
KEY_FACT = "sign_in_device_key"
# Markers one cookie keeps (newest first): the staff of a post sharing one browser.
MAX_MARKERS = 5
MAX_COOKIE_LENGTH = 1200
_SEPARATOR = "~"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _stored_key(session: Session) -> bytes | None:
    found = session.get(InstallationFact, KEY_FACT, populate_existing=True)
    return None if found is None else bytes.fromhex(found.value)


def _device_key(session: Session) -> bytes:
    """The installation's device key, made (once, whichever process is first) if missing."""
    key = _stored_key(session)
    if key is None:
        insert_if_missing(
            session, InstallationFact, {"key": KEY_FACT, "value": secrets.token_hex(32)}
        )
        key = _stored_key(session)
        assert key is not None
    return key


def name_digest(session: Session, name: str) -> int | None:
    """A number the installation's key draws from a user name (the same name, the same
    number, across restarts; unknown to anyone without the key), or ``None`` before the key
    is made (at the first sign-in): how a sign-in of a name without a password hash picks
    the costs of its dummy (``auth._verified_hash``)."""
    key = _stored_key(session)
    if key is None:
        return None
    message = "\0".join(("ceasefire-dummy-costs-v1", name)).encode("utf-8")
    return int.from_bytes(hmac.new(key, message, hashlib.sha256).digest()[:8], "big")


def _mac(key: bytes, user_id: str, issued: int, nonce: str, password_hash: str) -> str:
    fingerprint = hashlib.sha256(password_hash.encode("utf-8")).hexdigest()
    message = "\0".join(("ceasefire-device-v1", user_id, str(issued), nonce, fingerprint))
    return _b64(hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest())


def issue(session: Session, user: UserRow) -> str:
    """A new marker of ``user`` (which has a password), for the client that just signed in."""
    assert user.password_hash is not None
    issued = int(utcnow().timestamp())
    nonce = _b64(secrets.token_bytes(16))
    mac = _mac(_device_key(session), user.id, issued, nonce, user.password_hash)
    return f"{_b64(user.id.encode('utf-8'))}.{issued}.{nonce}.{mac}"


def markers_of(presented: str | None) -> list[str]:
    """The markers a cookie or header holds (several, ``~``-separated), at most
    ``MAX_MARKERS``; anything too long is ignored whole."""
    if not presented or len(presented) > MAX_COOKIE_LENGTH:
        return []
    return [m for m in presented.strip().split(_SEPARATOR) if m][:MAX_MARKERS]


def _user_of(marker: str) -> str | None:
    try:
        return _unb64(marker.split(".", 1)[0]).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def merged(new: str, presented: str | None) -> str:
    """A cookie's value keeping ``new`` first and the other users' markers it held."""
    user = _user_of(new)
    kept = [m for m in markers_of(presented) if _user_of(m) != user]
    return _SEPARATOR.join([new, *kept][:MAX_MARKERS])


# Unix seconds as ``issue`` writes them: ASCII digits, fewer than a float's range would
# overflow. ``str.isdigit`` also takes "²" (int() refuses it), and 400 digits made the age's
# float subtraction overflow: both were a 500 on the sign-in of whoever sent them.
_MAX_ISSUE_DIGITS = 12


def _is_issue_time(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= _MAX_ISSUE_DIGITS


def trusted_device(
    session: Session, user_name: str, presented: str | None, *, at: datetime | None = None
) -> str | None:
    """The nonce of a valid marker of ``user_name`` among ``presented`` (the device the
    throttle counts this client's failures under), or ``None``: the client is untrusted."""
    now = at or utcnow()
    for marker in markers_of(presented):
        parts = marker.split(".")
        if len(parts) != 4 or _user_of(marker) != user_name or not _is_issue_time(parts[1]):
            continue
        issued = int(parts[1])
        if not 0 <= now.timestamp() - issued < MARKER_TTL.total_seconds():
            continue
        user = session.get(UserRow, user_name)
        key = _stored_key(session)
        if user is None or user.password_hash is None or key is None:
            return None
        expected = _mac(key, user_name, issued, parts[2], user.password_hash)
        if hmac.compare_digest(expected, parts[3]):
            return parts[2]
    return None
