"""The editors' admin: every archive record, with inlines, search, filters and actions."""

from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

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
from .models.base import language_columns

# Records with translated texts (archive/translation.py) use modeltranslation's admin classes: each
# translated field shows once per language ("theme [en]", "theme [zh-hans]", "theme [ja]"), and
# admin search looks in every language's column.


class YearListFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Edition.objects.dates("start_date", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(start_date__year=int(self.value()))
        return queryset


class SubForumInline(TranslationTabularInline):
    model = SubForum
    extra = 0
    show_change_link = True
    fields = ["order", "title", "slug", "kind", "date", "start_time", "end_time", "topics"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["topics"]


class EditionAppearanceInline(TranslationTabularInline):
    model = Appearance
    extra = 0
    show_change_link = True
    fields = [
        "order",
        "participant",
        "sub_forum",
        "role",
        "delivery",
        "position",
        "organization",
    ]
    autocomplete_fields = ["participant", "organization"]

    def get_formset(self, request, obj=None, **kwargs):
        self.parent_edition = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "sub_forum":
            # Only this edition's sessions can be chosen.
            kwargs["queryset"] = SubForum.objects.filter(edition=self.parent_edition)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("participant", "organization")


@admin.register(Edition)
class EditionAdmin(TranslationAdmin):
    list_display = ["title_display", "theme", "city", "country", "start_date", "status"]
    list_display_links = ["title_display"]
    list_filter = ["forum", YearListFilter, "country", "status"]
    list_select_related = ["forum"]
    search_fields = language_columns(
        "forum__name", "forum__alternative_names", "theme", "city", "country"
    )
    date_hierarchy = "start_date"
    autocomplete_fields = ["forum", "co_organizers", "topics", "sources"]
    inlines = [SubForumInline, EditionAppearanceInline]
    actions = ["publish", "unpublish"]
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["forum", "number", "theme", "status"]}),
        (_("When and where"), {"fields": ["start_date", "end_date", "city", "country", "venue"]}),
        (
            _("Content"),
            {"fields": ["summary", "co_organizers", "topics", "sources", "cover"]},
        ),
    ]

    def get_urls(self):
        from .admin_import import import_urls  # the "Import edition" page

        return import_urls(self) + super().get_urls()

    @admin.display(description=_("edition"), ordering="number")
    def title_display(self, obj):
        return obj.title

    @admin.action(description=_("Publish the selected editions"), permissions=["change"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, Edition.Status.PUBLISHED)

    @admin.action(
        description=_("Unpublish the selected editions (make them drafts)"), permissions=["change"]
    )
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Edition.Status.DRAFT)

    def _set_status(self, request, queryset, status):
        changed = 0
        for edition in queryset.select_related("forum").exclude(status=status):
            edition.status = status
            edition.save(update_fields=["status"])
            self.log_change(request, edition, [{"changed": {"fields": ["status"]}}])
            changed += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d edition is now %(status)s.",
                "%(count)d editions are now %(status)s.",
                changed,
            )
            % {"count": changed, "status": Edition.Status(status).label},
            messages.SUCCESS,
        )


class StatementInline(TranslationStackedInline):
    model = Statement
    extra = 0
    show_change_link = True
    fields = ["number", "kind", "text", "source"]
    autocomplete_fields = ["source"]


@admin.register(Appearance)
class AppearanceAdmin(TranslationAdmin):
    list_display = ["participant", "edition", "sub_forum", "role", "position", "organization"]
    list_filter = ["role", "edition__forum", "edition"]
    list_select_related = ["participant", "edition__forum", "sub_forum", "organization"]
    search_fields = [
        "participant__name",
        *language_columns("position", "organization__name", "organization_name"),
    ]
    autocomplete_fields = ["participant", "edition", "sub_forum", "organization"]
    inlines = [StatementInline]


class ParticipantAppearanceInline(admin.TabularInline):
    """A person's appearances, read from their own page; edit them on the edition."""

    model = Appearance
    fk_name = "participant"
    extra = 0
    show_change_link = True
    fields = ["edition", "sub_forum", "role", "delivery", "position", "organization"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("participant", "edition__forum", "sub_forum", "organization")
        )


class OrganizationNameInline(TranslationTabularInline):
    """Names used for a known time: pages show each past edition the name it had then."""

    model = OrganizationName
    extra = 0
    fields = ["name", "valid_from", "valid_until"]


class OrganizationAppearanceInline(ParticipantAppearanceInline):
    fk_name = "organization"
    fields = ["participant", "edition", "sub_forum", "role", "delivery", "position"]
    readonly_fields = fields


@admin.register(Participant)
class ParticipantAdmin(TranslationAdmin):
    list_display = ["name", "native_name", "country", "appearance_count"]
    list_filter = ["country"]
    search_fields = [
        "name",
        "native_name",
        *language_columns(
            "appearances__position",
            "appearances__organization__name",
            "appearances__organization_name",
        ),
    ]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ParticipantAppearanceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(appearance_total=Count("appearances"))

    @admin.display(description=_("appearances"), ordering="appearance_total")
    def appearance_count(self, obj):
        return obj.appearance_total


@admin.register(Organization)
class OrganizationAdmin(TranslationAdmin):
    list_display = ["name", "kind", "country"]
    list_filter = ["kind", "country"]
    search_fields = [
        *language_columns("name", "appearances__position"),
        "native_name",
        "alternative_names",
    ]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrganizationNameInline, OrganizationAppearanceInline]


@admin.register(OrganizationName)
class OrganizationNameAdmin(TranslationAdmin):
    list_display = ["name", "organization", "valid_from", "valid_until"]
    list_select_related = ["organization"]
    search_fields = [*language_columns("name", "organization__name")]
    autocomplete_fields = ["organization"]


@admin.register(Forum)
class ForumAdmin(TranslationAdmin):
    list_display = ["name", "slug"]
    search_fields = language_columns("name", "alternative_names")
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organizers"]


@admin.register(SubForum)
class SubForumAdmin(TranslationAdmin):
    list_display = ["title", "edition", "kind", "order"]
    list_filter = ["kind", "edition__forum", "edition"]
    list_select_related = ["edition__forum"]
    search_fields = language_columns("title", "description", "edition__forum__name")
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["edition", "topics"]


@admin.register(Statement)
class StatementAdmin(TranslationAdmin):
    list_display = ["__str__", "kind", "source", "edition_display"]
    list_filter = ["kind", "source", "appearance__edition"]
    list_select_related = ["appearance__participant", "appearance__edition__forum", "source"]
    search_fields = [*language_columns("text"), "appearance__participant__name"]
    autocomplete_fields = ["appearance", "source"]

    @admin.display(description=_("edition"), ordering="appearance__edition__number")
    def edition_display(self, obj):
        return obj.appearance.edition.title


@admin.register(Source)
class SourceAdmin(TranslationAdmin):
    list_display = ["title", "publisher", "published_on"]
    search_fields = [*language_columns("title", "note"), "publisher"]
    prepopulated_fields = {"slug": ["title"]}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Topic)
class TopicAdmin(TranslationAdmin):
    list_display = ["name", "slug"]
    search_fields = language_columns("name")
    prepopulated_fields = {"slug": ["name"]}
