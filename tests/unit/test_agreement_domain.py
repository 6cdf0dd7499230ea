"""Domain rules of agreements: months, terms and renewal, deadlines, status as of an instant."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceasefire.agreements.model import (
    Deadline,
    DeadlineAmendment,
    Provision,
    ProvisionKind,
    ProvisionStatus,
    SourceInstant,
    StatusChange,
    Term,
    TermNotice,
    TimePrecision,
    add_months,
    aggregate_status,
    local_midnight,
)
from tests.factories.agreements import utc


def instant(local: str, zone: str = "Europe/Moscow") -> SourceInstant:
    return SourceInstant.parse(local, zone)


NK_TERM = Term(
    starts=date(2020, 11, 10),
    time_zone="Europe/Moscow",
    length_months=60,
    automatic_renewal=True,
    renewal_months=60,
    notice_months=6,
)

# -- time ---------------------------------------------------------------------------------------


def test_source_instant_keeps_local_time_and_zone() -> None:
    effective = instant("2020-11-10T00:00")
    assert effective.at == utc(2020, 11, 9, 21, 0)
    assert (effective.local, effective.time_zone) == ("2020-11-10T00:00", "Europe/Moscow")
    assert effective.precision is TimePrecision.MINUTE
    assert instant("2020-11-20", "Asia/Baku").at == utc(2020, 11, 19, 20, 0)
    assert instant("2020-11-20", "Asia/Baku").precision is TimePrecision.DAY


@pytest.mark.parametrize(
    ("local", "zone", "message"),
    [
        ("2020-11-31", "Europe/Moscow", "day is out of range"),
        ("2020-11-10T00:00+03:00", "Europe/Moscow", "carries an offset"),
        ("2020-11-10", "Mars/Olympus", "unknown time zone"),
    ],
)
def test_source_instant_rejects_what_it_cannot_place(local: str, zone: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SourceInstant.parse(local, zone)


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2020, 8, 31), 6) == date(2021, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 10), -6) == date(2025, 5, 10)


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
    st.integers(min_value=-1200, max_value=1200),
)
def test_add_months_moves_whole_months(day: date, months: int) -> None:
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day <= day.day
    if day.day <= 28:
        assert moved.day == day.day
        assert add_months(moved, -months) == day


# -- term ---------------------------------------------------------------------------------------


def test_2020_statement_term_expiry_and_notice_deadline() -> None:
    initial = NK_TERM.initial
    assert initial.expires == date(2025, 11, 10)
    assert initial.notice_deadline == date(2025, 5, 10)
    assert initial.expires_at == utc(2025, 11, 9, 21, 0)
    assert initial.renews
    renewed = NK_TERM.period_as_of(utc(2026, 11, 28))
    assert renewed is not None
    assert (renewed.index, renewed.starts, renewed.expires) == (
        1,
        date(2025, 11, 10),
        date(2030, 11, 10),
    )
    assert renewed.notice_deadline == date(2030, 5, 10)
    assert NK_TERM.period_as_of(utc(2020, 11, 9, 20, 59)) is None
    assert NK_TERM.ends() is None


def test_notice_in_time_stops_renewal_and_late_notice_counts_for_next_period() -> None:
    on_deadline = Term(
        starts=NK_TERM.starts,
        time_zone=NK_TERM.time_zone,
        length_months=60,
        automatic_renewal=True,
        renewal_months=60,
        notice_months=6,
        notices=(TermNotice("AZE", instant("2025-05-10T23:59")),),
    )
    assert not on_deadline.initial.renews
    assert on_deadline.ends() == date(2025, 11, 10)
    assert on_deadline.period_as_of(utc(2026, 1, 1)) is None
    late = Term(
        starts=NK_TERM.starts,
        time_zone=NK_TERM.time_zone,
        length_months=60,
        automatic_renewal=True,
        renewal_months=60,
        notice_months=6,
        notices=(TermNotice("ARM", instant("2025-05-11")),),
    )
    assert late.initial.renews
    assert late.ends() == date(2030, 11, 10)


@settings(max_examples=200)
@given(
    start=st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
    length=st.integers(min_value=1, max_value=240),
    renewal=st.integers(min_value=1, max_value=240),
    notice=st.integers(min_value=0, max_value=239),
    offset_days=st.integers(min_value=0, max_value=20000),
)
def test_period_as_of_contains_the_instant_and_periods_tile(
    start: date, length: int, renewal: int, notice: int, offset_days: int
) -> None:
    notice = min(notice, length - 1, renewal - 1)
    term = Term(
        starts=start,
        time_zone="Europe/Moscow",
        length_months=length,
        automatic_renewal=True,
        renewal_months=renewal,
        notice_months=notice,
    )
    at = local_midnight(start, "Europe/Moscow") + timedelta(days=offset_days, hours=5)
    period = term.period_as_of(at)
    assert period is not None
    assert period.starts_at <= at < period.expires_at
    assert period.notice_deadline == add_months(period.expires, -notice)
    assert period.notice_deadline <= period.expires
    if period.index > 0:
        previous = term.period(period.index - 1)
        assert previous.expires == period.starts
        assert add_months(term.starts, length + period.index * renewal) == period.expires


@settings(max_examples=200)
@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2050, 12, 31)),
    notice_after_days=st.integers(min_value=0, max_value=8000),
)
def test_a_notice_ends_the_first_period_whose_deadline_it_meets(
    start: date, notice_after_days: int
) -> None:
    given_on = start + timedelta(days=notice_after_days)
    term = Term(
        starts=start,
        time_zone="UTC",
        length_months=24,
        automatic_renewal=True,
        renewal_months=12,
        notice_months=3,
        notices=(TermNotice("AZE", SourceInstant.parse(given_on.isoformat(), "UTC")),),
    )
    ends = term.ends()
    assert ends is not None
    last = next(p for p in term.periods() if not p.renews)
    assert last.expires == ends
    assert last.notice_deadline >= given_on
    if last.index > 0:
        assert term.period(last.index - 1).notice_deadline < given_on


# -- deadlines ----------------------------------------------------------------------------------


def kalbajar_deadline() -> Deadline:
    return Deadline(
        due=date(2020, 11, 25),
        time_zone="Europe/Moscow",
        amendments=(
            DeadlineAmendment(
                previous=date(2020, 11, 15),
                due=date(2020, 11, 25),
                decided=instant("2020-11-15", "Asia/Baku"),
                reason="at Armenia's request",
                requested_by="ARM",
            ),
        ),
    )


def test_deadline_amendment_is_known_only_from_its_decision_on() -> None:
    deadline = kalbajar_deadline()
    assert deadline.original == date(2020, 11, 15)
    assert deadline.due_as_of(utc(2020, 11, 14, 12)) == date(2020, 11, 15)
    assert deadline.due_as_of(utc(2020, 11, 15, 12)) == date(2020, 11, 25)
    assert deadline.overdue_after() == utc(2020, 11, 25, 21, 0)
    assert deadline.chain_problems() == []


def test_broken_amendment_chains_are_described() -> None:
    amendment = kalbajar_deadline().amendments[0]
    assert Deadline(date(2020, 11, 25), "UTC", (amendment,)).chain_problems() == []
    second = DeadlineAmendment(
        previous=date(2020, 11, 20),  # should be 2020-11-25, the due date before it
        due=date(2020, 11, 30),
        decided=instant("2020-11-10"),  # decided before the first amendment
        reason="test",
    )
    broken = Deadline(date(2020, 12, 5), "UTC", (amendment, second))
    problems = broken.chain_problems()
    assert any("previous is 2020-11-20" in p for p in problems)
    assert any("decided before" in p for p in problems)
    assert any("last amendment sets 2020-11-30" in p for p in problems)


# -- status -------------------------------------------------------------------------------------


def handover(history: tuple[StatusChange, ...], deadline: Deadline | None = None) -> Provision:
    return Provision(
        id="p6-kalbajar",
        number="6.1",
        title="Kalbajar",
        text="...",
        kind=ProvisionKind.HANDOVER,
        deadline=deadline or kalbajar_deadline(),
        status_history=history,
    )


def test_status_as_of_and_derived_overdue() -> None:
    fulfilled = StatusChange(ProvisionStatus.FULFILLED, instant("2020-11-25", "Asia/Baku"))
    kalbajar = handover((fulfilled,))
    assert kalbajar.status_as_of(utc(2020, 11, 21)) is ProvisionStatus.PENDING
    # Between the original deadline and the end of the extended one: not overdue.
    assert kalbajar.status_as_of(utc(2020, 11, 16, 12)) is ProvisionStatus.PENDING
    assert kalbajar.status_as_of(utc(2020, 11, 26)) is ProvisionStatus.FULFILLED
    never_done = handover(())
    assert never_done.status_as_of(utc(2020, 11, 25, 20, 59)) is ProvisionStatus.PENDING
    assert never_done.status_as_of(utc(2020, 11, 25, 21, 0)) is ProvisionStatus.OVERDUE
    assert never_done.recorded_status_as_of(utc(2021, 1, 1)) is ProvisionStatus.PENDING
    # Without the extension, the 15 November deadline would have made it overdue on the 16th.
    unextended = handover((), Deadline(date(2020, 11, 15), "Europe/Moscow"))
    assert unextended.status_as_of(utc(2020, 11, 16)) is ProvisionStatus.OVERDUE


def test_a_provision_with_parts_takes_its_status_from_them() -> None:
    done = StatusChange(ProvisionStatus.FULFILLED, instant("2020-11-20"))
    part_a = handover((done,))
    part_b = Provision(
        "b",
        "6.2",
        "Lachin",
        "...",
        ProvisionKind.HANDOVER,
        deadline=Deadline(date(2020, 12, 1), "UTC"),
    )
    point = Provision("p6", "6", "Point 6", "...", ProvisionKind.HANDOVER, parts=(part_a, part_b))
    assert point.status_as_of(utc(2020, 11, 10)) is ProvisionStatus.PENDING
    assert point.status_as_of(utc(2020, 11, 21)) is ProvisionStatus.IN_PROGRESS
    assert point.status_as_of(utc(2020, 12, 3)) is ProvisionStatus.OVERDUE
    assert [p.id for p in point.walk()] == ["p6", "p6-kalbajar", "b"]
    assert aggregate_status([ProvisionStatus.FULFILLED, ProvisionStatus.SUPERSEDED]) is (
        ProvisionStatus.FULFILLED
    )
    assert aggregate_status([ProvisionStatus.BREACHED, ProvisionStatus.OVERDUE]) is (
        ProvisionStatus.BREACHED
    )


STATUSES = st.sampled_from(list(ProvisionStatus))


@settings(max_examples=300)
@given(
    changes=st.lists(
        st.tuples(st.integers(min_value=0, max_value=400), STATUSES), min_size=0, max_size=8
    ),
    probe=st.integers(min_value=-10, max_value=420),
)
def test_status_as_of_is_the_last_change_at_or_before_unless_overdue(
    changes: list[tuple[int, ProvisionStatus]], probe: int
) -> None:
    base = utc(2020, 11, 10)
    ordered = sorted(changes, key=lambda c: c[0])
    history = tuple(
        StatusChange(s, SourceInstant(base + timedelta(days=d), "x", "UTC", TimePrecision.DAY))
        for d, s in ordered
    )
    deadline = Deadline(date(2021, 3, 1), "UTC")
    provision = handover(history, deadline)
    at = base + timedelta(days=probe)
    past = [s for d, s in ordered if base + timedelta(days=d) <= at]
    recorded = past[-1] if past else ProvisionStatus.PENDING
    assert provision.recorded_status_as_of(at) is recorded
    expected_overdue = (
        recorded
        in (
            ProvisionStatus.PENDING,
            ProvisionStatus.IN_PROGRESS,
        )
        and at >= deadline.overdue_after()
    )
    expected = ProvisionStatus.OVERDUE if expected_overdue else recorded
    assert provision.status_as_of(at) is expected
