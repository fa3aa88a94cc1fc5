"""One FilterSet per public list, model-level so the JSON API can reuse them.

Invalid input (a bad year, an unknown slug) becomes a form error: `filterset.errors` is shown on
the page, next to its field, the invalid parameter is ignored and the valid ones still apply
(django-filter's non-strict behaviour). Nothing here raises a 404 or a 500.

What a visitor sees (docs/architecture.md, "Filters"): small sets are selects of names in the
page's language with a count beside each where one grouped query gives it (`ArchiveFilterSet.
facets`); organizations and editions are text boxes with a <datalist> of names that take a name,
part of one, or the API's key (`RecordByNameField`). Addresses keep the keys: the HTML list
redirects a name to its key (`ArchiveFilterSet.canonical_query`), and the API takes both.
"""

from dataclasses import dataclass
from functools import cached_property

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import ExtractYear
from django.forms.renderers import Jinja2
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import build_localized_fieldname

from .cache import cached_value, query_key
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
from .models.base import any_language, language_columns, original_column
from .models.edition import EDITION_KEY_PATTERN, key_lookup
from .models.languages import active_language, is_cjk, original_language, translation_of

#: A name box's <datalist> offers at most this many names; any other is still found when typed.
DATALIST_LIMIT = 500

#: An error naming the records a typed name matches lists at most this many.
CANDIDATES_SHOWN = 8


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


def with_count(label, count):
    """A choice's label with how many records it finds: "Japan (3)", "日本（3）"."""
    return gettext("%(label)s (%(count)s)") % {"label": label, "count": count}


def name_list(names):
    """Names joined as the page's language lists them: "A, B" or "A、B"."""
    return ("、" if is_cjk(active_language()) else ", ").join(names)


class LanguageMarkedSelect(forms.Select):
    """A select of records whose option shows the record's name in English, marked `lang="en"`,
    when the name has no translation in the page's language; with `facet`, each option also
    shows its count (`ArchiveFilterSet.facets`, keyed by the record's id or the choice's value)."""

    def __init__(self, *args, field="name", facet=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.translated_field = field
        self.facet = facet
        self.counts = None  # set by ArchiveFilterSet.form: a callable returning {key: count}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        instance = getattr(value, "instance", None)
        if self.counts is not None and value not in ("", None):
            key = instance.pk if instance is not None else str(value)
            label = with_count(label, self.counts().get(key, 0))
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if instance is not None:
            text = translation_of(instance, self.translated_field)
            if text.fallback:
                option["attrs"] = {**option["attrs"], "lang": text.language}
        return option


@dataclass(frozen=True)
class FacetOption:
    value: str  # what the address carries: the original (English) text, or a year
    label: str  # shown, in the page's language where there is a translation
    count: int
    language: str = ""  # the label's language when it is not the page's


class Facet:
    """The values a list's records have for one filter, with their counts, and every spelling
    that selects each (any language, any case): "日本" and "japan" choose "Japan"."""

    def __init__(self, options, aliases=None):
        self.options = options
        self.aliases = aliases or {}

    def match(self, raw):
        return self.aliases.get(str(raw).strip().casefold())

    def option(self, value):
        return next((option for option in self.options if option.value == value), None)


def text_facet(rows, field, translated=True):
    """A Facet of a text field from ArchiveQuerySet.grouped_counts() rows: one option per
    original value, labelled in the page's language (the original, marked, when none). An
    untranslated field comes as the column `facet_<field>`."""
    if translated:
        original = build_localized_fieldname(field, original_language())
        active = build_localized_fieldname(field, active_language())
        columns = language_columns(field)
    else:
        original = active = f"facet_{field}"
        columns = [original]
    values, counts, labels, aliases = {}, {}, {}, {}
    for row in rows:
        value = (row[original] or "").strip()
        if not value:
            continue
        key = value.casefold()
        values.setdefault(key, value)
        counts[key] = counts.get(key, 0) + row["count"]
        if row.get(active):
            labels.setdefault(key, row[active])
        for column in columns:
            if row[column]:
                aliases.setdefault(row[column].strip().casefold(), values[key])
    fallback = "" if active_language() == original_language() else original_language()
    options = []
    for key, value in values.items():
        label = labels.get(key) if translated else None
        language = "" if label else fallback
        options.append(FacetOption(value, label or value, counts[key], language))
    options.sort(key=lambda option: option.value.casefold())
    return Facet(options, aliases)


def plain_facet(rows, name, *, descending=False):
    """A Facet of an untranslated value (a year, a kind, a forum's id): {value: count}."""
    counts = {}
    for row in rows:
        if row[name] not in (None, ""):
            counts[row[name]] = counts.get(row[name], 0) + row["count"]
    options = [
        FacetOption(str(value), str(value), count)
        for value, count in sorted(counts.items(), reverse=descending)
    ]
    return Facet(options, {option.value.casefold(): option.value for option in options})


class FacetSelect(forms.Select):
    """A select of the values the list's records have (cities, countries, years), each with its
    count. A value from the address that none of them is still shows as chosen, with a count of
    0 ("?year_from=2021"), when `accepts` says it is a value the filter takes; any other is left
    to the field's error."""

    def __init__(self, attrs=None, *, facet, empty_label, accepts=None):
        super().__init__(attrs)
        self.facet_name = facet
        self.empty_label = empty_label
        self.accepts = accepts or (lambda raw: len(raw) <= 100)
        self.facet = None  # set by ArchiveFilterSet.form: a callable returning a Facet

    def get_context(self, name, value, attrs):
        facet = self.facet() if self.facet else Facet([])
        raw = "" if value is None else str(value).strip()
        chosen = facet.match(raw) if raw else ""
        choices = [("", self.empty_label)]
        choices += [
            (option.value, with_count(option.label, option.count)) for option in facet.options
        ]
        if chosen is None:
            chosen = raw if self.accepts(raw) else ""
            if chosen:
                choices.append((raw, with_count(raw, 0)))
        self.choices = choices
        self.languages = {option.value: option.language for option in facet.options}
        return super().get_context(name, chosen, attrs)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if self.languages.get(value):
            option["attrs"] = {**option["attrs"], "lang": self.languages[value]}
        return option


def is_year(raw):
    return raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 9999


class NameInput(forms.TextInput):
    """A text box for a record's name with a <datalist> of names: the browser's own accessible
    autocomplete, without script. Whatever is typed goes to the server, which resolves it
    (RecordByNameField); the list offers at most DATALIST_LIMIT names."""

    value_language = ""  # set by RecordByNameField.prepare_value

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        list_id = f"{attrs.get('id') or f'id_{name}'}_names"
        attrs.update(list=list_id, autocomplete="off", spellcheck="false")
        if self.value_language:  # the chosen record's name in English on a zh/ja page
            attrs["lang"] = self.value_language
        field = self.choices.field
        records = self.choices.queryset[:DATALIST_LIMIT]
        # The names shown depend on the records and the page's language only: kept until the
        # content changes (archive.cache.cached_value) instead of read on every list page.
        names = cached_value(
            "datalist",
            (*query_key(records), get_language()),
            lambda: [
                (field.label_from_instance(record), field.label_language(record))
                for record in records
            ],
        )
        options = format_html_join(
            "",
            '<option value="{}"{}></option>',
            (
                (label, format_html(' lang="{}"', language) if language else "")
                for label, language in names
            ),
        )
        return format_html(
            '{}<datalist id="{}">{}</datalist>',
            super().render(name, value, attrs, renderer),
            list_id,
            options,
        )


class RecordByNameField(forms.ModelChoiceField):
    """A record given by its key (as in the API and in links) or by its name as a visitor types
    it, in any language: the full name, or part of one that only one record has. More than one
    match is an error naming them; the box shows the chosen record's name, not its key."""

    widget = NameInput
    default_error_messages = {}  # "unknown" and "ambiguous", in each subclass's words

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", None)
        super().__init__(*args, **kwargs)

    def by_key(self, text):
        raise NotImplementedError

    def key_of(self, record):
        raise NotImplementedError

    def label_language(self, record):
        """The language of the record's label when it is not the page's ("" when it is)."""
        return ""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()[:200]
        record = self.by_key(text)
        if record is None:
            candidates = list(self.queryset.matching_name(text)[: CANDIDATES_SHOWN + 1])
            if not candidates:
                raise ValidationError(
                    self.error_messages["unknown"], code="invalid_choice", params={"value": text}
                )
            if len(candidates) > 1:
                names = [self.label_from_instance(c) for c in candidates[:CANDIDATES_SHOWN]]
                if len(candidates) > CANDIDATES_SHOWN:
                    names.append("…")
                raise ValidationError(
                    self.error_messages["ambiguous"],
                    code="ambiguous",
                    params={"value": text, "names": name_list(names)},
                )
            record = candidates[0]
        self.__dict__.setdefault("resolved", {})[str(value)] = record
        return record

    def prepare_value(self, value):
        """The name of the record in the box: of the one chosen, or of the one the address's
        key or name resolved to; what was typed when it resolved to none."""
        record = value if isinstance(value, self.queryset.model) else None
        record = record or self.__dict__.get("resolved", {}).get(str(value))
        if record is None:
            return value
        self.widget.value_language = self.label_language(record)
        return self.label_from_instance(record)


class OrganizationNameField(RecordByNameField):
    default_error_messages = {
        "unknown": _("No organization is named “%(value)s” or has it in its name."),
        "ambiguous": _(
            "“%(value)s” matches several organizations: %(names)s. Type more of the name or "
            "choose one from the list."
        ),
    }

    def by_key(self, text):
        return self.queryset.filter(slug=text).first()

    def key_of(self, record):
        return record.slug

    def label_from_instance(self, record):
        return translation_of(record, "name").value

    def label_language(self, record):
        text = translation_of(record, "name")
        return text.language if text.fallback else ""


class EditionNameField(RecordByNameField):
    default_error_messages = {
        "unknown": _(
            "No edition matches “%(value)s”. Type its number (e.g. 20) or its title, or choose "
            "one from the list."
        ),
        "ambiguous": _(
            "“%(value)s” matches several editions: %(names)s. Choose one from the list."
        ),
    }

    def by_key(self, text):
        lookup = key_lookup(text)
        return None if lookup is None else self.queryset.filter(**lookup).first()

    def key_of(self, record):
        return record.key

    def label_from_instance(self, record):
        return record.title


@extend_schema_field(
    {
        "type": "string",
        "description": "An edition's key (forum-number), or its number or title as typed",
        "example": "beijing-tokyo-forum-20",
    }
)
class EditionNameFilter(django_filters.ModelChoiceFilter):
    """An edition by its key, or by its number or title (EditionNameField)."""

    field_class = EditionNameField


@extend_schema_field(
    {
        "type": "string",
        "description": "An organization's slug, or its name or part of it as typed",
        "example": "nomura-research-institute",
    }
)
class OrganizationNameFilter(django_filters.ModelChoiceFilter):
    """An organization by its slug, or by its name or part of it (OrganizationNameField)."""

    field_class = OrganizationNameField


class WholeNumberField(forms.IntegerField):
    """A whole number whose error quotes what was typed."""

    default_error_messages = {"invalid": _("“%(value)s” is not a whole number.")}

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code != "invalid":
                raise
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": str(value)[:20]}
            ) from None


class WholeNumberInput(forms.NumberInput):
    """A number box that shows a value that is not a whole number as text: `<input type=number
    value="abc">` is invalid HTML and would show an empty box."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        shown = context["widget"]["value"]
        if shown not in (None, "") and not str(shown).lstrip("-").isdigit():
            context["widget"]["type"] = "text"
            context["widget"]["attrs"] = {
                k: v for k, v in context["widget"]["attrs"].items() if k not in ("min", "max")
            }
            context["widget"]["attrs"]["inputmode"] = "numeric"
        return context


@dataclass(frozen=True)
class ActiveFilter:
    name: str
    label: str
    value: str
    language: str = ""  # of `value`, when it is not the page's


def _facet_key(value):
    """A plain facet's value as a select's option knows it: a record's id, or a choice."""
    return int(value) if value.isdigit() else value


#: Django's own Jinja2 renderer of its form widgets: the same HTML as the Django-template
#: renderer, several times faster for a select of many options (docs/performance.md).
FILTER_FORM_RENDERER = Jinja2()


class ArchiveFilterSet(django_filters.FilterSet):
    """A FilterSet whose selects show counts from one grouped query (`facet_fields`), whose
    name boxes resolve to keys (`canonical_query`) and which lists the filters in use
    (`active_filters`) for the page's removable chips."""

    #: facet name -> a translated field's name (str) or ("plain", expression)
    facet_fields = {}

    @property
    def form(self):
        form = super().form
        if not getattr(form, "facets_bound", False):
            form.facets_bound = True
            form.renderer = FILTER_FORM_RENDERER
            for field in form.fields.values():
                widget = field.widget
                if isinstance(widget, FacetSelect):
                    widget.facet = lambda name=widget.facet_name: self.facets[name]
                elif isinstance(widget, LanguageMarkedSelect) and widget.facet:
                    widget.counts = lambda name=widget.facet: {
                        _facet_key(option.value): option.count
                        for option in self.facets[name].options
                    }
        return form

    @cached_property
    def facets(self):
        """Each facet of `facet_fields` over the list's records, from one grouped query."""
        model = self.queryset.model
        translated = [f for f in self.facet_fields.values() if isinstance(f, str)]
        translated = [f for f in translated if _is_translated(model, f)]
        # Aliased: an annotation may not take a field's name ("forum").
        plain = {
            f"facet_{name}": spec if isinstance(spec, str) else spec[1]
            for name, spec in self.facet_fields.items()
            if spec not in translated
        }
        # Kept until the content changes, as list counts are (archive.cache.cached_value).
        grouped = self.queryset.grouped_counts(translated=translated, **plain)
        rows = cached_value("facets", query_key(grouped), lambda: list(grouped))
        facets = {}
        for name, spec in self.facet_fields.items():
            if isinstance(spec, str):
                facets[name] = text_facet(rows, spec, translated=spec in translated)
            else:
                facets[name] = plain_facet(rows, f"facet_{name}", descending=name == "year")
        return facets

    def canonical_query(self):
        """The query string with every record typed by name replaced by its key, or None when
        the address already uses keys: links to a filtered list stay stable."""
        if not self.is_bound:
            return None
        self.form.is_valid()
        data = self.data.copy()
        changed = False
        for name, field in self.form.fields.items():
            record = self.form.cleaned_data.get(name)
            is_named = isinstance(field, RecordByNameField) and record is not None
            if is_named and data.get(name) != field.key_of(record):
                data[name] = field.key_of(record)
                changed = True
        return data.urlencode() if changed else None

    def active_filters(self):
        """The filters in use (not the order), in the form's order, with their values as the
        page shows them; an invalid value is shown as it was typed."""
        if not self.is_bound:
            return []
        self.form.is_valid()
        active = []
        for bound in self.form:
            raw = str(self.data.get(bound.name, "")).strip()
            if bound.name == "ordering" or not raw:
                continue
            value, language = self._shown_value(bound, raw)
            active.append(ActiveFilter(bound.name, str(bound.label), value, language))
        return active

    def _shown_value(self, bound, raw):
        field = bound.field
        if bound.name not in self.form.cleaned_data:
            return raw[:60], ""
        value = self.form.cleaned_data[bound.name]
        if isinstance(field, RecordByNameField):
            return field.label_from_instance(value), field.label_language(value)
        if isinstance(field, forms.ModelChoiceField):
            text = translation_of(value, getattr(field.widget, "translated_field", "name"))
            return text.value, text.language if text.fallback else ""
        if isinstance(field, forms.ChoiceField):
            return str(dict(field.choices).get(value, value)), ""
        widget = field.widget
        if isinstance(widget, FacetSelect):
            facet = self.facets[widget.facet_name]
            option = facet.option(facet.match(raw))
            if option is not None:
                return option.label, option.language
        return raw[:60], ""


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
        return qs.filter(any_language(self.field_name, "iexact", value))


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

    field_class = WholeNumberField

    def __init__(self, *args, min_value=1, max_value=9999, **kwargs):
        super().__init__(*args, min_value=min_value, max_value=max_value, **kwargs)


def year_select():
    return FacetSelect(facet="year", empty_label=_("Any year"), accepts=is_year)


def country_select():
    return FacetSelect(facet="country", empty_label=_("All countries"))


class EditionFilter(ArchiveFilterSet):
    facet_fields = {
        "forum": ("plain", "forum_id"),
        "year": ("plain", ExtractYear("start_date")),
        "city": "city",
        "country": "country",
    }

    forum = django_filters.ModelChoiceFilter(
        label=_("Forum"),
        queryset=visible_forums,
        to_field_name="slug",
        empty_label=_("All forums"),
        widget=LanguageMarkedSelect(facet="forum"),
    )
    year = WholeNumberFilter(
        label=_("Year"), field_name="start_date", lookup_expr="year", widget=year_select()
    )
    year_from = WholeNumberFilter(
        label=_("From year"),
        field_name="start_date",
        lookup_expr="year__gte",
        widget=year_select(),
    )
    year_to = WholeNumberFilter(
        label=_("To year"), field_name="start_date", lookup_expr="year__lte", widget=year_select()
    )
    city = AnyLanguageFilter(
        label=_("City"),
        lookup_expr="iexact",
        widget=FacetSelect(facet="city", empty_label=_("All cities")),
    )
    country = AnyLanguageFilter(label=_("Country"), lookup_expr="iexact", widget=country_select())
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


class ParticipantFilter(ArchiveFilterSet):
    """Participants by country, or by who they appeared for, where, and in what role.

    The organization, edition, forum/number and role conditions all apply to the *same*
    appearance, so "role=moderator&edition=x-3" means "moderated at edition 3".
    """

    facet_fields = {"country": "country"}

    country = AnyLanguageFilter(label=_("Country"), lookup_expr="iexact", widget=country_select())
    organization = OrganizationNameFilter(
        label=_("Organization they appeared for"),
        help_text=_("Type a name or part of one, or choose from the list."),
        queryset=lambda request: visible_organizations(request).for_list(),
        method="filter_appearance",
    )
    edition = EditionNameFilter(
        label=_("Edition"),
        help_text=_("Type its number (e.g. 20) or its title, or choose from the list."),
        queryset=lambda request: visible_editions(request).for_list(),
        method="filter_appearance",
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
        label=_("Edition number"),
        method="filter_appearance",
        max_value=32767,
        widget=WholeNumberInput,
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


class OrganizationFilter(ArchiveFilterSet):
    facet_fields = {"kind": ("plain", "kind"), "country": "country"}

    kind = django_filters.ChoiceFilter(
        label=_("Kind"),
        choices=Organization.Kind.choices,
        empty_label=_("Any kind"),
        widget=LanguageMarkedSelect(facet="kind"),
    )
    country = AnyLanguageFilter(label=_("Country"), lookup_expr="iexact", widget=country_select())
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
