"""Pieces every archive model shares: the visibility rule, natural keys, translated columns and
'one name per line' lists.

Natural keys, in one place: each model declares `natural_key_fields` once, and `natural_key()`,
`get_by_natural_key()` and the fixture loader (archive/services/loading/keys.py) all read it.

The visibility rule, in one place: a draft edition and everything under it (sub-forums,
appearances, statements) is hidden from anyone who may not preview drafts (`can_preview`: staff).
A participant, organization, topic or source is public once a published edition (or something
under one) uses it. Each model's QuerySet has `visible_to(user)` built on this rule; views, the API,
feeds, calendars, sitemaps, downloads and cards all start from it. Participants and organizations
keep the rule's answer in an `is_public` column (their `public_rule()` is the rule itself), kept
true by archive/services/visibility.py.
"""

import functools
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from ..addresses import path_for

#: Pages that gather records across editions show at most this many rows (`bounded()`).
CROSS_EDITION_LIMIT = 100


def can_preview(user):
    """Whether `user` may see drafts: signed-in staff. The one staff-preview rule."""
    return bool(user is not None and user.is_authenticated and user.is_staff)


def language_columns(*fields):
    """Every language's column of translated fields: "theme" -> theme_en, theme_zh_hans, theme_ja.

    A record is found by any of its translations, whatever the visitor's language (a plain
    "theme" lookup would read the active language's column only).
    """
    columns = []
    for name in fields:
        *path, last = name.split("__")
        columns += [
            "__".join([*path, build_localized_fieldname(last, language)])
            for language in settings.MODELTRANSLATION_LANGUAGES
        ]
    return columns


def any_language(field, lookup, value):
    """A condition true when any language's column of `field` matches: `any_language("name",
    "iexact", "Nomura")`. Filters use it so that the same address finds the same records in
    every language."""
    condition = models.Q()
    for column in language_columns(field):
        condition |= models.Q(**{f"{column}__{lookup}": value})
    return condition


def original_column(name):
    """The original (English) column of a translated field: "name" -> "name_en".

    Lists sort by it in every language: a translated column may be empty (NULL), and NULLs sort
    last in no useful order, so the order would change with the visitor's language.
    """
    *path, last = name.split("__")
    return "__".join(
        [*path, build_localized_fieldname(last, settings.MODELTRANSLATION_DEFAULT_LANGUAGE)]
    )


class KeyPart(NamedTuple):
    """One part of a natural key: which model's field it is, and how the keyed model reaches it."""

    model: type  # the model whose own field this is: Forum for an edition's first part
    name: str  # that field's name: "slug"
    lookup: str  # the query path from the keyed model: "forum__slug"
    optional: bool  # reached through a foreign key that may be empty: the part is "" then


@functools.cache
def natural_key_parts(model):
    """The parts of `model`'s natural key, from its `natural_key_fields`.

    A plain field is one part (a translated one by its original column); a foreign key stands for
    the whole key of its target, in order; "fk__field" for just that field of the target's own
    (an appearance names its sub-forum by slug alone: the edition is already in its key).
    """
    parts = []
    for name in model.natural_key_fields:
        head, _, own = name.partition("__")
        field = model._meta.get_field(head)
        if not field.is_relation:
            try:
                lookup = model._meta.get_field(original_column(name)).name
            except FieldDoesNotExist:  # not translated
                lookup = name
            parts.append(KeyPart(model, name, lookup, False))
            continue
        target = field.related_model
        for part in natural_key_parts(target):
            if not own or (part.model, part.name) == (target, own):
                lookup = f"{head}__{part.lookup}"
                parts.append(KeyPart(part.model, part.name, lookup, part.optional or field.null))
    return tuple(parts)


def natural_key_of(record):
    """`record`'s natural key, read along its model's `natural_key_parts()`."""
    key = []
    for part in natural_key_parts(type(record)):
        value = record
        for step in part.lookup.split("__"):
            value = getattr(value, step)
            if value is None:
                break
        key.append("" if value is None and part.optional else value)
    return tuple(key)


class NaturalKeyQuerySet(models.QuerySet):
    def get_by_natural_key(self, *key):
        """The record whose natural key is `key` (Django's deserializers call this)."""
        parts = natural_key_parts(self.model)
        if len(key) != len(parts):
            raise TypeError(f"{self.model.__name__}'s natural key has {len(parts)} parts")
        return self.get(
            **{
                part.lookup: (value or None) if part.optional else value
                for part, value in zip(parts, key, strict=True)
            }
        )


class BoundedTextField(models.TextField):
    """A TextField whose `max_length` is a rule, not a hint: Django's TextField only passes it
    to the form's widget, so a 10 MB biography loaded and made a 26 MB page. Here model
    validation (the admin's forms and the loader's full_clean) refuses longer text."""

    def __init__(self, *args, max_length, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        self.validators.append(MaxLengthValidator(max_length))


#: Longest texts, in characters: generous for real records, bounded for pages and search.
TEXT_LIMITS = {"names": 2_000, "note": 5_000, "bio": 5_000, "description": 10_000, "text": 20_000}


class ChoiceLabels:
    """`get_<field>_display()` in one dictionary lookup.

    Django's own builds `dict(make_hashable(field.flatchoices))` on every call, and hashing the
    choices hashes each lazy label, which translates it: an appearance's role label cost ten
    gettext calls (one per role). Pages print a role per row and the history labels every
    version, so this is read thousands of times a page or a load. The labels stay lazy (each
    call gives the active language's), only the value-to-label dictionary is kept per field.
    """

    def _get_FIELD_display(self, field):
        labels = field.__dict__.get("_choice_labels")
        if labels is None:
            labels = field.__dict__["_choice_labels"] = dict(field.flatchoices)
        value = getattr(self, field.attname)
        try:
            label = labels.get(value, value)
        except TypeError:  # an unhashable value, as Django's make_hashable allows for
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)


class ArchiveQuerySet(NaturalKeyQuerySet):
    """What every archive QuerySet shares: the visibility rule, built from the model's own
    `public_condition()` (the condition for a record the public may see)."""

    def public_condition(self):
        raise NotImplementedError(f"{self.model.__name__} states no public condition")

    def public(self):
        """What anyone may see."""
        return self.filter(self.public_condition())

    def visible_to(self, user):
        """What `user` may see: everything for those who may preview drafts, else public()."""
        return self if can_preview(user) else self.public()

    def with_public_flag(self):
        """Each row with `is_public`, so a staff preview can mark what the public cannot see.
        A model that keeps the flag as a column (Participant, Organization) has it already."""
        if any(field.name == "is_public" for field in self.model._meta.concrete_fields):
            return self
        return self.annotate(
            is_public=models.ExpressionWrapper(self.public_condition(), models.BooleanField())
        )

    def grouped_counts(self, translated=(), **expressions):
        """Rows of the distinct combinations of `translated` fields (every language's column)
        and `expressions` (name -> field or expression), each with its `count`, in one grouped
        query: the counts shown beside a list's filter choices."""
        columns = language_columns(*translated)
        return (
            self.order_by()
            .annotate(
                **{
                    name: models.F(e) if isinstance(e, str) else e
                    for name, e in expressions.items()
                }
            )
            .values(*columns, *expressions)
            .annotate(count=models.Count("pk"))
        )

    def bounded(self, limit=None):
        """At most `limit` (default CROSS_EDITION_LIMIT) rows, and whether more exist, in one
        query."""
        limit = CROSS_EDITION_LIMIT if limit is None else limit
        rows = list(self[: limit + 1])
        return rows[:limit], len(rows) > limit


class SlugQuerySet(ArchiveQuerySet):
    def for_api(self):
        """The API lists records in the pages' order (`for_list()`)."""
        return self.for_list()


SlugManager = models.Manager.from_queryset(SlugQuerySet)


class SlugKeyed(models.Model):
    """A record whose natural key is its slug, unique across the archive."""

    slug = models.SlugField(
        max_length=120,
        unique=True,
        help_text=_("Lower-case words joined by hyphens; used in web addresses and fixtures."),
    )

    objects = SlugManager()
    natural_key_fields = ("slug",)

    class Meta:
        abstract = True

    def natural_key(self):
        return natural_key_of(self)


class PageAtSlug:
    """A record with a public page addressed by its slug, at the URL named `detail_url_name`."""

    detail_url_name = None

    def get_absolute_url(self):
        return path_for(self.detail_url_name, slug=self.slug)


def split_lines(text):
    """The non-blank lines of a 'one per line' text field."""
    return [line.strip() for line in text.splitlines() if line.strip()]
