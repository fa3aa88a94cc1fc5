"""The timeline of a forum's editions, shared by the home page and the forum's own page
(`templates/includes/timeline.html`)."""

from dataclasses import dataclass, field

#: Host-country colours on the timeline (`.host-0` … `.host-3` in site.css), reused in turn.
HOST_COLOURS = 4


@dataclass
class Timeline:
    """Editions oldest first; `hosts` maps each host country to its colour index, in order of
    first appearance, so alternating hosts show at a glance without inline styles; `latest` is
    the edition marked "Latest"."""

    editions: list
    hosts: dict = field(default_factory=dict)
    latest: object = None

    @property
    def alternates(self):
        """Whether editions move between host countries: then they sit on both sides of the
        line; with one host they all sit on one side and no half of the page is left empty."""
        return len(self.hosts) > 1


def timeline(editions):
    """The Timeline of `editions` (any order; already read from the database)."""
    ordered = sorted(editions, key=lambda e: (e.start_date, e.number))
    hosts = {}
    for edition in ordered:
        hosts.setdefault(edition.country, len(hosts) % HOST_COLOURS)
    return Timeline(ordered, hosts, ordered[-1] if ordered else None)
