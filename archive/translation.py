"""Which record texts carry a translation per language (django-modeltranslation).

Each field listed here gains one column per language (``theme_en``, ``theme_zh_hans``,
``theme_ja``) on the same table, so pages read translations without joins and fixtures name them
as plain fields. Reading ``edition.theme`` gives the active language, falling back to English.
English is required wherever the field itself is (``required_languages``).
A person's name is not translated (``Participant.native_name`` holds the native script).
"""

from modeltranslation.translator import TranslationOptions, register

from .models import (
    Appearance,
    Edition,
    Forum,
    Organization,
    OrganizationName,
    Participant,
    Source,
    Statement,
    SubForum,
    Topic,
)


@register(Forum)
class ForumTranslation(TranslationOptions):
    fields = ("name", "alternative_names", "description")
    required_languages = ("en",)
    empty_values = {"name": None}  # unique: a missing translation is NULL, never a clashing ""


@register(Organization)
class OrganizationTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("en",)


@register(OrganizationName)
class OrganizationNameTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("en",)


@register(Topic)
class TopicTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("en",)
    empty_values = {"name": None}  # unique: a missing translation is NULL, never a clashing ""


@register(Source)
class SourceTranslation(TranslationOptions):
    fields = ("title", "note")
    required_languages = ("en",)


@register(Edition)
class EditionTranslation(TranslationOptions):
    fields = ("theme", "city", "country", "venue", "summary")
    required_languages = ("en",)


@register(SubForum)
class SubForumTranslation(TranslationOptions):
    fields = ("title", "description", "venue")
    required_languages = ("en",)


@register(Participant)
class ParticipantTranslation(TranslationOptions):
    fields = ("bio", "country")
    required_languages = ("en",)


@register(Appearance)
class AppearanceTranslation(TranslationOptions):
    fields = ("position", "organization_name")
    required_languages = ("en",)


@register(Statement)
class StatementTranslation(TranslationOptions):
    fields = ("text",)
    required_languages = ("en",)
