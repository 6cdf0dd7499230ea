"""How an alert leaves the centre: a signed webhook POST, or an e-mail through SMTP.

Standard library only (``urllib.request``, ``smtplib``). Each send returns an
:class:`Outcome` and never raises for a failure of the other side: the delivery worker
records it and retries per the model's :class:`~ceasefire.alerts.model.RetryPolicy`.

Webhook URLs are given by members, who distrust each other and the centre's network
alike, so a webhook could be aimed at the centre's own services (server-side request
forgery). Therefore:

- only ``http`` and ``https`` URLs, without user names or passwords in them;
- unless ``alerts_webhook_allow_private`` is on, every address the host name resolves to
  must be a public unicast address (no loopback, private, link-local — cloud metadata at
  169.254.169.254 —, multicast, reserved or unspecified address, nor an IPv6 address that
  carries one through NAT64 or 6to4), checked when the
  subscription is made (for a literal address) and again before each delivery (DNS may
  change); the connection then goes to the address that was checked, so a name that
  resolves differently a moment later (DNS rebinding) cannot slip past the check;
- redirects are not followed (a 3xx is a failed attempt), responses are not read beyond
  a few hundred bytes, and a delivery has a timeout.
"""

from __future__ import annotations

import http.client
import ipaddress
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlsplit

from ceasefire.errors import InvalidInput, problem
from ceasefire.i18n.markers import N_

Resolver = Callable[[str, int], list[str]]
"""Host name and port → the addresses to connect to."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt came to: success, the receiver's HTTP status, the error if any."""

    succeeded: bool
    status_code: int | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    scheme: str
    host: str
    port: int
    path: str


def parse_webhook_url(url: str, *, loc: str = "target") -> WebhookTarget:
    """The parts of a webhook URL; ``InvalidInput`` for anything but a plain http(s) URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidInput.worded(
            N_("not a URL: %(error)s"), details=[problem(loc, str(exc))], error=exc
        ) from exc
    if parts.scheme not in ("http", "https"):
        raise InvalidInput.worded(
            N_("a webhook URL must be http or https"),
            details=[
                problem(
                    loc, N_("scheme %(scheme)s refused; use http(s)://"), scheme=repr(parts.scheme)
                )
            ],
        )
    if not parts.hostname:
        raise InvalidInput.worded(
            N_("a webhook URL needs a host"), details=[problem(loc, N_("no host"))]
        )
    if parts.username is not None or parts.password is not None:
        raise InvalidInput.worded(
            N_("a webhook URL may not hold credentials"),
            details=[problem(loc, N_("remove user:password@; sign with the secret instead"))],
        )
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    return WebhookTarget(
        parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path
    )


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
"""The well-known NAT64 prefix (RFC 6052): the last 32 bits are the IPv4 address reached."""
_NEVER = (
    ipaddress.IPv6Network("64:ff9b:1::/48"),  # local-use NAT64 (RFC 8215): the site's own
    ipaddress.IPv6Network("::/96"),  # IPv4-compatible (deprecated, RFC 4291)
)


def is_public_address(address: str) -> bool:
    """Whether ``address`` is a public unicast address (what a webhook may reach by default).

    An IPv6 address that carries an IPv4 one to a translator or tunnel (IPv4-mapped, NAT64,
    6to4) is judged by the IPv4 address it reaches: Python counts ``64:ff9b::a9fe:a9fe``
    (the cloud metadata address through NAT64) as global."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if any(ip in network for network in _NEVER):
            return False
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        elif ip.sixtofour is not None:
            ip = ip.sixtofour
    return ip.is_global and not ip.is_multicast


def check_webhook_url(url: str, *, allow_private: bool, loc: str = "target") -> WebhookTarget:
    """Parse ``url`` and, unless ``allow_private``, refuse a literal non-public address (a
    host name is checked again, resolved, before each delivery)."""
    target = parse_webhook_url(url, loc=loc)
    try:
        literal = ipaddress.ip_address(target.host)
    except ValueError:
        literal = None
    if literal is not None and not allow_private and not is_public_address(str(literal)):
        raise InvalidInput.worded(
            N_("a webhook may not point at a private, loopback or reserved address"),
            details=[problem(loc, N_("%(host)s is not a public address"), host=target.host)],
        )
    if not allow_private and target.host.lower() in ("localhost", "localhost.localdomain"):
        raise InvalidInput.worded(
            N_("a webhook may not point at this server"), details=[problem(loc, N_("localhost"))]
        )
    return target


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (the system resolver)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to an address already checked, keeping the URL's host name in
    the ``Host`` header."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS: connects to the checked address, verifies the certificate for
    the URL's host name (SNI too)."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post_webhook(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout_s: float,
    allow_private: bool,
    resolver: Resolver = resolve,
) -> Outcome:
    """POST ``body`` to ``url``; success is a 2xx answer. Redirects are failures."""
    try:
        target = check_webhook_url(url, allow_private=allow_private)
    except InvalidInput as exc:
        return Outcome(False, error=f"refused: {exc.message}")
    # The member reads the error: with private addresses refused, a name that resolves to
    # one and a name that does not resolve read alike, so that webhooks do not map the
    # centre's network (its private addresses, the names its resolver knows).
    unreachable = Outcome(
        False, error=f"refused: {target.host} does not resolve to public addresses only"
    )
    try:
        addresses = resolver(target.host, target.port)
    except OSError as exc:
        if not allow_private:
            return unreachable
        return Outcome(False, error=f"cannot resolve {target.host}: {exc}")
    if not addresses:
        return (
            unreachable
            if not allow_private
            else Outcome(False, error=f"{target.host} resolves to no address")
        )
    if not allow_private and not all(is_public_address(a) for a in addresses):
        return unreachable
    kind = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = kind(target.host, target.port, addresses[0], timeout_s)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read(512)
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(False, error=f"{type(exc).__name__}: {exc}"[:500])
    finally:
        connection.close()
    if 200 <= response.status < 300:
        return Outcome(True, status_code=response.status)
    text = answer.decode("utf-8", "replace").strip()
    return Outcome(False, status_code=response.status, error=f"HTTP {response.status} {text}"[:500])


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    starttls: bool
    user: str | None
    password: str | None
    sender: str
    timeout_s: float = 30.0


def send_mail(settings: SmtpSettings, to: str, subject: str, text: str) -> Outcome:
    """Send one plain-text message; an SMTP or network failure is a failed attempt."""
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.user:
                smtp.login(settings.user, settings.password or "")
            refused = smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome(False, error=f"{type(exc).__name__}: {exc}"[:500])
    if refused:
        return Outcome(False, error=f"refused recipients: {', '.join(refused)}"[:500])
    return Outcome(True)


def check_email_address(address: str, *, loc: str = "target") -> str:
    """A plausible single address (one ``@``, no spaces or header-breaking characters)."""
    value = address.strip()
    local, at, domain = value.partition("@")
    if (
        not at
        or not local
        or "." not in domain
        or "@" in domain
        or any(c.isspace() or c in ',;<>"' for c in value)
        or len(value) > 254
    ):
        raise InvalidInput.worded(
            N_("not an e-mail address"),
            details=[problem(loc, N_("one address, like name@example.org"))],
        )
    return value
