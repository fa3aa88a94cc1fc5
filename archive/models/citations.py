"""How a record is cited: one description (`Citation`) of an edition, session, participant or
statement, written out as plain text, BibTeX, RIS and CSL-JSON.

The page's "Cite this page" block (templates/includes/citation.html) shows the text and BibTeX;
RIS and CSL-JSON (and BibTeX again) are downloads (archive/views/citations.py), so a page renders
no more per statement than before. Titles follow the language's patterns (Edition.title,
"第20届…", "第20回…") and are never cut: a statement's title names its speaker, kind and edition;
its words go in the abstract. The `citation_*` meta tags reference managers read (Google Scholar's
Highwire Press tags, Zotero) come from the same description (`Citation.meta`).

Every format is text, never markup: BibTeX escapes its special characters, RIS puts each value on
one line (a newline in stored text could otherwise start a new tag or end the record), CSL-JSON
is JSON.
"""

import json
import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from .languages import active_language, edition_place

#: The downloads, by the extension in their address: (content type, file extension).
FORMATS = {
    "ris": "application/x-research-info-systems; charset=utf-8",
    "json": "application/vnd.citationstyles.csl+json",
    "bib": "application/x-bibtex; charset=utf-8",
}


def archive_name():
    """The site's name in the active language ("Forum Archive", 论坛档案库, …)."""
    return _("Forum Archive")


def _bibtex_value(value):
    return "".join(
        "\\textbackslash{}" if char == "\\" else f"\\{char}" if char in "{}&%$#_" else char
        for char in str(value)
    )


def _ris_value(value):
    """One line of text: RIS reads a newline as the end of the value."""
    return re.sub(r"\s+", " ", str(value)).strip()


def _source_text(source):
    parts = [source.title]
    if source.publisher:
        parts.append(source.publisher)
    if source.published_on:
        parts.append(source.published_on.isoformat())
    if source.url:
        parts.append(source.url)
    return ", ".join(parts)


def _date_parts(day):
    return {"date-parts": [[day.year, day.month, day.day]]}


@dataclass
class Citation:
    key: str  # "forumarchive:beijing-tokyo-forum-20": BibTeX key, RIS ID, CSL id
    title: str
    url: str
    sources: list = field(default_factory=list)
    issued: object = None  # a date: when it was said (statement) or first published (page)
    author: str = ""  # a statement's speaker; pages are the archive's own
    event: str = ""  # the edition a statement or session belongs to
    place: str = ""
    abstract: str = ""  # a statement's words
    language: str = field(default_factory=active_language)
    accessed: object = field(default_factory=timezone.localdate)
    is_statement: bool = False
    #: Download addresses by format ("ris", "json", "bib"); empty for a draft (not public).
    downloads: dict = field(default_factory=dict)

    @property
    def filename(self):
        return re.sub(r"[^A-Za-z0-9-]", "-", self.key.split(":", 1)[-1])

    def _sources_text(self):
        return "; ".join(_source_text(s) for s in self.sources)

    @property
    def text(self):
        lines = [
            _("%(archive)s. “%(title)s”. %(url)s")
            % {"archive": archive_name(), "title": self.title, "url": self.url}
        ]
        if self.sources:
            lines.append(_("Sources: %(sources)s.") % {"sources": self._sources_text()})
        lines.append(_("Accessed %(date)s.") % {"date": self.accessed.isoformat()})
        return " ".join(lines)

    @property
    def bibtex(self):
        fields = [
            ("title", _bibtex_value(self.title)),
            ("howpublished", _bibtex_value(archive_name())),
            ("url", self.url),
            ("urldate", self.accessed.isoformat()),
        ]
        if self.sources:
            note = _("Sources: %(sources)s") % {"sources": self._sources_text()}
            fields.append(("note", _bibtex_value(note)))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        return f"@misc{{{re.sub(r'[^A-Za-z0-9:-]', '-', self.key)},\n{body}\n}}"

    @property
    def ris(self):
        """RIS: "TY  - " first, "ER  - " last, one "XX  - value" line per tag."""
        tags = [("TY", "ELEC"), ("ID", self.key), ("TI", self.title)]
        if self.author:
            tags.append(("AU", self.author))
        if self.event:
            tags.append(("T2", self.event))
        tags.append(("PB", archive_name()))
        if self.issued:
            tags += [("PY", str(self.issued.year)), ("DA", self.issued.strftime("%Y/%m/%d"))]
        if self.place:
            tags.append(("CY", self.place))
        if self.abstract:
            tags.append(("AB", self.abstract))
        tags += [("UR", self.url), ("Y2", self.accessed.strftime("%Y/%m/%d"))]
        tags.append(("LA", self.language))
        if self.sources:
            tags.append(("N1", _("Sources: %(sources)s") % {"sources": self._sources_text()}))
        lines = [f"{tag}  - {_ris_value(value)}" for tag, value in tags]
        return "\r\n".join([*lines, "ER  - ", ""])

    @property
    def csl(self):
        """One CSL-JSON item (citeproc's input format, CSL 1.0.2 variables)."""
        item = {
            "id": self.key,
            "type": "speech" if self.is_statement else "webpage",
            "title": self.title,
            "container-title": archive_name(),
            "publisher": archive_name(),
            "URL": self.url,
            "accessed": _date_parts(self.accessed),
            "language": self.language,
        }
        if self.author:
            item["author"] = [{"literal": self.author}]
        if self.issued:
            item["issued"] = _date_parts(self.issued)
        if self.event:
            item["event-title"] = self.event
        if self.place:
            item["event-place"] = self.place
        if self.abstract:
            item["abstract"] = self.abstract
        if self.sources:
            item["note"] = _("Sources: %(sources)s") % {"sources": self._sources_text()}
        return [item]

    def render(self, fmt):
        """The citation as a download in `fmt` (a key of FORMATS)."""
        if fmt == "ris":
            return self.ris
        if fmt == "json":
            return json.dumps(self.csl, ensure_ascii=False, indent=2)
        return self.bibtex

    @property
    def meta(self):
        """[(name, content), ...]: the Highwire Press `citation_*` tags of the record's page."""
        tags = [
            ("citation_title", self.title),
            ("citation_author", self.author or archive_name()),
        ]
        if self.issued:
            tags += [
                ("citation_publication_date", self.issued.strftime("%Y/%m/%d")),
                ("citation_date", self.issued.strftime("%Y/%m/%d")),
            ]
        tags += [
            ("citation_publisher", archive_name()),
            ("citation_public_url", self.url),
            ("citation_language", self.language),
        ]
        return tags


def _first_published(edition):
    return edition.published_at.date() if edition.published_at else None


def edition_citation(edition, url, sources=()):
    return Citation(
        key=f"forumarchive:{edition.key}",
        title=edition.title,
        url=url,
        sources=list(sources),
        issued=_first_published(edition),
    )


def sub_forum_citation(sub_forum, url, sources=()):
    edition = sub_forum.edition
    return Citation(
        key=f"forumarchive:{edition.key}-{sub_forum.slug}",
        title=f"{sub_forum.title}, {edition.title}",
        url=url,
        sources=list(sources),
        issued=_first_published(edition),
        event=edition.title,
    )


def participant_citation(participant, url, sources=(), editions=()):
    """`editions`: those of the appearances the page shows (their latest first publication
    dates the page)."""
    published = [day for day in map(_first_published, editions) if day]
    return Citation(
        key=f"forumarchive:participant-{participant.slug}",
        title=str(participant),
        url=url,
        sources=list(sources),
        issued=max(published, default=None),
    )


def statement_citation(statement, appearance, edition, url, said_on=None):
    """A statement, at `url` (its #statement-<pk> anchor on a page that shows it), said on
    `said_on` (its session's date, when known) or at the edition that began on its start date."""
    speaker = appearance.participant.name
    title = _("%(kind)s by %(name)s at the %(edition)s") % {
        "kind": statement.get_shown_kind_display(),
        "name": speaker,
        "edition": edition.title,
    }
    return Citation(
        key=f"forumarchive:statement-{statement.pk}",
        title=title,
        url=url,
        sources=[statement.source],
        issued=said_on or edition.start_date,
        author=speaker,
        event=edition.title,
        place=edition_place(edition),
        abstract=statement.shown_text.value,
        language=statement.text_language,
        is_statement=True,
    )
