"""What each API resource looks like. Field names are part of the public contract: add, never
rename.

With `?lang=all` (archive/api/views.py) every translated field `name` is followed by
`name_translations`, its text in every language ({"en": ..., "zh-hans": ..., "ja": ...}, null
where a language has none), in records and in the references inside them; without it the field
is absent, so existing answers are unchanged.

Every resource carries `api_url` (itself in this API) and, where the site has a page for it,
`html_url`. Related records appear as small references (key or slug, name, `api_url`) so a client
can follow them without guessing addresses. Addresses are absolute.
"""

from django.conf import settings
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from modeltranslation.translator import NotRegistered, translator
from rest_framework import serializers

from ..addresses import path_for
from ..models import (
    Appearance,
    Edition,
    Forum,
    Organization,
    Participant,
    Source,
    Statement,
    SubForum,
    Topic,
)
from ..models.base import split_lines
from ..models.edition import edition_title
from ..models.languages import translation_of, translations_of


def edition_key(edition):
    """The edition's key (Edition.key), e.g. "beijing-tokyo-forum-20"."""
    return edition.key


def appearance_kwargs(appearance):
    kwargs = {
        "key": edition_key(appearance.edition),
        "participant": appearance.participant.slug,
        "role": appearance.role,
    }
    if appearance.sub_forum_id is not None:
        kwargs["sub_forum"] = appearance.sub_forum.slug
    return kwargs


def appearance_api_path(appearance):
    name = "api:appearance-detail-session" if appearance.sub_forum_id else "api:appearance-detail"
    return path_for(name, **appearance_kwargs(appearance))


def statement_api_path(statement):
    appearance = statement.appearance
    name = "api:statement-detail-session" if appearance.sub_forum_id else "api:statement-detail"
    return path_for(name, **appearance_kwargs(appearance), number=statement.number)


API_PATHS = {
    Forum: lambda o: path_for("api:forum-detail", slug=o.slug),
    Edition: lambda o: path_for("api:edition-detail", key=edition_key(o)),
    SubForum: lambda o: path_for("api:sub-forum-detail", key=edition_key(o.edition), slug=o.slug),
    Participant: lambda o: path_for("api:participant-detail", slug=o.slug),
    Organization: lambda o: path_for("api:organization-detail", slug=o.slug),
    Topic: lambda o: path_for("api:topic-detail", slug=o.slug),
    Source: lambda o: path_for("api:source-detail", slug=o.slug),
    Appearance: appearance_api_path,
    Statement: statement_api_path,
}


@extend_schema_field(OpenApiTypes.URI)
class LinkField(serializers.Field):
    """An absolute address computed from the whole record: its API resource or its web page."""

    def __init__(self, kind="api", **kwargs):
        self.kind = kind
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj):
        path = API_PATHS[type(obj)](obj) if self.kind == "api" else obj.get_absolute_url()
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


@extend_schema_field(OpenApiTypes.URI)
class ListLinkField(serializers.Field):
    """The address of an API list filtered to this record, e.g. /api/appearances/?edition=..."""

    def __init__(self, list_name, parameter, value, **kwargs):
        self.list_name, self.parameter, self.value = list_name, parameter, value
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj):
        path = f"{reverse(self.list_name)}?{self.parameter}={self.value(obj)}"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class LinesField(serializers.ListField):
    """A 'one per line' text field, as a list of strings."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.CharField(), read_only=True, **kwargs)

    def to_representation(self, value):
        return split_lines(value)


# --- Every language of the translated fields (?lang=all) --------------------------------


def _translations_schema(value_schema, what):
    languages = list(settings.MODELTRANSLATION_LANGUAGES)
    return {
        "type": "object",
        "description": (
            f"{what} in every language (only with ?lang=all): each language's own text, null "
            "where it has none."
        ),
        "properties": dict.fromkeys(languages, value_schema),
        "required": languages,
        "additionalProperties": False,
    }


@extend_schema_field(_translations_schema({"type": ["string", "null"]}, "The field"))
class TranslationsField(serializers.Field):
    """`<field>_translations`: the field in every language (models.languages.translations_of).

    Not read-only in the schema's sense, so the OpenAPI document lists it as optional: it is
    only in answers to ?lang=all (TranslatingSerializer leaves it out otherwise)."""

    def __init__(self, field, getter=None, **kwargs):
        self.translated_field, self.getter = field, getter
        super().__init__(source="*", required=False, **kwargs)

    def to_representation(self, obj):
        if self.getter is not None:
            return self.getter(obj)
        return translations_of(obj, self.translated_field)


@extend_schema_field(
    _translations_schema(
        {"type": ["array", "null"], "items": {"type": "string"}}, "The list (one per line)"
    )
)
class LinesTranslationsField(TranslationsField):
    def to_representation(self, obj):
        values = super().to_representation(obj)
        return {language: split_lines(v) if v else None for language, v in values.items()}


def translated_fields(model):
    try:
        return set(translator.get_options_for_model(model).fields)
    except NotRegistered:
        return set()


def edition_title_translations(edition):
    """An edition's title in each language's pattern, from the forum's name in that language
    (or its English name): never null, every edition has a title."""
    return {
        language: edition_title(
            edition.number, translation_of(edition.forum, "name", language).value, language
        )
        for language in settings.MODELTRANSLATION_LANGUAGES
    }


class TranslatingSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose translated fields each gain `<name>_translations` with
    ?lang=all (the view puts `all_languages` in the context; nested serializers share it)."""

    #: Texts composed from translated fields, {"title": function(obj) -> {language: text}}.
    translated_properties = {}

    def get_fields(self):
        fields = super().get_fields()
        translated = translated_fields(self.Meta.model)
        result = {}
        for name, field in fields.items():
            result[name] = field
            if name in self.translated_properties:
                result[f"{name}_translations"] = TranslationsField(
                    name, getter=self.translated_properties[name]
                )
            elif name in translated and field.source in (None, name):
                kind = (
                    LinesTranslationsField if isinstance(field, LinesField) else TranslationsField
                )
                result[f"{name}_translations"] = kind(name)
        return result

    @property
    def _readable_fields(self):
        every_language = self.context.get("all_languages", False)
        for field in super()._readable_fields:
            if every_language or not isinstance(field, TranslationsField):
                yield field


# --- References: the few fields that identify a related record ---------------------------


class ForumRefSerializer(TranslatingSerializer):
    api_url = LinkField()

    class Meta:
        model = Forum
        fields = ["slug", "name", "api_url"]


class EditionRefSerializer(TranslatingSerializer):
    key = serializers.SerializerMethodField(help_text="Address key: forum slug, hyphen, number.")
    title = serializers.CharField(read_only=True, help_text="E.g. “20th Beijing-Tokyo Forum”.")
    api_url = LinkField()
    html_url = LinkField(kind="html")

    translated_properties = {"title": edition_title_translations}

    class Meta:
        model = Edition
        fields = ["key", "title", "number", "start_date", "api_url", "html_url"]

    def get_key(self, edition) -> str:
        return edition_key(edition)


class SubForumRefSerializer(TranslatingSerializer):
    api_url = LinkField()
    html_url = LinkField(kind="html")

    class Meta:
        model = SubForum
        fields = ["slug", "title", "kind", "api_url", "html_url"]


class ParticipantRefSerializer(TranslatingSerializer):
    api_url = LinkField()
    html_url = LinkField(kind="html")

    class Meta:
        model = Participant
        fields = ["slug", "name", "api_url", "html_url"]


class OrganizationRefSerializer(TranslatingSerializer):
    api_url = LinkField()
    html_url = LinkField(kind="html")

    class Meta:
        model = Organization
        fields = ["slug", "name", "api_url", "html_url"]


class TopicSerializer(TranslatingSerializer):
    api_url = LinkField()
    html_url = LinkField(kind="html")

    class Meta:
        model = Topic
        fields = ["slug", "name", "api_url", "html_url"]


class SourceRefSerializer(TranslatingSerializer):
    api_url = LinkField()

    class Meta:
        model = Source
        fields = ["slug", "title", "api_url"]


# --- Resources ----------------------------------------------------------------------------


class SourceSerializer(TranslatingSerializer):
    api_url = LinkField()
    url = serializers.CharField(
        read_only=True, help_text="Where the document itself is published; empty if unknown."
    )

    class Meta:
        model = Source
        fields = ["slug", "title", "publisher", "url", "published_on", "note", "api_url"]


class ForumSerializer(TranslatingSerializer):
    api_url = LinkField()
    html_url = LinkField(kind="html")
    alternative_names = LinesField(help_text="Other names of the series.")
    organizers = OrganizationRefSerializer(many=True, read_only=True)
    editions_url = ListLinkField("api:edition-list", "forum", lambda forum: forum.slug)

    class Meta:
        model = Forum
        fields = [
            "slug",
            "name",
            "alternative_names",
            "description",
            "organizers",
            "api_url",
            "html_url",
            "editions_url",
        ]


class EditionSerializer(TranslatingSerializer):
    key = serializers.SerializerMethodField(help_text="Address key: forum slug, hyphen, number.")
    title = serializers.CharField(read_only=True, help_text="E.g. “20th Beijing-Tokyo Forum”.")
    forum = ForumRefSerializer(read_only=True)
    co_organizers = OrganizationRefSerializer(many=True, read_only=True)
    topics = TopicSerializer(many=True, read_only=True)
    sources = SourceRefSerializer(many=True, read_only=True)
    sub_forums = SubForumRefSerializer(many=True, read_only=True, source="ordered_sub_forums")
    api_url = LinkField()
    html_url = LinkField(kind="html")
    calendar_url = serializers.SerializerMethodField(help_text="iCalendar (.ics) of the edition.")
    appearances_url = ListLinkField("api:appearance-list", "edition", edition_key)

    translated_properties = {"title": edition_title_translations}

    class Meta:
        model = Edition
        fields = [
            "key",
            "title",
            "forum",
            "number",
            "theme",
            "city",
            "country",
            "venue",
            "start_date",
            "end_date",
            "summary",
            "co_organizers",
            "topics",
            "sub_forums",
            "sources",
            "updated_at",
            "api_url",
            "html_url",
            "calendar_url",
            "appearances_url",
        ]

    def get_key(self, edition) -> str:
        return edition_key(edition)

    @extend_schema_field(OpenApiTypes.URI)
    def get_calendar_url(self, edition):
        path = path_for("archive:edition-calendar", edition_key=edition.key)
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class SubForumSerializer(TranslatingSerializer):
    edition = EditionRefSerializer(read_only=True)
    topics = TopicSerializer(many=True, read_only=True)
    api_url = LinkField()
    html_url = LinkField(kind="html")
    appearances_url = serializers.SerializerMethodField()

    class Meta:
        model = SubForum
        fields = [
            "slug",
            "title",
            "kind",
            "description",
            "order",
            "date",
            "start_time",
            "end_time",
            "venue",
            "edition",
            "topics",
            "api_url",
            "html_url",
            "appearances_url",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_appearances_url(self, sub_forum):
        path = (
            f"{reverse('api:appearance-list')}?edition={edition_key(sub_forum.edition)}"
            f"&sub_forum={sub_forum.slug}"
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ParticipantSerializer(TranslatingSerializer):
    api_url = LinkField()
    html_url = LinkField(kind="html")
    appearances_url = ListLinkField("api:appearance-list", "participant", lambda p: p.slug)

    class Meta:
        model = Participant
        fields = [
            "slug",
            "name",
            "native_name",
            "country",
            "bio",
            "api_url",
            "html_url",
            "appearances_url",
        ]


class OrganizationSerializer(TranslatingSerializer):
    alternative_names = LinesField(help_text="Former and alternative names.")
    api_url = LinkField()
    html_url = LinkField(kind="html")
    appearances_url = ListLinkField("api:appearance-list", "organization", lambda o: o.slug)

    class Meta:
        model = Organization
        fields = [
            "slug",
            "name",
            "native_name",
            "kind",
            "country",
            "description",
            "alternative_names",
            "api_url",
            "html_url",
            "appearances_url",
        ]


class StatementLanguageFields(serializers.Serializer):
    """`text` is in the request's language; these say whether it is the speaker's own words.

    A `kind: quote` whose `is_translation` is true is a translation of the quote, not a quote:
    `text_original` holds the words as recorded, in `text_original_language`."""

    text_language = serializers.CharField(
        read_only=True, help_text="The language of `text` (BCP 47, e.g. en, zh-hans, ja)."
    )
    is_translation = serializers.BooleanField(
        read_only=True,
        help_text="True when `text` is a translation: a translated quote is not verbatim.",
    )
    text_original = serializers.CharField(
        read_only=True, help_text="The statement as recorded from the source."
    )
    text_original_language = serializers.CharField(
        read_only=True, help_text="The language of `text_original`."
    )


LANGUAGE_FIELDS = ["text_language", "is_translation", "text_original", "text_original_language"]


class NestedStatementSerializer(StatementLanguageFields, TranslatingSerializer):
    source = SourceRefSerializer(read_only=True)
    api_url = LinkField()

    class Meta:
        model = Statement
        fields = ["number", "kind", "text", *LANGUAGE_FIELDS, "source", "api_url"]


class AppearanceSerializer(TranslatingSerializer):
    edition = EditionRefSerializer(read_only=True)
    sub_forum = SubForumRefSerializer(
        read_only=True, allow_null=True, help_text="Null for the edition as a whole."
    )
    participant = ParticipantRefSerializer(read_only=True)
    organization = OrganizationRefSerializer(read_only=True, allow_null=True)
    organization_label = serializers.CharField(
        read_only=True, help_text="The organization's name as it was at the time."
    )
    statements = NestedStatementSerializer(many=True, read_only=True)
    api_url = LinkField()

    class Meta:
        model = Appearance
        fields = [
            "edition",
            "sub_forum",
            "participant",
            "role",
            "delivery",
            "position",
            "organization",
            "organization_label",
            "order",
            "statements",
            "api_url",
        ]


class StatementSerializer(StatementLanguageFields, TranslatingSerializer):
    edition = EditionRefSerializer(read_only=True, source="appearance.edition")
    sub_forum = SubForumRefSerializer(
        read_only=True, allow_null=True, source="appearance.sub_forum"
    )
    participant = ParticipantRefSerializer(read_only=True, source="appearance.participant")
    role = serializers.CharField(read_only=True, source="appearance.role")
    appearance_url = serializers.SerializerMethodField()
    source = SourceRefSerializer(read_only=True)
    api_url = LinkField()

    class Meta:
        model = Statement
        fields = [
            "number",
            "kind",
            "text",
            *LANGUAGE_FIELDS,
            "source",
            "edition",
            "sub_forum",
            "participant",
            "role",
            "appearance_url",
            "api_url",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_appearance_url(self, statement):
        path = appearance_api_path(statement.appearance)
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path
