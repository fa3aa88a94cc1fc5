"""The archive's domain: a forum series, its editions and what was said there."""

from .edition import Edition, SubForum
from .people import Appearance, Participant, Statement
from .reference import Forum, Organization, OrganizationName, Source, Topic

__all__ = [
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
