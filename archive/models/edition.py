"""One meeting of a forum, and the sessions (sub-forums) it was divided into."""

import re
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..addresses import path_for
from .base import (
    TEXT_LIMITS,
    ArchiveQuerySet,
    BoundedTextField,
    ChoiceLabels,
    any_language,
    natural_key_of,
    original_column,
)
from .image_fields import CleanImageField
from .reference import Forum, Organization, Source, Topic

#: An edition's key: "<forum-slug>-<number>", e.g. "beijing-tokyo-forum-20". The regex of
#: archive.http.converters.EditionKeyConverter and of every filter that takes an edition.
EDITION_KEY_PATTERN = r"[-a-zA-Z0-9_]+-[0-9]{1,5}"
EDITION_KEY = re.compile(r"^(?P<forum>[-a-zA-Z0-9_]+)-(?P<number>[0-9]{1,5})$")

#: The home page's timeline shows each forum's latest editions, at most this many.
HOME_TIMELINE_LIMIT = 20


def english_ordinal(number):
    """20 -> "20th", 21 -> "21st", 112 -> "112th"."""
    if number % 100 in (11, 12, 13):
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


#: How each language names an edition: "20th Beijing-Tokyo Forum", "第20届…", "第20回…".
TITLE_PATTERNS = {
    "en": lambda number, forum: f"{english_ordinal(number)} {forum}",
    "zh-hans": lambda number, forum: f"第{number}届{forum}",
    "ja": lambda number, forum: f"第{number}回{forum}",
}


def edition_title(number, forum_name, language=None):
    """An edition's title in a language (the active one by default), written once for every
    output: pages, feeds, calendars, JSON-LD, cards, the API and citations."""
    pattern = TITLE_PATTERNS.get(language or get_language() or "en", TITLE_PATTERNS["en"])
    return pattern(number, forum_name)


#: An edition number as editors type it: "20", "20th", "No. 20", "第20", "第20回", "第二十" is not.
EDITION_NUMBER = re.compile(
    r"^(?:no\.?\s*|#|第)?(\d{1,4})(?:st|nd|rd|th|\.|回|届|次)?$", re.IGNORECASE
)


def split_edition_number(term):
    """(number, the rest of the search term) from a search such as "20th Tokyo" or "第20回",
    or (None, term) when no word of it is an edition number."""
    words = term.split()
    for index, word in enumerate(words):
        match = EDITION_NUMBER.match(word)
        if match:
            return int(match.group(1)), " ".join(words[:index] + words[index + 1 :])
    return None, term


#: A Chinese or Japanese edition title as TITLE_PATTERNS writes it: "第20届…", "第20回…".
CJK_EDITION_TITLE = re.compile(r"^第\s*(\d{1,4})\s*[届回次]\s*(.*)$")


def edition_name_parts(text):
    """(number, the forum's name or part of it) from an edition as a visitor types it: "20",
    "20th Beijing-Tokyo Forum", "第20届北京－东京论坛", "第20回"; (None, text) without a number."""
    match = CJK_EDITION_TITLE.match(text.strip())
    if match:
        return int(match[1]), match[2].strip()
    return split_edition_number(text.strip())


def make_key(forum_slug, number):
    """An edition's key, "<forum-slug>-<number>": the one place it is built (Edition.key)."""
    return f"{forum_slug}-{number}"


def key_lookup(key, prefix=""):
    """Filter arguments selecting the edition whose key (Edition.key) is `key`, or None when
    `key` is not an edition key. `prefix` reaches it from another model ("edition__")."""
    match = EDITION_KEY.match(str(key))
    if match is None:
        return None
    return {f"{prefix}forum__slug": match["forum"], f"{prefix}number": int(match["number"])}


class EditionQuerySet(ArchiveQuerySet):
    def get_by_key(self, key):
        """The edition whose key (Edition.key) is `key`; DoesNotExist for any other string."""
        lookup = key_lookup(key)
        if lookup is None:
            raise self.model.DoesNotExist(f"Not an edition key: {key!r}")
        return self.get(**lookup)

    def public_condition(self):
        return Q(status=Edition.Status.PUBLISHED)

    def matching_name(self, text):
        """Editions as a visitor names them (edition_name_parts): by number ("20"), by number
        and forum ("20th Beijing-Tokyo Forum", "第20届…", in any language), or by the forum's
        name alone (every edition of it). Latest first."""
        number, forum = edition_name_parts(text)
        editions = self if number is None else self.filter(number=number)
        if forum:
            editions = editions.filter(
                any_language("forum__name", "icontains", forum) | Q(forum__slug__iexact=forum)
            )
        elif number is None:
            return self.none()
        return editions.for_list()

    def published(self):
        return self.public()

    def for_list(self):
        """Lists of editions (pages, API, feed, calendars): latest first, with their forum."""
        return self.select_related("forum").order_by("-start_date", "-number")

    def _with_related(self, sub_forums):
        return self.select_related("forum").prefetch_related(
            # their names at this edition's time: Edition.co_organizers_then()
            Prefetch("co_organizers", queryset=Organization.objects.prefetch_related("names")),
            "sources",
            "topics",
            Prefetch("sub_forums", queryset=sub_forums, to_attr="ordered_sub_forums"),
        )

    def for_detail(self):
        """An edition page: organizers, sources, topics and its sessions in programme order
        (`ordered_sub_forums`), each with its topics."""
        return self._with_related(SubForum.objects.prefetch_related("topics").in_programme_order())

    def for_api(self):
        """The API's edition records: as `for_detail()` (sessions without their topics, which
        the API links to), latest first as in `for_list()`."""
        return self._with_related(SubForum.objects.in_programme_order()).order_by(
            "-start_date", "-number"
        )

    def neighbours(self, edition):
        """The previous and next editions of the same forum in this queryset, by number."""
        siblings = self.filter(forum_id=edition.forum_id).select_related("forum")
        previous = siblings.filter(number__lt=edition.number).order_by("-number").first()
        following = siblings.filter(number__gt=edition.number).order_by("number").first()
        return previous, following


class Edition(ChoiceLabels, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    forum = models.ForeignKey(
        Forum, verbose_name=_("forum"), on_delete=models.PROTECT, related_name="editions"
    )
    number = models.PositiveSmallIntegerField(
        _("number"), help_text=_("Its ordinal in the series: 20 for the 20th forum.")
    )
    theme = models.CharField(
        _("theme"), max_length=300, blank=True, help_text=_("Quoted exactly from a source.")
    )
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=100)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    summary = BoundedTextField(_("summary"), blank=True, max_length=TEXT_LIMITS["description"])
    co_organizers = models.ManyToManyField(
        Organization,
        verbose_name=_("co-organizers"),
        related_name="co_organized_editions",
        blank=True,
    )
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), related_name="editions", blank=True
    )
    topics = models.ManyToManyField(
        Topic,
        verbose_name=_("areas discussed"),
        related_name="editions",
        blank=True,
        help_text=_("The areas the edition as a whole discussed; sessions carry their own."),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text=_("Drafts, and everything under them, are hidden from the public."),
    )
    cover = CleanImageField(
        _("cover image"),
        upload_to="covers/",
        blank=True,
        help_text=_(
            "JPEG, PNG or WebP, at most 10 MB and 40 megapixels. Camera and location data are "
            "removed."
        ),
    )
    # Not auto_now: that leaves the column empty when fixtures load in raw mode.
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now, editable=False)
    published_at = models.DateTimeField(_("first published"), null=True, blank=True, editable=False)

    objects = models.Manager.from_queryset(EditionQuerySet)()
    natural_key_fields = ("forum", "number")

    class Meta:
        ordering = ["forum__name", "-number"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        constraints = [
            models.UniqueConstraint(fields=["forum", "number"], name="edition_unique_number"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="edition_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="edition_number_positive"
            ),
        ]
        indexes = [models.Index(fields=["status", "start_date"])]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.updated_at = timezone.now()
        self.note_publication(self.updated_at)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "updated_at", "published_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return path_for("archive:edition-detail", edition_key=self.key)

    def natural_key(self):
        return natural_key_of(self)

    natural_key.dependencies = ["archive.forum"]

    def note_publication(self, now):
        """Record when the edition first became public (the feed's `published`); the time
        never moves after that, unpublished and republished or not. True if it was set now."""
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            # Whole seconds: fixtures (export_edition) keep milliseconds only, and a reloaded
            # export must give the same value.
            self.published_at = now.replace(microsecond=0)
            return True
        return False

    @property
    def title(self):
        return edition_title(self.number, self.forum.name)

    def programme_days(self):
        """The sessions by day, as a programme prints them: [(date, [session, ...]), ...], days in
        order, each day's sessions by start time (untimed after timed) then programme order;
        sessions without a recorded date last, under None. Reads `ordered_sub_forums`
        (for_detail()), so it costs no query."""
        days = {}
        for session in self.ordered_sub_forums:
            days.setdefault(session.date, []).append(session)
        ordered = sorted(days.items(), key=lambda item: (item[0] is None, item[0] or date.min))
        return [
            (
                day,
                sorted(
                    sessions,
                    key=lambda s: (s.start_time is None, s.start_time or time.min),
                ),
            )
            for day, sessions in ordered
        ]

    def co_organizers_then(self):
        """[(organization, the name it went by at this edition), ...] (Organization.name_on)."""
        return [(o, o.name_on(self.start_date)) for o in self.co_organizers.all()]

    @property
    def key(self):
        """ "<forum-slug>-<number>": the edition in URLs, the API, filters and file names."""
        return make_key(self.forum.slug, self.number)

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})


class SubForumQuerySet(ArchiveQuerySet):
    def get_by_key(self, edition_key, slug):
        """The session `slug` of the edition whose key is `edition_key`; DoesNotExist if none."""
        lookup = key_lookup(edition_key, prefix="edition__")
        if lookup is None:
            raise self.model.DoesNotExist(f"Not an edition key: {edition_key!r}")
        return self.get(slug=slug, **lookup)

    def public_condition(self):
        return Q(edition__status=Edition.Status.PUBLISHED)

    def published(self):
        return self.public()

    def in_programme_order(self):
        """An edition's sessions as its programme lists them (title in the original language:
        the same order in every language)."""
        return self.order_by("order", original_column("title"), "pk")

    def for_list(self):
        """Sessions across editions (API, topic pages, sitemap): latest edition first, each
        edition's sessions in programme order."""
        return self.select_related("edition__forum").order_by(
            "-edition__start_date", "-edition__number", "order", original_column("title"), "pk"
        )

    def for_detail(self):
        return self.select_related("edition__forum").prefetch_related("topics", "edition__sources")

    def for_api(self):
        return self.for_list().prefetch_related("topics")


class SubForum(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        PLENARY = "plenary", _("Plenary session")
        SUB_FORUM = "sub-forum", _("Sub-forum")
        PANEL = "panel", _("Panel")
        OTHER = "other", _("Other session")

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="sub_forums"
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        help_text=_("Unique within its edition; used in web addresses and fixtures."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SUB_FORUM)
    description = BoundedTextField(
        _("description"), blank=True, max_length=TEXT_LIMITS["description"]
    )
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), related_name="sub_forums", blank=True
    )
    order = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Sessions are listed in this order.")
    )
    # When and where, only as far as a source says: a session with no date took place at some
    # point of its edition's dates.
    date = models.DateField(
        _("date"), null=True, blank=True, help_text=_("The day of the session, if known.")
    )
    start_time = models.TimeField(
        _("start time"),
        null=True,
        blank=True,
        help_text=_("Local time at the venue, if known; needs the date."),
    )
    end_time = models.TimeField(
        _("end time"), null=True, blank=True, help_text=_("Local time; needs the start time.")
    )
    venue = models.CharField(
        _("venue or room"),
        max_length=200,
        blank=True,
        help_text=_("Where the session took place, if other than the edition's venue."),
    )

    objects = models.Manager.from_queryset(SubForumQuerySet)()
    natural_key_fields = ("edition", "slug")

    class Meta:
        ordering = ["edition", "order", "title"]
        verbose_name = _("sub-forum")
        verbose_name_plural = _("sub-forums")
        constraints = [
            models.UniqueConstraint(fields=["edition", "slug"], name="subforum_unique_slug"),
            models.CheckConstraint(
                condition=models.Q(start_time__isnull=True) | models.Q(date__isnull=False),
                name="subforum_time_needs_date",
                violation_error_message=_("A start time needs the session's date."),
            ),
            models.CheckConstraint(
                condition=models.Q(end_time__isnull=True)
                | models.Q(start_time__isnull=False, end_time__gt=models.F("start_time")),
                name="subforum_end_after_start",
                violation_error_message=_("The end time must be after the start time."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        edition = self.edition
        return path_for("archive:sub-forum-detail", edition_key=edition.key, sub_forum=self.slug)

    def natural_key(self):
        return natural_key_of(self)

    natural_key.dependencies = ["archive.edition"]

    def clean(self):
        errors = {}
        if self.start_time is not None and self.date is None:
            errors["start_time"] = _("A start time needs the session's date.")
        if self.end_time is not None and (
            self.start_time is None or self.end_time <= self.start_time
        ):
            errors["end_time"] = _("The end time must be after the start time.")
        edition = self.edition if self.edition_id else None
        if (
            self.date is not None
            and edition is not None
            and edition.start_date
            and not edition.start_date <= self.date <= (edition.end_date or edition.start_date)
        ):
            errors["date"] = _(
                "The date must fall within the edition's dates (%(start)s to %(end)s)."
            ) % {"start": edition.start_date, "end": edition.end_date}
        if errors:
            raise ValidationError(errors)

    def starts(self):
        """When the session began, as precisely as recorded: a naive local datetime (date and
        start time), its date, or, when it has no date, its edition's first day."""
        if self.date is None:
            return self.edition.start_date
        if self.start_time is None:
            return self.date
        return datetime.combine(self.date, self.start_time)

    def ends(self):
        """When it ended, as precisely as recorded (see starts()); a session with a date and no
        end time ends on that date."""
        if self.date is None:
            return self.edition.end_date
        if self.end_time is None:
            return self.date
        return datetime.combine(self.date, self.end_time)
