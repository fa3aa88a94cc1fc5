"""Read queries for the public site, each with its own select/prefetch so pages run a fixed
number of SQL queries.

The models' querysets own `published()`/`visible_to()`; what the public pages add on top (who may
see a participant, which appearances a page lists, in what order, with which related rows) lives
here until it moves onto the models' querysets.

Visibility rule: a draft edition and everything under it (sub-forums, appearances, statements)
is hidden from anyone who is not staff. A participant or organization is public once it is
attached to a published edition (organizations also through a forum's organizers).
"""

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q

from .models import Appearance, Edition, Forum, Organization, Participant, Statement, SubForum

# Bounded lists: pages that gather records across editions show at most this many rows.
CROSS_EDITION_LIMIT = 100

# The home page's timeline shows each forum's latest editions, at most this many.
HOME_TIMELINE_LIMIT = 20


def is_staff(user):
    return bool(user is not None and user.is_authenticated and user.is_staff)


def visible_editions(user):
    return Edition.objects.visible_to(user) if user is not None else Edition.objects.published()


def visible_sub_forums(user):
    return SubForum.objects.all() if is_staff(user) else SubForum.objects.published()


def visible_appearances(user):
    return Appearance.objects.all() if is_staff(user) else Appearance.objects.published()


def visible_statements(user):
    return Statement.objects.all() if is_staff(user) else Statement.objects.published()


def visible_participants(user):
    if is_staff(user):
        return Participant.objects.all()
    return Participant.objects.filter(
        Exists(Appearance.objects.published().filter(participant=OuterRef("pk")))
    )


def visible_organizations(user):
    if is_staff(user):
        return Organization.objects.all()
    published = Edition.objects.published()
    return Organization.objects.filter(
        Exists(Appearance.objects.published().filter(organization=OuterRef("pk")))
        | Exists(published.filter(co_organizers=OuterRef("pk")))
        | Exists(Forum.objects.filter(organizers=OuterRef("pk")))
    )


def statements_prefetch(user, to_attr=None):
    """Statements of an appearance, in order, each with its source."""
    return Prefetch(
        "statements",
        queryset=visible_statements(user).select_related("source").order_by("number"),
        to_attr=to_attr,
    )


def home_forums(user):
    """Every forum with its organizers, its count of visible editions and the latest
    HOME_TIMELINE_LIMIT of them (newest first: the view puts them back in order)."""
    counted = Q() if is_staff(user) else Q(editions__status=Edition.Status.PUBLISHED)
    return (
        Forum.objects.annotate(edition_count=Count("editions", filter=counted))
        .prefetch_related(
            "organizers",
            Prefetch(
                "editions",
                queryset=visible_editions(user)
                .select_related("forum")
                .order_by("-number")[:HOME_TIMELINE_LIMIT],
                to_attr="latest_editions",
            ),
        )
        .order_by("name_en")
    )


def edition_detail(user):
    return (
        visible_editions(user)
        .select_related("forum")
        .prefetch_related(
            "co_organizers",
            "sources",
            "topics",
            Prefetch(
                "sub_forums",
                queryset=SubForum.objects.prefetch_related("topics").order_by(
                    "order", "title_en", "pk"
                ),
                to_attr="ordered_sub_forums",
            ),
        )
    )


def edition_appearances(edition, user):
    """Everyone at an edition, in programme order, with what they said.

    Programme order: those at the forum as a whole (no session) first, then session by session
    in the order of `edition_detail`'s `ordered_sub_forums`, each session in speaking order. The
    order is total (ties broken by id), so pages of it never overlap or skip a row.
    """
    return (
        Appearance.objects.filter(edition=edition)
        .select_related("participant", "organization")
        .prefetch_related(statements_prefetch(user))
        .order_by(
            F("sub_forum__order").asc(nulls_first=True),
            "sub_forum__title_en",
            "sub_forum_id",
            "order",
            "participant__name",
            "pk",
        )
    )


def neighbour_editions(edition, user):
    """The previous and next visible editions of the same forum, by number."""
    siblings = visible_editions(user).filter(forum_id=edition.forum_id).select_related("forum")
    previous = siblings.filter(number__lt=edition.number).order_by("-number").first()
    following = siblings.filter(number__gt=edition.number).order_by("number").first()
    return previous, following


def sub_forum_detail(user):
    return (
        visible_sub_forums(user)
        .select_related("edition__forum")
        .prefetch_related("topics", "edition__sources")
    )


def sub_forum_appearances(sub_forum, user):
    return (
        Appearance.objects.filter(sub_forum=sub_forum)
        .select_related("participant", "organization")
        .prefetch_related(statements_prefetch(user))
        .order_by("order", "participant__name", "pk")
    )


def participant_appearances(participant, user):
    """A participant's visible appearances, latest first, with edition, session and words."""
    return (
        visible_appearances(user)
        .filter(participant=participant)
        .select_related("edition__forum", "sub_forum__edition__forum", "organization")
        .prefetch_related(statements_prefetch(user))
        .order_by("-edition__start_date", "sub_forum__order", "order")
    )


def organization_appearances(organization, user):
    return (
        visible_appearances(user)
        .filter(organization=organization)
        .select_related("edition__forum", "sub_forum__edition__forum", "participant")
        .order_by("-edition__start_date", "sub_forum__order", "order", "participant__name")
    )


def organization_editions(organization, user):
    return (
        visible_editions(user)
        .filter(co_organizers=organization)
        .select_related("forum")
        .order_by("-start_date", "-number")
    )


def topic_sub_forums(topic, user):
    return (
        visible_sub_forums(user)
        .filter(topics=topic)
        .select_related("edition__forum")
        .order_by("-edition__start_date", "order", "title")
    )


def topic_editions(topic, user):
    return (
        visible_editions(user)
        .filter(topics=topic)
        .select_related("forum")
        .order_by("-start_date", "-number")
    )


def bounded(queryset, limit=None):
    """At most `limit` (default CROSS_EDITION_LIMIT) rows, and whether more exist, in one query."""
    limit = CROSS_EDITION_LIMIT if limit is None else limit
    rows = list(queryset[: limit + 1])
    return rows[:limit], len(rows) > limit
