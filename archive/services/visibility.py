"""Keep the `is_public` columns of Participant and Organization true to their rules.

A participant is public once they appear at a published edition; an organization once it
organizes a public forum, co-organizes a published edition or is the organization of an
appearance at one (`public_rule()` on each QuerySet says it in SQL). Testing that rule row by
row while a list walks its index made the deep pages of the participant list and its sitemap
section cost several times the first (docs/performance.md). So the answer is kept in a column,
`public_condition()` reads the column, and every reader (lists, sitemaps, the API, search,
counts, `visible_to`) follows.

This module is the one place that writes the column: ``refresh(model, ids)`` recomputes it
with one ``UPDATE ... SET is_public = EXISTS(...)`` over the rows whose flag differs from the
rule. It is called

* by the signal receivers below, for every write that goes through a model's ``save()`` or
  ``delete()`` or a many-to-many manager (the admin, its actions, version restores, the shell):
  an appearance saved or deleted (its participant and organization, before and after), an
  edition whose status or forum changed or that was deleted, a participant or organization
  saved (a restored old version carries no flag), co-organizer and organizer lists changed;
* explicitly by the writes that send no signals: the loader after its bulk writes
  (archive/services/loading/write.py) and ``restore_archive`` after ``loaddata``
  (whose raw saves the receivers skip).

``manage.py refresh_visibility --check`` reports rows whose flag drifted from the rule (a write
by raw SQL, ``loaddata`` outside ``restore_archive``); without ``--check`` it repairs them.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from archive.models import Appearance, Edition, Forum, Organization, Participant

MODELS = (Participant, Organization)


def _selected(model, ids):
    rows = model._base_manager.all()
    return rows if ids is None else rows.filter(pk__in=ids)


def drifted(model, ids=None):
    """The rows (of `ids`, default all) whose `is_public` differs from the rule."""
    rule = model.objects.public_rule()
    return _selected(model, ids).exclude(is_public=rule)


def refresh(model, ids=None):
    """Set `is_public` from the rule for the rows of `ids` (ids or a values() subquery; None
    for every row), in one UPDATE touching only the rows whose flag is wrong; the number of
    rows changed."""
    if ids is not None and not hasattr(ids, "query"):
        ids = {pk for pk in ids if pk is not None}
        if not ids:
            return 0
    return drifted(model, ids).update(is_public=model.objects.public_rule())


def refresh_all():
    """Every flag of every model from its rule: {model: rows changed}."""
    return {model: refresh(model) for model in MODELS}


def check_all():
    """How many rows of each model drifted from the rule, changing nothing."""
    return {model: drifted(model).count() for model in MODELS}


# -- what an edition's status or forum decides -------------------------------------------------


def _edition_organizations(edition_ids, forum_ids):
    """The organizations these editions name (appearances, co-organizers) and the organizers
    of these forums: a set of ids."""
    rows = (
        Appearance.objects.filter(edition__in=edition_ids),
        Edition.co_organizers.through.objects.filter(edition__in=edition_ids),
        Forum.organizers.through.objects.filter(forum__in=forum_ids),
    )
    return {
        pk
        for queryset in rows
        for pk in queryset.order_by().values_list("organization_id", flat=True)
    }


def refresh_editions(edition_ids, forum_ids=()):
    """After the status (or forum) of these editions changed: their people and organizations,
    and the organizers of their forums (a forum is public while it has a published edition)."""
    edition_ids, forum_ids = set(edition_ids), set(forum_ids)
    refresh(
        Participant,
        # A subquery: an edition may have more people than a query may have parameters.
        Appearance.objects.filter(edition__in=edition_ids).order_by().values("participant_id"),
    )
    refresh(Organization, _edition_organizations(edition_ids, forum_ids))


# -- signal receivers (connected by connect(), from ArchiveConfig.ready) -------------------------


def _appearance_before(sender, instance, raw=False, **kwargs):
    """Remember whom a changed appearance was of, so the person it leaves is refreshed too."""
    instance._visibility_before = (
        ()
        if raw or instance.pk is None
        else tuple(
            Appearance._base_manager.filter(pk=instance.pk).values_list(
                "participant_id", "organization_id"
            )
        )
    )


def _appearance_after(sender, instance, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_visibility_before", ())
    refresh(Participant, {instance.participant_id, *(row[0] for row in before)})
    refresh(Organization, {instance.organization_id, *(row[1] for row in before)})


def _edition_before(sender, instance, raw=False, **kwargs):
    instance._visibility_before = (
        None
        if raw or instance.pk is None
        else Edition._base_manager.filter(pk=instance.pk).values_list("status", "forum_id").first()
    )


def _edition_after(sender, instance, raw=False, created=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_visibility_before", None)
    now = (instance.status, instance.forum_id)
    if created or before is None or before != now:
        forums = {instance.forum_id, *((before[1],) if before else ())}
        refresh_editions({instance.pk}, forums)


def _edition_deleting(sender, instance, **kwargs):
    """Before the rows go (the co-organizer links go without a signal): whom this edition
    made public. Its appearances refresh their own people as they are deleted."""
    instance._visibility_organizations = _edition_organizations({instance.pk}, {instance.forum_id})


def _edition_deleted(sender, instance, **kwargs):
    refresh(Organization, getattr(instance, "_visibility_organizations", set()))


def _record_saved(sender, instance, raw=False, created=False, **kwargs):
    """A participant or organization saved (a restored version carries no flag): its own. A
    new one is used by nothing yet (its appearances and lists refresh it when they come)."""
    if not raw and not created:
        refresh(sender, {instance.pk})


def _organizations_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """An edition's co-organizers or a forum's organizers changed (from either side)."""
    if action == "pre_clear":
        if reverse:  # instance is the organization
            instance._visibility_cleared = {instance.pk}
        else:
            instance._visibility_cleared = set(
                sender.objects.filter(**{sender_source(sender): instance.pk}).values_list(
                    "organization_id", flat=True
                )
            )
        return
    if action == "post_clear":
        refresh(Organization, getattr(instance, "_visibility_cleared", set()))
    elif action in ("post_add", "post_remove"):
        refresh(Organization, {instance.pk} if reverse else set(pk_set or ()))


def sender_source(through):
    """The through table's column for the edition or forum: "edition_id" or "forum_id"."""
    return "edition_id" if through is Edition.co_organizers.through else "forum_id"


def connect():
    uid = "archive-visibility"
    pre_save.connect(_appearance_before, sender=Appearance, dispatch_uid=f"{uid}-appearance-pre")
    post_save.connect(_appearance_after, sender=Appearance, dispatch_uid=f"{uid}-appearance")
    post_delete.connect(_appearance_after, sender=Appearance, dispatch_uid=f"{uid}-appearance-del")
    pre_save.connect(_edition_before, sender=Edition, dispatch_uid=f"{uid}-edition-pre")
    post_save.connect(_edition_after, sender=Edition, dispatch_uid=f"{uid}-edition")
    pre_delete.connect(_edition_deleting, sender=Edition, dispatch_uid=f"{uid}-edition-predel")
    post_delete.connect(_edition_deleted, sender=Edition, dispatch_uid=f"{uid}-edition-del")
    for model in MODELS:
        post_save.connect(_record_saved, sender=model, dispatch_uid=f"{uid}-{model.__name__}")
    for through in (Edition.co_organizers.through, Forum.organizers.through):
        m2m_changed.connect(
            _organizations_changed, sender=through, dispatch_uid=f"{uid}-{through.__name__}"
        )
