"""Cost of geoparsing: gazetteer build and load, memory, and toponyms per second.

Run: .venv/bin/python bench/geo.py [--texts N]
Each phase runs in its own process so that its peak memory is its own:
  build  the gazetteer from the installed packages (what the first use on a machine pays);
  load   the gazetteer from its cache file (what every later process pays);
  parse  spaCy + entity correction + resolution over news texts: GeoWebNews articles from
         ../shared/data when present, else the seed article repeated.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _phase_build() -> dict[str, float]:
    from ceasefire.news.geo import Gazetteer

    start = time.perf_counter()
    gazetteer = Gazetteer.build()
    seconds = time.perf_counter() - start
    return {
        "build_s": round(seconds, 2),
        "places": len(gazetteer),
        "name_keys": gazetteer.key_count,
        "peak_mib": round(_peak_mib()),
    }


def _phase_load() -> dict[str, float]:
    from ceasefire.news.geo import Gazetteer

    Gazetteer.load()  # make sure the cache exists; the timed load is a fresh process below
    return {}


def _phase_load_timed() -> dict[str, float]:
    from ceasefire.news.geo import Gazetteer

    start = time.perf_counter()
    Gazetteer.load()
    return {"load_s": round(time.perf_counter() - start, 2), "peak_mib": round(_peak_mib())}


def _texts(count: int) -> list[str]:
    gold = SHARED / "geowebnews.xml"
    if gold.exists():
        from ceasefire.news.geo.evaluation import read_geowebnews

        return [article.text for article in read_geowebnews(gold)][:count]
    seed = SHARED / "asharq-al-awsat-2020-11-26-nagorno-karabakh.txt"
    return [seed.read_text(encoding="utf-8")] * count


def _phase_parse(count: int) -> dict[str, float]:
    from ceasefire.news.geo import Gazetteer, geoparse_doc, load_nlp

    gazetteer = Gazetteer.load()
    nlp = load_nlp()
    texts = _texts(count)
    start = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=32))
    spacy_s = time.perf_counter() - start
    start = time.perf_counter()
    mentions = [geoparse_doc(doc, gazetteer=gazetteer) for doc in docs]
    geo_s = time.perf_counter() - start
    toponyms = sum(len(m) for m in mentions)
    words = sum(len(doc) for doc in docs)
    return {
        "texts": len(texts),
        "tokens": words,
        "toponyms": toponyms,
        "spacy_s": round(spacy_s, 2),
        "geoparse_s": round(geo_s, 2),
        "toponyms_per_s_geoparse_only": round(toponyms / geo_s),
        "toponyms_per_s_with_spacy": round(toponyms / (geo_s + spacy_s)),
        "texts_per_s_with_spacy": round(len(texts) / (geo_s + spacy_s), 1),
        "peak_mib": round(_peak_mib()),
    }


def _run(phase: str, count: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--texts", str(count)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", type=int, default=200)
    parser.add_argument("--phase", choices=["build", "load", "load-timed", "parse"])
    args = parser.parse_args()
    phases: dict[str, Callable[[], dict[str, float]]] = {
        "build": _phase_build,
        "load": _phase_load,
        "load-timed": _phase_load_timed,
        "parse": lambda: _phase_parse(args.texts),
    }
    if args.phase:
        print(json.dumps(phases[args.phase]()))
        return
    print("gazetteer build (cold, once per machine):", _run("build", args.texts))
    _run("load", args.texts)
    print("gazetteer load (cached, once per process):", _run("load-timed", args.texts))
    print("geoparsing:", _run("parse", args.texts))


if __name__ == "__main__":
    main()
