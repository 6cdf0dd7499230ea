"""Webhook transport: what URLs are refused (SSRF), redirects not followed, the checked
address is the one connected to."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from ceasefire.alerts.transport import (
    check_email_address,
    check_webhook_url,
    is_public_address,
    post_webhook,
)
from ceasefire.errors import InvalidInput


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped loopback
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 of the metadata address
        ("64:ff9b::5db8:d822", True),  # NAT64 of a public one
        ("2002:a00:1::1", False),  # 6to4 of 10.0.0.1
        ("2002:5db8:d822::1", True),  # 6to4 of a public one
        ("64:ff9b:1::5db8:d822", False),  # local-use NAT64
        ("::5db8:d822", False),  # IPv4-compatible
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert is_public_address(address) is public


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.org/",
        "javascript:alert(1)",
        "http://",
        "https://user:secret@example.org/",
        "http://example.org:99999/",
    ],
)
def test_only_plain_http_urls(url: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_webhook_url(url, allow_private=True)
    assert refused.value.details[0]["loc"] == "target"


def test_literal_private_addresses_need_the_operator_setting() -> None:
    for url in ("http://127.0.0.1:9/", "http://[::1]/", "http://localhost/", "http://10.0.0.8/"):
        with pytest.raises(InvalidInput):
            check_webhook_url(url, allow_private=False)
        check_webhook_url(url, allow_private=True)
    target = check_webhook_url("https://hooks.example.org/a?b=1", allow_private=False)
    assert (target.host, target.port, target.path) == ("hooks.example.org", 443, "/a?b=1")


def test_a_name_resolving_to_a_private_address_is_refused_before_connecting() -> None:
    outcome = post_webhook(
        "https://hooks.example.org/x",
        b"{}",
        {},
        timeout_s=1,
        allow_private=False,
        resolver=lambda host, port: ["93.184.216.34", "169.254.169.254"],
    )
    assert not outcome.succeeded
    assert outcome.error == "refused: hooks.example.org does not resolve to public addresses only"


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[int, list[dict[str, Any]]]]:
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.append({"host": self.headers["Host"], "path": self.path})
            if self.path == "/moved":
                self.send_response(302)
                self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            else:
                self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_address[1], seen
    httpd.shutdown()
    httpd.server_close()


def test_redirects_are_failures_not_followed(server: tuple[int, list[dict[str, Any]]]) -> None:
    port, seen = server
    seen.clear()
    outcome = post_webhook(
        f"http://127.0.0.1:{port}/moved", b"{}", {}, timeout_s=5, allow_private=True
    )
    assert not outcome.succeeded
    assert outcome.status_code == 302
    assert [s["path"] for s in seen] == ["/moved"]


def test_the_checked_address_is_the_one_connected_to(
    server: tuple[int, list[dict[str, Any]]],
) -> None:
    port, seen = server
    seen.clear()
    outcome = post_webhook(
        f"http://receiver.example:{port}/in",
        b"{}",
        {},
        timeout_s=5,
        allow_private=True,
        resolver=lambda host, p: ["127.0.0.1"],
    )
    assert outcome.succeeded
    assert outcome.status_code == 204
    assert seen == [{"host": f"receiver.example:{port}", "path": "/in"}]


def test_email_addresses() -> None:
    assert check_email_address(" duty@jmc.example.org ") == "duty@jmc.example.org"
    for bad in ("duty", "a@b", "a b@example.org", "a@example.org, b@example.org", "x@y@z.org"):
        with pytest.raises(InvalidInput):
            check_email_address(bad)
