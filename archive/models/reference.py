"""Records that editions share: the series itself, organizations, topics and sources."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils.translation import gettext_lazy as _

from .base import (
    TEXT_LIMITS,
    BoundedTextField,
    ChoiceLabels,
    NaturalKeyQuerySet,
    PageAtSlug,
    SlugKeyed,
    SlugQuerySet,
    any_language,
    can_preview,
    natural_key_of,
    original_column,
    split_lines,
)


def _published_editions():
    from .edition import Edition

    return Edition.objects.published()


class OrganizationQuerySet(SlugQuerySet):
    def public_condition(self):
        """The rule as kept in `is_public` (archive.services.visibility): a column."""
        return Q(is_public=True)

    def public_rule(self):
        """The rule itself: an organizer of a public forum, a co-organizer of a published
        edition, or the organization of an appearance at one: a record reached only through
        drafts stays hidden. Only archive.services.visibility reads it."""
        from .people import Appearance

        return (
            Exists(Appearance.objects.published().filter(organization=OuterRef("pk")))
            | Exists(_published_editions().filter(co_organizers=OuterRef("pk")))
            | Exists(Forum.objects.public().filter(organizers=OuterRef("pk")))
        )

    def for_list(self):
        return self.order_by(original_column("name"), "pk")

    def matching_name(self, text):
        """Organizations named `text` in any language (case aside); when none is, those whose
        name, native-script name or former names contain it. A visitor's "Nomura" finds the
        Nomura Research Institute."""
        exact = self.filter(any_language("name", "iexact", text) | Q(native_name__iexact=text))
        if exact.exists():
            return exact.for_list()
        return self.filter(
            any_language("name", "icontains", text)
            | Q(native_name__icontains=text)
            | Q(alternative_names__icontains=text)
        ).for_list()


class ForumQuerySet(SlugQuerySet):
    def public_condition(self):
        """A forum with a published edition (one whose editions are all drafts stays hidden)."""
        return Exists(_published_editions().filter(forum=OuterRef("pk")))

    def for_list(self):
        return self.prefetch_related("organizers").order_by(original_column("name"), "pk")

    def with_edition_count(self, user):
        """Each forum that `user` may see with `edition_count`, its editions `user` may see, and
        for those who preview drafts `is_public`."""
        from .edition import Edition

        counted = Q() if can_preview(user) else Q(editions__status=Edition.Status.PUBLISHED)
        forums = self.visible_to(user)
        forums = forums.with_public_flag() if can_preview(user) else forums
        return forums.annotate(edition_count=Count("editions", filter=counted))

    def for_detail(self, user):
        """A forum's page: its organizers and its count of editions `user` may see."""
        return self.with_edition_count(user).prefetch_related("organizers")

    def for_home(self, user, latest=None):
        """Every forum with its organizers, its count of editions `user` may see and the latest
        `latest` (default HOME_TIMELINE_LIMIT) of them, newest first."""
        from .edition import HOME_TIMELINE_LIMIT, Edition

        latest = HOME_TIMELINE_LIMIT if latest is None else latest
        return (
            self.with_edition_count(user)
            .prefetch_related(
                "organizers",
                Prefetch(
                    "editions",
                    queryset=Edition.objects.visible_to(user)
                    .select_related("forum")
                    .order_by("-number")[:latest],
                    to_attr="latest_editions",
                ),
            )
            .order_by(original_column("name"), "pk")
        )


class TopicQuerySet(SlugQuerySet):
    def public_condition(self):
        """Discussed by a published edition or session (a topic only drafts use would leak
        unpublished work)."""
        from .edition import SubForum

        return Exists(_published_editions().filter(topics=OuterRef("pk"))) | Exists(
            SubForum.objects.published().filter(topics=OuterRef("pk"))
        )

    def for_list(self):
        return self.order_by(original_column("name"), "pk")


class SourceQuerySet(SlugQuerySet):
    def public_condition(self):
        """Cited by a published edition or by a statement at one."""
        from .people import Statement

        return Exists(_published_editions().filter(sources=OuterRef("pk"))) | Exists(
            Statement.objects.published().filter(source=OuterRef("pk"))
        )

    def for_list(self):
        return self.order_by(original_column("title"), "pk")


class Organization(ChoiceLabels, PageAtSlug, SlugKeyed):
    detail_url_name = "archive:organization-detail"

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        MEDIA = "media", _("Media")
        ACADEMIA = "academia", _("Academia")
        BUSINESS = "business", _("Business")
        NON_PROFIT = "non-profit", _("Non-profit")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    native_name = models.CharField(
        _("native-script name"),
        max_length=200,
        blank=True,
        help_text=_("The name in its own script, only where a source gives it."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    country = models.CharField(_("country"), max_length=100, blank=True)
    description = BoundedTextField(
        _("description"), blank=True, max_length=TEXT_LIMITS["description"]
    )
    alternative_names = BoundedTextField(
        _("former and alternative names"),
        max_length=TEXT_LIMITS["names"],
        blank=True,
        help_text=_(
            "One per line, undated. Search finds the organization by any of them. A name used "
            "for a known time goes under “Dated names”, so that past editions show it."
        ),
    )

    # Derived, never edited or exported: whether the rule of
    # OrganizationQuerySet.public_rule() holds, kept by archive.services.visibility.
    is_public = models.BooleanField(default=False, editable=False, serialize=False)

    objects = models.Manager.from_queryset(OrganizationQuerySet)()

    class Meta:
        # The original (English) column: a translated column may be empty, and NULLs sort last
        # in no useful order.
        ordering = ["name_en"]
        # The public list's order (for_list) and the sitemap's.
        indexes = [
            models.Index(fields=["is_public", "name_en", "id"], name="organization_public_name"),
            models.Index(fields=["is_public", "slug"], name="organization_public_slug"),
        ]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self):
        return self.name

    @property
    def alternative_name_list(self):
        return split_lines(self.alternative_names)

    def name_on(self, day):
        """The name the organization went by on `day`: the dated name whose period covers it
        (the latest-starting one if several do), else today's name. The one rule for "the name
        then" on past appearances and organizer lists; reads `names` (prefetched on pages)."""
        if day is not None:
            covering = [entry for entry in self.names.all() if entry.covers(day)]
            if covering:
                return max(covering, key=lambda entry: entry.valid_from or date.min).name
        return self.name


class OrganizationNameQuerySet(NaturalKeyQuerySet):
    pass


class OrganizationName(models.Model):
    """A name an organization went by for a known time: a former name, or the name it had at
    some editions. Pages derive the name at the time of each past edition from these."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE, related_name="names"
    )
    name = models.CharField(_("name"), max_length=200)
    valid_from = models.DateField(
        _("used from"),
        null=True,
        blank=True,
        help_text=_("The first day it was used; empty if it was used from the start."),
    )
    valid_until = models.DateField(
        _("used until"),
        null=True,
        blank=True,
        help_text=_("The last day it was used; empty if it is still used alongside today's."),
    )

    objects = models.Manager.from_queryset(OrganizationNameQuerySet)()
    natural_key_fields = ("organization", "name")

    class Meta:
        ordering = ["organization", "valid_from"]
        verbose_name = _("dated name")
        verbose_name_plural = _("dated names")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="organizationname_unique",
                violation_error_message=_("This organization already has this dated name."),
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=False) | Q(valid_until__isnull=False),
                name="organizationname_has_a_date",
                violation_error_message=_(
                    "Give at least one of the dates; an undated name goes under “former and "
                    "alternative names”."
                ),
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="organizationname_period_in_order",
                violation_error_message=_("“Used until” cannot be before “used from”."),
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return natural_key_of(self)

    natural_key.dependencies = ["archive.organization"]

    def clean(self):
        if self.valid_from is None and self.valid_until is None:
            raise ValidationError(
                {
                    "valid_from": _(
                        "Give at least one of the dates; an undated name goes under “former "
                        "and alternative names”."
                    )
                }
            )
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("“Used until” cannot be before “used from”.")})

    def covers(self, day):
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class Forum(PageAtSlug, SlugKeyed):
    """A series of meetings, such as the Beijing-Tokyo Forum."""

    detail_url_name = "archive:forum-detail"

    name = models.CharField(_("name"), max_length=200, unique=True)
    alternative_names = BoundedTextField(
        _("alternative names"),
        max_length=TEXT_LIMITS["names"],
        blank=True,
        help_text=_("One per line, e.g. the name the other host country uses. Search finds them."),
    )
    description = BoundedTextField(
        _("description"), blank=True, max_length=TEXT_LIMITS["description"]
    )
    organizers = models.ManyToManyField(
        Organization, verbose_name=_("organizers"), related_name="forums", blank=True
    )

    objects = models.Manager.from_queryset(ForumQuerySet)()

    class Meta:
        # The original (English) column: a translated column may be empty, and NULLs sort last
        # in no useful order.
        ordering = ["name_en"]
        verbose_name = _("forum")
        verbose_name_plural = _("forums")

    def __str__(self):
        return self.name

    @property
    def alternative_name_list(self):
        return split_lines(self.alternative_names)


class Topic(PageAtSlug, SlugKeyed):
    detail_url_name = "archive:topic-detail"

    name = models.CharField(_("name"), max_length=100, unique=True)

    objects = models.Manager.from_queryset(TopicQuerySet)()

    class Meta:
        # The original (English) column: a translated column may be empty, and NULLs sort last
        # in no useful order.
        ordering = ["name_en"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name


class WebAddressField(models.URLField):
    """A URLField for http(s) addresses only: Django's own also takes ftp:// and ftps://."""

    default_validators = [
        URLValidator(
            schemes=["http", "https"],
            message=_("Enter a web address starting with http:// or https://."),
            code="http_only",  # not "invalid": a form would show its own "Enter a valid URL."
        )
    ]


class Source(SlugKeyed):
    """A document that records come from; every statement cites one."""

    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    url = WebAddressField(
        _("web address"),
        max_length=500,
        blank=True,
        help_text=_("Only http(s) addresses; leave empty when the source gives none."),
    )
    published_on = models.DateField(_("publication date"), null=True, blank=True)
    note = BoundedTextField(
        _("note"),
        max_length=TEXT_LIMITS["note"],
        blank=True,
        help_text=_("What editors inferred rather than read here, and why."),
    )

    objects = models.Manager.from_queryset(SourceQuerySet)()

    class Meta:
        ordering = ["title_en"]  # see Organization.Meta.ordering
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return self.title
