"""SQLite commit durability in tests: what a power cut could lose, which no test simulates.

Production syncs the write-ahead log to disk at every commit (``synchronous=FULL``:
docs/operations.md). A test's database lives as long as the test, so its commits need not
survive a power cut; without that sync a commit costs about a quarter as much on the test
machine (bench/RESULTS.md). What is committed, and what other connections read, is the same:
SQLite's WAL with ``synchronous=NORMAL`` stays consistent. tests/unit/test_sqlite_engine.py
checks the production default itself. (PostgreSQL's ``synchronous_commit=off`` made no
measurable difference there, so its tests keep the server's setting.)
"""

from __future__ import annotations

from typing import Literal

SQLITE_SYNCHRONOUS: Literal["normal"] = "normal"
"""The tests' ``Settings.sqlite_synchronous``."""

SQLITE_SYNCHRONOUS_ENV: dict[str, str] = {"CEASEFIRE_SQLITE_SYNCHRONOUS": SQLITE_SYNCHRONOUS}
"""The same, as the environment of a CLI or server process."""
