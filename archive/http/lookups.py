"""The visible record a URL names, or a 404: shared by pages, the API, calendars, downloads and
cards, so "look up a visible edition by its key" is written once."""

from django.db.models import QuerySet
from django.http import Http404

from ..models import Edition, SubForum


def _queryset(model, queryset_or_user):
    if isinstance(queryset_or_user, QuerySet):
        return queryset_or_user
    return model.objects.visible_to(queryset_or_user)


def visible_edition_or_404(queryset_or_user, key):
    """The edition with key `key` (Edition.key) that the user may see, or Http404.

    Takes a user (then starts from Edition.objects.visible_to(user) with its forum) or an edition
    queryset already narrowed to what the caller shows (e.g. `.visible_to(user).for_detail()`).
    """
    queryset = _queryset(Edition, queryset_or_user)
    if not isinstance(queryset_or_user, QuerySet):
        queryset = queryset.select_related("forum")
    try:
        return queryset.get_by_key(key)
    except Edition.DoesNotExist:
        raise Http404("No such edition.") from None


def visible_sub_forum_or_404(queryset_or_user, edition_key, slug):
    """The session `slug` of edition `edition_key` that the user may see, or Http404."""
    queryset = _queryset(SubForum, queryset_or_user)
    if not isinstance(queryset_or_user, QuerySet):
        queryset = queryset.select_related("edition__forum")
    try:
        return queryset.get_by_key(edition_key, slug)
    except SubForum.DoesNotExist:
        raise Http404("No such session.") from None
