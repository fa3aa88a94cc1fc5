"""The archive's domain: a forum series, its editions and what was said there."""

from .edition import Edition, SubForum
from .people import Appearance, Participant, Statement
from .reference import Forum, Organization, Source, Topic

__all__ = [
    "Appearance",
    "Edition",
    "Forum",
    "Organization",
    "Participant",
    "Source",
    "Statement",
    "SubForum",
    "Topic",
]
