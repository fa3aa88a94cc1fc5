"""FilterSets for the API lists that have no HTML list of their own.

Editions, participants and organizations reuse the site's FilterSets from archive.filters; these
follow the same conventions (slugs, "forum-number" edition keys, visibility from the request).
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


class SubForumFilter(django_filters.FilterSet):
    edition = EditionKeyFilter(label=_("Edition (forum-number)"), queryset=visible_editions)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=SubForum.Kind.choices)
    topic = django_filters.ModelChoiceFilter(
        label=_("Topic (slug)"),
        field_name="topics",
        queryset=visible_topics,
        to_field_name="slug",
    )

    class Meta:
        model = SubForum
        fields = ["edition", "kind", "topic"]


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

    class Meta:
        model = Appearance
        fields = ["edition", "sub_forum", "participant", "organization", "role"]


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

    class Meta:
        model = Statement
        fields = ["edition", "participant", "kind", "source"]
