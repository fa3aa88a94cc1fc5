"""One FilterSet per public list, model-level so the JSON API can reuse them.

Invalid input (a bad year, an unknown slug) becomes a form error: `filterset.errors` is shown on
the page, the invalid parameter is ignored and the valid ones still apply (django-filter's
non-strict behaviour). Nothing here raises a 404 or a 500.
"""

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from . import queries
from .models import Appearance, Edition, Forum, Organization, Participant, SubForum, Topic

EDITION_KEY = re.compile(r"^(?P<forum>[-a-zA-Z0-9_]+)-(?P<number>[0-9]{1,5})$")


def _user(request):
    return getattr(request, "user", None)


def _visible_editions(request):
    return queries.visible_editions(_user(request)).select_related("forum")


class EditionKeyField(forms.ModelChoiceField):
    """An edition given as "<forum-slug>-<number>", e.g. "beijing-tokyo-forum-20"."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        match = EDITION_KEY.match(str(value).strip())
        if match is None:
            raise ValidationError(
                _("Give an edition as forum-number, e.g. example-forum-3."), code="invalid"
            )
        try:
            return self.queryset.get(forum__slug=match["forum"], number=int(match["number"]))
        except self.queryset.model.DoesNotExist:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class EditionKeyFilter(django_filters.ModelChoiceFilter):
    field_class = EditionKeyField


class WholeNumberFilter(django_filters.NumberFilter):
    """A bounded whole number: "2024.5" or "99999999" is a form error, not a crash."""

    field_class = forms.IntegerField

    def __init__(self, *args, min_value=1, max_value=9999, **kwargs):
        super().__init__(*args, min_value=min_value, max_value=max_value, **kwargs)


class EditionFilter(django_filters.FilterSet):
    forum = django_filters.ModelChoiceFilter(
        label=_("Forum"),
        queryset=Forum.objects.order_by("name_en"),
        to_field_name="slug",
        empty_label=_("All forums"),
    )
    year = WholeNumberFilter(label=_("Year"), field_name="start_date", lookup_expr="year")
    year_from = WholeNumberFilter(
        label=_("From year"), field_name="start_date", lookup_expr="year__gte"
    )
    year_to = WholeNumberFilter(
        label=_("To year"), field_name="start_date", lookup_expr="year__lte"
    )
    city = django_filters.CharFilter(label=_("City"), lookup_expr="iexact")
    country = django_filters.CharFilter(label=_("Country"), lookup_expr="iexact")
    topic = django_filters.ModelChoiceFilter(
        label=_("Topic"),
        queryset=Topic.objects.order_by("name_en"),
        to_field_name="slug",
        method="filter_topic",
        empty_label=_("All topics"),
    )
    ordering = django_filters.OrderingFilter(
        label=_("Order by"),
        fields=(("start_date", "date"), ("number", "number"), ("city", "city")),
        field_labels={"start_date": _("Date"), "number": _("Number"), "city": _("City")},
    )

    class Meta:
        model = Edition
        fields = ["forum", "year", "year_from", "year_to", "city", "country", "topic"]

    def filter_topic(self, queryset, name, topic):
        """Editions that discussed the topic as a whole or in one of their sub-forums.

        Exists() rather than a join, so an edition matching twice is still listed once.
        """
        return queryset.filter(
            Q(Exists(Edition.topics.through.objects.filter(edition=OuterRef("pk"), topic=topic)))
            | Q(Exists(SubForum.objects.filter(edition=OuterRef("pk"), topics=topic)))
        )


class ParticipantFilter(django_filters.FilterSet):
    """Participants by country, or by who they appeared for, where, and in what role.

    The organization, edition, forum/number and role conditions all apply to the *same*
    appearance, so "role=moderator&edition=x-3" means "moderated at edition 3".
    """

    country = django_filters.CharFilter(label=_("Country"), lookup_expr="iexact")
    organization = django_filters.ModelChoiceFilter(
        label=_("Organization (slug)"),
        queryset=Organization.objects.all(),
        to_field_name="slug",
        method="filter_appearance",
        widget=forms.TextInput,
    )
    edition = EditionKeyFilter(
        label=_("Edition (forum-number)"),
        queryset=_visible_editions,
        method="filter_appearance",
        widget=forms.TextInput,
    )
    forum = django_filters.ModelChoiceFilter(
        label=_("Forum"),
        queryset=Forum.objects.order_by("name_en"),
        to_field_name="slug",
        method="filter_appearance",
        empty_label=_("All forums"),
    )
    number = WholeNumberFilter(
        label=_("Edition number"), method="filter_appearance", max_value=32767
    )
    role = django_filters.ChoiceFilter(
        label=_("Role"),
        choices=Appearance.Role.choices,
        method="filter_appearance",
        empty_label=_("Any role"),
    )
    ordering = django_filters.OrderingFilter(
        label=_("Order by"),
        fields=(("name", "name"), ("country", "country")),
        field_labels={"name": _("Name"), "country": _("Country")},
    )

    class Meta:
        model = Participant
        fields = ["country", "organization", "edition", "forum", "number", "role"]

    _APPEARANCE_LOOKUPS = {
        "organization": "organization",
        "edition": "edition",
        "forum": "edition__forum",
        "number": "edition__number",
        "role": "role",
    }

    def filter_appearance(self, queryset, name, value):
        # Applied together in filter_queryset(); see the class docstring.
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        conditions = {
            lookup: self.form.cleaned_data[name]
            for name, lookup in self._APPEARANCE_LOOKUPS.items()
            if self.form.cleaned_data.get(name) not in (None, "")
        }
        if conditions:
            # An uncorrelated IN (...) rather than a correlated EXISTS: SQLite's planner then
            # starts from the matching appearances (an indexed edition or organization) instead
            # of probing appearances once per participant (7 s -> ms at 250,000 appearances).
            appearances = queries.visible_appearances(_user(self.request)).filter(**conditions)
            queryset = queryset.filter(pk__in=appearances.values("participant_id"))
        return queryset


class OrganizationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Organization.Kind.choices, empty_label=_("Any kind")
    )
    country = django_filters.CharFilter(label=_("Country"), lookup_expr="iexact")
    ordering = django_filters.OrderingFilter(
        label=_("Order by"),
        # The original (English) name: translated columns may be empty.
        fields=(("name_en", "name"), ("country", "country")),
        field_labels={"name_en": _("Name"), "country": _("Country")},
    )

    class Meta:
        model = Organization
        fields = ["kind", "country"]
