"""FilterSets for the API lists that have no HTML list of their own.

Editions, participants and organizations reuse the site's FilterSets from archive.filters; these
follow the same conventions (slugs, "forum-number" edition keys, visibility from the request).
Every filter docs/opendata.md names is here; a parameter that is none of a list's filters (or
its paging) is answered 400 by the viewsets (archive/api/views.py), never silently ignored.
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from ..filters import (
    EditionKeyFilter,
    visible_editions,
    visible_organizations,
    visible_participants,
    visible_sources,
    visible_topics,
)
from ..models import Appearance, Statement, SubForum


def _slug(label, field_name, queryset):
    return django_filters.ModelChoiceFilter(
        label=label, field_name=field_name, queryset=queryset, to_field_name="slug", distinct=True
    )


class SubForumFilter(django_filters.FilterSet):
    edition = EditionKeyFilter(label=_("Edition (forum-number)"), queryset=visible_editions)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=SubForum.Kind.choices)
    topic = _slug(_("Topic (slug)"), "topics", visible_topics)
    participant = _slug(
        _("Participant who appeared in it (slug)"), "appearances__participant", visible_participants
    )
    role = django_filters.ChoiceFilter(
        label=_("Someone appeared in it in this role"),
        field_name="appearances__role",
        choices=Appearance.Role.choices,
        distinct=True,
    )
    organization = _slug(
        _("Organization someone appeared for (slug)"),
        "appearances__organization",
        visible_organizations,
    )
    source = _slug(
        _("Source of a statement made in it (slug)"),
        "appearances__statements__source",
        visible_sources,
    )

    class Meta:
        model = SubForum
        fields = ["edition", "kind", "topic", "participant", "role", "organization", "source"]


class AppearanceFilter(django_filters.FilterSet):
    edition = EditionKeyFilter(label=_("Edition (forum-number)"), queryset=visible_editions)
    sub_forum = django_filters.CharFilter(
        label=_("Sub-forum (slug)"), field_name="sub_forum__slug", lookup_expr="exact"
    )
    participant = django_filters.ModelChoiceFilter(
        label=_("Participant (slug)"), queryset=visible_participants, to_field_name="slug"
    )
    organization = django_filters.ModelChoiceFilter(
        label=_("Organization (slug)"), queryset=visible_organizations, to_field_name="slug"
    )
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Appearance.Role.choices)
    kind = django_filters.ChoiceFilter(
        label=_("Kind of one of its statements"),
        field_name="statements__kind",
        choices=Statement.Kind.choices,
        distinct=True,
    )
    source = _slug(
        _("Source of one of its statements (slug)"), "statements__source", visible_sources
    )
    topic = _slug(_("Topic of its session (slug)"), "sub_forum__topics", visible_topics)

    class Meta:
        model = Appearance
        fields = [
            "edition",
            "sub_forum",
            "participant",
            "organization",
            "role",
            "kind",
            "source",
            "topic",
        ]


class StatementFilter(django_filters.FilterSet):
    edition = EditionKeyFilter(
        label=_("Edition (forum-number)"),
        field_name="appearance__edition",
        queryset=visible_editions,
    )
    participant = django_filters.ModelChoiceFilter(
        label=_("Participant (slug)"),
        field_name="appearance__participant",
        queryset=visible_participants,
        to_field_name="slug",
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Statement.Kind.choices)
    source = django_filters.ModelChoiceFilter(
        label=_("Source (slug)"), queryset=visible_sources, to_field_name="slug"
    )
    role = django_filters.ChoiceFilter(
        label=_("Role of the speaker"),
        field_name="appearance__role",
        choices=Appearance.Role.choices,
    )
    organization = _slug(
        _("Organization the speaker appeared for (slug)"),
        "appearance__organization",
        visible_organizations,
    )
    topic = _slug(_("Topic of the session (slug)"), "appearance__sub_forum__topics", visible_topics)

    class Meta:
        model = Statement
        fields = ["edition", "participant", "kind", "source", "role", "organization", "topic"]
