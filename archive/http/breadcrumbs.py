"""Where a page sits in the site: its breadcrumbs, built once per page type here and shown twice,
as the visible trail (`templates/base.html`, `{% crumb %}`) and as the JSON-LD BreadcrumbList
(`archive/opendata/jsonld.py`). Views put `breadcrumbs` in the context; "Home" comes first on
every page and is not listed.
"""

from dataclasses import dataclass

from django.utils.translation import gettext

from ..addresses import path_for


@dataclass(frozen=True)
class Crumb:
    """One step of the trail: `path`, and what it says.

    `label` is a UI word in the page's language; otherwise `record`'s `field` is shown as
    `shown` says: "translated" (the field in the page's language, else the original),
    "title" (an edition's title in the language's pattern) or "as written" (a person's name).
    """

    path: str
    label: str = ""
    record: object = None
    field: str = ""
    shown: str = "translated"


def _list(kind, label):
    return Crumb(path_for(f"archive:{kind}-list"), label)


def editions():
    return [_list("edition", gettext("Editions"))]


def participants():
    return [_list("participant", gettext("Participants"))]


def organizations():
    return [_list("organization", gettext("Organizations"))]


def forum(forum):
    return editions() + [Crumb(forum.get_absolute_url(), record=forum, field="name")]


def edition(edition):
    title = Crumb(edition.get_absolute_url(), record=edition, field="title", shown="title")
    return forum(edition.forum) + [title]


def sub_forum(sub_forum, edition_):
    return edition(edition_) + [
        Crumb(sub_forum.get_absolute_url(), record=sub_forum, field="title")
    ]


def participant(participant):
    name = Crumb(
        participant.get_absolute_url(), record=participant, field="name", shown="as written"
    )
    return participants() + [name]


def organization(organization):
    return organizations() + [
        Crumb(organization.get_absolute_url(), record=organization, field="name")
    ]


def topic(topic):
    return editions() + [Crumb(topic.get_absolute_url(), record=topic, field="name")]


def page(label, path):
    """A page that is no record's (search, open data): itself."""
    return [Crumb(path, label)]
