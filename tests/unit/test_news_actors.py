"""Actors: the dictionary with dated roles, metonyms, sectors, agencies never actors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ceasefire.errors import InvalidInput
from ceasefire.news.actordict import load_dictionary, shipped_dictionary
from ceasefire.news.extract import NewsExtractor
from ceasefire.news.pipeline import PipelineResources
from tests.factories.news import sentence


def _actors(
    pipeline: NewsExtractor, text: str, day: date | None = date(2020, 11, 26)
) -> list[tuple[str | None, str | None, str]]:
    news = sentence(pipeline, text, day)
    return [(m.ref.code, m.ref.sector, m.ref.text) for m in news.actors]


def test_people_are_coded_by_the_role_they_held_that_day() -> None:
    dictionary = shipped_dictionary()
    putin = dictionary.entries["putin"]
    assert putin.code_on(date(2010, 1, 1))[2] == "Prime Minister of Russia"
    assert putin.code_on(date(2020, 11, 26))[2] == "President of Russia"
    aliyevs = dictionary.aliases()["Aliyev"]
    assert dictionary.pick(aliyevs, date(2000, 1, 1)).id == "heydar-aliyev"
    assert dictionary.pick(aliyevs, date(2020, 11, 26)).id == "ilham-aliyev"


def test_seed_people_and_organisations(extractor: NewsExtractor) -> None:
    found = _actors(
        extractor,
        "Turkish President Tayyip Erdogan said the co-chairs of the OSCE Minsk Group and "
        "UNHCR would meet Russian President Vladimir Putin.",
    )
    assert ("TUR", "GOV", "Turkish President Tayyip Erdogan") in found
    assert ("RUS", "GOV", "Russian President Vladimir Putin") in found
    assert any(code == "IGO" and "Minsk Group" in text for code, _, text in found)
    assert any(code == "IGO" and text == "UNHCR" for code, _, text in found)


def test_capitals_stand_for_governments(extractor: NewsExtractor) -> None:
    found = _actors(extractor, "Ankara and Baku criticised Yerevan, while Moscow stayed silent.")
    assert {(code, sector) for code, sector, _ in found} >= {
        ("TUR", "GOV"), ("AZE", "GOV"), ("ARM", "GOV"), ("RUS", "GOV"),
    }  # fmt: skip


def test_a_capital_as_a_place_is_no_government(extractor: NewsExtractor) -> None:
    found = _actors(extractor, "Thousands of people rallied in Yerevan on Wednesday.")
    assert all(sector != "GOV" for _, sector, _ in found)


@pytest.mark.parametrize(
    ("text", "code", "sector"),
    [
        ("Turkish police detained ten protesters.", "TUR", "COP"),
        ("The Sri Lankan army shelled the town.", "LKA", "MIL"),
        ("Russian peacekeepers arrived in Lachin.", "RUS", "MIL"),
        ("Armenian refugees returned home.", "ARM", "REF"),
        ("The Azerbaijani parliament met on Monday.", "AZE", "LEG"),
    ],
)
def test_sector_nouns(extractor: NewsExtractor, text: str, code: str, sector: str) -> None:
    assert (code, sector) in {(c, s) for c, s, _ in _actors(extractor, text)}


def test_wire_agencies_are_never_actors(extractor: NewsExtractor) -> None:
    news = sentence(
        extractor, "A Turkish source told Reuters that AP and AFP had reported the talks."
    )
    texts = " ".join(m.ref.text for m in news.actors)
    assert "Reuters" not in texts
    assert "AFP" not in texts
    assert "AP" not in texts.split()


def test_modifier_of_a_thing_is_no_actor(extractor: NewsExtractor) -> None:
    found = _actors(extractor, "The offensive locked in Azeri advances on Azeri territory.")
    assert all("territory" not in text for _, _, text in found)


def test_a_user_file_extends_the_dictionary(tmp_path: Path, extractor: NewsExtractor) -> None:
    user = tmp_path / "actors.yaml"
    user.write_text(
        "people:\n"
        "  - id: harutyunyan\n"
        "    name: Arayik Harutyunyan\n"
        "    aliases: [Harutyunyan]\n"
        "    roles:\n"
        "      - {title: de facto leader, code: ARM, sector: REB, start: 2020-05-21}\n"
        "organisations:\n"
        "  - {id: jmc, name: Joint Monitoring Centre, code: IGO, sector: MIL, aliases: [JMC]}\n",
        encoding="utf-8",
    )
    dictionary = load_dictionary(user)
    assert "harutyunyan" in dictionary.entries
    assert "erdogan" in dictionary.entries
    assert "harutyunyan" not in shipped_dictionary().entries  # the shipped one is untouched
    custom = NewsExtractor.create(
        resources=PipelineResources.with_model(extractor.pipeline.resources.nlp, actor_file=user)
    )
    news = custom.extract_sentence(
        "Harutyunyan said the JMC had not visited.", day=date(2020, 12, 1)
    )
    assert {(m.ref.code, m.ref.sector) for m in news.actors} >= {("ARM", "REB"), ("IGO", "MIL")}


def test_a_broken_user_file_is_named(tmp_path: Path) -> None:
    user = tmp_path / "actors.yaml"
    user.write_text("people:\n  - {name: No Id}\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"actors\.yaml"):
        load_dictionary(user)
    user.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="mapping"):
        load_dictionary(user)
