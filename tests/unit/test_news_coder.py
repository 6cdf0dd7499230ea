"""The general coder: dictionary parsers, CAMEO defaults and refinements, framing, actors
through the Phoenix dictionaries, quotes v2. Every sentence here is written for these tests."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from ceasefire.cli import main
from ceasefire.news.evaluation import PloverPart, evaluate_plover, evaluate_quotes, plover_part
from ceasefire.news.eventdata import (
    event_index,
    parse_actors,
    parse_agents,
    parse_plover_table,
    parse_verbs,
    split_code,
)
from ceasefire.news.extract import NewsExtractor
from ceasefire.news.pipeline import NewsDoc, PipelineResources
from tests.factories.news import DATA, sentence

PARTS: tuple[PloverPart, ...] = ("tune", "held", "all")

VERBS = """\
&PACT
+TREATY
+ACCORD

####### VERB PATTERNS #######

---  SIGN   [---]  ---
SIGN
INK {INKS INKED INKING}  [057]
- * &PACT                                             [057:057]     # SIGN
- * {TRADE &PACT}                                     [061]         # SIGN
- * (WITH REBELS)                                     [---]         # SIGN

---  SHELL   [190]  ---
SHELL
+OPEN_FIRE {+OPENED_FIRE}
"""


def test_verb_dictionary_parser() -> None:
    data = parse_verbs(VERBS)
    assert data["synsets"]["pact"] == ["treaty", "accord"]
    assert data["verbs"]["sign"] == ["sign", None]
    assert data["verbs"]["inked"] == ["sign", "057"]
    assert data["verbs"]["opened fire"] == ["shell", None]
    assert data["blocks"]["shell"]["code"] == "190"
    patterns = data["blocks"]["sign"]["patterns"]
    assert patterns[0] == ["057", [], [["s", "pact"]]]
    assert patterns[1] == ["061", [], [["w", "trade", "&pact"]]]
    assert patterns[2] == ["---", [], [["p", "with", "rebels"]]]


def test_plover_table_maps_to_the_gold_types() -> None:
    table = parse_plover_table(
        "0871: RETREAT, ceasefire, military # Declare truce\n"
        "112: ACCUSE, disapprove,    # Accuse\n"
        "091: ACCUSE, investigate, crime; corruption # Investigate\n"
        "1011: REQUEST, assist, economic # Demand\n"
        "193: ASSAULT, firearms, military # Small arms\n"
    )
    assert table["0871"] == ["RETREAT", "ceasefire", "military"]
    assert table["112"] == ["DISAPPROVE", None, None]
    assert table["091"] == ["INVESTIGATE", None, "crime"]
    assert table["1011"] == ["DEMAND", "assist", "economic"]
    assert table["193"] == ["FIGHT", "firearms", "military"]


def test_phoenix_actor_parser_keeps_people_and_groups_not_bare_states() -> None:
    entries = parse_actors(
        "RUTHENIA_\n+RUTHENIAN_\n\t[RUT]\n"
        "IVAN_PETRENKO_  # CountryInfo.txt\n+I._PETRENKO_\n\t[RUTELI 600101-990301]\n"
        "\t[RUTGOV 990301-20100115]\n"
        "FREE_HILLS_FRONT_ [RUTREB] # a group\n"
    )
    assert [e["names"][0] for e in entries] == ["ivan petrenko", "free hills front"]
    assert entries[0]["names"] == ["ivan petrenko", "i. petrenko"]
    assert entries[0]["roles"] == [
        ["RUTELI", "1960-01-01", "1999-03-01"],
        ["RUTGOV", "1999-03-01", "2010-01-15"],
    ]
    assert entries[0]["person"]
    assert not entries[1]["person"]


def test_agent_parser_expands_person_words_and_plurals() -> None:
    agents = parse_agents(
        "!PERSON! = MAN, MEN\nPOLICE {} [~COP]\nFISHER!PERSON! [~AGR]\nGUERRILLA [~REB]\n"
    )
    assert agents["police"] == "COP"
    assert agents["fisherman"] == agents["fishermen"] == "AGR"
    assert agents["guerrillas"] == "REB"


def test_split_code() -> None:
    assert split_code("AZEGOVMIL") == ("AZE", "GOV")
    assert split_code("IGOUNO") == ("IGO", None)
    assert split_code("IMGMUSALQ") == ("IMG", "REB")


def test_shipped_index_codes_a_head_of_state_by_date() -> None:
    index = event_index()
    (aliyev,) = index.actors_named("heydar aliyev")
    assert aliyev.code_on(date(1995, 5, 1)) == ("AZE", "GOV")
    assert index.to_plover(index.default_code("condemn")) == ("DISAPPROVE", None, None)


def test_split_is_fixed_and_deterministic() -> None:
    assert plover_part("example-0001") == plover_part("example-0001")
    parts = {plover_part(f"record-{n}") for n in range(40)}
    assert parts == {"tune", "held"}


def test_every_cameo_verb_has_a_default_type(extractor: NewsExtractor) -> None:
    # "bombard" and "rebuke" have no entry with free objects in our lexicon's closed lists
    # for these objects; CAMEO's block codes give the type.
    news = sentence(extractor, "Georgian artillery bombarded the ridge on Monday.")
    assert [e.event for e in news.events if e.primary] == ["FIGHT"]
    news = sentence(extractor, "Ruritania rebuked Graustark over the fishing quotas.")
    assert [e.event for e in news.events if e.primary] == ["DISAPPROVE"]


def test_objects_refine_the_default(extractor: NewsExtractor) -> None:
    # CAMEO's ARRANGE block: "stage" alone is no event, "stage a demonstration" is PROTEST.
    news = sentence(extractor, "Farmers staged a demonstration in the capital of Georgia.")
    assert [e.event for e in news.events if e.primary] == ["PROTEST"]


def test_framing_fail_and_refuse_to_act_is_reject(extractor: NewsExtractor) -> None:
    news = sentence(extractor, "Armenia failed to return the prisoners on Friday.")
    assert [e.event for e in news.events if e.primary] == ["REJECT"]
    news = sentence(extractor, "Georgia refused to open the crossing to the lorries.")
    assert [e.event for e in news.events if e.primary] == ["REJECT"]


def test_framing_demand_and_future_threat(extractor: NewsExtractor) -> None:
    news = sentence(extractor, "Turkey called on Armenia to withdraw its troops.")
    primary = [e for e in news.events if e.primary]
    assert [e.event for e in primary] == ["DEMAND"]
    news = sentence(extractor, "Azerbaijan will attack the positions unless the troops leave.")
    assert [e.event for e in news.events if e.primary] == ["THREATEN"]


def test_phoenix_person_coded_by_the_role_held_that_day(extractor: NewsExtractor) -> None:
    # Ayaz Mutalibov is in Phoenix only: Azerbaijan's government in 1990-92, else an elite.
    text = "Ayaz Mutalibov criticised the Armenian government."
    in_office = sentence(extractor, text, day=date(1991, 6, 1))
    later = sentence(extractor, text, day=date(1996, 6, 1))

    def source(news: NewsDoc) -> list[tuple[str | None, str | None, str | None]]:
        (event,) = [e for e in news.events if e.primary]
        return [(s.code, s.sector, s.id) for s in event.source]

    assert source(in_office) == [("AZE", "GOV", "phoenix:ayaz mutalibov")]
    assert source(later) == [("AZE", None, "phoenix:ayaz mutalibov")]


def test_a_state_the_phrase_states_beats_the_phoenix_list(extractor: NewsExtractor) -> None:
    # Phoenix's single name "Hassan" is a Jordanian prince; the phrase says Morocco.
    news = sentence(extractor, "King Hassan of Morocco praised the Lebanese government.")
    (event,) = [e for e in news.events if e.primary]
    assert [s.code for s in event.source] == ["MAR"]


def test_agent_takes_the_nearest_state(extractor: NewsExtractor) -> None:
    news = sentence(extractor, "In Georgia, the police detained twelve smugglers on Monday.")
    (event,) = [e for e in news.events if e.primary]
    assert [(s.text, s.code, s.sector) for s in event.source] == [("police", "GEO", "COP")]


def test_a_state_that_is_an_argument_is_not_the_agents_state(extractor: NewsExtractor) -> None:
    news = sentence(extractor, "Rebels attacked Georgia on Monday.")
    (event,) = [e for e in news.events if e.primary]
    assert [(s.code, s.sector) for s in event.source] == [(None, "REB")]
    assert [t.code for t in event.target] == ["GEO"]


def test_pronoun_takes_the_last_actor_of_its_kind(extractor: NewsExtractor) -> None:
    news = sentence(
        extractor,
        "Nikol Pashinyan met the Georgian envoy in Yerevan. He condemned the shelling.",
    )
    condemn = [e for e in news.events if e.event == "DISAPPROVE"]
    assert condemn
    assert [s.code for s in condemn[0].source] == ["ARM"]


def test_quote_gold_precision_and_recall(extractor: NewsExtractor) -> None:
    report = evaluate_quotes(extractor, DATA / "quotes-gold.json")
    assert report.gold == 39
    assert report.precision >= 0.9
    assert report.recall >= 0.9


def test_turkish_quote_gold_precision_and_recall(extractor: NewsExtractor) -> None:
    # tests/data/quotes-gold-tr.json: Turkish articles written for this test (docs/nlp.md).
    report = evaluate_quotes(extractor, DATA / "quotes-gold-tr.json")
    assert report.gold == 25
    assert report.precision >= 0.9
    assert report.recall >= 0.9


def test_quote_over_paragraphs_is_one_quote(extractor: NewsExtractor) -> None:
    text = (
        "Talks at the border\n\nMay 5, 2022\n\n"
        "“The crossing will open on Monday for lorries and buses.\n\n"
        "“Cars will follow a week later,” the governor, Davit Kipiani, said.\n"
    )
    news = extractor.analyse(extractor.read_bytes(text.encode(), name="t.txt"))
    direct = [q for q in news.quotes if q.kind == "direct"]
    assert len(direct) == 1
    assert direct[0].text.startswith("The crossing")
    assert "week later" in direct[0].text
    assert direct[0].speaker is not None
    assert direct[0].speaker.text == "governor"


def test_lone_quote_and_according_to(extractor: NewsExtractor) -> None:
    text = (
        "Mines cleared\n\nMay 5, 2022\n\n"
        "The head of the demining agency, Rauf Guliyev, said:\n\n"
        "“Every field around the school has now been cleared and marked.”\n\n"
        "According to the agency, forty mines were found in April.\n"
    )
    news = extractor.analyse(extractor.read_bytes(text.encode(), name="t.txt"))
    lone = [q for q in news.quotes if q.text.startswith("Every field")]
    assert lone
    assert lone[0].speaker is not None
    assert "Guliyev" in lone[0].speaker.text
    according = [q for q in news.quotes if q.cue == "according to"]
    assert according
    assert according[0].text == "forty mines were found in April"
    assert all(q.component == "news.quotes.v2" for q in news.quotes)


def test_pronouns_follow_the_subject_of_the_previous_sentence(extractor: NewsExtractor) -> None:
    news = sentence(
        extractor, "Lavrov met Bayramov in Moscow. He urged Armenia to free the prisoners."
    )
    (demand,) = [e for e in news.events if e.event == "DEMAND"]
    assert [(s.text, s.code) for s in demand.source] == [("He", "RUS")]


def test_they_refers_to_an_armed_group_and_she_to_an_office(extractor: NewsExtractor) -> None:
    news = sentence(extractor, "Georgian rebels seized the town. They killed three soldiers.")
    killed = [e for e in news.events if e.trigger[0] == "killed"]
    assert [(s.text, s.code, s.sector) for s in killed[0].source] == [("They", "GEO", "REB")]
    news = sentence(
        extractor, "The Georgian prime minister met Armenian officials. She praised them."
    )
    praised = [e for e in news.events if e.event == "SUPPORT"]
    assert [(s.code, s.sector) for s in praised[0].source] == [("GEO", "GOV")]


def test_plover_parts_partition_the_records(tmp_path: Path, extractor: NewsExtractor) -> None:
    records = [
        {"id": f"own-{n}", "event": "CONSULT", "text": "Georgia held talks with Armenia."}
        for n in range(12)
    ]
    path = tmp_path / "gold.json"
    path.write_text(json.dumps({"records": records}), encoding="utf-8")
    counts = {part: evaluate_plover(extractor, path, part=part).records for part in PARTS}
    assert counts["tune"] + counts["held"] == counts["all"] == 12
    assert counts["tune"] > 0
    assert counts["held"] > 0
    assert evaluate_plover(extractor, path, part="held").part == "held"


def test_eval_plover_part_on_the_command_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extractor: NewsExtractor,
) -> None:
    records = [
        {"id": f"own-{n}", "event": "CONSULT", "text": "Georgia held talks with Armenia."}
        for n in range(6)
    ]
    path = tmp_path / "gold.json"
    path.write_text(json.dumps({"records": records}), encoding="utf-8")
    assert main(["eval", "plover", str(path), "--part", "held", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["part"] == "held"
    assert figures["records"] == sum(plover_part(r["id"]) == "held" for r in records)
    assert main(["eval", "quotes", str(DATA / "quotes-gold.json"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["gold"] == 39


def test_domestic_protest_and_coercion_target_the_own_state(extractor: NewsExtractor) -> None:
    news = sentence(extractor, "Georgian teachers went on strike over unpaid wages.")
    (event,) = [e for e in news.events if e.primary]
    assert event.event == "PROTEST"
    assert [(t.code, t.sector) for t in event.target] == [("GEO", "GOV")]
    news = sentence(extractor, "Armenian police detained twelve activists in Gyumri.")
    (event,) = [e for e in news.events if e.primary]
    assert event.event == "COERCE"
    assert [(t.code, t.sector) for t in event.target] == [("ARM", "CVL")]


def test_agent_takes_the_state_of_a_same_sector_phrase(extractor: NewsExtractor) -> None:
    # "Armenian" is nearer to "the officers", but the officers are the Georgian troops'.
    news = sentence(
        extractor,
        "Georgian troops guarded the Armenian villages while the officers inspected the road.",
    )
    inspected = [e for e in news.events if e.trigger[0] == "inspected"]
    assert [(s.text, s.code, s.sector) for s in inspected[0].source] == [("officers", "GEO", "MIL")]


def test_a_user_file_beats_the_phoenix_list(tmp_path: Path, extractor: NewsExtractor) -> None:
    user = tmp_path / "actors.yaml"
    user.write_text(
        "people:\n"
        "  - id: mutalibov-user\n"
        "    name: Ayaz Mutalibov\n"
        "    roles:\n"
        "      - {title: opposition figure, code: AZE, sector: OPP, start: 1990-01-01}\n",
        encoding="utf-8",
    )
    custom = NewsExtractor.create(
        resources=PipelineResources.with_model(extractor.pipeline.resources.nlp, actor_file=user)
    )
    news = custom.extract_sentence(
        "Ayaz Mutalibov criticised the Armenian government.", day=date(1991, 6, 1)
    )
    (event,) = [e for e in news.events if e.primary]
    assert [(s.code, s.sector, s.id) for s in event.source] == [("AZE", "OPP", "mutalibov-user")]


def test_cameo_defaults_need_coded_actors_and_a_sense(extractor: NewsExtractor) -> None:
    # "overpower" is FIGHT by its CAMEO block: an event between coded actors only.
    news = sentence(extractor, "The Georgian army overpowered the rebels near Sukhumi.")
    assert [e.event for e in news.events if e.primary] == ["FIGHT"]
    assert sentence(extractor, "The crowd overpowered the guards at the gate.").events == []
    # Happenings and light verbs are never events.
    assert sentence(extractor, "A Georgian lawmaker died in hospital on Monday.").events == []
    assert sentence(extractor, "The Armenian minister broke the news on Monday.").events == []


def test_reported_speech_keeps_the_act_with_its_modality(extractor: NewsExtractor) -> None:
    news = sentence(extractor, "Georgia said Russian troops had shelled two villages near Gori.")
    (event,) = [e for e in news.events if e.primary]
    assert event.event == "FIGHT"
    assert event.modality == "claimed"
    assert [s.code for s in event.source] == ["RUS"]
    assert [c.code for c in event.claimed_by] == ["GEO"]
    news = sentence(extractor, "Armenia said it would withdraw its troops from the two villages.")
    (event,) = [e for e in news.events if e.primary]
    assert (event.event, event.modality) == ("AGREE", "planned")


def _primary_target(extractor: NewsExtractor, text: str) -> tuple[str, set[str | None]]:
    (event,) = [e for e in sentence(extractor, text).events if e.primary]
    return event.event, {t.code for t in event.target}


def test_a_threat_is_aimed_at_the_party_its_condition_names(extractor: NewsExtractor) -> None:
    assert _primary_target(
        extractor, "Georgia threatened to close its airspace if Armenia kept the border shut."
    ) == ("THREATEN", {"ARM"})
    assert _primary_target(
        extractor, "Kazakhstan warned it would cut gas supplies unless Kyrgyzstan paid its debts."
    ) == ("THREATEN", {"KGZ"})
    # A condition on the source itself names no target.
    event, target = _primary_target(
        extractor, "Georgia threatened to close its airspace if Georgia lost the vote."
    )
    assert event == "THREATEN"
    assert "GEO" not in target


def test_an_object_aimed_at_someone_gives_the_target(extractor: NewsExtractor) -> None:
    assert _primary_target(
        extractor, "Moldova imposed new tariffs against Ukrainian grain on Tuesday."
    ) == ("SANCTION", {"UKR"})


def test_a_measure_in_a_place_is_aimed_at_its_state(extractor: NewsExtractor) -> None:
    # A town: the state the gazetteer gives it; the source's own state counts (domestic).
    assert _primary_target(extractor, "Russia lifted the curfew in Grozny on Monday.") == (
        "CONCEDE",
        {"RUS"},
    )
    assert _primary_target(extractor, "Turkey lifted a state of emergency in Armenia.") == (
        "CONCEDE",
        {"ARM"},
    )
    # Said before the act, a place is the scene, not the target.
    _, target = _primary_target(extractor, "In Armenia, Turkey lifted the restrictions.")
    assert "ARM" not in target


def test_the_subject_of_an_act_allowed_is_the_target(extractor: NewsExtractor) -> None:
    assert _primary_target(
        extractor, "Georgia refused to allow Armenian lorries to cross the border."
    ) == ("REJECT", {"ARM"})
    # A purpose is no act aimed at anyone: "to allow Moldova's elections to go ahead".
    _, target = _primary_target(
        extractor, "The general resigned on Friday to allow Moldova's elections to go ahead."
    )
    assert "MDA" not in target


def primary_of(extractor: NewsExtractor, text: str) -> tuple[str | None, set[str], set[str]]:
    """(type, source codes, target codes) of a sentence's primary event."""
    news = sentence(extractor, text)
    found = [e for e in news.events if e.primary]
    if not found:
        return None, set(), set()
    event = found[0]
    return (
        event.event,
        {a.code for a in event.source if a.code},
        {a.code for a in event.target if a.code},
    )


def test_a_call_on_to_act_is_a_demand_whatever_the_act(extractor: NewsExtractor) -> None:
    # "call" + "halt" is also a ceasefire entry ("called a halt"); a clause is the content.
    assert primary_of(extractor, "Georgia called on Armenia to halt the shelling.")[0] == "DEMAND"
    assert primary_of(extractor, "Moldova urged Romania to stop the drills.")[0] == "DEMAND"


def test_an_event_noun_object_gives_the_type(extractor: NewsExtractor) -> None:
    kind, source, target = primary_of(
        extractor, "Georgian opposition supporters enforced a general strike on Monday."
    )
    assert (kind, source, target) == ("PROTEST", {"GEO"}, {"GEO"})


def test_a_verbal_noun_after_an_aspect_verb(extractor: NewsExtractor) -> None:
    kind, source, target = primary_of(
        extractor, "Georgia and Armenia resumed intelligence sharing on smuggling."
    )
    assert kind == "COOPERATE"
    assert source | target == {"GEO", "ARM"}


def test_one_phrase_naming_both_sides_is_a_joint_source(extractor: NewsExtractor) -> None:
    kind, source, target = primary_of(
        extractor, "Georgian and Armenian negotiators discussed the border in Tbilisi."
    )
    assert (kind, source, target) == ("CONSULT", {"GEO", "ARM"}, set())
    kind, source, target = primary_of(extractor, "Georgia and Armenia discussed the border.")
    assert (kind, source, target) == ("CONSULT", {"GEO"}, {"ARM"})


def test_handing_over_suspects_is_judicial_cooperation(extractor: NewsExtractor) -> None:
    kind, source, target = primary_of(
        extractor, "Georgian police handed over three suspected smugglers to Armenian authorities."
    )
    assert (kind, source, target) == ("COOPERATE", {"GEO"}, {"ARM"})


def test_fixed_expressions_are_no_actors(extractor: NewsExtractor) -> None:
    # "state of emergency" is no state; "by force" no armed force.
    kind, _, target = primary_of(
        extractor, "Georgia declared a state of emergency as Armenian troops arrived."
    )
    assert kind == "COERCE"
    assert target == {"GEO"}
    assert primary_of(extractor, "Armenia vowed to retake the pass by force.")[2] == set()


def test_hostile_intent_of_an_uncoded_party_or_a_possibility_is_a_threat(
    extractor: NewsExtractor,
) -> None:
    text = "The rebels said they would shell the airport if the talks failed."
    assert primary_of(extractor, text)[0] == "THREATEN"
    assert primary_of(extractor, "Georgia said it could cut trade with Armenia.")[0] == "THREATEN"


def test_claimed_responsibility_and_conventional_force(extractor: NewsExtractor) -> None:
    text = "The separatists claimed responsibility for the bombing in Gori."
    assert primary_of(extractor, text)[0] == "ASSAULT"
    # State forces attacking with no means named and no civilian target: conventional force.
    assert primary_of(extractor, "Georgian troops pounded the ridge for a third day.")[0] == "FIGHT"
    assert primary_of(extractor, "Georgian troops attacked villagers in Gori.")[0] == "ASSAULT"


def test_plural_generic_organisations(extractor: NewsExtractor) -> None:
    text = "Human rights groups demanded that Georgia free the detained reporters."
    assert primary_of(extractor, text)[:2] == ("DEMAND", {"NGO"})


def test_an_own_set_fixes_its_parts(tmp_path: Path, extractor: NewsExtractor) -> None:
    records = [
        {"id": f"own-{n}", "part": "held" if n % 2 else "tune", "event": "CONSULT",
         "text": "Georgia held talks with Armenia."}
        for n in range(6)
    ]  # fmt: skip
    path = tmp_path / "gold.json"
    path.write_text(json.dumps({"records": records}), encoding="utf-8")
    assert evaluate_plover(extractor, path, part="held").records == 3
    assert evaluate_plover(extractor, path, part="tune").records == 3
    # The held part of such a file, as of the dev file, is scored only as a whole.
    assert main(["eval", "plover", str(path), "--part", "held", "--details"]) != 0


def test_a_demand_is_aimed_at_the_subject_its_noun_carries(extractor: NewsExtractor) -> None:
    text = "Georgia renewed its call for Armenia to withdraw its troops."
    assert primary_of(extractor, text) == ("DEMAND", {"GEO"}, {"ARM"})
    text = "Armenia dismissed an appeal from Georgia to reopen the crossing."
    assert primary_of(extractor, text) == ("REJECT", {"ARM"}, {"GEO"})


def test_phoenix_names_with_hyphens_and_given_names(extractor: NewsExtractor) -> None:
    for text, day, code in (
        ("Kim Dae-jung met the visiting delegation on Monday.", date(1999, 5, 3), "KOR"),
        ("Ali Akbar Hashemi Rafsanjani met the delegation on Monday.", date(1993, 5, 3), "IRN"),
    ):
        news = sentence(extractor, text, day=day)
        (event,) = [e for e in news.events if e.primary]
        assert [a.code for a in event.source] == [code]


def test_an_act_as_subject_is_carried_out_by_the_state_marking_it(
    extractor: NewsExtractor,
) -> None:
    kind, source, _ = primary_of(extractor, "An Armenian drone strike killed two soldiers.")
    assert kind == "FIGHT"
    assert source == {"ARM"}
    text = "Georgian riot police broke up a rally by opposition supporters in Tbilisi."
    assert primary_of(extractor, text)[:2] == ("COERCE", {"GEO"})


# The third pass's rules (docs/nlp.md, Events v2): (sentence, primary type, source codes or
# None where the source is not what the case is about). Each failed on main before it.
THIRD_PASS = [
    # CAMEO codes "send + team" as an intent to meet (036 → AGREE); sent, it is the meeting.
    ("Ruritania sent a team to Graustark for consultations on the border.", "CONSULT", None),
    # Who acts decides the type.
    ("Georgian police fired tear gas at demonstrators outside the parliament.", "COERCE",
     {"GEO"}),
    ("Somali pirates seized a Georgian tanker in the Gulf of Aden.", "ASSAULT", None),
    ("Protesters in Tbilisi occupied the main railway station for two days.", "PROTEST", None),
    ("The Russian navy held live-fire drills near the Georgian coast.", "MOBILIZE", None),
    ("Russian and Armenian troops held joint exercises near Gyumri.", "COOPERATE", None),
    # A people named by its demonym is a party to a war, not a crowd.
    ("Bosnian Serbs shelled the town on Sunday.", "FIGHT", None),
    # Announced measures, vows, disclaimed intents, condemning names.
    ("Georgia announced it would impose sanctions on Abkhaz officials.", "SANCTION", None),
    ("Georgia warned it would impose sanctions unless Abkhazia released the men.", "THREATEN",
     None),
    ("Armenia and Georgia vowed to deepen their cooperation on energy.", "AGREE", None),
    ("Georgia said it had no intention of withdrawing its troops from the area.", "REJECT",
     {"GEO"}),
    ("Baku called the Armenian statement a provocation.", "DISAPPROVE", {"AZE"}),
    # A verb of doing or aspect with a noun of action is the act.
    ("Georgian prosecutors completed their investigation into the explosion.", "INVESTIGATE",
     None),
    ("Armenia began the withdrawal of its forces from the district.", "RETREAT", None),
    # "His country" is the state of the person it stands for.
    ("Azerbaijan's foreign minister said his country would never accept the plan.", "REJECT",
     {"AZE"}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "kind", "source"), THIRD_PASS)
def test_third_pass_rules(
    extractor: NewsExtractor, text: str, kind: str, source: set[str] | None
) -> None:
    found, codes, _ = primary_of(extractor, text)
    assert found == kind
    if source is not None:
        assert codes == source


def test_places_of_movements_and_agents_of_passive_harms(extractor: NewsExtractor) -> None:
    assert primary_of(extractor, "Russia pulled its troops out of Georgia.") == (
        "RETREAT", {"RUS"}, {"GEO"},
    )  # fmt: skip
    text = "Two Georgian policemen were killed when Abkhaz rebels ambushed their car."
    # "Abkhaz" is coded GEO by the actor dictionary (the territory is in Georgia).
    assert primary_of(extractor, text) == ("ASSAULT", {"GEO"}, {"GEO"})
    text = "An Armenian drone strike on Georgia killed two soldiers."
    assert primary_of(extractor, text)[1] == {"ARM"}


# Fourth general pass (issue 16): each mechanism on sentences written for these tests.
FOURTH_PASS = [
    # The matter of an inquiry, a demand or a judgement names its target: a place there (for
    # inquiries and demands), a possessive or demonym.
    ("Georgian prosecutors opened an inquiry into the deaths of miners in Armenia.",
     "INVESTIGATE", {"GEO"}, {"ARM"}),
    ("Turkey welcomed the truce signed by Georgia's rival parties.", "SUPPORT", {"TUR"},
     {"GEO"}),
    ("The OSCE demanded an end to the shelling of Armenian villages.", "DEMAND", {"IGO"},
     {"ARM"}),
    # … never for meetings (a dyad of their joint source), never a town where talks are held.
    ("Armenia and Georgia held talks on the fate of refugees in Azerbaijan.", "CONSULT",
     {"ARM"}, {"GEO"}),
    # A party's future act made to depend on another's compliance is a threat, typed or not.
    ("Armenia said it would resume the tests unless Georgia dropped its claims.", "THREATEN",
     {"ARM"}, {"GEO"}),
    # A hyphenated object split by the parser ("sit-in") is still the object.
    ("Georgian students staged a sit-in outside army headquarters in Tbilisi to demand reforms.",
     "PROTEST", {"GEO"}, {"GEO"}),
    # Demands are met, people released: meeting a leader is a meeting.
    ("Georgia's president met the Armenian opposition leader in Tbilisi.", "CONSULT", {"GEO"},
     {"ARM"}),
    ("Georgia released the Armenian opposition leader.", "CONCEDE", {"GEO"}, {"ARM"}),
    # A condemning name in a reported copular clause.
    ("Tbilisi said the Armenian remarks were a gross interference.", "DISAPPROVE", {"GEO"},
     {"ARM"}),
    # A state's threat never names the state itself as its target.
    ("Georgia's defence minister warned that Tbilisi would respond to any Armenian incursion.",
     "THREATEN", {"GEO"}, set()),
    # A party found takes the parties coordinated with it.
    ("The UN envoy undertook a mediation mission between Georgia and Armenia.", "CONSULT",
     {"IGO"}, {"ARM", "GEO"}),
    # An event noun whose outbreak a verb reports, with the verb's between-phrase as source.
    ("Fighting broke out between Georgian troops and Abkhaz rebels on Sunday.", "FIGHT", {"GEO"},
     None),
    ("Protests spread to several Georgian towns on Saturday.", "PROTEST", None, None),
    # An amount "in" a kind names the kind.
    ("Turkey gave Georgia 20 million dollars in aid.", "AID", {"TUR"}, {"GEO"}),
    # An untyped act done "in protest", an arrest by "placing under", a shut-down internet,
    # a resignation announced.
    ("Georgian opposition deputies walked out of parliament in protest at the vote.", "PROTEST",
     {"GEO"}, {"GEO"}),
    ("Georgian authorities placed the former mayor under house arrest.", "COERCE", {"GEO"},
     {"GEO"}),
    ("Georgian authorities shut down the internet in the capital.", "COERCE", {"GEO"}, {"GEO"}),
    ("The Georgian prime minister announced his resignation.", "RETREAT", {"GEO"}, None),
    # Gunmen firing on a market: ASSAULT; a state's troops doing so stays combat (FIGHT).
    ("Gunmen opened fire on a market in Tbilisi.", "ASSAULT", None, None),
    ("Georgian troops fired on a market in Sukhumi.", "FIGHT", {"GEO"}, None),
]  # fmt: skip


SIXTH_PASS = [
    # A deployment made to depend on another's conduct is a threat.
    ("Greece said its navy would send warships into the Aegean if Turkey resumed "
     "drilling there.", "THREATEN", {"GRC"}, {"TUR"}),
    # Forces leaving a place withdraw from it, wherever they go.
    ("The last Syrian tanks rolled out of Lebanon into Syria on Tuesday.", "RETREAT",
     {"SYR"}, {"LBN"}),
    # Giving up one's own bill or plan is a concession.
    ("Peru's government withdrew a contested mining bill on Friday.", "CONCEDE", {"PER"},
     None),
    # What a body votes to do is the event.
    ("Chile's senate voted on Monday to lift the curfew.", "CONCEDE", {"CHL"}, None),
    # A loan approved for a state is economic aid.
    ("The World Bank approved a $2 billion loan for Kenya on Monday.", "AID", None,
     {"KEN"}),
    # Coordinated objects and modifiers are objects too.
    ("Spain flew search and rescue teams and field hospitals to Morocco.", "AID", {"ESP"},
     {"MAR"}),
    # Ordering another state's envoy out is an expulsion.
    ("Bolivia ordered the Peruvian ambassador to leave the country within 72 hours.",
     "SANCTION", {"BOL"}, {"PER"}),
    # A state's police coercing an uncoded person: that person is of the same state.
    ("Bolivian police detained a prominent opposition senator in La Paz.", "COERCE",
     {"BOL"}, {"BOL"}),
    # A list of states read as an apposition is one subject.
    ("Norway, the Netherlands, Denmark and Finland suspended aid to Uganda on Monday.",
     "SANCTION", {"NOR", "NLD", "DNK", "FIN"}, {"UGA"}),
    # Unnamed gunmen firing on a gathering of civilians: ASSAULT, at the place's state.
    ("Gunmen opened fire on spectators at a stadium near Lagos, killing nine.", "ASSAULT",
     None, {"NGA"}),
    # Another state's soldiers given back are captives released.
    ("Georgia returned three Russian soldiers on Friday.", "CONCEDE", {"GEO"}, {"RUS"}),
    # An embargo renewed; arms sales suspended; the internet cut off.
    ("The Security Council renewed the arms embargo on Libya.", "SANCTION", None, {"LBY"}),
    ("Canada suspended arms sales to Turkey on Friday.", "SANCTION", {"CAN"}, {"TUR"}),
    ("Ethiopia's government cut off internet access in Tigray.", "COERCE", {"ETH"}, None),
    # The opposition boycotting a vote protests; a crowd clashing with police riots.
    ("Opposition parties boycotted the presidential election on Sunday.", "PROTEST", None,
     None),
    ("Students clashed with riot police outside the university.", "PROTEST", None, None),
    # "call for" a halt or a truce demands it; "call" one declares it.
    ("The Arab League called for an immediate halt to the fighting in Yemen.", "DEMAND",
     {"IGO"}, {"YEM"}),
    # Aid reduced is a sanction; restrictions reduced a concession.
    ("Sweden reduced its aid to Zambia on Monday.", "SANCTION", {"SWE"}, {"ZMB"}),
    # A deal not extended is refused.
    ("Turkey said it would not extend the transit agreement.", "REJECT", {"TUR"}, None),
    # Voting with no clause keeps CAMEO's patterns.
    ("Chile voted against the resolution on Monday.", "DISAPPROVE", {"CHL"}, None),
]  # fmt: skip


SEVENTH_PASS = [
    # Objects that name armed forces are a class: every armed sector noun.
    ("Chad withdrew its peacekeepers from the Central African Republic.", "RETREAT", {"TCD"},
     {"CAF"}),
    ("The militia began pulling its gunmen out of the Libyan town of Sirte.", "RETREAT", None,
     None),
    # Support stated for the future is support, aimed at the side taken; a material act
    # promised stays a promise.
    ("Russia said it would stand by Syria whatever happened.", "SUPPORT", {"RUS"}, {"SYR"}),
    ("Brazil said it will back Argentina's claim to the Falklands.", "SUPPORT", {"BRA"}, None),
    ("The United States said it will release the frozen Afghan funds.", "AGREE", {"USA"},
     None),
    # An untyped act made to hang on another party's act is a warning to that party.
    ("India said it would take strong countermeasures if Pakistan kept shelling border "
     "villages.", "THREATEN", {"IND"}, {"PAK"}),
]  # fmt: skip


NINTH_PASS = [
    # A time given to another party to act is an ultimatum aimed at it; to leave, an expulsion.
    ("Kenya gave the Somali envoy 48 hours to retract his remarks.", "THREATEN", {"KEN"},
     {"SOM"}),
    ("Mali's junta gave the French ambassador 72 hours to leave the country.", "SANCTION",
     {"MLI"}, {"FRA"}),
    # A noun of action ordered, approved or authorised stands for its act, its "of" phrase
    # for the act's object.
    ("Turkey's parliament authorised the deployment of troops to Libya on Thursday.",
     "MOBILIZE", {"TUR"}, {"LBY"}),
    ("Armenia's president ordered a general mobilisation on Sunday.", "MOBILIZE", {"ARM"},
     None),
    # An amount in a kind, announced, is the kind.
    ("Japan announced 500 million dollars in emergency aid for Turkey after the quake.", "AID",
     {"JPN"}, {"TUR"}),
    # Communications cut are censorship; coordinated modifiers of an object count.
    ("Iran cut mobile and internet services in the province after the protests.", "COERCE",
     {"IRN"}, None),
    # Taking a party's side.
    ("Hungary sided with Russia in the dispute over the pipeline.", "SUPPORT", {"HUN"},
     {"RUS"}),
    ("Poland said it would stand firmly behind Lithuania.", "SUPPORT", {"POL"}, {"LTU"}),
    # Giving up an increase is a concession (CAMEO 08).
    ("The Peruvian government reversed the rise in bus fares after two days of riots.",
     "CONCEDE", {"PER"}, None),
    # What an attack hits names its state through its "across / throughout" phrase.
    ("Israeli jets carried out air strikes on targets throughout Syria overnight.", "FIGHT",
     {"ISR"}, {"SYR"}),
]  # fmt: skip


TENTH_PASS = [
    # Of two entries matched on as many words, the verb's own object wins over a phrase below.
    ("The commission launched an inquiry into abuses by the police in the last months of the "
     "war.", "INVESTIGATE", None, None),
    # Where an attack's object lies, or the place it is part of, names the state hit; what is
    # hit, named in the object's of-phrase, names the party hit first.
    ("Azerbaijani forces shelled the outskirts of the Armenian town of Jermuk.", "FIGHT",
     {"AZE"}, {"ARM"}),
    ("Turkish warplanes struck dozens of Kurdish militant camps near the Iraqi town of Zakho.",
     "FIGHT", {"TUR"}, {"IRQ"}),
    # An act with no type of its own done for talks is a consultation, with whom on the noun.
    ("The Greek prime minister made a brief stop in Cairo for talks with the Egyptian "
     "president.", "CONSULT", {"GRC"}, {"EGY"}),
    ("The Serbian and Kosovo negotiators sat down for talks in Brussels.", "CONSULT",
     {"SRB", "XKX"}, set()),
    # Telling a party to act is a demand; the act told is its content.
    ("The European Union told Serbia to recognise Kosovo's passports.", "DEMAND", {"IGO"},
     {"SRB"}),
    # A sentence's verb misread as a clause on its subject noun.
    ("Saudi-led coalition warplanes bombed rebel positions around the Yemeni city of Taiz.",
     "FIGHT", {"SAU"}, {"YEM"}),
    # The condition of a threat framed by a to-infinitive the parser hangs as a clause.
    ("Russia threatened on Monday to cut gas supplies to the country if Moldova did not pay "
     "its debts.", "THREATEN", {"RUS"}, {"MDA"}),
    # A search made for an inquiry is the investigation.
    ("Indian police raided the offices of the BBC in New Delhi as part of a tax investigation.",
     "INVESTIGATE", {"IND"}, None),
    # "the alliance", "the bloc": the organisation named last before.
    ("After the NATO summit in Vilnius, Turkey said it would support the alliance's decision.",
     "SUPPORT", {"TUR"}, {"IGO"}),
    # "ethnic" demonyms name a people: they act for the state where they live or act.
    ("Thousands of ethnic Hungarians rallied in the Romanian city of Cluj.", "PROTEST",
     {"ROU"}, {"ROU"}),
    ("Ethnic Russians in Estonia protested against the language law.", "PROTEST", {"EST"},
     {"EST"}),
    # "is committed / prepared to": the subject commits; no passive act done to it.
    ("Ukraine is committed to reforming its courts, the minister said.", "AGREE", {"UKR"},
     set()),
]  # fmt: skip

ELEVENTH_PASS = [
    # A past form after a proper-noun subject, read as an adjective on the noun after it,
    # is the sentence's verb when the sentence has no other.
    ("Kazakhstan relaxed restrictions on foreign travel.", "CONCEDE", {"KAZ"}, None),
    ("North Korea relaxed its quarantine rules.", "CONCEDE", {"PRK"}, None),
    # A state's forces are not their own target unless the words say so; where what is hit
    # lies decides, else the target stays unknown.
    ("Russian artillery pounded villages near the Ukrainian town of Izium.", "FIGHT", {"RUS"},
     {"UKR"}),
    ("Russian troops shelled villages in the Kharkiv region.", "FIGHT", {"RUS"}, {"UKR"}),
    ("Syrian troops shelled Syrian villages.", "FIGHT", {"SYR"}, {"SYR"}),
    ("Ethiopian troops attacked villages.", "ASSAULT", {"ETH"}, set()),
]  # fmt: skip


THIRTEENTH_PASS = [
    # A phrase the CAMEO dictionary lists is a verb of its own; a lexicon entry naming the
    # particle beats the bare verb ("back" is SUPPORT, "back down" CONCEDE).
    ("Malaysia's government backed down on a planned tax on Monday.", "CONCEDE", {"MYS"}, None),
    ("The leaders of Kenya and Tanzania got together in Arusha on Tuesday.", "CONSULT",
     {"KEN", "TZA"}, set()),
    # "placed … under" a measure is that measure.
    ("Prosecutors placed Guatemala's former vice president under investigation for fraud.",
     "INVESTIGATE", None, None),
    # "X to death" is a killing, whatever else the verb means.
    ("Villagers stoned a suspected thief to death in northern Nigeria.", "ASSAULT", None, None),
    # A crowd's untyped act while demanding, an untyped act in a strike: protests.
    ("Thousands of Chileans flooded the main square of Santiago, demanding the minister's "
     "resignation.", "PROTEST", {"CHL"}, {"CHL"}),
    ("Nigerian doctors walked off the job on Monday in an indefinite strike over pay.",
     "PROTEST", {"NGA"}, {"NGA"}),
    # An inverted "should X" is a condition, not an obligation.
    ("Sudan would close its border should Chad continue to shelter rebels, the minister said.",
     "THREATEN", {"SDN"}, {"TCD"}),
    # Bodies named for an inquiry; handing a person over to stand trial.
    ("Kenya set up a commission of inquiry into the killings.", "INVESTIGATE", {"KEN"}, None),
    ("Thailand handed the former minister over to Cambodia to stand trial.", "COOPERATE",
     {"THA"}, {"KHM"}),
    # "the presidents of A and B": one of each.
    ("The presidents of Ghana and Togo met in Accra on Monday.", "CONSULT", {"GHA", "TGO"},
     set()),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "kind", "source", "target"),
    [
        *FOURTH_PASS,
        *SIXTH_PASS,
        *SEVENTH_PASS,
        *NINTH_PASS,
        *TENTH_PASS,
        *ELEVENTH_PASS,
        *THIRTEENTH_PASS,
    ],
)
def test_fourth_and_sixth_pass_rules(
    extractor: NewsExtractor,
    text: str,
    kind: str,
    source: set[str] | None,
    target: set[str] | None,
) -> None:
    found, sources, targets = primary_of(extractor, text)
    assert found == kind
    if source is not None:
        assert sources == source
    if target is not None:
        assert targets == target


def test_an_adjectival_past_form_becomes_the_verb(extractor: NewsExtractor) -> None:
    # The tree is rebuilt as subject, verb and object; the noun keeps its own phrases.
    news = sentence(extractor, "Kazakhstan relaxed restrictions on foreign travel.")
    assert news.doc is not None
    relaxed = news.doc[1]
    assert (relaxed.dep_, relaxed.lemma_, relaxed.pos_) == ("ROOT", "relax", "VERB")
    assert {(c.text, c.dep_) for c in relaxed.children} >= {
        ("Kazakhstan", "nsubj"),
        ("restrictions", "dobj"),
    }
    assert [c.text for c in news.doc[2].children] == ["on"]


def test_searches_and_directives_need_their_frame(extractor: NewsExtractor) -> None:
    # A raid with no inquiry stays a coercion; telling with no act to do is speech.
    text = "Police raided the headquarters of the opposition party and arrested its leader."
    assert primary_of(extractor, text)[0] == "COERCE"
    text = "President Putin told reporters that Russia would respond."
    assert primary_of(extractor, text)[0] != "DEMAND"


def test_no_ultimatum_or_condemnation_without_their_conditions(
    extractor: NewsExtractor,
) -> None:
    # An ultimatum needs a coded party, as a default does; a negated name condemns nothing.
    text = "The miners said they would stay underground unless the company paid them."
    assert primary_of(extractor, text)[0] is None
    text = "Tbilisi said the Armenian remarks were not a provocation."
    assert primary_of(extractor, text)[0] != "DISAPPROVE"


OWN_SET_5 = DATA / "coder-own-sentences-5.json"


def test_own_set_5_is_annotated_and_split_once() -> None:
    """Set 5: written and annotated before the coder ran on it; every third record held."""
    records = json.loads(OWN_SET_5.read_text(encoding="utf-8"))["records"]
    assert len(records) >= 60
    types = {r["event"] for r in records}
    assert len(types) == 18
    for number, record in enumerate(records, 1):
        assert record["id"].startswith(f"OWN5-{number:02d}-{record['event']}")
        assert record["part"] == ("held" if number % 3 == 0 else "tune")
        assert date.fromisoformat(record["date"])
        codes = [a["code"] for a in (*record["source"], *record["target"])]
        assert all(len(code) == 3 and code.isupper() for code in codes)


def test_own_set_5_scores_by_its_own_parts(extractor: NewsExtractor) -> None:
    tune = evaluate_plover(extractor, OWN_SET_5, part="tune")
    held = evaluate_plover(extractor, OWN_SET_5, part="held")
    assert (tune.records, held.records) == (46, 22)
    assert tune.part == "tune"
    assert held.part == "held"
    # The held part is scored only as a whole.
    assert main(["eval", "plover", str(OWN_SET_5), "--part", "held", "--details"]) != 0


OWN_SET_6 = DATA / "coder-own-sentences-6.json"


def test_own_set_6_is_annotated_and_split_once() -> None:
    """Set 6: written and annotated before the coder ran on it; the third and fifth
    sentence of each type held."""
    records = json.loads(OWN_SET_6.read_text(encoding="utf-8"))["records"]
    assert len(records) >= 60
    seen: dict[str, int] = {}
    for record in records:
        seen[record["event"]] = seen.get(record["event"], 0) + 1
        assert record["id"] == f"OWN6-{record['event']}-{seen[record['event']]:02d}"
        assert record["part"] == ("held" if seen[record["event"]] in {3, 5} else "tune")
        assert date.fromisoformat(record["date"])
    assert len(seen) == 18
    assert sum(r["part"] == "held" for r in records) == 23


@pytest.mark.parametrize(
    ("text", "kind", "source", "target"),
    [
        # Reciprocal acts of a joint source: neither party, nor a mediator, is the target.
        ("Chile and Peru agreed to resume talks on their maritime border.", "AGREE",
         {"CHL", "PER"}, set()),
        ("Chile and Peru agreed on Monday to a truce brokered by Brazil.", "AGREE",
         {"CHL", "PER"}, set()),
        # A measure on goods or property is aimed at their origin or owner.
        ("Estonia banned imports of Russian timber on Monday.", "SANCTION", {"EST"}, {"RUS"}),
        # The place of a locative phrase's object.
        ("Gunmen set off a bomb outside a bank in the Pakistani city of Quetta.", "ASSAULT",
         None, {"PAK"}),
        # "X-led": the leading state acts for the coalition or force.
        ("The Nigerian-led coalition bombed rebel camps on Monday.", None, {"NGA"}, None),
        # A vehicle sent stands for its cargo.
        ("Jordan sent trucks loaded with flour and blankets on Monday.", "AID", {"JOR"}, None),
    ],
)  # fmt: skip
def test_fifth_pass_rules(
    extractor: NewsExtractor,
    text: str,
    kind: str | None,
    source: set[str] | None,
    target: set[str] | None,
) -> None:
    found, sources, targets = primary_of(extractor, text)
    if kind is not None:
        assert found == kind
    if source is not None:
        assert sources == source
    if target is not None:
        assert targets == target


def test_a_clause_of_time_is_no_purpose(extractor: NewsExtractor) -> None:
    # "to Russia" in the "after" clause is a preposition, not an infinitive of purpose.
    text = "Moldova closed its airspace, days after it expelled two diplomats to Russia."
    assert "RUS" not in primary_of(extractor, text)[2]


OWN_SET_7 = DATA / "coder-own-sentences-7.json"
OWN_SET_8 = DATA / "coder-own-sentences-8.json"
OWN_SET_10 = DATA / "coder-own-sentences-10.json"
OWN_SET_11 = DATA / "coder-own-sentences-11.json"
OWN_SET_12 = DATA / "coder-own-sentences-12.json"
OWN_SET_13 = DATA / "coder-own-sentences-13.json"


@pytest.mark.parametrize(
    ("path", "prefix", "held"),
    [
        (OWN_SET_7, "OWN7", 22),
        (OWN_SET_8, "OWN8", 23),
        (OWN_SET_10, "OWN10", 18),
        (OWN_SET_11, "OWN11", 34),
        (OWN_SET_12, "OWN12", 34),
        (OWN_SET_13, "OWN13", 36),
    ],
)
def test_own_sets_7_to_13_are_annotated_and_split_once(path: Path, prefix: str, held: int) -> None:
    """Sets 7, 8, 10, 11, 12 and 13: written and annotated before the coder ran on them; every
    third record held (set 10: the ids ending -03; sets 11 to 13: the ids ending in an even
    number)."""
    records = json.loads(path.read_text(encoding="utf-8"))["records"]
    assert len(records) >= 60
    seen: dict[str, int] = {}
    for number, record in enumerate(records, 1):
        seen[record["event"]] = seen.get(record["event"], 0) + 1
        assert record["id"] == f"{prefix}-{record['event']}-{seen[record['event']]:02d}"
        if prefix in ("OWN11", "OWN12", "OWN13"):
            third = int(record["id"][-2:]) % 2 == 0
        else:
            third = record["id"].endswith("-03") if prefix == "OWN10" else number % 3 == 0
        assert record["part"] == ("held" if third else "tune")
        assert date.fromisoformat(record["date"])
        codes = [a["code"] for a in (*record["source"], *record["target"])]
        assert all(len(code) == 3 and code.isupper() for code in codes)
    assert len(seen) == 18
    assert sum(r["part"] == "held" for r in records) == held


def test_thirteenth_pass_rules_keep_their_limits(extractor: NewsExtractor) -> None:
    # A phrase CAMEO lists with no event code is no event of its base verb ("wound").
    assert primary_of(extractor, "The Dutch contingent wound up its mission on Friday.")[0] != (
        "ASSAULT"
    )
    # Dying in the protests is no protest; a reported "should" with its subject after it in
    # the ordinary order is still a demand.
    assert primary_of(extractor, "Three people died in the protests in Nairobi.")[0] is None
    text = "The minister said Sudan should close its border with Chad."
    assert primary_of(extractor, text)[0] == "DEMAND"


def test_no_warning_without_a_party_to_the_condition(extractor: NewsExtractor) -> None:
    # "if necessary" sets no condition on anyone; uncoded miners make no threat.
    assert primary_of(extractor, "Japan said it would act if necessary.")[0] is None
    text = "The miners said they would stay underground if the company did not pay them."
    assert primary_of(extractor, text)[0] is None


def test_a_condition_clause_names_whom_a_threat_is_aimed_at(extractor: NewsExtractor) -> None:
    # The condition's own act aims at the threatening side; the threat at its subject.
    text = "Hamas warned that it would fire rockets at Israel if Israel attacked Gaza again."
    found, sources, targets = primary_of(extractor, text)
    assert (found, sources, targets) == ("THREATEN", {"PSE"}, {"ISR"})


def test_no_ultimatum_to_ones_own_people(extractor: NewsExtractor) -> None:
    text = "The president gave his ministers two weeks to draft the budget."
    assert primary_of(extractor, text)[0] != "THREATEN"
