"""Cities side by side: actors each hosts, cooperation inside and across, funding, brokers, their policies.

`compare_cities` answers ``GET /compare`` and the explorer's comparison page. Its rules:

- **A city** is named by key (``City:徐州``), exact name or alias (徐州市), NFKC-normalised; 2 to `MAX_CITIES`
  distinct cities. An unknown name is `NotFound` naming every unknown one; too few, too many, an empty name
  or two names of one city are `BadInput`.
- **A city's part** (cypher/compare_parts.cypher): the entities it HOSTS directly, through its districts and
  counties (child City nodes with ``level`` in `SUB_LEVELS`) and through the parks of either, up to four
  parks deep; and the policies the city or any of those funds (FUNDS → Policy, directly or through a
  policy it funds). A policy is never hosted:
  the programmes a city pays into (专项资金, 引导基金) are its policies, and this way every Policy its
  funding figures reach is one of its actors. The city itself is not its own actor. A province's
  prefecture cities count as its City actors, but what they host does not: a province does not absorb its
  cities (the policies they fund do count, as their funding counts in the province's funding).
- **Actors**: the members of the part, counted per label (every core label listed, zeros included). The
  cooperation and funding figures below are over the same set (the city and its part); every policy in
  the Funding → Policy row is among the Policy actors, so that count is never below the row's distinct
  policies (other labels' recipients may lie outside the city: funding given to another city's firm).
- **Cooperation**: COOPERATES relationships with both ends in the part or the city itself (``inside``),
  with exactly one end there (``outside``, the partners listed), and, for every pair of cities, with one end
  in each (``across``; an actor both cities host counts for both).
- **Funding**: FUNDS relationships that start or end at the city or in its part (money it gives and money
  it receives, each relationship once), by recipient label: how many, how many state an amount, and the
  sum of ``amount_cny`` (the largest amount any evidence states, cypher/STORAGE.md).
- **Brokers**: exact normalised betweenness (graph.analytics.betweenness; sampled only beyond
  `graph.analytics.EXACT_BETWEENNESS_MAX_NODES` nodes) in the compared cities' actor graph: the cities,
  their parts, every entity one core relationship away (partners, funders, the province) and those
  relationships, undirected and unweighted. The neighbours are there so that an actor linking its city's
  part to the outside, or to another compared city, is seen as the broker it is. Computed per request
  rather than read from the ``betweenness`` property ``innograph analyse`` writes: that one ranks brokers
  of the whole graph, is absent until the command runs and stale after the next ingest, while this graph
  has a few hundred nodes and takes milliseconds. Each city lists the top members of its part; the
  compared cities themselves are left out (each lies on every path into its part by construction), and
  so are actors with a score of 0 (on no shortest path between two others).
- **Quick picks** (cypher/compare_levels.cypher): the cities of the compared level (City ``level``: a
  comparison of prefectures offers prefectures, not provinces or districts), best-evidenced first.
- **Policies that name a broker** (cypher/compare_policies.cypher): a Policy linked to it by a core
  relationship, else one mentioned in a document that mentions the broker, nearest mention first
  (``distance`` in characters, 0 = the same sentence); at most ``policies`` per broker.
"""

from __future__ import annotations

import itertools
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from neo4j import Driver
from pydantic import BaseModel, ConfigDict, Field

from graph import analytics
from graph.cypher import query
from graph.errors import BadInput, NotFound
from graph.model import CORE_LABELS, CORE_TYPES, Label, RelType
from graph.read import run_read

logger = logging.getLogger(__name__)

MIN_CITIES = 2
MAX_CITIES = 8
MAX_NAME_LENGTH = 100
# Child City levels whose contents count as the parent's; a province's children (prefecture level) do not.
SUB_LEVELS: tuple[str, ...] = ("district", "county")
# The level whose cities an empty comparison form offers: the one most comparisons are of.
DEFAULT_LEVEL = "prefecture"
DEFAULT_TOP = 5
MAX_TOP = 20
DEFAULT_POLICIES = 3
MAX_POLICIES = 10
# Outside partners per city and cross-city relationships per pair listed (all are counted).
LISTED = 20
# Separators between city names in one parameter value: ASCII and full-width commas, the enumeration comma.
_SEPARATORS = re.compile(r"[,，、;；]")


class View(BaseModel):
    model_config = ConfigDict(frozen=True)


class Actor(View):
    """An entity as the comparison lists it."""

    key: str
    label: str
    name: str


class CityRef(View):
    """A compared city and the reference that named it."""

    key: str
    name: str
    level: str | None = None
    aliases: list[str] = Field(default_factory=list)
    requested: str = Field(description="the name, alias or key the request gave")


class CityOption(View):
    """A city offered as a quick pick for a comparison of cities of its level."""

    key: str
    name: str
    level: str


class Cooperation(View):
    """A COOPERATES relationship (undirected; ``source`` and ``target`` as stored)."""

    key: str
    source: Actor
    target: Actor
    evidence_count: int = 0


class Partner(View):
    """An outside partner of a city: ``partner`` cooperates with ``member`` (the city or one of its part)."""

    key: str = Field(description="the COOPERATES relationship's key")
    member: Actor
    partner: Actor
    evidence_count: int = 0


class FundingRow(View):
    """FUNDS relationships of one city into recipients of one label."""

    label: str
    relationships: int
    with_amount: int = Field(description="how many state an amount")
    amount_cny: float = Field(description="sum of the stated amounts, in yuan")


class PolicyMention(View):
    """A policy that names a broker: linked to it by ``relations``, or mentioned near it in a document."""

    key: str
    name: str
    relations: list[str] = Field(default_factory=list, description="relationship types linking the two")
    distance: int | None = Field(
        None, description="fewest characters between their mentions in one document; 0: the same sentence"
    )
    documents: int = Field(0, description="documents that mention both")


class Broker(View):
    """An actor of the city on many shortest paths of the compared cities' actor graph."""

    key: str
    label: str
    name: str
    betweenness: float = Field(description="normalised betweenness in the compared cities' actor graph")
    degree: int = Field(description="distinct neighbours in that graph")
    policies: list[PolicyMention] = Field(default_factory=list)


class CityProfile(View):
    """One city's column of the comparison."""

    city: CityRef
    actors: dict[str, int] = Field(
        description="members of the city's part per label: what it hosts, and the policies it or they fund"
    )
    actors_total: int
    cooperation_inside: int = Field(description="COOPERATES with both ends in the city or its part")
    cooperation_outside: int = Field(description="COOPERATES with one end in the city or its part")
    partners: list[Partner] = Field(
        default_factory=list, description=f"the outside ends of the first {LISTED}, best evidenced first"
    )
    funding: list[FundingRow] = Field(default_factory=list, description="by recipient label")
    funding_relationships: int = 0
    funding_amount_cny: float = 0.0
    brokers: list[Broker] = Field(default_factory=list)


class PairCooperation(View):
    """COOPERATES relationships with one end in each of two cities' parts (the city itself included)."""

    cities: tuple[str, str]
    count: int
    relationships: list[Cooperation] = Field(default_factory=list, description=f"the first {LISTED}")


class BrokerGraph(View):
    """The graph the brokers were ranked in."""

    nodes: int
    edges: int
    exact: bool = Field(description="false when betweenness was sampled (a very large part)")


class Comparison(View):
    """Cities side by side, in the order requested; ``pairs`` in the same order (1-2, 1-3, 2-3, ...)."""

    labels: list[str]
    cities: list[CityProfile]
    pairs: list[PairCooperation]
    broker_graph: BrokerGraph


# --- requests ------------------------------------------------------------------------------------------


def parse_cities(values: Iterable[str]) -> list[str]:
    """City references from query values: each may list several names separated by commas (, ，、;)."""
    refs: list[str] = []
    for value in values:
        for part in _SEPARATORS.split(value):
            ref = unicodedata.normalize("NFKC", part).strip()
            if not ref:
                raise BadInput(
                    f"an empty city name in {value!r}: list 2 to {MAX_CITIES} names separated by commas, "
                    "e.g. cities=徐州,扬州"
                )
            if len(ref) > MAX_NAME_LENGTH:
                raise BadInput(f"city name {ref[:20]!r}… is longer than {MAX_NAME_LENGTH} characters")
            refs.append(ref)
    if not MIN_CITIES <= len(refs) <= MAX_CITIES:
        raise BadInput(
            f"give {MIN_CITIES} to {MAX_CITIES} cities to compare, got {len(refs)}"
            f"{': ' + ', '.join(refs) if refs else ''} (e.g. cities=徐州,扬州)"
        )
    repeated = [ref for ref, n in Counter(refs).items() if n > 1]
    if repeated:
        raise BadInput(f"{', '.join(repeated)} is named more than once: give each city once")
    return refs


def resolve_cities(driver: Driver, *, database: str, refs: Sequence[str]) -> list[CityRef]:
    """The City each reference names; NotFound naming every unknown one, BadInput if two name one city."""
    records = run_read(driver, query("compare_cities"), database=database, refs=list(refs))
    cities: list[CityRef] = []
    unknown: list[str] = []
    for record in records:
        city = record["city"]
        if city is None:
            unknown.append(record["ref"])
            continue
        cities.append(
            CityRef(
                key=city["key"],
                name=city["name"],
                level=city.get("level"),
                aliases=list(city.get("aliases") or []),
                requested=record["ref"],
            )
        )
    if unknown:
        quoted = ", ".join(repr(u) for u in unknown)
        raise NotFound(
            f"No city called {quoted} — try a shorter name or pinyin (xuzhou for 徐州); the suggestions "
            "under the field list the cities in the graph."
        )
    by_key: dict[str, list[str]] = {}
    for city in cities:
        by_key.setdefault(city.key, []).append(city.requested)
    for key, named in by_key.items():
        if len(named) > 1:
            raise BadInput(f"{' and '.join(named)} are the same city ({key}): give each city once")
    return cities


def city_levels(driver: Driver, *, database: str, limit: int) -> dict[str, list[CityOption]]:
    """Each City ``level`` in the graph with its best-evidenced cities, at most ``limit`` each."""
    records = run_read(driver, query("compare_levels"), database=database, limit=limit)
    return {r["level"]: [CityOption.model_validate(c) for c in r["cities"]] for r in records}


def compared_levels(comparison: Comparison) -> list[str]:
    """The levels of the compared cities, in request order, each once (cities without one left out)."""
    return list(dict.fromkeys(p.city.level for p in comparison.cities if p.city.level))


# --- the comparison ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fact:
    """A stored relationship with both ends, as compare_relations returns it."""

    key: str
    type: str
    source: Actor
    target: Actor
    amount_cny: float | None
    evidence_count: int

    def touches(self, keys: set[str]) -> int:
        """How many of its two ends are among ``keys`` (0, 1 or 2)."""
        return (self.source.key in keys) + (self.target.key in keys)

    def partner_of(self, area: set[str]) -> Partner:
        """This relationship seen from ``area``, which holds exactly one of its ends."""
        inside, outside = (
            (self.source, self.target) if self.source.key in area else (self.target, self.source)
        )
        return Partner(key=self.key, member=inside, partner=outside, evidence_count=self.evidence_count)

    def cooperation(self) -> Cooperation:
        return Cooperation(
            key=self.key, source=self.source, target=self.target, evidence_count=self.evidence_count
        )


def compare_cities(
    driver: Driver,
    *,
    database: str,
    cities: Sequence[str],
    top: int = DEFAULT_TOP,
    policies: int = DEFAULT_POLICIES,
) -> Comparison:
    """The comparison of ``cities`` (references, as `parse_cities` gives them) by this module's rules."""
    if not 1 <= top <= MAX_TOP:
        raise BadInput(f"top must be between 1 and {MAX_TOP}, got {top}")
    if not 0 <= policies <= MAX_POLICIES:
        raise BadInput(f"policies must be between 0 and {MAX_POLICIES}, got {policies}")
    if not MIN_CITIES <= len(cities) <= MAX_CITIES:
        raise BadInput(f"give {MIN_CITIES} to {MAX_CITIES} cities to compare, got {len(cities)}")
    refs = resolve_cities(driver, database=database, refs=cities)
    parts = read_parts(driver, database=database, cities=[c.key for c in refs])
    keys = sorted({c.key for c in refs} | {m.key for members in parts.values() for m in members})
    facts = read_facts(driver, database=database, keys=keys)
    comparison = summarise(refs, parts, facts, top=top)
    logger.debug(
        "compared %s: %d relationships, broker graph %s",
        ", ".join(c.key for c in refs),
        len(facts),
        comparison.broker_graph,
    )
    if policies:
        brokers = sorted({b.key for profile in comparison.cities for b in profile.brokers})
        named = read_policies(driver, database=database, brokers=brokers, limit=policies)
        comparison = with_policies(comparison, named)
    return comparison


def read_parts(driver: Driver, *, database: str, cities: Sequence[str]) -> dict[str, list[Actor]]:
    """Each city key's part (its members, by key), by the rule of cypher/compare_parts.cypher."""
    records = run_read(
        driver, query("compare_parts"), database=database, cities=list(cities), sub_levels=list(SUB_LEVELS)
    )
    parts = {r["city"]: [Actor.model_validate(m) for m in r["members"]] for r in records}
    return {key: parts.get(key, []) for key in cities}


def read_facts(driver: Driver, *, database: str, keys: Sequence[str]) -> list[Fact]:
    """The core relationships with at least one end among ``keys``, each once."""
    records = run_read(
        driver,
        query("compare_relations"),
        database=database,
        keys=list(keys),
        types=[t.value for t in CORE_TYPES],
    )
    return [
        Fact(
            key=r["key"],
            type=r["type"],
            source=Actor.model_validate(r["source"]),
            target=Actor.model_validate(r["target"]),
            amount_cny=r["amount_cny"],
            evidence_count=int(r["evidence_count"]),
        )
        for r in records
    ]


def read_policies(
    driver: Driver, *, database: str, brokers: Sequence[str], limit: int
) -> dict[str, list[PolicyMention]]:
    """The policies naming each broker, best first, at most ``limit`` each (cypher/compare_policies)."""
    if not brokers or limit < 1:
        return {}
    records = run_read(
        driver,
        query("compare_policies"),
        database=database,
        brokers=list(brokers),
        types=[t.value for t in CORE_TYPES],
        limit=limit,
    )
    return {r["broker"]: [PolicyMention.model_validate(p) for p in r["policies"]] for r in records}


def with_policies(comparison: Comparison, named: dict[str, list[PolicyMention]]) -> Comparison:
    """``comparison`` with each broker's policies filled in from ``named`` (broker key → policies)."""
    profiles = [
        profile.model_copy(
            update={
                "brokers": [b.model_copy(update={"policies": named.get(b.key, [])}) for b in profile.brokers]
            }
        )
        for profile in comparison.cities
    ]
    return comparison.model_copy(update={"cities": profiles})


def summarise(
    cities: Sequence[CityRef], parts: dict[str, list[Actor]], facts: Sequence[Fact], *, top: int
) -> Comparison:
    """The comparison of ``cities`` from their parts and the relationships touching them (pure)."""
    labels = [label.value for label in CORE_LABELS]
    extra = sorted({m.label for members in parts.values() for m in members} - set(labels))
    labels += extra
    areas = {c.key: {c.key} | {m.key for m in parts[c.key]} for c in cities}
    scores, degree, graph = broker_scores(cities, parts, facts)
    compared = {c.key for c in cities}
    cooperations = [f for f in facts if f.type == RelType.COOPERATES.value]
    profiles = []
    for city in cities:
        members = parts[city.key]
        area = areas[city.key]
        counts = Counter(m.label for m in members)
        outside = [f for f in cooperations if f.touches(area) == 1]
        funding = funding_rows(area, facts)
        ranked = sorted(
            (m for m in members if m.key not in compared and scores.get(m.key, 0.0) > 0),
            key=lambda m: (-scores[m.key], m.key),
        )
        profiles.append(
            CityProfile(
                city=city,
                actors={label: counts.get(label, 0) for label in labels},
                actors_total=len(members),
                cooperation_inside=sum(1 for f in cooperations if f.touches(area) == 2),
                cooperation_outside=len(outside),
                partners=[
                    f.partner_of(area)
                    for f in sorted(outside, key=lambda f: (-f.evidence_count, f.key))[:LISTED]
                ],
                funding=funding,
                funding_relationships=sum(row.relationships for row in funding),
                funding_amount_cny=sum(row.amount_cny for row in funding),
                brokers=[
                    Broker(
                        key=m.key,
                        label=m.label,
                        name=m.name,
                        betweenness=scores[m.key],
                        degree=degree.get(m.key, 0),
                    )
                    for m in ranked[:top]
                ],
            )
        )
    pairs = []
    for a, b in itertools.combinations(cities, 2):
        across = [f for f in cooperations if _across(f, areas[a.key], areas[b.key])]
        pairs.append(
            PairCooperation(
                cities=(a.key, b.key),
                count=len(across),
                relationships=[f.cooperation() for f in across[:LISTED]],
            )
        )
    return Comparison(labels=labels, cities=profiles, pairs=pairs, broker_graph=graph)


def _across(fact: Fact, a: set[str], b: set[str]) -> bool:
    s, t = fact.source.key, fact.target.key
    return (s in a and t in b) or (s in b and t in a)


def funding_rows(area: set[str], facts: Iterable[Fact]) -> list[FundingRow]:
    """FUNDS relationships that start or end in ``area``, by recipient label (labels in sorted order)."""
    rows: dict[str, list[Any]] = {}
    for fact in facts:
        if fact.type != RelType.FUNDS.value or not fact.touches(area):
            continue
        row = rows.setdefault(fact.target.label, [0, 0, 0.0])
        row[0] += 1
        if fact.amount_cny is not None:
            row[1] += 1
            row[2] += float(fact.amount_cny)
    return [
        FundingRow(label=label, relationships=n, with_amount=k, amount_cny=total)
        for label, (n, k, total) in sorted(rows.items())
    ]


def broker_scores(
    cities: Sequence[CityRef], parts: dict[str, list[Actor]], facts: Iterable[Fact]
) -> tuple[dict[str, float], dict[str, int], BrokerGraph]:
    """Betweenness and degree of every node of the compared cities' actor graph: the cities, their parts,
    and ``facts`` (the relationships touching them) with their other ends (graph.analytics, undirected)."""
    nodes: dict[str, Actor] = {c.key: Actor(key=c.key, label=Label.CITY.value, name=c.name) for c in cities}
    for members in parts.values():
        nodes.update((m.key, m) for m in members)
    facts = list(facts)
    for fact in facts:
        nodes.setdefault(fact.source.key, fact.source)
        nodes.setdefault(fact.target.key, fact.target)
    g = analytics.build_graph(
        ((a.key, a.name, a.label) for a in nodes.values()),
        ((f.source.key, f.target.key, f.type, max(f.evidence_count, 1)) for f in facts),
    )
    u = analytics.undirected(g)
    pivots = analytics.betweenness_pivots(len(u), u.number_of_edges())
    scores = analytics.betweenness(g)
    info = BrokerGraph(nodes=len(u), edges=u.number_of_edges(), exact=pivots is None)
    return scores, analytics.degrees(g), info
