"""The schema a PostgreSQL URL's libpq ``options`` select, for pg_dump/pg_restore."""

from __future__ import annotations

import pytest

from ceasefire.ledger.backup import search_path_schema


@pytest.mark.parametrize(
    ("options", "schema"),
    [
        ("-csearch_path=run_1", "run_1"),
        ("-c search_path=run_1,public", "run_1"),
        ("--search-path=run_1", "run_1"),
        ("-csearch_path=run_1 -csynchronous_commit=off", "run_1"),
        ("-csynchronous_commit=off -csearch_path=run_1", "run_1"),
        ('-csearch_path="run_1",public', "run_1"),
        ("-csynchronous_commit=off", None),
        ("-c", None),
        ("", None),
    ],
)
def test_the_schema_is_read_from_any_form_of_the_option(options: str, schema: str | None) -> None:
    assert search_path_schema(options) == schema
