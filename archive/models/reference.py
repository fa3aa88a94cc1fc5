"""Records that editions share: the series itself, organizations, topics and sources."""

from django.core.validators import URLValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .base import PageAtSlug, SlugKeyed, SlugQuerySet, can_preview, original_column, split_lines


def _published_editions():
    from .edition import Edition

    return Edition.objects.published()


class OrganizationQuerySet(SlugQuerySet):
    def public_condition(self):
        """An organizer of a public forum, a co-organizer of a published edition, or the
        organization of an appearance at one: a record reached only through drafts stays
        hidden."""
        from .people import Appearance

        return (
            Exists(Appearance.objects.published().filter(organization=OuterRef("pk")))
            | Exists(_published_editions().filter(co_organizers=OuterRef("pk")))
            | Exists(Forum.objects.public().filter(organizers=OuterRef("pk")))
        )

    def for_list(self):
        return self.order_by(original_column("name"), "pk")


class ForumQuerySet(SlugQuerySet):
    def public_condition(self):
        """A forum with a published edition (one whose editions are all drafts stays hidden)."""
        return Exists(_published_editions().filter(forum=OuterRef("pk")))

    def for_list(self):
        return self.prefetch_related("organizers").order_by(original_column("name"), "pk")

    def for_home(self, user, latest=None):
        """Every forum with its organizers, its count of editions `user` may see and the latest
        `latest` (default HOME_TIMELINE_LIMIT) of them, newest first."""
        from .edition import HOME_TIMELINE_LIMIT, Edition

        latest = HOME_TIMELINE_LIMIT if latest is None else latest
        counted = Q() if can_preview(user) else Q(editions__status=Edition.Status.PUBLISHED)
        forums = self.visible_to(user)
        forums = forums.with_public_flag() if can_preview(user) else forums
        return (
            forums.annotate(edition_count=Count("editions", filter=counted))
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


class Organization(PageAtSlug, SlugKeyed):
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
    description = models.TextField(_("description"), blank=True)
    alternative_names = models.TextField(
        _("former and alternative names"),
        blank=True,
        help_text=_("One per line. Search finds the organization by any of them."),
    )

    objects = models.Manager.from_queryset(OrganizationQuerySet)()

    class Meta:
        # The original (English) column: a translated column may be empty, and NULLs sort last
        # in no useful order.
        ordering = ["name_en"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self):
        return self.name

    @property
    def alternative_name_list(self):
        return split_lines(self.alternative_names)


class Forum(SlugKeyed):
    """A series of meetings, such as the Beijing-Tokyo Forum."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    alternative_names = models.TextField(
        _("alternative names"),
        blank=True,
        help_text=_("One per line, e.g. the name the other host country uses. Search finds them."),
    )
    description = models.TextField(_("description"), blank=True)
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

    def get_absolute_url(self):
        return reverse("archive:home")

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
    note = models.TextField(
        _("note"),
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
