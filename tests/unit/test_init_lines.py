"""``ceasefire init``'s lines at 80 columns: broken between phrases (after a comma, before a
bracket) where the line is two-thirds full, otherwise between words, never inside a name or
a path, and each line it runs on to indented under the tick."""

from __future__ import annotations

from rich.markup import escape

from ceasefire.console.output import console, phrase_lines, print_prose

MEMBERS = (
    "demo members: 7 members with roles in nk-2020-trilateral, post jmc-giyamaddinli, "
    "sensor tur-uav-1"
)


def test_a_step_breaks_after_its_comma_not_inside_a_name() -> None:
    assert phrase_lines(MEMBERS, 80, "✓ ") == [
        "✓ demo members: 7 members with roles in nk-2020-trilateral,",
        "  post jmc-giyamaddinli, sensor tur-uav-1",
    ]


def test_a_comma_early_in_the_line_does_not_leave_it_short() -> None:
    line = (
        "demo news article ingested: Ankara, Moscow Discuss Involving Other Countries in "
        "Nagorno-Karabakh Ceasefire Efforts (11 events, 0 reports)"
    )
    assert phrase_lines(line, 80, "✓ ") == [
        "✓ demo news article ingested: Ankara, Moscow Discuss Involving Other Countries",
        "  in Nagorno-Karabakh Ceasefire Efforts (11 events, 0 reports)",
    ]


def test_a_path_longer_than_the_line_is_kept_whole() -> None:
    path = "/very/" + "long/" * 20 + "ceasefire-keys.json"
    lines = phrase_lines(f"ledger: the centre signs from {path} (0600)", 80, "✓ ")
    assert lines[0] == "✓ ledger: the centre signs from"
    assert lines[1] == f"  {path}"
    assert lines[2] == "  (0600)"


def test_a_short_line_is_one_line() -> None:
    assert phrase_lines("fusion: 2 reports, 0 new incidents", 80, "✓ ") == [
        "✓ fusion: 2 reports, 0 new incidents"
    ]


def test_printed_at_80_columns_no_line_is_wider_and_markup_in_words_stays() -> None:
    width = console.width
    console.width = 80
    try:
        with console.capture() as captured:
            print_prose(escape(MEMBERS + " [/x]"), first="✓ ", style="green")
    finally:
        console.width = width
    shown = captured.get().splitlines()
    assert shown[0].endswith("nk-2020-trilateral,")
    assert shown[1] == "  post jmc-giyamaddinli, sensor tur-uav-1 [/x]"
    assert all(len(line) <= 80 for line in shown)
