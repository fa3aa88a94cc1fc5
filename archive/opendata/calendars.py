"""iCalendar (RFC 5545) files: one per edition, one per forum series, one for the whole archive.

Each edition is an all-day VEVENT: DTSTART;VALUE=DATE is the first day and DTEND the day after
the last (RFC 5545 makes DTEND exclusive). The UID ("edition-<forum-slug>-<number>@forumarchive")
never changes, so a calendar that subscribes to the address updates the event in place; DTSTAMP is
the edition's last change. Text (title, theme, place) is written as iCalendar TEXT values by the
`icalendar` library, which escapes commas, semicolons, backslashes and newlines; nothing is
interpreted as markup. Drafts are never included.

An edition's own calendar also holds a VEVENT for each of its sessions that has a recorded date
(UID "session-<edition key>-<slug>@forumarchive", RELATED-TO the edition): all-day on that date,
or from its start time (to its end time when recorded) as floating local time, the time at the
venue, since the archive records no time zone. Sessions without a date stay inside the edition's
event. The series and archive calendars list editions only.

A participant's calendar (/participants/<slug>/calendar.ics) holds the published editions they
appeared at and the dated sessions they appeared in; a topic's calendar the editions and dated
sessions that discussed it (an edition also when only one of its sessions did). Their events are
built by the same functions, so an event has the same UID and the same text in every calendar of
a language: subscribing to an edition's calendar and a speaker's shows one event, not two.

One UID per event and language, by design: the English calendar keeps the plain UIDs above, the
Chinese and Japanese ones add the language ("edition-<key>-ja@forumarchive"), so a person who
subscribes to two languages gets two events that never overwrite each other, and each UID always
carries the same text. Each calendar names itself (RFC 7986 NAME, and X-WR-CALNAME for older
clients) and asks to be refreshed every 12 hours (REFRESH-INTERVAL, X-PUBLISHED-TTL).
"""

import datetime

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event, vDuration

from ..http.lookups import visible_edition_or_404
from ..models import Edition, Forum, Participant, SubForum, Topic
from ..models.languages import edition_place, translation_of

UID_DOMAIN = "forumarchive"
CONTENT_TYPE = "text/calendar; charset=utf-8"


REFRESH = datetime.timedelta(hours=12)


def _uid(name):
    """A UID for `name` in the active language (English: no suffix, as before languages)."""
    language = get_language() or settings.LANGUAGE_CODE
    suffix = "" if language == settings.MODELTRANSLATION_DEFAULT_LANGUAGE else f"-{language}"
    return f"{name}{suffix}@{UID_DOMAIN}"


def edition_uid(edition):
    return _uid(f"edition-{edition.key}")


def edition_location(edition):
    """ "Venue, city, country" (venue only when recorded), in the active language's style."""
    return edition_place(edition)


def session_location(sub_forum, edition):
    """ "Room, venue, city, country": the session's room before its edition's place."""
    location = edition_location(edition)
    return f"{sub_forum.venue}, {location}" if sub_forum.venue else location


def _language_parameters(*texts):
    """{"LANGUAGE": "en"} when a text is shown in English for want of a translation."""
    for text in texts:
        if text.fallback:
            return {"LANGUAGE": text.language}
    return {}


def edition_event(edition, request):
    event = Event()
    event.add("uid", edition_uid(edition))
    event.add("dtstamp", edition.updated_at.astimezone(datetime.UTC))
    event.add("dtstart", edition.start_date)
    event.add("dtend", edition.end_date + datetime.timedelta(days=1))
    event.add(
        "summary",
        edition.title,
        parameters=_language_parameters(translation_of(edition.forum, "name")),
    )
    if edition.theme:
        theme = translation_of(edition, "theme")
        event.add("description", theme.value, parameters=_language_parameters(theme))
    event.add("location", edition_location(edition))
    event.add("url", request.build_absolute_uri(edition.get_absolute_url()))
    event.add("transp", "TRANSPARENT")
    return event


def session_event(sub_forum, edition, request):
    event = Event()
    event.add("uid", _uid(f"session-{edition.key}-{sub_forum.slug}"))
    event.add("dtstamp", edition.updated_at.astimezone(datetime.UTC))
    starts, ends = sub_forum.starts(), sub_forum.ends()
    event.add("dtstart", starts)
    if sub_forum.start_time is None:
        event.add("dtend", starts + datetime.timedelta(days=1))
    elif sub_forum.end_time is not None:
        event.add("dtend", ends)
    event.add(
        "summary",
        f"{sub_forum.title} · {edition.title}",
        parameters=_language_parameters(translation_of(sub_forum, "title")),
    )
    event.add("location", session_location(sub_forum, edition))
    event.add("url", request.build_absolute_uri(sub_forum.get_absolute_url()))
    event.add("related-to", edition_uid(edition), parameters={"RELTYPE": "PARENT"})
    event.add("transp", "TRANSPARENT")
    return event


def build_calendar(editions, request, name, sessions=()):
    calendar = Calendar()
    calendar.add("prodid", "-//Forum Archive//forumarchive//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    for edition in editions:
        calendar.add_component(edition_event(edition, request))
    for sub_forum in sessions:
        calendar.add_component(session_event(sub_forum, sub_forum.edition, request))
    return calendar


def _public_sessions():
    return (
        SubForum.objects.visible_to(None)
        .filter(date__isnull=False)
        .select_related("edition__forum")
        .order_by("date", "start_time", "order", "pk")
    )


def _response(calendar, filename):
    response = HttpResponse(calendar.to_ical(), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def calendar_links(request, path):
    """The download address of a calendar and its webcal:// subscribe address (this host)."""
    return {"path": path, "webcal": f"webcal://{request.get_host()}{path}"}


def _published():
    # Calendars are public files: anonymous visibility whoever asks, so a cached copy is safe.
    return Edition.objects.visible_to(None).select_related("forum").order_by("start_date", "number")


@require_safe
@cache_control(public=True, max_age=3600)
def edition_calendar(request, edition_key):
    edition = visible_edition_or_404(_published(), edition_key)
    sessions = edition.sub_forums.filter(date__isnull=False).order_by(
        "date", "start_time", "order", "pk"
    )
    for sub_forum in sessions:
        sub_forum.edition = edition  # the one already loaded: no query per session
    calendar = build_calendar([edition], request, edition.title, sessions)
    return _response(calendar, f"{edition.key}.ics")


@require_safe
@cache_control(public=True, max_age=3600)
def forum_calendar(request, slug):
    forum = get_object_or_404(Forum, slug=slug)
    editions = _published().filter(forum=forum)
    if not editions.exists():
        raise Http404(_("This forum has no published edition yet."))
    return _response(build_calendar(editions, request, forum.name), f"{forum.slug}.ics")


@require_safe
@cache_control(public=True, max_age=3600)
def archive_calendar(request):
    calendar = build_calendar(_published(), request, _("Forum Archive"))
    return _response(calendar, "forum-archive.ics")


@require_safe
@cache_control(public=True, max_age=3600)
def participant_calendar(request, slug):
    # Public records only, whoever asks: a participant seen only at drafts is a 404.
    participant = get_object_or_404(Participant.objects.visible_to(None), slug=slug)
    editions = _published().filter(appearances__participant=participant).distinct()
    sessions = _public_sessions().filter(appearances__participant=participant).distinct()
    calendar = build_calendar(editions, request, participant.name, sessions)
    return _response(calendar, f"{participant.slug}.ics")


@require_safe
@cache_control(public=True, max_age=3600)
def topic_calendar(request, slug):
    topic = get_object_or_404(Topic.objects.visible_to(None), slug=slug)
    editions = _published().filter(Q(topics=topic) | Q(sub_forums__topics=topic)).distinct()
    sessions = _public_sessions().filter(topics=topic).distinct()
    name = _("Topic: %(name)s") % {"name": topic.name}
    return _response(build_calendar(editions, request, name, sessions), f"{topic.slug}.ics")
