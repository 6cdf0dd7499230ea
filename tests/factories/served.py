"""A real ``ceasefire serve`` process for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.factories.cli import cli_command
from tests.factories.durability import SQLITE_SYNCHRONOUS_ENV
from tests.factories.hashing import PASSWORD_HASH_FLOOR_ENV


def installation_env(folder: Path, **extra: str) -> dict[str, str]:
    """This process's environment for a CLI or server on a SQLite installation in ``folder``
    (database, key file and data folder), with ``extra`` variables on top."""
    env = dict(os.environ)
    env.update(
        {
            "CEASEFIRE_DATABASE_URL": f"sqlite:///{folder / 'demo.db'}",
            "CEASEFIRE_KEY_FILE": str(folder / "keys.json"),
            "CEASEFIRE_DATA_DIR": str(folder / "data"),
            **PASSWORD_HASH_FLOOR_ENV,
            **SQLITE_SYNCHRONOUS_ENV,
            **extra,
        }
    )
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(env: dict[str, str], *options: str) -> Iterator[str]:
    """Run ``ceasefire serve [options]`` on a free port until the block ends; its base URL."""
    port = free_port()
    server = subprocess.Popen(
        cli_command("serve", "--port", str(port), *options),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # Generous: a guard against a server that never starts, not a timing check (two
        # workers importing the app on a loaded 2-core machine took over 60 s).
        deadline = time.monotonic() + 180
        while True:
            if server.poll() is not None:
                raise AssertionError(f"server exited with {server.returncode}")
            try:
                # A connection, not a request: a request would count against the
                # per-address limits that some of these tests measure.
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("server did not come up") from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
