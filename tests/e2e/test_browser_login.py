"""A real browser signs in through the form and out again, against a real server process.

Headless Chromium is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``:
JSON messages ended by NUL on file descriptors 3 and 4), so no WebDriver or websocket
library is needed. The browser itself checks what matters here: the form post carries the
page's own ``Origin``, the cookie is stored HttpOnly and SameSite=Strict (scripts cannot read
it), the dashboard then names the member, and signing out drops the cookie.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DemoSnapshot
from tests.factories.browser import CHROMIUM, CHROMIUM_FLAGS
from tests.factories.cli import run_here
from tests.factories.served import installation_env, serving

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
)

PASSWORD = "a long browser password"
TIMEOUT_S = 60.0


class DevTools:
    """A minimal DevTools protocol client over Chromium's debugging pipe."""

    def __init__(self, browser: subprocess.Popen[bytes], to_browser: int, from_browser: int):
        self.browser = browser
        self.to_browser = to_browser
        self.from_browser = from_browser
        self.buffer = b""
        self.events: list[dict[str, Any]] = []
        self.last_id = 0

    def _read_message(self) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT_S
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or self.browser.poll() is not None:
                raise AssertionError("no answer from Chromium")
            ready, _, _ = select.select([self.from_browser], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(self.from_browser, 65536)
                if not chunk:
                    raise AssertionError("Chromium closed the debugging pipe")
                self.buffer += chunk
        raw, _, self.buffer = self.buffer.partition(b"\0")
        message: dict[str, Any] = json.loads(raw)
        return message

    def send(self, method: str, params: dict[str, Any] | None = None, session: str = "") -> Any:
        self.last_id += 1
        message: dict[str, Any] = {"id": self.last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._read_message()
            if answer.get("id") == self.last_id:
                if "error" in answer:
                    raise AssertionError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self.events.append(answer)

    def wait_for(self, event: str, session: str) -> None:
        while True:
            for index, seen in enumerate(self.events):
                if seen.get("method") == event and seen.get("sessionId") == session:
                    del self.events[: index + 1]
                    return
            self.events.append(self._read_message())

    def evaluate(self, expression: str, session: str) -> Any:
        result = self.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session
        )
        return result["result"].get("value")


def _pipe() -> tuple[int, int]:
    # Above 9, so that placing them on 3 and 4 cannot overwrite one with the other.
    ends = []
    for end in os.pipe():
        ends.append(fcntl.fcntl(end, fcntl.F_DUPFD_CLOEXEC, 10))
        os.close(end)
    return ends[0], ends[1]


@pytest.fixture
def devtools(tmp_path: Path) -> Iterator[DevTools]:
    assert CHROMIUM is not None
    commands_read, commands_write = _pipe()
    answers_read, answers_write = _pipe()
    # Chromium reads commands on fd 3 and writes answers on fd 4; the shell puts them there.
    shell = f'exec "$0" "$@" 3<&{commands_read} 4>&{answers_write}'
    browser = subprocess.Popen(
        [
            "/bin/bash",  # dash cannot redirect descriptors above 9
            "-c",
            shell,
            CHROMIUM,
            *CHROMIUM_FLAGS,
            "--remote-debugging-pipe",
            f"--user-data-dir={tmp_path / 'profile'}",
            "about:blank",
        ],
        pass_fds=(commands_read, answers_write),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(commands_read)
    os.close(answers_write)
    client = DevTools(browser, commands_write, answers_read)
    try:
        yield client
    finally:
        try:
            client.send("Browser.close")
        except (AssertionError, OSError):
            browser.kill()
        browser.wait(timeout=30)
        os.close(commands_write)
        os.close(answers_read)


@pytest.fixture
def server(tmp_path: Path, demo_sqlite: DemoSnapshot) -> Iterator[str]:
    env = installation_env(tmp_path)
    demo_sqlite.install(env)  # what init --demo --no-demo-month writes, copied
    run_here(
        "user",
        "add",
        "arm-duty",
        "--member",
        "arm",
        "--password-stdin",
        env=env,
        input=PASSWORD,
        check=True,
    )
    with serving(env) as base:
        yield base


def _session_cookies(devtools: DevTools) -> list[dict[str, Any]]:
    cookies = devtools.send("Storage.getCookies")["cookies"]
    return [c for c in cookies if c["name"] == "ceasefire_session"]


def test_sign_in_and_out_through_the_form_in_a_real_browser(
    devtools: DevTools, server: str
) -> None:
    target = devtools.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    page = devtools.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
        "sessionId"
    ]
    devtools.send("Page.enable", session=page)
    devtools.send("Page.navigate", {"url": f"{server}/login"}, page)
    devtools.wait_for("Page.loadEventFired", page)
    assert devtools.evaluate("document.title", page) == "ceasefire · sign in"

    devtools.evaluate(
        "document.querySelector('input[name=user_id]').value = 'arm-duty';"
        f"document.querySelector('input[name=password]').value = {json.dumps(PASSWORD)};"
        "document.querySelector('section.login button').click();",
        page,
    )
    devtools.wait_for("Page.loadEventFired", page)
    assert devtools.evaluate("location.pathname", page) == "/"
    who = devtools.evaluate("document.querySelector('.who').innerText", page)
    assert "signed in as arm-duty (arm · party liaison)" in who
    assert "ceasefire_session" not in devtools.evaluate("document.cookie", page)
    (cookie,) = _session_cookies(devtools)
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["value"].startswith("cft_")

    devtools.evaluate("document.querySelector('form.logout button').click();", page)
    devtools.wait_for("Page.loadEventFired", page)
    who = devtools.evaluate("document.querySelector('.who').innerText", page)
    assert who.startswith("public view")
    assert _session_cookies(devtools) == []

    # The revoked token is refused by the API as well.
    request = urllib.request.Request(
        f"{server}/api/v1/auth/me", headers={"Authorization": f"Bearer {cookie['value']}"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401
