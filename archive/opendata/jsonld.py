"""schema.org JSON-LD for public pages (escaped for HTML by archive/templatetags/opendata.py).

Edition pages describe an `Event` (its forum is the `superEvent`, an `EventSeries`; its sessions
are `subEvent`s); session pages an `Event` under the edition; participant pages a `Person` with
the posts and organizations they held at each appearance; the home page each forum as an
`EventSeries`. Only recorded facts are stated: properties the archive does not hold (such as
eventAttendanceMode) are left out rather than guessed.

Each builder uses only rows the view has already loaded (with its select/prefetch), so the markup
adds no queries. Views put the result in the context; the `page_jsonld` tag renders it.
"""

from django.urls import reverse
from django.utils.translation import get_language

from .calendars import edition_location, session_location

CONTEXT = "https://schema.org"
SCHEDULED = "https://schema.org/EventScheduled"


def _absolute(request, path):
    return request.build_absolute_uri(path)


def _organization(organization, request, name=None):
    return {
        "@type": "Organization",
        "name": name or organization.name,
        "url": _absolute(request, organization.get_absolute_url()),
    }


def _place(edition, sub_forum=None):
    name = edition_location(edition) if sub_forum is None else session_location(sub_forum, edition)
    place = {
        "@type": "Place",
        "name": name,
        "address": {
            "@type": "PostalAddress",
            "addressLocality": edition.city,
            "addressCountry": edition.country,
        },
    }
    return place


def _series(forum, request):
    return {
        "@type": "EventSeries",
        "name": forum.name,
        "url": _absolute(request, reverse("archive:home")),
    }


def _person(appearance, request):
    person = {
        "@type": "Person",
        "name": appearance.participant.name,
        "url": _absolute(request, appearance.participant.get_absolute_url()),
    }
    if appearance.position:
        person["jobTitle"] = appearance.position
    if appearance.organization_label:
        person["affiliation"] = {"@type": "Organization", "name": appearance.organization_label}
    return person


def _people(appearances, request):
    """Speakers and moderators perform; other participants attend. Each person once."""
    performers, attendees, seen = [], [], set()
    for appearance in appearances:
        if appearance.participant_id in seen:
            continue
        seen.add(appearance.participant_id)
        target = attendees if appearance.role == "participant" else performers
        target.append(_person(appearance, request))
    people = {}
    if performers:
        people["performer"] = performers
    if attendees:
        people["attendee"] = attendees
    return people


def _edition_core(edition, request):
    data = {
        "@type": "Event",
        "name": edition.title,
        "url": _absolute(request, edition.get_absolute_url()),
        "startDate": edition.start_date.isoformat(),
        "endDate": edition.end_date.isoformat(),
        "eventStatus": SCHEDULED,
        "location": _place(edition),
        "inLanguage": get_language() or "en",  # the language of the page it describes
    }
    if edition.theme:
        data["alternateName"] = edition.theme
    return data


def _topics(topics):
    return [{"@type": "Thing", "name": topic.name} for topic in topics]


def edition_data(edition, programme, request):
    """`programme`: the edition page's [{"sub_forum": ..., "appearances": [...]}, ...]."""
    data = {"@context": CONTEXT, **_edition_core(edition, request)}
    if edition.summary or edition.theme:
        data["description"] = edition.summary or edition.theme
    organizers = [_organization(o, request, name) for o, name in edition.co_organizers_then()]
    if organizers:
        data["organizer"] = organizers
    data["superEvent"] = _series(edition.forum, request)
    sub_events = [
        {
            "@type": "Event",
            "name": sub_forum.title,
            "url": _absolute(request, sub_forum.get_absolute_url()),
            "startDate": sub_forum.starts().isoformat(),
            "endDate": sub_forum.ends().isoformat(),
            "location": _place(edition, sub_forum),
        }
        for sub_forum in edition.ordered_sub_forums
    ]
    if sub_events:
        data["subEvent"] = sub_events
    topics = _topics(edition.topics.all())
    if topics:
        data["about"] = topics
    appearances = [a for group in programme for a in group["appearances"]]
    data.update(_people(appearances, request))
    return data


def sub_forum_data(sub_forum, appearances, request):
    edition = sub_forum.edition
    data = {
        "@context": CONTEXT,
        "@type": "Event",
        "name": sub_forum.title,
        "url": _absolute(request, sub_forum.get_absolute_url()),
        "startDate": sub_forum.starts().isoformat(),
        "endDate": sub_forum.ends().isoformat(),
        "eventStatus": SCHEDULED,
        "location": _place(edition, sub_forum),
        "superEvent": _edition_core(edition, request),
    }
    if sub_forum.description:
        data["description"] = sub_forum.description
    topics = _topics(sub_forum.topics.all())
    if topics:
        data["about"] = topics
    data.update(_people(appearances, request))
    return data


def participant_data(participant, appearances, request):
    """A Person, with each post and organization as held at an appearance (latest first)."""
    data = {
        "@context": CONTEXT,
        "@type": "Person",
        "name": participant.name,
        "url": _absolute(request, participant.get_absolute_url()),
    }
    if participant.native_name:
        data["alternateName"] = participant.native_name
    if participant.bio:
        data["description"] = participant.bio
    titles, affiliations, events = [], [], []
    for appearance in appearances:
        if appearance.position and appearance.position not in titles:
            titles.append(appearance.position)
        label = appearance.organization_label
        if label and label not in [a["name"] for a in affiliations]:
            affiliation = {"@type": "Organization", "name": label}
            if appearance.organization is not None:
                affiliation["url"] = _absolute(request, appearance.organization.get_absolute_url())
            affiliations.append(affiliation)
        event = _edition_core(appearance.edition, request)
        if event not in events:
            events.append(event)
    if titles:
        data["jobTitle"] = titles
    if affiliations:
        data["affiliation"] = affiliations
    if events:
        data["performerIn"] = events
    return data


def series_data(forums, request):
    """The home page: each forum as an EventSeries with its visible editions as sub-events."""
    graph = []
    for forum in forums:
        series = {**_series(forum, request)}
        if forum.description:
            series["description"] = forum.description
        alternative = forum.alternative_name_list
        if alternative:
            series["alternateName"] = alternative
        organizers = [_organization(o, request) for o in forum.organizers.all()]
        if organizers:
            series["organizer"] = organizers
        editions = [_edition_core(e, request) for e in forum.visible_editions if e.is_published]
        if editions:
            series["subEvent"] = editions
        graph.append(series)
    return {"@context": CONTEXT, "@graph": graph}
