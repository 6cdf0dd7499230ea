"""news.casualties.v1: stated casualty figures and the weapons named.

Figures are read from the parse: a number attached to the people a verb of harm applies to
("killed 17 Yemeni civilians", "two soldiers were wounded", "at least 40 people died"),
with "at least"/"more than"/"dozens" kept as a range. Weapons come from a lexicon of
classes used in ceasefire monitoring (artillery, rockets, drones, aircraft, armour, small
arms, explosives, mines, bladed weapons).
"""

from __future__ import annotations

import re
from typing import Literal

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Span, Token

from ceasefire.news.model import CasualtyFigure, WeaponMention
from ceasefire.news.pipeline import NewsDoc, PipelineResources, register

NAME = "news.casualties.v1"

Harm = Literal["killed", "wounded", "missing", "captured", "displaced"]
HARM_VERBS: dict[str, Harm] = {
    "kill": "killed", "die": "killed", "slay": "killed", "murder": "killed",
    "massacre": "killed", "execute": "killed", "wound": "wounded", "injure": "wounded",
    "hurt": "wounded", "maim": "wounded", "miss": "missing", "capture": "captured",
    "abduct": "captured", "kidnap": "captured", "displace": "displaced",
    "evacuate": "displaced", "flee": "displaced",
}  # fmt: skip
HARM_NOUNS: dict[str, Harm] = {
    "dead": "killed", "death": "killed", "deaths": "killed", "fatalities": "killed",
    "killed": "killed", "wounded": "wounded", "injured": "wounded", "injuries": "wounded",
    "casualties": "killed", "missing": "missing", "prisoners": "captured",
    "displaced": "displaced", "refugees": "displaced",
}  # fmt: skip
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "hundred": 100, "a dozen": 12, "dozen": 12,
}  # fmt: skip
VAGUE = {"dozens": (24, 99), "scores": (40, 99), "hundreds": (200, 999), "thousands": (2000, 9999)}
LOWER_BOUND = {"least", "more", "over", "than", "above", "exceeding"}
UPPER_BOUND = {"up", "nearly", "almost", "under", "fewer", "less", "most"}
APPROX = {"about", "around", "some", "approximately", "roughly", "nearly", "almost", "estimated"}

WEAPONS = {
    "artillery": ["artillery", "howitzer", "howitzers", "shell", "shells", "shelling",
                  "mortar", "mortars", "cannon", "heavy weapons", "heavy artillery"],
    "rockets": ["rocket", "rockets", "Grad", "Smerch", "multiple rocket launcher",
                "multiple rocket launchers", "MLRS", "rocket launcher", "rocket launchers"],
    "missiles": ["missile", "missiles", "ballistic missile", "cruise missile",
                 "precision guided missiles", "Iskander", "Scud", "Tochka-U", "Tochka"],
    "drones": ["drone", "drones", "UAV", "UAVs", "unmanned aerial vehicle", "Bayraktar",
               "Bayraktar TB2", "kamikaze drone", "loitering munition", "loitering munitions",
               "Harop"],
    "aircraft": ["aircraft", "warplane", "warplanes", "jet", "jets", "fighter jet",
                 "fighter jets", "helicopter", "helicopters", "helicopter gunships",
                 "gunship", "gunships", "airstrike", "airstrikes", "air strike", "air strikes",
                 "air raid", "air raids", "bomber", "bombers", "Predator"],
    "armour": ["tank", "tanks", "armoured vehicle", "armored vehicle", "armoured vehicles",
               "armored vehicles", "armoured personnel carrier", "armored personnel carrier",
               "armoured personnel carriers", "armored personnel carriers", "APC", "APCs"],
    "small_arms": ["small arms", "small-arms", "gun", "guns", "gunfire", "rifle", "rifles",
                   "sniper", "snipers", "sniper fire", "machine gun", "machine-gun",
                   "machine guns", "heavy machine gun", "bullets", "automatic weapons",
                   "Kalashnikov"],
    "explosives": ["bomb", "bombs", "car bomb", "roadside bomb", "roadside bombing",
                   "improvised explosive device", "IED", "IEDs", "explosive", "explosives",
                   "grenade", "grenades", "suicide bomber", "suicide bombers",
                   "suicide bombing", "explosion", "blast"],
    "mines": ["mine", "mines", "landmine", "landmines", "land mine", "land mines",
              "minefield", "booby trap", "unexploded ordnance", "UXO"],
    "cluster_munitions": ["cluster munition", "cluster munitions", "cluster bomb",
                          "cluster bombs"],
    "incendiary": ["white phosphorus", "incendiary", "incendiary weapons"],
    "chemical": ["chemical weapons", "chemical weapon", "nerve agent", "sarin", "chlorine gas"],
    "bladed": ["machete", "machetes", "knife", "knives", "axe", "axes", "bayonet"],
}  # fmt: skip


@register(NAME, requires=["doc"], assigns=["casualties", "weapons"])
def make_casualties(resources: PipelineResources) -> CasualtiesComponent:
    """Read casualty figures and weapon mentions."""
    return CasualtiesComponent(resources.nlp)


class CasualtiesComponent:
    def __init__(self, nlp: Language) -> None:
        self.weapons = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.cased = PhraseMatcher(nlp.vocab, attr="ORTH")
        for weapon_class, words in WEAPONS.items():
            lower = [w for w in words if not w[:1].isupper()]
            cased = [w for w in words if w[:1].isupper()]
            if lower:
                self.weapons.add(weapon_class, [nlp.make_doc(w) for w in lower])
            if cased:
                self.cased.add(weapon_class, [nlp.make_doc(w) for w in cased])

    def __call__(self, news: NewsDoc) -> NewsDoc:
        doc = news.doc
        if doc is None:
            return news
        news.weapons = self._weapons(news)
        figures: list[CasualtyFigure] = []
        for token in doc:
            figure = self._figure_at(token)
            if figure is not None and all(
                not (f.start == figure.start and f.kind == figure.kind) for f in figures
            ):
                figures.append(figure)
        news.casualties = figures
        return news

    def _weapons(self, news: NewsDoc) -> list[WeaponMention]:
        doc = news.doc
        assert doc is not None
        spans: list[tuple[int, int, str]] = []
        for matcher in (self.weapons, self.cased):
            for match_id, start, end in matcher(doc):
                spans.append((start, end, doc.vocab.strings[match_id]))
        spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
        out: list[WeaponMention] = []
        last_end = -1
        for start, end, weapon_class in spans:
            if start < last_end:
                continue
            span = doc[start:end]
            if span.root.pos_ == "VERB":  # "shell" the verb is the event, not a weapon
                continue
            out.append(WeaponMention(span.text, weapon_class, span.start_char, span.end_char))
            last_end = end
        return out

    def _figure_at(self, token: Token) -> CasualtyFigure | None:
        """A figure whose number is ``token`` ("17" in "killed 17 Yemeni civilians")."""
        value = _number(token)
        if value is None:
            return None
        low, high, approximate = value
        noun = token.head if token.dep_ in {"nummod", "quantmod"} else token
        kind = _harm_of(noun)
        if kind is None:
            return None
        low, high, approximate = _bounds(token, low, high, approximate)
        span = _phrase(token, noun)
        who = noun.text if noun.i != token.i and noun.pos_ in {"NOUN", "PROPN"} else None
        return CasualtyFigure(
            kind=kind, low=low, high=high, approximate=approximate, text=span.text,
            start=span.start_char, end=span.end_char, who=who,
        )  # fmt: skip


def _number(token: Token) -> tuple[int, int, bool] | None:
    text = token.lower_.replace(",", "")
    if token.lower_ in VAGUE:
        low, high = VAGUE[token.lower_]
        return low, high, True
    if re.fullmatch(r"\d+", text):
        if token.ent_type_ in {"DATE", "TIME", "MONEY", "PERCENT"}:
            return None
        number = int(text)
        return number, number, False
    if text in NUMBER_WORDS and token.pos_ == "NUM":
        number = NUMBER_WORDS[text]
        return number, number, False
    return None


def _harm_of(noun: Token) -> Harm | None:
    # "17 civilians were killed", "killed 17 civilians", "killed 3"
    head = noun.head
    if noun.dep_ in {"dobj", "nsubjpass", "nsubj"} and head.lemma_ in HARM_VERBS:
        if noun.dep_ == "nsubj" and head.lemma_ not in {"die", "flee", "miss"}:
            return None
        return HARM_VERBS[head.lemma_]
    for child in noun.children:
        if child.dep_ in {"acl", "amod"} and child.lemma_ in HARM_VERBS:
            return HARM_VERBS[child.lemma_]
        if child.dep_ == "amod" and child.lower_ in HARM_NOUNS:
            return HARM_NOUNS[child.lower_]
    if noun.lower_ in HARM_NOUNS and noun.pos_ in {"NOUN", "ADJ"}:
        return HARM_NOUNS[noun.lower_]
    # "... and wounded nine others": the number's noun is the object of a conjoined verb.
    if noun.dep_ == "conj" and noun.head.dep_ in {"dobj", "nsubjpass"}:
        return _harm_of(noun.head)
    return None


def _bounds(token: Token, low: int, high: int, approximate: bool) -> tuple[int, int, bool]:
    words = {t.lower_ for t in token.children} | {
        t.lower_ for t in token.doc[max(0, token.i - 2) : token.i]
    }
    if words & LOWER_BOUND:
        return low, max(high, low), True
    if words & UPPER_BOUND:
        return 0 if "up" in words else low, high, True
    if words & APPROX:
        return low, high, True
    return low, high, approximate


def _phrase(number: Token, noun: Token) -> Span:
    tokens = [number, noun]
    for child in number.children:
        if child.dep_ in {"advmod", "quantmod"}:
            tokens.extend(child.subtree)  # "at least", "more than"
    start = min(t.i for t in tokens)
    end = max(t.i for t in tokens) + 1
    return number.doc[start:end]
