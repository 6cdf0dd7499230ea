"""Events: PLOVER types, actors, dates against the article date, place, modality, figures."""

from __future__ import annotations

from datetime import date
from typing import Any

from ceasefire.news.extract import NewsExtractor
from ceasefire.news.model import Event
from tests.factories.news import sentence


def _codes(actors: list[Any]) -> set[str]:
    return {a["code"] if isinstance(a, dict) else a.code for a in actors} - {None}


def _event(events: list[dict[str, Any]], phrase: str) -> dict[str, Any]:
    found = [e for e in events if phrase in e["sentence"]["text"] and e["primary"]]
    assert found, f"no primary event in the sentence with {phrase!r}"
    return found[0]


def test_seed_consultation_dated_the_day_before(seed_result: dict[str, Any]) -> None:
    event = _event(seed_result["events"], "had discussed the possibility")
    assert event["event"] == "CONSULT"
    assert _codes(event["source"]) == {"TUR"}
    assert _codes(event["target"]) == {"RUS"}
    # "on Wednesday" in an article of Thursday 26 November 2020
    assert event["date"] == "2020-11-25"
    assert event["date_precision"] == "day"
    assert event["component"] == "news.events.v2"
    assert 0 < event["confidence"] <= 1


def test_seed_ceasefire_signed_on_nov_10_in_the_enclave(seed_result: dict[str, Any]) -> None:
    event = _event(seed_result["events"], "signed a Russia-brokered cease-fire")
    assert event["event"] in {"AGREE", "RETREAT"}
    assert _codes(event["source"]) == {"AZE", "ARM"}
    assert event["date"] == "2020-11-10"
    # "in the mountain enclave": the place the article is about.
    assert event["location"]["name"] == "Nagorno-Karabakh"
    assert event["location"]["basis"] == "article focus"
    sentence_ref = event["sentence"]
    text = seed_result["article"]["text"]
    assert text[sentence_ref["start"] : sentence_ref["end"]] == sentence_ref["text"]
    assert sentence_ref["section"] == "body"


def test_seed_peacekeepers_and_handover(seed_result: dict[str, Any]) -> None:
    deployed = _event(seed_result["events"], "Russian peacekeepers have been deployed")
    assert deployed["event"] in {"AID", "MOBILIZE"}
    assert _codes(deployed["source"]) == {"RUS"}
    handover = _event(seed_result["events"], "is due to be handed over")
    assert handover["event"] == "RETREAT"
    assert handover["modality"] == "planned"
    assert handover["location"]["name"] == "Kalbajar"
    assert handover["sentence"]["section"] == "caption"


def test_seed_criticism_and_demand(seed_result: dict[str, Any]) -> None:
    events = seed_result["events"]
    criticism = next(e for e in events if e["event"] == "DISAPPROVE")
    assert _codes(criticism["source"]) == {"TUR"}
    assert any("Minsk Group" in t["text"] for t in criticism["target"])
    demand = _event(events, "wants international supervision")
    assert demand["event"] == "DEMAND"
    assert _codes(demand["source"]) == {"FRA"}


def test_no_agency_in_any_event(seed_result: dict[str, Any]) -> None:
    for event in seed_result["events"]:
        for actor in (*event["source"], *event["target"]):
            assert "Reuters" not in actor["text"]
            assert actor["text"] != "AP"


def _primary(extractor: NewsExtractor, text: str) -> Event:
    news = sentence(extractor, text)
    return next(e for e in news.events if e.primary)


def test_accusation_keeps_accuser_and_accused_apart(extractor: NewsExtractor) -> None:
    news = sentence(
        extractor, "Azerbaijan accused Armenia of shelling the town of Tartar on Tuesday."
    )
    shelling = next(e for e in news.events if e.event == "FIGHT")
    assert shelling.modality == "claimed"
    assert _codes(shelling.source) == {"ARM"}
    assert _codes(shelling.claimed_by) == {"AZE"}
    assert shelling.date == date(2020, 11, 24)
    assert shelling.location is not None
    assert shelling.location["name"] == "Tartar"
    accusation = next(e for e in news.events if e.primary)
    assert accusation.event == "DISAPPROVE"
    assert _codes(accusation.target) == {"ARM"}


def test_denial(extractor: NewsExtractor) -> None:
    news = sentence(
        extractor, "Armenia's defence ministry denied that its forces had shelled Tartar."
    )
    shelling = next(e for e in news.events if e.event == "FIGHT")
    assert shelling.modality == "denied"
    assert _codes(shelling.claimed_by) == {"ARM"}


def test_reported_violence_from_another_party_is_claimed(extractor: NewsExtractor) -> None:
    event = _primary(
        extractor, "Azerbaijan said Armenian forces fired mortars at its positions near Tartar."
    )
    assert event.event == "FIGHT"
    assert event.modality == "claimed"
    assert _codes(event.source) == {"ARM"}
    assert _codes(event.claimed_by) == {"AZE"}
    assert [w.weapon_class for w in event.weapons] == ["artillery"]


def test_unnamed_sources_report_without_claiming(extractor: NewsExtractor) -> None:
    event = _primary(
        extractor,
        "Artillery fire killed 46 civilians and wounded at least 12 others in Fuzuli, "
        "officials said.",
    )
    assert event.event == "FIGHT"
    assert event.mode == "heavy-weapons"
    assert event.modality == "occurred"
    assert not _codes(event.source)  # nobody named: no perpetrator is guessed
    assert {(c.kind, c.low) for c in event.casualties} == {("killed", 46), ("wounded", 12)}
    wounded = next(c for c in event.casualties if c.kind == "wounded")
    assert wounded.approximate
    assert wounded.text == "at least 12 others"


def test_planned_and_promised(extractor: NewsExtractor) -> None:
    enter = _primary(extractor, "Azerbaijani troops will enter the Aghdam district on Friday.")
    assert enter.modality == "planned"
    assert enter.date == date(2020, 11, 27)
    assert enter.location is not None
    assert enter.location["name"] == "Aghdam"
    promise = _primary(
        extractor, "Armenia will withdraw all 300 soldiers from the Lachin corridor."
    )
    assert promise.event == "AGREE"
    assert promise.modality == "planned"


def test_ultimatum_and_threat(extractor: NewsExtractor) -> None:
    ultimatum = _primary(
        extractor, "Nigeria will withdraw its troops from Chad unless talks resume."
    )
    assert ultimatum.event == "THREATEN"
    threat = _primary(extractor, "Azerbaijan threatened to shell Armenian villages in retaliation.")
    assert threat.event == "THREATEN"
    assert _codes(threat.target) == {"ARM"}


def test_demand_through_a_speaker(extractor: NewsExtractor) -> None:
    event = _primary(
        extractor, "The Georgian foreign minister said Russia must stand ready to mediate."
    )
    assert event.event == "DEMAND"
    assert _codes(event.source) == {"GEO"}
    assert _codes(event.target) == {"RUS"}


def test_negated_cooperation_is_rejection(extractor: NewsExtractor) -> None:
    event = _primary(extractor, "Turkey said it will not satisfy the kidnappers' demands.")
    assert event.event == "REJECT"
    assert _codes(event.source) == {"TUR"}


def test_dyads_of_conjoined_states(extractor: NewsExtractor) -> None:
    agree = _primary(extractor, "Georgia and Ukraine have agreed to hold joint naval exercises.")
    assert agree.event == "AGREE"
    assert _codes(agree.source) == {"GEO", "UKR"}
    officials = _primary(extractor, "Senior Bulgarian and Greek officials agreed on Wednesday.")
    assert _codes(officials.source) == {"BGR", "GRC"}


def test_one_primary_event_per_sentence(extractor: NewsExtractor) -> None:
    news = sentence(extractor, "Turkey has long backed Azerbaijan and criticized the Minsk Group.")
    assert sum(e.primary for e in news.events) == 1
    assert {e.event for e in news.events} == {"SUPPORT", "DISAPPROVE"}
