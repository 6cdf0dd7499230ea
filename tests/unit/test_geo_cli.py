"""``ceasefire geoparse --jsonl`` and ``ceasefire eval geo``, run in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ceasefire.cli import main
from ceasefire.news.geo.evaluation import GeoScores, evaluate, read_geowebnews, select_part
from ceasefire.news.geo.mention import PlaceMention
from tests.factories.news import SHARED_DATA

PLACE_KEYS = {"start", "end", "text", "name", "lat", "lon", "country", "feature_class", "precision"}

GOLD_XML = """<?xml version="1.0" ?>
<articles>
  <article file="7">
    <text>Shelling hit Barda, Azerbaijan. Reporters gathered on Main Street.</text>
    <toponyms>
      <toponym><extractedName>Barda</extractedName><type>Literal</type>
        <start>13</start><end>18</end><latitude>40.37</latitude><longitude>47.13</longitude>
      </toponym>
      <toponym><extractedName>Azerbaijan</extractedName><type>Literal</type>
        <start>20</start><end>30</end><latitude>40.5</latitude><longitude>47.5</longitude>
      </toponym>
      <toponym><extractedName>Main Street</extractedName><type>Literal</type>
        <start>55</start><end>66</end><latitude>40.38</latitude><longitude>47.12</longitude>
      </toponym>
      <toponym><extractedName>Reporters</extractedName><type>Non_Toponym</type>
        <start>32</start><end>41</end>
      </toponym>
    </toponyms>
  </article>
</articles>
"""


def test_geoparse_jsonl_writes_the_exact_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"id": "a1", "text": "Azerbaijani forces entered Aghdam."})
        + "\n\n"
        + json.dumps({"id": 2, "text": "Nothing here."})
        + "\n",
        encoding="utf-8",
    )
    assert main(["geoparse", "--jsonl", str(source)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [set(line) for line in lines] == [{"id", "places"}, {"id", "places"}]
    assert [line["id"] for line in lines] == ["a1", 2]
    (aghdam,) = lines[0]["places"]
    assert set(aghdam) == PLACE_KEYS
    assert (aghdam["text"], aghdam["country"], aghdam["feature_class"]) == ("Aghdam", "AZ", "P")
    assert (aghdam["start"], aghdam["end"], aghdam["precision"]) == (27, 33, 1)
    assert lines[1]["places"] == []


def test_geoparse_jsonl_rejects_bad_lines_before_writing_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "Baku"}\nnot json\n{"id": 3}\n', encoding="utf-8")
    assert main(["geoparse", "--jsonl", str(source), "--json"]) == 2
    out = json.loads(capsys.readouterr().out)
    assert [d["loc"] for d in out["error"]["details"]] == ["line 2", "line 3.text"]


def test_geoparse_rejects_a_bad_focus(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["geoparse", "Baku", "--focus", "AZE", "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["details"][0]["loc"] == "--focus"


def test_geoparse_text_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["geoparse", "Lachin, Turkey", "--json"]) == 0
    places = json.loads(capsys.readouterr().out)
    assert [(p["text"], p["country"]) for p in places] == [("Lachin", "TR"), ("Turkey", "TR")]


def test_evaluation_counts_matches_and_distances(tmp_path: Path) -> None:
    gold_file = tmp_path / "gold.xml"
    gold_file.write_text(GOLD_XML, encoding="utf-8")
    (article,) = read_geowebnews(gold_file)
    assert [t.text for t in article.toponyms] == ["Barda", "Azerbaijan", "Main Street"]
    predicted = [
        PlaceMention(13, 18, "Barda", "Barda", 40.37577, 47.12619, "AZ", "P", 1),
        PlaceMention(20, 30, "Azerbaijan", "Azerbaijan", 40.5, 47.5, "AZ", "A", 6),
        PlaceMention(32, 41, "Reporters", "Reporters", 0.0, 0.0, None, "P", 1),
        PlaceMention(55, 59, "Main"),
    ]
    scores = evaluate([article], lambda texts: [predicted for _ in texts])
    assert (scores.gold, scores.predicted, scores.matched, scores.matched_strict) == (3, 4, 3, 2)
    assert scores.precision == pytest.approx(0.75)
    assert scores.recall == pytest.approx(1.0)
    assert scores.resolved == 2
    assert scores.accuracy_161 == pytest.approx(1.0)
    assert scores.accuracy_161_all == pytest.approx(2 / 3)
    assert scores.median_km < 1


def test_empty_scores_do_not_divide_by_zero() -> None:
    assert GeoScores().to_json()["f1"] == 0.0


def test_eval_geo_on_a_small_gold_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold_file = tmp_path / "gold.xml"
    gold_file.write_text(GOLD_XML, encoding="utf-8")
    assert main(["eval", "geo", str(gold_file), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["gold_toponyms"] == 3
    assert figures["matched"] >= 2
    assert figures["accuracy_161km"] == 1.0


def test_eval_geo_reports_an_unreadable_file(tmp_path: Path) -> None:
    assert main(["eval", "geo", str(tmp_path / "missing.xml")]) == 2


@pytest.mark.skipif(
    not (SHARED_DATA / "geowebnews.xml").exists(), reason="../shared/data/geowebnews.xml is absent"
)
def test_geowebnews_is_readable() -> None:
    articles = read_geowebnews(SHARED_DATA / "geowebnews.xml")
    assert len(articles) == 200
    assert sum(len(a.toponyms) for a in articles) > 2000
    held = select_part(articles, "held")
    assert (len(held), sum(len(a.toponyms) for a in held)) == (63, 828)


HELD_BELOW_40 = [8, 11, 13, 14, 23, 25, 27, 28, 31, 34, 36, 38, 39]


def test_the_geowebnews_split_is_fixed() -> None:
    from ceasefire.news.geo.evaluation import geowebnews_part

    # The split of 2026-12-06: these parts never change (docs/geoparsing.md).
    assert [n for n in range(40) if geowebnews_part(str(n)) == "held"] == HELD_BELOW_40


def test_eval_geo_rejects_an_unknown_part(tmp_path: Path) -> None:
    gold_file = tmp_path / "gold.xml"
    gold_file.write_text(GOLD_XML, encoding="utf-8")
    assert main(["eval", "geo", str(gold_file), "--part", "dev"]) == 2
