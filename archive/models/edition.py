"""One meeting of a forum, and the sessions it was divided into."""

from functools import lru_cache

from django.contrib.humanize.templatetags.humanize import ordinal
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..addresses import path_for
from .image_fields import CleanImageField
from .reference import Forum, Organization, Source, Topic


@lru_cache(maxsize=4096)
def _ordinal(number, language):
    """humanize's ordinal ("20th") of a number in a language: ten gettext calls, so remembered."""
    return ordinal(number)


class EditionQuerySet(models.QuerySet):
    def get_by_natural_key(self, forum_slug, number):
        return self.get(forum__slug=forum_slug, number=number)

    def published(self):
        return self.filter(status=Edition.Status.PUBLISHED)

    def visible_to(self, user):
        """Published editions, plus drafts for staff who preview them."""
        if user.is_authenticated and user.is_staff:
            return self
        return self.published()

    def for_list(self):
        return self.select_related("forum").order_by("-start_date", "-number")

    def for_detail(self):
        return self.select_related("forum").prefetch_related(
            "co_organizers", "sources", "topics", "sub_forums__topics"
        )


class Edition(models.Model):
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
    summary = models.TextField(_("summary"), blank=True)
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

    objects = models.Manager.from_queryset(EditionQuerySet)()

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
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "updated_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return path_for("archive:edition-detail", slug=self.forum.slug, number=self.number)

    def natural_key(self):
        return self.forum.natural_key() + (self.number,)

    natural_key.dependencies = ["archive.forum"]

    @property
    def title(self):
        return f"{_ordinal(self.number, get_language())} {self.forum.name}"

    @property
    def slug(self):
        return f"{self.forum.slug}-{self.number}"

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})


class SubForumQuerySet(models.QuerySet):
    def get_by_natural_key(self, forum_slug, number, slug):
        return self.get(edition__forum__slug=forum_slug, edition__number=number, slug=slug)

    def published(self):
        return self.filter(edition__status=Edition.Status.PUBLISHED)


class SubForum(models.Model):
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
    description = models.TextField(_("description"), blank=True)
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), related_name="sub_forums", blank=True
    )
    order = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Sessions are listed in this order.")
    )

    objects = models.Manager.from_queryset(SubForumQuerySet)()

    class Meta:
        ordering = ["edition", "order", "title"]
        verbose_name = _("sub-forum")
        verbose_name_plural = _("sub-forums")
        constraints = [
            models.UniqueConstraint(fields=["edition", "slug"], name="subforum_unique_slug"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        edition = self.edition
        return path_for(
            "archive:subforum-detail",
            slug=edition.forum.slug,
            number=edition.number,
            subforum=self.slug,
        )

    def natural_key(self):
        return self.edition.natural_key() + (self.slug,)

    natural_key.dependencies = ["archive.edition"]
