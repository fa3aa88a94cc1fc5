"""The archive's domain: a forum series, its editions and what was said there."""

from .edition import Edition, SubForum
from .people import Appearance, Participant, Statement
from .reference import Forum, Organization, OrganizationName, Source, Topic

#: Every archive model in dependency order: each comes after the models its natural key and
#: references need (the loader writes in this order; history records it).
LOAD_ORDER = (
    Organization,
    OrganizationName,
    Topic,
    Source,
    Forum,
    Participant,
    Edition,
    SubForum,
    Appearance,
    Statement,
)

__all__ = [
    "LOAD_ORDER",
    "Appearance",
    "Edition",
    "Forum",
    "Organization",
    "OrganizationName",
    "Participant",
    "Source",
    "Statement",
    "SubForum",
    "Topic",
]
