"""The editors' admin: every archive record, with inlines, search, filters and actions."""

import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, models, transaction
from django.db.models import Count
from django.forms.models import _get_foreign_key
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from reversion.admin import VersionAdmin
from reversion.models import Version

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
from .models.edition import split_edition_number
from .services import history
from .templatetags.images import picture_html

# The site's name, as on the public pages (locale/*/django.po: 论坛档案库, フォーラム・アーカイブ).
admin.site.site_header = _("Forum Archive")
admin.site.site_title = _("Forum Archive")
admin.site.index_title = _("Editors' admin")
# The forms need the width (1024 px screens, docs/editors.md): no sidebar of every model.
admin.site.enable_nav_sidebar = False


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    """Autocomplete results labelled by the model admin's ``autocomplete_label`` where it has
    one (a sub-forum shows its edition), instead of the bare ``str()``."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        label = getattr(self.model_admin, "autocomplete_label", None)
        if label is not None:
            result["text"] = label(obj)
        return result


def _autocomplete_view(request):
    return LabelledAutocompleteJsonView.as_view(admin_site=admin.site)(request)


admin.site.autocomplete_view = _autocomplete_view


def sub_forum_label(sub_forum):
    return f"{sub_forum.title} — {sub_forum.edition.title}"


def label_sub_forums(field):
    """A sub-forum choice reads "<title> — <edition>" (the same title recurs every year)."""
    field.queryset = field.queryset.select_related("edition__forum")
    field.label_from_instance = sub_forum_label
    return field


# Records with translated texts (archive/translation.py) use modeltranslation's admin classes: each
# translated field shows once per language ("theme [en]", "theme [zh-hans]", "theme [ja]"), and
# admin search looks in every language's column.


class HistoryAdmin(VersionAdmin):
    """Versioned history (django-reversion): who, when, what changed from what to what; compare
    two versions; restore one. Every add and change in the admin saves a revision."""

    object_history_template = "admin/archive/object_history.html"

    class Media:
        css = {"all": ["css/admin.css"]}  # narrower inline columns (static/css/admin.css)

    change_list_template = None  # Django's (and the edition's own): no "recover deleted" button

    def __init__(self, *args, **kwargs):
        # Register before VersionAdmin would, with no "follow": each record has its own history.
        history.register_models()
        super().__init__(*args, **kwargs)

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST" and self.has_change_permission(request):
            self._record_baseline(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        # An action (publish, unpublish) changes the selected records: keep their state first.
        if (
            request.method == "POST"
            and "action" in request.POST
            and self.has_change_permission(request)
        ):
            selected = [pk for pk in request.POST.getlist("_selected_action") if pk.isdigit()]
            if request.POST.get("select_across") == "1":
                history.record_baseline({self.model: None})
            elif selected:
                history.record_baseline({self.model: selected})
        return super().changelist_view(request, extra_context)

    def _record_baseline(self, request, object_id):
        """Before the first recorded change of a record (or of its inlines' rows), save how it
        is now, so that History can show the old values."""
        obj = self.model._default_manager.filter(pk=unquote(object_id)).first()
        if obj is None:
            return
        rows = {self.model: [obj.pk]}
        for inline in self.get_inline_instances(request, obj):
            fk = _get_foreign_key(self.model, inline.model, fk_name=inline.fk_name)
            rows[inline.model] = list(
                inline.model._default_manager.filter(**{fk.name: obj}).values_list("pk", flat=True)
            )
        history.record_baseline(rows)

    def _object_and_versions(self, request, object_id):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        obj = get_object_or_404(self.model, pk=unquote(object_id))
        return obj, history.versions_of(obj)

    def _context(self, request, obj, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "object": obj,
            "object_id": obj.pk,
            "title": title,
            "has_change_permission": self.has_change_permission(request, obj),
            **extra,
        }

    def history_view(self, request, object_id, extra_context=None):
        obj, versions = self._object_and_versions(request, object_id)
        context = self._context(
            request,
            obj,
            _("Change history: %s") % obj,
            entries=history.with_changes(versions),
            **(extra_context or {}),
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)

    def compare_view(self, request, object_id):
        obj, versions = self._object_and_versions(request, object_id)
        by_pk = {str(v.pk): v for v in versions}
        old, new = by_pk.get(request.GET.get("old", "")), by_pk.get(request.GET.get("new", ""))
        if old is None or new is None:
            messages.error(request, _("Choose two versions to compare."))
            return redirect(self._url("history", obj.pk))
        if (old.revision.date_created, old.pk) > (new.revision.date_created, new.pk):
            old, new = new, old
        context = self._context(
            request,
            obj,
            _("Compare versions: %s") % obj,
            old=old,
            new=new,
            changes=history.compare(self.model, old, new),
        )
        return TemplateResponse(request, "admin/archive/compare.html", context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Restore one version of this record (its own fields and lists), after confirming."""
        obj = get_object_or_404(self.model, pk=unquote(object_id))
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        version = get_object_or_404(
            Version.objects.get_for_object(obj).select_related("revision__user"), pk=version_id
        )
        current = history.versions_of(obj)[:1]
        changes = history.compare(self.model, current[0], version) if current else []
        when = formats.localize(timezone.localtime(version.revision.date_created))
        if request.method == "POST":
            try:
                with transaction.atomic(), reversion.create_revision():
                    reversion.set_user(request.user)
                    reversion.set_comment(_("Restored the version of %(when)s") % {"when": when})
                    version.revert()
                    if any(f.name == "updated_at" for f in self.model._meta.concrete_fields):
                        # a restore is a change now, not a return to the old "last updated"
                        self.model._base_manager.filter(pk=obj.pk).update(updated_at=timezone.now())
            except DatabaseError as exc:
                messages.error(
                    request,
                    _("This version cannot be restored: the database refused it (%(error)s).")
                    % {"error": exc},
                )
                return redirect(self._url("history", obj.pk))
            self.log_change(request, obj, _("Restored the version of %(when)s") % {"when": when})
            messages.success(
                request, _("“%(obj)s” is back as it was on %(when)s.") % {"obj": obj, "when": when}
            )
            return redirect(self._url("change", obj.pk))
        context = self._context(
            request,
            obj,
            _("Restore: %s") % obj,
            version=version,
            changes=changes,
            when=when,
        )
        return TemplateResponse(request, "admin/archive/restore.html", context)

    def recover_view(self, request, version_id, extra_context=None):
        raise PermissionDenied  # deleted records come back from a backup or a fixture file

    def _url(self, view, pk):
        info = self.model._meta.app_label, self.model._meta.model_name
        return reverse(f"{self.admin_site.name}:{info[0]}_{info[1]}_{view}", args=[pk])


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
    """The edition's sessions, one row each with the English title; the other languages, the
    end time, room, topics and description are on the session's own form (its change link)."""

    model = SubForum
    extra = 0
    show_change_link = True
    fields = ["order", "title_en", "slug", "kind", "date", "start_time"]
    prepopulated_fields = {"slug": ["title_en"]}


class EditionAppearanceInline(TranslationTabularInline):
    """Who spoke, one row each with the English position; the rest on the appearance's form."""

    model = Appearance
    extra = 0
    show_change_link = True
    fields = ["order", "participant", "sub_forum", "role", "position_en", "organization"]
    autocomplete_fields = ["participant", "organization"]

    def get_formset(self, request, obj=None, **kwargs):
        self.parent_edition = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "sub_forum":
            # Only this edition's sessions can be chosen; they are added in the inline above,
            # so no add/change/view buttons beside the list (they cost the row its width).
            kwargs["queryset"] = SubForum.objects.filter(edition=self.parent_edition)
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.widget.can_add_related = field.widget.can_change_related = False
            field.widget.can_view_related = False
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("participant", "organization")


@admin.register(Edition)
class EditionAdmin(HistoryAdmin, TranslationAdmin):
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

    def get_search_results(self, request, queryset, search_term):
        """Editions by number as editors type it ("20", "20th", "第20回"), alone or with a forum
        name or city ("20th Tokyo"); a bare four-digit number also finds that year's."""
        number, rest = split_edition_number(search_term)
        if number is None:
            return super().get_search_results(request, queryset, search_term)
        found, duplicates = super().get_search_results(request, queryset, rest)
        if rest or number < 1000:
            return found.filter(number=number), duplicates
        return found.filter(models.Q(number=number) | models.Q(start_date__year=number)), duplicates

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
    fields = ["number", "kind", "language", "text", "source"]
    autocomplete_fields = ["source"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:  # a new row starts at the next free number
            formset.form.base_fields["number"].initial = Statement.objects.next_free_number(obj)
        return formset


@admin.register(Appearance)
class AppearanceAdmin(HistoryAdmin, TranslationAdmin):
    list_display = ["participant", "edition", "sub_forum", "role", "position", "organization"]
    list_filter = ["role", "edition__forum", "edition"]
    list_select_related = ["participant", "edition__forum", "sub_forum", "organization"]
    search_fields = [
        "participant__name",
        *language_columns("position", "organization__name", "organization_name"),
    ]
    autocomplete_fields = ["participant", "edition", "sub_forum", "organization"]
    inlines = [StatementInline]

    class Media:
        js = ["admin/archive/appearance_form.js"]  # sub-forums of the chosen edition only

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return label_sub_forums(field) if db_field.name == "sub_forum" else field


class ParticipantAppearanceInline(TranslationTabularInline):
    """A person's appearances, edited on their own page (English position; the rest, and the
    statements, on each appearance's form through its change link)."""

    model = Appearance
    fk_name = "participant"
    extra = 0
    show_change_link = True
    fields = ["edition", "sub_forum", "role", "position_en", "organization"]
    autocomplete_fields = ["edition", "sub_forum", "organization"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return label_sub_forums(field) if db_field.name == "sub_forum" else field

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("participant", "edition__forum", "sub_forum", "organization")
        )


class ReadOnlyAppearanceInline(admin.TabularInline):
    """Appearances listed on another record's page; edit them on the edition or the person."""

    model = Appearance
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
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


class OrganizationAppearanceInline(ReadOnlyAppearanceInline):
    fk_name = "organization"
    fields = ["participant", "edition", "sub_forum", "role", "delivery", "position"]
    readonly_fields = fields


@admin.register(Participant)
class ParticipantAdmin(HistoryAdmin, TranslationAdmin):
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
    fieldsets = [
        (None, {"fields": ["name", "slug", "native_name", "country"]}),
        (_("Portrait"), {"fields": ["photo", "photo_preview"]}),
        (None, {"fields": ["bio"]}),
    ]
    readonly_fields = ["photo_preview"]

    @admin.display(description=_("current portrait"))
    def photo_preview(self, obj):
        """The small rendition made when the photo was saved: nothing is drawn here."""
        if not obj.photo:
            return _("No portrait yet: pages show initials on a colour.")
        return picture_html(obj.photo, obj.name, size="thumb", css_class="portrait-preview") or _(
            "The portrait file cannot be shown; run manage.py rebuild_renditions."
        )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(appearance_total=Count("appearances"))

    @admin.display(description=_("appearances"), ordering="appearance_total")
    def appearance_count(self, obj):
        return obj.appearance_total


@admin.register(Organization)
class OrganizationAdmin(HistoryAdmin, TranslationAdmin):
    list_display = ["name", "kind", "country"]
    list_filter = ["kind", "country"]
    search_fields = [
        # every language's name, the names it had before (OrganizationName), its own script
        *language_columns("name", "names__name", "appearances__position"),
        "native_name",
        "alternative_names",
    ]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrganizationNameInline, OrganizationAppearanceInline]


@admin.register(OrganizationName)
class OrganizationNameAdmin(HistoryAdmin, TranslationAdmin):
    list_display = ["name", "organization", "valid_from", "valid_until"]
    list_select_related = ["organization"]
    search_fields = [*language_columns("name", "organization__name")]
    autocomplete_fields = ["organization"]


@admin.register(Forum)
class ForumAdmin(HistoryAdmin, TranslationAdmin):
    list_display = ["name", "slug"]
    search_fields = language_columns("name", "alternative_names")
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organizers"]


@admin.register(SubForum)
class SubForumAdmin(HistoryAdmin, TranslationAdmin):
    list_display = ["title", "edition", "kind", "order"]
    list_filter = ["kind", "edition__forum", "edition"]
    list_select_related = ["edition__forum"]
    search_fields = language_columns("title", "description", "edition__forum__name")
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["edition", "topics"]
    autocomplete_label = staticmethod(sub_forum_label)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("edition__forum")

    def get_search_results(self, request, queryset, search_term):
        """Picking an appearance's sub-forum offers only the chosen edition's (the form sends
        it, static/admin/archive/appearance_form.js); a number such as "20th" finds the
        sessions of that edition."""
        edition = request.GET.get("edition", "")
        if request.GET.get("field_name") == "sub_forum" and edition.isdigit():
            queryset = queryset.filter(edition_id=int(edition))
        number, rest = split_edition_number(search_term)
        if number is not None:
            queryset = queryset.filter(edition__number=number)
            search_term = rest
        return super().get_search_results(request, queryset, search_term)


@admin.register(Statement)
class StatementAdmin(HistoryAdmin, TranslationAdmin):
    list_display = ["__str__", "kind", "source", "edition_display"]
    list_filter = ["kind", "language", "source", "appearance__edition"]
    list_select_related = ["appearance__participant", "appearance__edition__forum", "source"]
    search_fields = [*language_columns("text"), "appearance__participant__name"]
    autocomplete_fields = ["appearance", "source"]

    def get_changeform_initial_data(self, request):
        """A new statement of an appearance (?appearance=<id>) gets the next free number."""
        initial = super().get_changeform_initial_data(request)
        appearance = str(initial.get("appearance", ""))
        if appearance.isdigit():
            initial["number"] = Statement.objects.next_free_number(int(appearance))
        return initial

    @admin.display(description=_("edition"), ordering="appearance__edition__number")
    def edition_display(self, obj):
        return obj.appearance.edition.title


@admin.register(Source)
class SourceAdmin(HistoryAdmin, TranslationAdmin):
    list_display = ["title", "publisher", "published_on"]
    search_fields = [*language_columns("title", "note"), "publisher"]
    prepopulated_fields = {"slug": ["title"]}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Topic)
class TopicAdmin(HistoryAdmin, TranslationAdmin):
    list_display = ["name", "slug"]
    search_fields = language_columns("name")
    prepopulated_fields = {"slug": ["name"]}
