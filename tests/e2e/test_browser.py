"""A real browser (headless Chromium) loads the dashboard from a real server process."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import DemoSnapshot
from tests.factories.browser import CHROMIUM, CHROMIUM_FLAGS
from tests.factories.served import installation_env, serving

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
)


def test_dashboard_in_a_real_browser(tmp_path: Path, demo_sqlite: DemoSnapshot) -> None:
    assert CHROMIUM is not None
    env = installation_env(tmp_path)
    demo_sqlite.install(env)  # what init --demo --no-demo-month writes, copied
    with serving(env) as base:
        url = f"{base}/?as_of=2020-11-26"
        browser = [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
        dom = subprocess.run(
            [*browser, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True
        ).stdout
        assert "Provisions as of 26 Nov 2020" in dom
        assert "Kalbajar district returned to Azerbaijan: fulfilled" in dom
        shot = tmp_path / "dashboard.png"
        subprocess.run(
            [*browser, "--window-size=1400,1200", f"--screenshot={shot}", url],
            capture_output=True,
            timeout=120,
            check=True,
        )
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert shot.stat().st_size > 20_000  # a rendered page, not a blank one
