"""schema.org JSON-LD for public pages, as linked data (escaped for HTML by
archive/templatetags/opendata.py). docs/opendata.md draws the graph.

Every record is a node with a stable `@id`: its page's address in the archive's original
language (English) plus a fragment naming what it is (`#event`, `#series`, `#person`,
`#organization`, `#topic`, `#statement-<id>`). The same record has the same `@id` on every page
and in every language, so the graphs of all pages merge: a person named on an edition page is the
node their own page describes. `url` is the page in the reader's language.

Each block's context sets the page's language as the default `@language`; a text shown in
another language (an English original on a Chinese page) is a value object with its own
`@language`, as the HTML marks it with `lang`.

Only recorded facts are stated: properties the archive does not hold (such as
eventAttendanceMode) are left out rather than guessed. Drafts never appear: views give no block
for a draft record and leave draft rows out of lists.

Each builder uses only rows the view has already loaded (with its select/prefetch), so the markup
adds a fixed number of queries. Views put the result in the context; the `page_jsonld` tag
renders it.
"""

from django.urls import translate_url
from django.utils import translation
from django.utils.translation import get_language, gettext

from ..addresses import path_for
from ..models.languages import (
    Translation,
    edition_place_parts,
    has_latin_words,
    original_language,
    script_language,
    translation_of,
)
from .calendars import edition_location, session_location

CONTEXT = "https://schema.org"
SCHEDULED = "https://schema.org/EventScheduled"

#: Appearance roles that present something (speeches, addresses, panels) are `performer`s of
#: the event; a moderator is a `contributor`; a plain participant an `attendee`.
CONTRIBUTOR_ROLES = {"moderator"}
ATTENDEE_ROLES = {"participant"}


def language_tag(code):
    """A Django language code as a BCP 47 tag: "zh-hans" -> "zh-Hans"."""
    return translation.to_locale(code or original_language()).replace("_", "-")


def _page_language():
    return get_language() or original_language()


def _context():
    """schema.org, with the page's language as the default of every plain string."""
    return [
        CONTEXT,
        {
            "@language": language_tag(_page_language()),
            # An enumeration member (EventScheduled) is a thing, not a text in a language.
            "eventStatus": {"@id": "schema:eventStatus", "@type": "@id"},
        },
    ]


def _text(text):
    """A languages.Translation: a plain string in the page's language, else a value object
    with its own language."""
    if text.language == _page_language():
        return text.value
    return {"@value": text.value, "@language": language_tag(text.language)}


def _field(obj, field):
    return _text(translation_of(obj, field))


def _original(value):
    """Untranslated stored text (a person's name): marked English on a page in another language
    when written in Latin letters, as the `original_text` filter does in HTML."""
    language = original_language()
    if _page_language() == language or not has_latin_words(value):
        return value
    return {"@value": value, "@language": language_tag(language)}


def _lines(text):
    """A one-per-line translated field as a list of texts, each marked as `_text` does."""
    lines = [line.strip() for line in text.value.splitlines() if line.strip()]
    return [_text(Translation(line, text.fallback, text.language)) for line in lines]


def _native(value, country=""):
    """A native-script name with its script's language where it can be told."""
    language = script_language(value, country)
    return {"@value": value, "@language": language} if language else value


def _absolute(request, path):
    return request.build_absolute_uri(path)


def entity_id(request, record, fragment):
    """The record's `@id`: its page in the original language, plus `#fragment`."""
    with translation.override(original_language()):
        path = record.get_absolute_url()
    return f"{_absolute(request, path)}#{fragment}"


def is_public(record):
    """False for a draft a staff preview shows: an unpublished edition, or a record that
    for_viewer() flagged as not public."""
    if hasattr(record, "is_published"):
        return record.is_published
    return getattr(record, "is_public", True) is not False


# -- nodes --------------------------------------------------------------------------------------


def _organization(organization, request, name=None):
    """An organization (a record, with its page) by the name it had then, if given."""
    name = _original(name) if name else _field(organization, "name")
    return _record(request, organization, "Organization", "organization", name)


def _affiliation(appearance, request):
    label = appearance.organization_label
    if not label:
        return None
    if appearance.organization is None:
        return {"@type": "Organization", "name": _original(label)}  # no record: a blank node
    return _organization(appearance.organization, request, label)


def _place(edition, sub_forum=None):
    name = edition_location(edition) if sub_forum is None else session_location(sub_forum, edition)
    parts = edition_place_parts(edition)
    if sub_forum is not None and sub_forum.venue:
        parts.append(translation_of(sub_forum, "venue"))
    # Marked as its parts' language when all of them are in one (English names on a zh page).
    languages = {part.language for part in parts if part.value}
    language = languages.pop() if len(languages) == 1 else _page_language()
    return {
        "@type": "Place",
        "name": _text(Translation(name, False, language)),
        "address": {
            "@type": "PostalAddress",
            "addressLocality": _field(edition, "city"),
            "addressCountry": _field(edition, "country"),
        },
    }


def _record(request, record, kind, fragment, name):
    """A record with a page of its own: its type, @id (its page + #fragment), name and page."""
    return {
        "@type": kind,
        "@id": entity_id(request, record, fragment),
        "name": name,
        "url": _absolute(request, record.get_absolute_url()),
    }


def _series_ref(forum, request):
    return _record(request, forum, "EventSeries", "series", _field(forum, "name"))


def _person_ref(participant, request):
    return _record(request, participant, "Person", "person", _original(participant.name))


def _topic(topic, request):
    return _record(request, topic, "DefinedTerm", "topic", _field(topic, "name"))


def _about(topics, request, theme=None):
    """What an event is about: its theme (a Thing named by it) and its topics."""
    about = [{"@type": "Thing", "name": _text(theme)}] if theme and theme.value else []
    return about + [_topic(topic, request) for topic in topics]


def _person_then(appearance, request):
    """A person as an edition page names them: the post and organization given there."""
    person = _person_ref(appearance.participant, request)
    if appearance.position:
        person["jobTitle"] = _field(appearance, "position")
    affiliation = _affiliation(appearance, request)
    if affiliation:
        person["affiliation"] = affiliation
    return person


def role_property(role):
    """Which property links an event to someone in this appearance role."""
    if role in ATTENDEE_ROLES:
        return "attendee"
    if role in CONTRIBUTOR_ROLES:
        return "contributor"
    return "performer"


def _people(appearances, request):
    """{"performer": [...], "contributor": [...], "attendee": [...]}: each person once per
    property, in programme order."""
    people, seen = {}, set()
    for appearance in appearances:
        key = role_property(appearance.role)
        if (key, appearance.participant_id) in seen:
            continue
        seen.add((key, appearance.participant_id))
        people.setdefault(key, []).append(_person_then(appearance, request))
    return {key: people[key] for key in ("performer", "contributor", "attendee") if key in people}


def _source(source, request):
    """A source as a CreativeWork; its own web address is its `@id` when it has one."""
    work = {"@type": "CreativeWork", "name": _field(source, "title")}
    if source.url:
        work["@id"] = source.url
        work["url"] = source.url
    if source.publisher:
        work["publisher"] = {"@type": "Organization", "name": _original(source.publisher)}
    if source.published_on:
        work["datePublished"] = source.published_on.isoformat()
    return work


def _crumb_name(crumb):
    """A breadcrumb's words (archive.http.breadcrumbs.Crumb) as the visible trail says them."""
    if crumb.record is None:
        return crumb.label
    if crumb.shown == "title":
        return crumb.record.title
    if crumb.shown == "as written":
        return _original(getattr(crumb.record, crumb.field))
    return _field(crumb.record, crumb.field)


def _page(request, crumbs, page_type="WebPage"):
    """The page itself (its address in the reader's language, without ?page=), its language
    and its visible breadcrumbs (the view's `breadcrumbs`, after "Home")."""
    url = _absolute(request, request.path)
    items = [(gettext("Home"), _absolute(request, path_for("archive:home")))]
    items += [(_crumb_name(crumb), _absolute(request, crumb.path)) for crumb in crumbs]
    return {
        "@type": page_type,
        "@id": url,
        "url": url,
        "inLanguage": language_tag(_page_language()),
        "breadcrumb": {
            "@type": "BreadcrumbList",
            "itemListElement": [
                {
                    "@type": "ListItem",
                    "position": position,
                    "name": name,
                    "item": {"@type": "WebPage", "@id": item},
                }
                for position, (name, item) in enumerate(items, start=1)
            ],
        },
    }


# -- events -------------------------------------------------------------------------------------


def _edition_core(edition, request):
    data = {
        "@type": "Event",
        "@id": entity_id(request, edition, "event"),
        "name": edition.title,
        "url": _absolute(request, edition.get_absolute_url()),
        "startDate": edition.start_date.isoformat(),
        "endDate": edition.end_date.isoformat(),
        "eventStatus": SCHEDULED,
        "location": _place(edition),
    }
    return data


def _sub_forum_core(sub_forum, edition, request):
    return {
        "@type": "Event",
        "@id": entity_id(request, sub_forum, "event"),
        "name": _field(sub_forum, "title"),
        "url": _absolute(request, sub_forum.get_absolute_url()),
        "startDate": sub_forum.starts().isoformat(),
        "endDate": sub_forum.ends().isoformat(),
        "location": _place(edition, sub_forum),
    }


def edition_data(edition, appearances, sources, crumbs, request):
    """An edition page. `appearances`: the whole edition's (not one page's), each with its
    participant and organization loaded."""
    data = {"@context": _context(), **_edition_core(edition, request)}
    theme = translation_of(edition, "theme")
    summary = translation_of(edition, "summary")
    if summary.value or theme.value:
        data["description"] = _text(summary if summary.value else theme)
    organizers = [_organization(o, request, name) for o, name in edition.co_organizers_then()]
    if organizers:
        data["organizer"] = organizers
    data["superEvent"] = _series_ref(edition.forum, request)
    sub_events = [_sub_forum_core(s, edition, request) for s in edition.ordered_sub_forums]
    if sub_events:
        data["subEvent"] = sub_events
    about = _about(edition.topics.all(), request, theme)
    if about:
        data["about"] = about
    data.update(_people(appearances, request))
    if sources:
        data["subjectOf"] = [_source(source, request) for source in sources]
    data["mainEntityOfPage"] = _page(request, crumbs)
    return data


def sub_forum_data(sub_forum, appearances, sources, crumbs, request):
    """A session page. `appearances`: the whole session's, in speaking order."""
    edition = sub_forum.edition
    data = {
        "@context": _context(),
        **_sub_forum_core(sub_forum, edition, request),
        "eventStatus": SCHEDULED,
        "superEvent": _edition_core(edition, request),
    }
    if sub_forum.description:
        data["description"] = _field(sub_forum, "description")
    about = _about(sub_forum.topics.all(), request)
    if about:
        data["about"] = about
    data.update(_people(appearances, request))
    if sources:
        data["subjectOf"] = [_source(source, request) for source in sources]
    data["mainEntityOfPage"] = _page(request, crumbs)
    return data


# -- people and what they said ------------------------------------------------------------------


def _statement(statement, appearance, person_id, request):
    """A quote as a `Quotation` of the original words; a paraphrase as a `CreativeWork`
    described as one. A translation shown on this page is its own `CreativeWork`
    (`translationOfWork`), never typed as the quote."""
    event = (
        _sub_forum_core(appearance.sub_forum, appearance.edition, request)
        if appearance.sub_forum_id
        else _edition_core(appearance.edition, request)
    )
    original = statement.language  # the language the source gives the words in
    node = {
        # As the participant page's anchor for it (templates/includes/statement.html).
        "@id": entity_id(request, appearance.participant, f"statement-{statement.pk}"),
        "text": _text(translation_of(statement, "text", original)),
        "inLanguage": language_tag(original),
        "citation": _source(statement.source, request),
        "recordedAt": {key: event[key] for key in ("@type", "@id", "name", "url")},
    }
    if statement.kind == statement.Kind.QUOTE:
        node = {"@type": "Quotation", **node}
        node["spokenByCharacter"] = {"@id": person_id}
        node["creator"] = {"@id": person_id}
    else:
        node = {"@type": "CreativeWork", **node}
        node["description"] = gettext("Paraphrase")
        node["about"] = {"@id": person_id}
    if statement.source.url:
        node["isBasedOn"] = {"@id": statement.source.url}
    shown = statement.shown_text
    if shown.language != original and shown.value:
        node["workTranslation"] = {
            "@type": "CreativeWork",
            "@id": f"{node['@id']}-{shown.language}",
            "text": _text(shown),
            "inLanguage": language_tag(shown.language),
            "description": statement.get_shown_kind_display(),
            "translationOfWork": {"@id": node["@id"]},
        }
    return node


def participant_data(participant, appearances, crumbs, request):
    """A Person, with each post and organization as held at an appearance (latest first), the
    events they spoke at, contributed to or attended, and what they said there."""
    data = {"@context": _context(), **_person_ref(participant, request)}
    if participant.native_name:
        data["alternateName"] = _native(
            participant.native_name, getattr(participant, "country_en", "") or ""
        )
    if participant.bio:
        data["description"] = _field(participant, "bio")
    titles, affiliations, ids = [], [], set()
    events = {"performer": [], "contributor": [], "attendee": []}
    statements = []
    for appearance in appearances:
        if appearance.position:
            title = _field(appearance, "position")
            if title not in titles:
                titles.append(title)
        affiliation = _affiliation(appearance, request)
        if affiliation and affiliation not in affiliations:
            affiliations.append(affiliation)
        event = _edition_core(appearance.edition, request)
        key = role_property(appearance.role)
        if (key, event["@id"]) not in ids:
            ids.add((key, event["@id"]))
            events[key].append(event)
        statements += [
            _statement(statement, appearance, data["@id"], request)
            for statement in appearance.statements.all()
        ]
    if titles:
        data["jobTitle"] = titles
    if affiliations:
        data["affiliation"] = affiliations
    if events["performer"]:
        data["performerIn"] = events["performer"]
    # Events name contributors and attendees; schema.org has no inverse, so JSON-LD's @reverse.
    reverse = {key: events[key] for key in ("contributor", "attendee") if events[key]}
    quotes = [s for s in statements if s["@type"] == "Quotation"]
    paraphrases = [s for s in statements if s["@type"] != "Quotation"]
    if quotes:
        reverse["creator"] = quotes
    if paraphrases:
        reverse["about"] = paraphrases
    if reverse:
        data["@reverse"] = reverse
    data["mainEntityOfPage"] = _page(request, crumbs, "ProfilePage")
    return data


# -- series, organizations, topics ---------------------------------------------------------------


def _series(forum, editions, request):
    series = _series_ref(forum, request)
    names = _lines(translation_of(forum, "alternative_names"))
    if names:
        series["alternateName"] = names
    if forum.description:
        series["description"] = _field(forum, "description")
    organizers = [_organization(o, request) for o in forum.organizers.all()]
    if organizers:
        series["organizer"] = organizers
    events = [_edition_core(e, request) for e in editions if e.is_published]
    if events:
        series["subEvent"] = events
    return series


def series_data(forums, request):
    """The home page: each forum as an EventSeries with its visible editions as sub-events."""
    graph = [_series(f, f.visible_editions, request) for f in forums if is_public(f)]
    return {"@context": _context(), "@graph": graph}


def forum_data(forum, editions, crumbs, request):
    """A forum's page: the EventSeries, each published edition an Event in it."""
    data = {"@context": _context(), **_series(forum, editions, request)}
    data["mainEntityOfPage"] = _page(request, crumbs)
    return data


def organization_data(organization, editions, appearances, crumbs, request):
    """An organization's page: the Organization, with its other names, the editions it
    co-organized (`@reverse` organizer) and the people who appeared for it (`@reverse`
    affiliation). The series it organizes say so on their own pages."""
    data = {"@context": _context(), **_organization(organization, request)}
    names = []
    if organization.native_name:
        names.append(
            _native(organization.native_name, getattr(organization, "country_en", "") or "")
        )
    names += [_original(name) for name in organization.alternative_name_list]
    names += [_field(dated, "name") for dated in organization.names.all()]
    names = [name for i, name in enumerate(names) if name not in names[:i] and name != data["name"]]
    if names:
        data["alternateName"] = names
    if organization.description:
        data["description"] = _field(organization, "description")
    if organization.country:
        data["address"] = {
            "@type": "PostalAddress",
            "addressCountry": _field(organization, "country"),
        }
    organized = [_edition_core(edition, request) for edition in editions]
    reverse = {}
    if organized:
        reverse["organizer"] = organized
    people, seen = [], set()
    for appearance in appearances:
        if appearance.participant_id not in seen:
            seen.add(appearance.participant_id)
            people.append(_person_ref(appearance.participant, request))
    if people:
        reverse["affiliation"] = people
    if reverse:
        data["@reverse"] = reverse
    data["mainEntityOfPage"] = _page(request, crumbs)
    return data


def topic_data(topic, editions, sub_forums, crumbs, request):
    """A topic's page: a DefinedTerm, and the events about it (`@reverse` about)."""
    data = {"@context": _context(), **_topic(topic, request)}
    events = [_edition_core(edition, request) for edition in editions]
    events += [_sub_forum_core(s, s.edition, request) for s in sub_forums]
    if events:
        data["@reverse"] = {"about": events}
    data["mainEntityOfPage"] = _page(request, crumbs)
    return data


# -- lists and other pages -----------------------------------------------------------------------

_LIST_ITEMS = {
    "edition": lambda record, request: _edition_core(record, request),
    "participant": _person_ref,
    "organization": lambda record, request: _organization(record, request),
}
_LIST_NAMES = {
    "edition": lambda: gettext("Editions"),
    "participant": lambda: gettext("Participants"),
    "organization": lambda: gettext("Organizations"),
}


def list_data(kind, page, crumbs, request):
    """A list page (`kind` "edition", "participant" or "organization"): an ItemList of this page's
    records, numbered across pages, `numberOfItems` the whole (filtered) list's count."""
    make = _LIST_ITEMS[kind]
    items = [
        {"@type": "ListItem", "position": position, "item": make(record, request)}
        for position, record in enumerate(page.object_list, start=page.start_index())
        if is_public(record)  # a staff preview lists drafts: they stay out of the data
    ]
    name = _LIST_NAMES[kind]()
    # Like a record's: the list (with its filters and page) in the original language.
    address = translate_url(request.get_full_path(), original_language())
    data = {
        "@context": _context(),
        "@type": "ItemList",
        "@id": f"{_absolute(request, address)}#list",
        "name": name,
        "numberOfItems": page.paginator.count,
        "itemListElement": items,
        "mainEntityOfPage": _page(request, crumbs, "CollectionPage"),
    }
    return data


def page_data(request, name, crumbs, page_type="WebPage"):
    """A page that describes no record (search, open data): itself and its breadcrumbs."""
    return {"@context": _context(), "name": name, **_page(request, crumbs, page_type)}
