"""One FilterSet per public list, model-level so the JSON API can reuse them.

Invalid input (a bad year, an unknown slug) becomes a form error: `filterset.errors` is shown on
the page, the invalid parameter is ignored and the valid ones still apply (django-filter's
non-strict behaviour). Nothing here raises a 404 or a 500.
"""

from functools import reduce
from operator import or_

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from drf_spectacular.utils import extend_schema_field
from modeltranslation.translator import NotRegistered, translator

from .models import (
    Appearance,
    Edition,
    Forum,
    Organization,
    Participant,
    Source,
    SubForum,
    Topic,
)
from .models.base import language_columns, original_column
from .models.edition import EDITION_KEY_PATTERN, key_lookup
from .models.languages import translation_of


def user_of(request):
    return getattr(request, "user", None)


def visible_editions(request):
    return Edition.objects.visible_to(user_of(request)).select_related("forum")


def visible_forums(request):
    return Forum.objects.visible_to(user_of(request)).order_by(original_column("name"), "pk")


def visible_topics(request):
    return Topic.objects.visible_to(user_of(request)).order_by(original_column("name"), "pk")


def visible_sources(request):
    return Source.objects.visible_to(user_of(request))


def visible_participants(request):
    return Participant.objects.visible_to(user_of(request))


def visible_organizations(request):
    return Organization.objects.visible_to(user_of(request))


def _is_translated(model, name):
    try:
        return name in translator.get_options_for_model(model).all_fields
    except NotRegistered:
        return False


class LanguageMarkedSelect(forms.Select):
    """A select of records whose option shows the record's name in English, marked `lang="en"`,
    when the name has no translation in the page's language."""

    def __init__(self, *args, field="name", **kwargs):
        super().__init__(*args, **kwargs)
        self.translated_field = field

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            text = translation_of(instance, self.translated_field)
            if text.fallback:
                option["attrs"] = {**option["attrs"], "lang": text.language}
        return option


def ordering_labels(fields):
    """Explicit labels for an OrderingFilter, both directions translated: {param: (label,
    descending label)} -> django-filter's field_labels (its own "%s (descending)" has no
    Chinese or Japanese translation)."""
    labels = {}
    for field, param, label, descending in fields:
        labels[field] = label
        labels[f"-{param}"] = descending
    return labels


class AnyLanguageFilter(django_filters.CharFilter):
    """Text that matches a field's original or any of its translations (case-insensitive), so
    the same address finds the same records in every language: "?country=Japan" on /ja/ too,
    and "?city=京都" on /en/."""

    def filter(self, qs, value):
        if value in ([], (), {}, "", None):
            return qs
        if not _is_translated(qs.model, self.field_name):
            return super().filter(qs, value)
        columns = language_columns(self.field_name)
        return qs.filter(reduce(or_, (Q(**{f"{c}__iexact": value}) for c in columns)))


class StableOrderingFilter(django_filters.OrderingFilter):
    """An ordering that never leaves a list unordered: an empty choice ("?ordering=," or
    "?ordering=") keeps the list's own order, and every chosen order ends with the id, so pages
    of it never overlap or skip a row."""

    def filter(self, qs, value):
        chosen = [item for item in (value or []) if item and item.strip("-")]
        if not chosen:
            return qs
        return qs.order_by(*(self.get_ordering_value(item) for item in chosen), "pk")


class EditionKeyField(forms.ModelChoiceField):
    """An edition given as "<forum-slug>-<number>", e.g. "beijing-tokyo-forum-20"."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if key_lookup(str(value).strip()) is None:
            raise ValidationError(
                _("Give an edition as forum-number, e.g. example-forum-3."), code="invalid"
            )
        try:
            return self.queryset.get_by_key(str(value).strip())
        except self.queryset.model.DoesNotExist:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


@extend_schema_field(
    {"type": "string", "pattern": f"^{EDITION_KEY_PATTERN}$", "example": "beijing-tokyo-forum-20"}
)
class EditionKeyFilter(django_filters.ModelChoiceFilter):
    """An edition by its key (the OpenAPI document says so: a string, not a database id)."""

    field_class = EditionKeyField


class WholeNumberFilter(django_filters.NumberFilter):
    """A bounded whole number: "2024.5" or "99999999" is a form error, not a crash."""

    field_class = forms.IntegerField

    def __init__(self, *args, min_value=1, max_value=9999, **kwargs):
        super().__init__(*args, min_value=min_value, max_value=max_value, **kwargs)


class EditionFilter(django_filters.FilterSet):
    forum = django_filters.ModelChoiceFilter(
        label=_("Forum"),
        queryset=visible_forums,
        to_field_name="slug",
        empty_label=_("All forums"),
        widget=LanguageMarkedSelect,
    )
    year = WholeNumberFilter(label=_("Year"), field_name="start_date", lookup_expr="year")
    year_from = WholeNumberFilter(
        label=_("From year"), field_name="start_date", lookup_expr="year__gte"
    )
    year_to = WholeNumberFilter(
        label=_("To year"), field_name="start_date", lookup_expr="year__lte"
    )
    city = AnyLanguageFilter(label=_("City"), lookup_expr="iexact")
    country = AnyLanguageFilter(label=_("Country"), lookup_expr="iexact")
    topic = django_filters.ModelChoiceFilter(
        label=_("Topic"),
        queryset=visible_topics,
        to_field_name="slug",
        method="filter_topic",
        empty_label=_("All topics"),
        widget=LanguageMarkedSelect,
    )
    ordering = StableOrderingFilter(
        label=_("Order by"),
        # The original (English) column: the same order in every language.
        fields=(("start_date", "date"), ("number", "number"), (original_column("city"), "city")),
        field_labels=ordering_labels(
            [
                ("start_date", "date", _("Date"), _("Date (latest first)")),
                ("number", "number", _("Number"), _("Number (highest first)")),
                (original_column("city"), "city", _("City"), _("City (Z to A)")),
            ]
        ),
        empty_label=_("Default order"),
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

    country = AnyLanguageFilter(label=_("Country"), lookup_expr="iexact")
    organization = django_filters.ModelChoiceFilter(
        label=_("Organization (slug)"),
        queryset=visible_organizations,
        to_field_name="slug",
        method="filter_appearance",
        widget=forms.TextInput,
    )
    edition = EditionKeyFilter(
        label=_("Edition (forum-number)"),
        queryset=visible_editions,
        method="filter_appearance",
        widget=forms.TextInput,
    )
    forum = django_filters.ModelChoiceFilter(
        label=_("Forum"),
        queryset=visible_forums,
        to_field_name="slug",
        method="filter_appearance",
        empty_label=_("All forums"),
        widget=LanguageMarkedSelect,
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
    ordering = StableOrderingFilter(
        label=_("Order by"),
        fields=(("name", "name"), (original_column("country"), "country")),
        field_labels=ordering_labels(
            [
                (
                    "name",
                    "name",
                    pgettext_lazy("person", "Name"),
                    pgettext_lazy("person", "Name (Z to A)"),
                ),
                (original_column("country"), "country", _("Country"), _("Country (Z to A)")),
            ]
        ),
        empty_label=_("Default order"),
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
            appearances = Appearance.objects.visible_to(user_of(self.request)).filter(**conditions)
            queryset = queryset.filter(pk__in=appearances.values("participant_id"))
        return queryset


class OrganizationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Organization.Kind.choices, empty_label=_("Any kind")
    )
    country = AnyLanguageFilter(label=_("Country"), lookup_expr="iexact")
    ordering = StableOrderingFilter(
        label=_("Order by"),
        # The original (English) name: translated columns may be empty.
        fields=(("name_en", "name"), ("country", "country")),
        field_labels=ordering_labels(
            [
                ("name_en", "name", _("Name"), _("Name (Z to A)")),
                ("country", "country", _("Country"), _("Country (Z to A)")),
            ]
        ),
        empty_label=_("Default order"),
    )

    class Meta:
        model = Organization
        fields = ["kind", "country"]
