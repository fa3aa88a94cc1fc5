"""The admin's "Import edition" page: upload fixture files, read the dry-run report, confirm.

It calls the same ``load_edition`` service as the command, so validation and atomicity are the
same. Uploads are staged under ``VAR_DIR/imports/<random token>/`` between the two steps, with
server-chosen file names; the token is also kept in the session, so only the editor who
uploaded can confirm. Staged files go once loaded or cancelled, and after a day in any case.
"""

import contextlib
import json
import secrets
import shutil
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Edition
from .security import private_dir
from .services import FixtureError, NamedFile, history, load_edition
from .services.loading import megabytes, sizes

PERMISSION = "archive.add_edition"
SESSION_KEY = "archive_import_tokens"
STAGING_MAX_AGE = 24 * 60 * 60  # seconds
MANIFEST = "names.json"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".json,application/json"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(
        label=_("Fixture files"),
        help_text=_(
            "One or more JSON fixture files (for example series.json and edition-20.json), "
            "loaded together. Nothing is written until you confirm."
        ),
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        too_big = []
        for upload in files:
            if upload.size > settings.FIXTURE_MAX_BYTES:
                size, limit = sizes(upload.size, settings.FIXTURE_MAX_BYTES)
                too_big.append(
                    ValidationError(
                        _(
                            "“%(name)s” is %(size)s; the limit is %(limit)s. Split it into "
                            "smaller files."
                        ),
                        code="too_big",
                        params={"name": upload.name, "size": size, "limit": limit},
                    )
                )
        if too_big:
            raise ValidationError(too_big)
        return files


class ConfirmForm(forms.Form):
    token = forms.RegexField(regex=r"^[A-Za-z0-9_-]{20,64}$", widget=forms.HiddenInput)
    update = forms.BooleanField(
        required=False,
        label=_("Apply updates"),
        help_text=_(
            "Overwrite the existing records listed as “update” with the values in the files. "
            "Without this, loading stops if any record differs."
        ),
    )


def import_urls(model_admin):
    """URL patterns for the page, to put before the ModelAdmin's own."""

    def view(request):
        return import_edition_view(request, model_admin)

    return [path("import/", model_admin.admin_site.admin_view(view), name="archive_edition_import")]


def import_edition_view(request, model_admin):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    _remove_stale_stagings()
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Edition._meta,
        "title": _("Import edition"),
        "max_size": megabytes(settings.FIXTURE_MAX_BYTES),
    }
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request, context)
    form = UploadForm()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            token = secrets.token_urlsafe(24)
            try:
                staged = _stage(token, form.cleaned_data["files"])
                report = load_edition(staged, dry_run=True)
            except FixtureError as exc:
                _discard(token)
                context["problems"] = exc.problems
            except BaseException:
                _discard(token)  # never an upload left behind, whatever went wrong
                raise
            else:
                request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, []), token]
                context["report"] = report
                context["confirm_form"] = ConfirmForm(initial={"token": token})
    context["form"] = form
    return TemplateResponse(request, "admin/archive/edition/import.html", context)


def _confirm(request, context):
    form = ConfirmForm(request.POST)
    token = form.data.get("token", "")
    if not form.is_valid() or token not in request.session.get(SESSION_KEY, []):
        messages.error(
            request, gettext("This import has expired or was already done; upload the files again.")
        )
        return redirect("admin:archive_edition_import")
    staged = _staged_files(token)
    if staged is None:
        _forget(request, token)
        messages.error(request, gettext("This import has expired; upload the files again."))
        return redirect("admin:archive_edition_import")
    if "cancel" in request.POST:
        _discard(token)
        _forget(request, token)
        messages.info(request, gettext("Import cancelled; nothing was loaded."))
        return redirect("admin:archive_edition_import")
    try:
        with history.revision(user=request.user) as batch:  # one revision in History
            report = load_edition(staged, update=form.cleaned_data["update"])
            batch.comment = history.load_comment("Import edition", report)
    except FixtureError as exc:
        context["problems"] = exc.problems
        context["confirm_form"] = form
        with contextlib.suppress(FixtureError):  # the problems above say why
            context["report"] = load_edition(staged, dry_run=True)
        context["form"] = UploadForm()
        return TemplateResponse(request, "admin/archive/edition/import.html", context)
    except BaseException:
        _discard(token)  # never an upload left behind, whatever went wrong
        _forget(request, token)
        raise
    _discard(token)
    _forget(request, token)
    messages.success(
        request,
        gettext("Loaded: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
        % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
    )
    return redirect("admin:archive_edition_changelist")


# --- staging ------------------------------------------------------------------------------
def _imports_dir():
    return Path(settings.VAR_DIR) / "imports"


def _stage(token, uploads):
    directory = private_dir(_imports_dir()) / token
    directory.mkdir(mode=0o700)
    names = []
    for number, upload in enumerate(uploads, start=1):
        with open(directory / f"{number:03}.json", "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        names.append(Path(upload.name).name)
    (directory / MANIFEST).write_text(json.dumps(names), encoding="utf-8")
    return _staged_files(token)


def _staged_files(token):
    directory = _imports_dir() / token
    try:
        names = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return [
        NamedFile(name, directory / f"{number:03}.json")
        for number, name in enumerate(names, start=1)
    ]


def _discard(token):
    shutil.rmtree(_imports_dir() / token, ignore_errors=True)


def _forget(request, token):
    request.session[SESSION_KEY] = [t for t in request.session.get(SESSION_KEY, []) if t != token]


def _remove_stale_stagings():
    directory = _imports_dir()
    if not directory.is_dir():
        return
    limit = time.time() - STAGING_MAX_AGE
    for staged in directory.iterdir():
        if staged.is_dir() and staged.stat().st_mtime < limit:
            shutil.rmtree(staged, ignore_errors=True)
