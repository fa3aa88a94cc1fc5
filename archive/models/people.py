"""People, the appearances they made at editions, and what they said there."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.utils.translation import get_language_info, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from ..cache import cached_aggregate
from .base import (
    TEXT_LIMITS,
    ArchiveQuerySet,
    BoundedTextField,
    ChoiceLabels,
    PageAtSlug,
    SlugKeyed,
    SlugQuerySet,
    natural_key_of,
    original_column,
)
from .edition import Edition, SubForum
from .image_fields import CleanImageField
from .languages import original_language, shorten, translation_of
from .reference import Organization, Source


class ParticipantQuerySet(SlugQuerySet):
    def public_rule(self):
        """The rule itself: an appearance at a published edition. Only
        archive.services.visibility reads it, to keep `is_public` true to it."""
        return Exists(Appearance.objects.published().filter(participant=OuterRef("pk")))

    def public_condition(self):
        """The rule as kept in `is_public` (archive.services.visibility): a column, so a list
        filters by index instead of testing the rule on every row it walks past."""
        return Q(is_public=True)

    def for_list(self):
        # The index participant_name_order serves this order.
        return self.order_by("name", "pk")


class Participant(PageAtSlug, SlugKeyed):
    detail_url_name = "archive:participant-detail"
    name = models.CharField(pgettext_lazy("person", "name"), max_length=200)
    native_name = models.CharField(
        _("native-script name"),
        max_length=200,
        blank=True,
        help_text=_("The name in its own script, only where a source gives it."),
    )
    country = models.CharField(_("country"), max_length=100, blank=True)
    bio = BoundedTextField(_("short biography"), blank=True, max_length=TEXT_LIMITS["bio"])
    photo = CleanImageField(
        _("photo"),
        upload_to="portraits/",
        blank=True,
        help_text=_(
            "JPEG, PNG or WebP, at most 10 MB and 40 megapixels. Camera and location data are "
            "removed."
        ),
    )

    # Derived, never edited or exported: whether the rule of
    # ParticipantQuerySet.public_rule() holds, kept by archive.services.visibility.
    is_public = models.BooleanField(default=False, editable=False, serialize=False)

    objects = models.Manager.from_queryset(ParticipantQuerySet)()

    class Meta:
        ordering = ["name"]
        # The participant list's order: its pages read 50 rows of an index instead of sorting
        # every visible participant; the public's (is_public first) serves every page, the
        # last as cheaply as the first. The sitemap's order is the public slug index.
        indexes = [
            models.Index(fields=["name", "id"], name="participant_name_order"),
            models.Index(fields=["is_public", "name", "id"], name="participant_public_name"),
            models.Index(fields=["is_public", "slug"], name="participant_public_slug"),
        ]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self):
        return self.name


class AppearanceQuerySet(ArchiveQuerySet):
    def public_condition(self):
        return Q(edition__status=Edition.Status.PUBLISHED)

    def published(self):
        return self.public()

    def totals(self):
        """How many people these appearances are of and how many statements they made, in one
        aggregate query: {"participants": n, "statements": n}. Start from `visible_to(user)`:
        a statement is visible exactly when its appearance is. Remembered until the content
        changes (archive.cache.cached_aggregate): over 100,000 appearances the query takes a
        few hundred milliseconds on SQLite, and staff pages are never page-cached."""
        return cached_aggregate(
            self.order_by(),
            participants=Count("participant", distinct=True),
            statements=Count("statements"),
        )

    def with_statements(self, user):
        """Each appearance's statements that `user` may see, in order, each with its source."""
        return self.prefetch_related(
            Prefetch(
                "statements",
                queryset=Statement.objects.visible_to(user)
                .select_related("source")
                .order_by("number"),
            )
        )

    def in_programme_order(self):
        """An edition's people in programme order, each with participant and organization.

        Programme order: those at the forum as a whole (no session) first, then session by
        session in SubForum's programme order, each session in speaking order. The order is
        total (ties broken by id), so pages of it never overlap or skip a row.
        """
        # organization__names and the edition: each appearance's organization name then.
        return (
            self.select_related("participant", "organization", "edition")
            .prefetch_related("organization__names")
            .order_by(
                F("sub_forum__order").asc(nulls_first=True),
                original_column("sub_forum__title"),
                "sub_forum_id",
                "order",
                "participant__name",
                "pk",
            )
        )

    def in_speaking_order(self):
        """A session's people in speaking order, each with participant and organization."""
        return (
            self.select_related("participant", "organization", "edition")
            .prefetch_related("organization__names")
            .order_by("order", "participant__name", "pk")
        )

    def latest_first(self):
        """Appearances across editions (participant and organization pages): latest first."""
        return (
            self.select_related(
                "edition__forum", "sub_forum__edition__forum", "organization", "participant"
            )
            .prefetch_related("organization__names")
            .order_by(
                "-edition__start_date", "sub_forum__order", "order", "participant__name", "pk"
            )
        )

    def for_api(self):
        """The API's appearances (anonymous, like every API read), latest edition first."""
        # sub_forum__edition: a session's web address names its edition.
        return (
            self.select_related(
                "edition__forum", "sub_forum__edition__forum", "participant", "organization"
            )
            .prefetch_related("organization__names")
            .with_statements(None)
            .order_by(
                "-edition__start_date",
                "-edition__number",
                "sub_forum__order",
                "order",
                "participant__name",
                "pk",
            )
        )


class Appearance(ChoiceLabels, models.Model):
    """A participant at an edition, as they were then: role, position and organization."""

    class Role(models.TextChoices):
        """What the person did in the programme (how it reached the audience is `delivery`)."""

        SPEAKER = "speaker", _("Speaker")
        KEYNOTE = "keynote", _("Keynote speech")
        OPENING_REMARKS = "opening-remarks", _("Opening remarks")
        WELCOME_SPEECH = "welcome-speech", _("Welcome speech")
        CONGRATULATORY_ADDRESS = "congratulatory-address", _("Congratulatory address")
        CLOSING_REMARKS = "closing-remarks", _("Closing remarks")
        # Kept for records loaded before `delivery` existed; new records say speaker/keynote/...
        # with delivery "video".
        VIDEO_ADDRESS = "video-address", _("Video address")
        MODERATOR = "moderator", _("Moderator")
        PANELIST = "panelist", _("Panelist")
        # Named ATTENDEE in code: a Participant is the person, this is the role "participant".
        ATTENDEE = "participant", _("Participant")

    class Delivery(models.TextChoices):
        """How the contribution reached the forum; blank when the source does not say."""

        IN_PERSON = "in-person", _("In person")
        VIDEO = "video", _("By video")
        WRITTEN = "written", _("Written (sent, not delivered)")

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="appearances",
    )
    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="appearances"
    )
    sub_forum = models.ForeignKey(
        SubForum,
        verbose_name=_("sub-forum"),
        on_delete=models.CASCADE,
        related_name="appearances",
        null=True,
        blank=True,
        help_text=_("Leave empty for an appearance at the edition as a whole."),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.SPEAKER)
    delivery = models.CharField(
        _("delivery"),
        max_length=20,
        choices=Delivery.choices,
        blank=True,
        help_text=_("How it was delivered, if the source says: in person, by video or written."),
    )
    position = models.CharField(
        _("position then"),
        max_length=200,
        blank=True,
        help_text=_("The post held at the time, as the source gives it."),
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization then"),
        on_delete=models.PROTECT,
        related_name="appearances",
        null=True,
        blank=True,
    )
    organization_name = models.CharField(
        _("organization name then"),
        max_length=200,
        blank=True,
        help_text=_("The organization's name at the time, if it differs from today's."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = models.Manager.from_queryset(AppearanceQuerySet)()
    # The sub-forum by its slug alone ("" for none): the edition is already in the key.
    natural_key_fields = ("participant", "edition", "sub_forum__slug", "role")

    class Meta:
        ordering = ["edition", "sub_forum__order", "order", "participant__name"]
        verbose_name = _("appearance")
        verbose_name_plural = _("appearances")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "sub_forum", "role"],
                condition=Q(sub_forum__isnull=False),
                name="appearance_once_per_role_per_subforum",
                violation_error_message=_(
                    "This participant already has this role in this sub-forum."
                ),
            ),
            models.UniqueConstraint(
                fields=["participant", "edition", "role"],
                condition=Q(sub_forum__isnull=True),
                name="appearance_once_per_role_per_edition",
                violation_error_message=_(
                    "This participant already has this role at this edition."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.participant} · {self.get_role_display()} · {self.edition}"

    def natural_key(self):
        return natural_key_of(self)

    natural_key.dependencies = ["archive.participant", "archive.subforum"]

    @property
    def organization_label(self):
        """The organization's name as it was at the time of the appearance: the name typed on
        the appearance if any, else the one derived from the organization's dated names."""
        if self.organization_name:
            return self.organization_name
        if self.organization is None:
            return ""
        return self.organization.name_on(self.edition.start_date)

    def clean(self):
        sub_forum = self.sub_forum
        try:
            edition = self.edition
        except Appearance.edition.RelatedObjectDoesNotExist:
            return  # the missing edition is reported by field validation
        if sub_forum is not None and sub_forum.edition != edition:
            raise ValidationError(
                {
                    "sub_forum": _(
                        "The sub-forum “%(sub_forum)s” belongs to the %(other)s, "
                        "not the %(edition)s."
                    )
                    % {"sub_forum": sub_forum, "other": sub_forum.edition, "edition": edition}
                }
            )


class StatementQuerySet(ArchiveQuerySet):
    def next_free_number(self, appearance):
        """The number a new statement of this appearance (an Appearance or its id) gets: one
        more than the highest in use, 1 for the first."""
        highest = self.filter(appearance=appearance).aggregate(n=models.Max("number"))["n"]
        return (highest or 0) + 1

    def public_condition(self):
        return Q(appearance__edition__status=Edition.Status.PUBLISHED)

    def published(self):
        return self.public()

    def for_api(self):
        return self.select_related(
            "appearance__edition__forum",
            "appearance__sub_forum__edition__forum",
            "appearance__participant",
            "source",
        ).order_by(
            "-appearance__edition__start_date",
            "-appearance__edition__number",
            "appearance__sub_forum__order",
            "appearance__order",
            "appearance__participant__name",
            "number",
            "pk",
        )


class Statement(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        QUOTE = "quote", _("Direct quote")
        PARAPHRASE = "paraphrase", _("Paraphrase")

    appearance = models.ForeignKey(
        Appearance,
        verbose_name=_("appearance"),
        on_delete=models.CASCADE,
        related_name="statements",
    )
    number = models.PositiveSmallIntegerField(
        _("number"), default=1, help_text=_("Order of the statement within the appearance.")
    )
    text = BoundedTextField(
        _("text"),
        max_length=TEXT_LIMITS["text"],
        help_text=_("A quote word for word, or a faithful paraphrase marked as such."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    language = models.CharField(
        _("language of the words"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_(
            "The language the source gives the words in. Its text column holds them as "
            "recorded; the text in the other languages is a translation and is labelled so."
        ),
    )
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="statements"
    )

    objects = models.Manager.from_queryset(StatementQuerySet)()
    natural_key_fields = ("appearance", "number")

    class Meta:
        ordering = ["appearance", "number"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        constraints = [
            models.UniqueConstraint(
                fields=["appearance", "number"], name="statement_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["quote", "paraphrase"]), name="statement_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(language__in=[code for code, _name in settings.LANGUAGES]),
                name="statement_language_valid",
            ),
        ]

    def __str__(self):
        return f"{self.appearance.participant}: {shorten(self.text, 60)}"

    def clean(self):
        super().clean()
        # The words as recorded must be there: a statement said in Japanese keeps its Japanese
        # words in the Japanese column, and every other column is a translation of them.
        # (The original column is required anyway: its own field error says it is blank.)
        languages = dict(settings.LANGUAGES)
        column = build_localized_fieldname("text", self.language or "")
        if (
            self.language in languages
            and self.language != original_language()
            and not (getattr(self, column, None) or "").strip()
        ):
            raise ValidationError(
                {
                    "language": _(
                        "The words as recorded go in the text in %(language)s, which is empty."
                    )
                    % {"language": get_language_info(self.language)["name_translated"]}
                }
            )

    def unique_error_message(self, model_class, unique_check):
        """A number already used in this appearance, said in words with the one to use."""
        if model_class is Statement and tuple(unique_check) == ("appearance", "number"):
            return ValidationError(
                _(
                    "Statement %(number)s of this appearance already exists; "
                    "the next free number is %(next)s."
                ),
                code="unique_together",
                params={
                    "number": self.number,
                    "next": Statement.objects.next_free_number(self.appearance_id),
                },
            )
        return super().unique_error_message(model_class, unique_check)

    def natural_key(self):
        return natural_key_of(self)

    natural_key.dependencies = ["archive.appearance", "archive.source"]

    # What a reader in the active language is shown (pages, API, citations): a translation of a
    # quote is not the speaker's words and is never presented as a verbatim quote.

    @property
    def shown_text(self):
        """The text in the active language, else the original (a languages.Translation)."""
        return translation_of(self, "text")

    @property
    def text_original(self):
        """The statement as recorded from the source: the column of its `language`."""
        return translation_of(self, "text", self.language).value

    @property
    def text_original_language(self):
        return self.language

    @property
    def text_language(self):
        """The language of `shown_text`: the active language, or the original's."""
        return self.shown_text.language

    @property
    def is_translation(self):
        """True when the text shown in the active language is a translation."""
        return self.text_language != self.language

    @property
    def is_translated_quote(self):
        return self.kind == self.Kind.QUOTE and self.is_translation

    def get_shown_kind_display(self):
        """ "Direct quote", "Paraphrase", or "Translation of a direct quote"."""
        if self.is_translated_quote:
            return gettext("Translation of a direct quote")
        if self.is_translation:
            return gettext("Translation of a paraphrase")
        return self.get_kind_display()
