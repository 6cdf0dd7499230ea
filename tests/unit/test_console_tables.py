"""Tables for people on an 80-column terminal: values whole, columns left out by name."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from ceasefire.console.output import console, print_page, print_table, table_cell

IDS = [f"inc-1a24bb39baa4c591ca{i:03d}" for i in range(3)]


@pytest.fixture
def narrow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console, "width", 80)


def _words(out: str) -> set[str]:
    return set(re.findall(r"[\w:+.-]+", out))


def test_instants_print_to_the_minute() -> None:
    assert table_cell("2020-12-09T18:35:41.313558+00:00") == "2020-12-09 18:35Z"
    assert table_cell(datetime(2020, 11, 10, 5, 30, tzinfo=UTC)) == "2020-11-10 05:30Z"
    assert table_cell("2020-11-10T00:00:00+04:00") == "2020-11-10 00:00+04:00"
    assert table_cell("2020-11-10") == "2020-11-10"
    assert table_cell(None) == ""
    assert table_cell("shelling near Aghdam") == "shelling near Aghdam"


def test_a_table_that_fits_keeps_every_column(
    narrow: None, capsys: pytest.CaptureFixture[str]
) -> None:
    print_table("Members", ["id", "name"], [["arm", "Armenia"], ["aze", "Azerbaijan"]])
    out = capsys.readouterr().out
    assert {"arm", "Armenia", "aze", "Azerbaijan"} <= _words(out)
    assert "not shown" not in out


def test_a_wide_table_leaves_out_columns_and_says_which(
    narrow: None, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        [i, "2020-12-09T18:35:41+00:00", "explosion_airburst", "monitor_observation", "internal", i]
        for i in IDS
    ]
    columns = ["id", "observed", "category", "channel", "classification", "incident"]
    print_table("Reports", columns, rows, optional=["classification", "channel"])
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80
    words = _words(out)
    # Ids, instants and codes are whole, never folded or cut with an ellipsis.
    assert set(IDS) <= words
    assert "2020-12-09" in words
    assert "18:35Z" in words
    assert "…" not in out
    # The optional columns went first, in the order given; the caption names them.
    caption = " ".join(out[out.index("not shown") :].split())
    assert caption.startswith("not shown at 80 columns: classification, channel")
    assert "monitor_observation" not in out


def test_text_wraps_at_spaces_and_headers_keep_their_words(
    narrow: None, capsys: pytest.CaptureFixture[str]
) -> None:
    title = "Statement by the President of the Republic of Azerbaijan, the Prime Minister"
    print_table(
        "Agreements",
        ["id", "effective (source time)", "title"],
        [["nk-2020-trilateral", "2020-11-10T00:00", title]],
    )
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert set(title.replace(",", "").split()) <= _words(out)
    assert {"effective", "(source", "time)"} <= set(out.split())
    assert "not shown" not in out


def test_a_wider_terminal_shows_everything(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(console, "width", 200)
    rows = [[i, "explosion_airburst", "monitor_observation", "internal", i] for i in IDS]
    print_table("Reports", ["id", "category", "channel", "classification", "incident"], rows)
    out = capsys.readouterr().out
    assert {"monitor_observation", "internal", "explosion_airburst"} <= _words(out)
    assert "not shown" not in out


def test_long_words_of_text_fold_before_a_value_would(
    narrow: None, capsys: pytest.CaptureFixture[str]
) -> None:
    key = "k" * 40
    word = "x" * 40
    print_table("Keys", ["key", "note"], [[key, f"the {word} key"]])
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert key in _words(out)
    assert word not in out  # folded over lines, as the only way to fit
    assert "x" * 12 in out
    assert "not shown" not in out


def test_a_subject_too_wide_to_keep_is_left_out_rather_than_cut(
    narrow: None, capsys: pytest.CaptureFixture[str]
) -> None:
    subject = f"incident/{IDS[0]}"
    summary = f"Incident {IDS[0]} (civilian_casualty): 3 injured (civilian)"
    print_table(
        "Alerts",
        ["id", "kind", "severity", "subject", "summary"],
        [[IDS[1], "casualties", "high", subject, summary]],
        free_text=["summary"],
    )
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert {IDS[1], IDS[0], "casualties", "high", "injured"} <= _words(out)
    assert "not shown at 80 columns: subject" in " ".join(out.split())


@dataclass
class _Page:
    items: list[tuple[str, str]]
    next_cursor: str | None


def test_a_page_prints_its_items_and_the_cursor_of_the_next_one(
    narrow: None, capsys: pytest.CaptureFixture[str]
) -> None:
    page = _Page([(IDS[0], "Armenia"), (IDS[1], "Azerbaijan")], IDS[1])
    print_page(page, False, "Incidents", ["id", "party"], lambda item: [item[0], item[1]])
    out = capsys.readouterr().out
    assert {IDS[0], IDS[1], "Armenia", "Azerbaijan"} <= _words(out)
    assert " ".join(out[out.index("next page") :].split()) == f"next page: --cursor {IDS[1]}"

    print_page(_Page(page.items, None), False, "Incidents", ["id", "party"], list)
    assert "next page" not in capsys.readouterr().out

    print_page(page, True, "Incidents", ["id", "party"], list)
    assert json.loads(capsys.readouterr().out) == {
        "items": [list(item) for item in page.items],
        "next_cursor": IDS[1],
    }


def test_a_table_without_rows_prints_its_headings(
    narrow: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # `ceasefire alerts deliveries --state dead` with no dead letters printed a traceback.
    print_table("Deliveries", ["id", "alert", "last error"], [], free_text=["last error"])
    out = capsys.readouterr().out
    assert "Deliveries" in out
    assert {"id", "alert", "last", "error"} <= _words(out)
