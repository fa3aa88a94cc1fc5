"""Site search: one bounded, ranked query per kind of record.

On PostgreSQL, full-text rank (config "simple", so names are not stemmed away) and trigram word
similarity order the hits, and a substring match keeps Chinese and Japanese text findable:
pg_trgm ignores characters it does not count as alphanumeric under some locales. On SQLite
(development, tests) the same substring match runs alone, ranked by where it matched; for
statements, the most numerous records, an FTS5 trigram index (migration 0008) first narrows the
rows the substring match has to read.
Only what the user may see is searched: drafts and everything under them stay hidden.
"""

import difflib
import re
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from .base import language_columns
from .edition import Edition, SubForum
from .people import Appearance, Participant, Statement
from .reference import Organization, Topic

MAX_QUERY_LENGTH = 200
RESULTS_PER_KIND = 20
# PostgreSQL: rows ranked per kind of record at most (the candidates the indexes find).
SEARCH_CANDIDATES = 500


@dataclass
class SearchGroup:
    key: str
    label: str
    hits: list = field(default_factory=list)
    more: bool = False


def clean_query(raw):
    """The query to run and whether it had to be cut to MAX_QUERY_LENGTH characters."""
    # Control characters (NUL above all, which PostgreSQL refuses) become spaces.
    raw = "".join(char if char.isprintable() else " " for char in (raw or ""))
    query = " ".join(raw.split())
    if len(query) > MAX_QUERY_LENGTH:
        return query[:MAX_QUERY_LENGTH].rstrip(), True
    return query, False


def terms(query):
    """The words a query highlights; a query without spaces (Chinese, Japanese) is one term."""
    return [term for term in query.split() if term]


#: Chinese, Japanese and Korean scripts: written without spaces, so matched as substrings.
CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
)


def matches_within_words(term):
    """Whether `term` may match inside a word: Chinese and Japanese terms do (their text has no
    spaces), Latin-script terms only at the start of a word ("AI" finds "AI" and "AI-driven",
    never "sustainable"; "digit" finds "digital", for typing)."""
    return bool(CJK.search(term)) or not any(char.isalnum() for char in term)


def term_regex(term, vendor="python"):
    """The regular expression `term` matches by, for Python (highlighting, SQLite's REGEXP) or
    PostgreSQL (whose word start is \\m). The one definition of "where a term matches"."""
    escaped = re.escape(term)
    if matches_within_words(term):
        return escaped
    return ("\\m" if vendor == "postgresql" else "\\b") + escaped


def _term_condition(column, term):
    condition = Q(**{f"{column}__icontains": term})  # cheap, and what the indexes serve
    if matches_within_words(term):
        return condition
    return condition & Q(**{f"{column}__iregex": term_regex(term, connection.vendor)})


def _in_language(path):
    """A translated column in the active language, falling back to English, for values()."""
    *parents, last = path.split("__")
    active = build_localized_fieldname(last, get_language() or settings.LANGUAGE_CODE)
    english = build_localized_fieldname(last, settings.MODELTRANSLATION_DEFAULT_LANGUAGE)
    return Coalesce(
        F("__".join([*parents, active])),
        F("__".join([*parents, english])),
        output_field=CharField(),
    )


def _use_postgres():
    return connection.vendor == "postgresql"


#: SQLite FTS5 trigram tables (migration 0008): model table -> index table.
SQLITE_INDEXES = {"archive_statement": "archive_statement_fts"}
TRIGRAM = 3  # the trigram tokenizer matches words of at least this many characters


class PkInArray(Func):
    """`pk = ANY(ARRAY(subquery))` as a boolean expression, PostgreSQL only.

    An expression used where it is needed, not a lookup registered on every AutoField of the
    project as a side effect of importing this module."""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        lhs, rhs = self.get_source_expressions()
        lhs_sql, lhs_params = compiler.compile(lhs)
        rhs_sql, rhs_params = compiler.compile(rhs)
        if rhs_sql.startswith("(") and rhs_sql.endswith(")"):
            rhs_sql = rhs_sql[1:-1]  # ARRAY() takes the subquery itself
        return f"{lhs_sql} = ANY(ARRAY({rhs_sql}))", (*lhs_params, *rhs_params)


def _sqlite_candidates(queryset, words):
    """On SQLite, only rows the trigram index says contain every word (when it can tell).

    The index matches case-insensitively, Unicode letters included, so its rows are a superset
    of what the LIKE filter keeps: the result is the same, found without reading every row.
    """
    table = SQLITE_INDEXES.get(queryset.model._meta.db_table)
    if table is None or any(len(word) < TRIGRAM for word in words):
        return queryset
    match = " AND ".join('"{}"'.format(word.replace('"', '""')) for word in words)
    sql = f"SELECT rowid FROM {table} WHERE {table} MATCH %s"  # noqa: S608 (a constant name)
    return queryset.filter(pk__in=RawSQL(sql, (match,)))


def _matches(queryset, query, fields, text_fields=(), fuzzy_fields=None):
    """Filter to hits on any field, best first, at most RESULTS_PER_KIND (+1 to tell "more").

    `fuzzy_fields` (default: all `fields`) may also match by trigram word similarity on
    PostgreSQL: names and titles, not long texts, where a fuzzy match means little and costs a
    similarity computation per row.
    """
    words = terms(query)
    # Every word must appear in some field, a Latin word at a word start: "beijing forum"
    # finds "Beijing-Tokyo Forum", "AI" does not find "sustainable".
    substring = reduce(
        lambda acc, word: acc & reduce(or_, (_term_condition(f, word) for f in fields)),
        words,
        Q(),
    )
    # A field that starts with the query ranks before one that merely contains it.
    starts = Case(
        *(When(**{f"{f}__istartswith": query}, then=Value(1)) for f in fields),
        default=Value(0),
        output_field=IntegerField(),
    )
    if _use_postgres():
        # Rank only candidates the trigram indexes can find (substring or word similarity,
        # migrations 0004 and 0009): computing similarity and ts_rank for every row took
        # 3.3 s for 250,000 statements. A word common to more than SEARCH_CANDIDATES rows
        # ranks the first SEARCH_CANDIDATES found.
        # A fuzzy match is pg_trgm's %> operator: word similarity above the server's
        # pg_trgm.word_similarity_threshold (0.6 unless configured otherwise).
        fuzzy = fields if fuzzy_fields is None else fuzzy_fields
        similar = [Q(**{f"{f}__trigram_word_similar": query}) for f in fuzzy]
        candidates = queryset.filter(reduce(or_, similar, substring)).order_by().values("pk")
        # PostgreSQL runs the candidates' subquery once and fetches them by primary key; as
        # `IN (subquery)` its planner joined every row to them (60-200 ms at 250,000 rows).
        queryset = queryset.filter(PkInArray(F("pk"), Subquery(candidates[:SEARCH_CANDIDATES])))
        similarity = [TrigramWordSimilarity(query, f) for f in fields]
        score = Greatest(*similarity) if len(similarity) > 1 else similarity[0]
        queryset = queryset.annotate(score=score, starts=starts)
        order = [F("score").desc(), F("starts").desc()]
        if text_fields:
            vector = SearchVector(*text_fields, config="simple")
            search_query = SearchQuery(query, config="simple", search_type="websearch")
            queryset = queryset.annotate(rank=SearchRank(vector, search_query))
            order.insert(0, F("rank").desc())
        queryset = queryset.order_by(*order, "pk")
    else:
        queryset = _sqlite_candidates(queryset, words)
        queryset = queryset.filter(substring).annotate(starts=starts).order_by("-starts", "pk")
    return queryset[: RESULTS_PER_KIND + 1]


def _matches_then_annotate(queryset, query, fields, annotations):
    """_matches(), with `annotations` (subqueries) computed for the hits shown only.

    Annotated before matching, every matching row carries them into the sort: a common word
    that matches 50,000 participants ran the latest-edition subqueries 200,000 times.
    """
    shown = _matches(queryset, query, fields).values("pk")
    return _matches(queryset.filter(pk__in=shown).annotate(**annotations), query, fields)


def _group(key, label, rows):
    rows = list(rows)
    return SearchGroup(key, label, rows[:RESULTS_PER_KIND], len(rows) > RESULTS_PER_KIND)


def _latest_appearance(user, **match):
    """Subqueries naming the latest visible edition a person or organization appeared at."""
    latest = (
        Appearance.objects.visible_to(user)
        .filter(**match)
        .order_by("-edition__start_date", "-edition__number")
    )
    return {
        "last_edition_forum": Subquery(
            latest.annotate(forum_name=_in_language("edition__forum__name")).values("forum_name")[
                :1
            ]
        ),
        # NULL when the forum's name has no translation in the active language.
        "last_edition_forum_translated": Subquery(
            latest.values(
                "edition__forum__"
                + build_localized_fieldname("name", get_language() or settings.LANGUAGE_CODE)
            )[:1]
        ),
        "last_edition_forum_slug": Subquery(latest.values("edition__forum__slug")[:1]),
        "last_edition_number": Subquery(latest.values("edition__number")[:1]),
        "last_edition_date": Subquery(latest.values("edition__start_date")[:1]),
    }


#: "Did you mean": the rows of each kind whose words make the vocabulary, at most.
SUGGESTION_ROWS = 5000
SUGGESTION_CUTOFF = 0.75  # difflib's similarity ratio: "digitl" -> "digital" is 0.92
WORD = re.compile(r"\w{3,}")


def suggest(query, user):
    """A spelling of `query` that the archive's names and titles use, for a search that found
    nothing ("digitl" -> "digital"), or None. Latin-script words only; the same answer on SQLite
    and PostgreSQL (difflib over the visible records' words, a few queries, only on a miss)."""
    words = terms(query)
    if not words or any(matches_within_words(word) for word in words):
        return None
    sources = [
        (Participant.objects.visible_to(user), ["name"]),
        (Organization.objects.visible_to(user), language_columns("name")),
        (Edition.objects.visible_to(user), [*language_columns("theme", "city"), "forum__name"]),
        (SubForum.objects.visible_to(user), language_columns("title")),
        (Topic.objects.visible_to(user), language_columns("name")),
    ]
    vocabulary = set()
    for queryset, columns in sources:
        for row in queryset.order_by("pk").values_list(*columns)[:SUGGESTION_ROWS]:
            vocabulary.update(
                word.lower() for value in row if value for word in WORD.findall(value)
            )
    corrected = []
    for word in words:
        lower = word.lower()
        if lower in vocabulary or len(lower) < 4:
            corrected.append(word)
            continue
        close = difflib.get_close_matches(lower, vocabulary, n=1, cutoff=SUGGESTION_CUTOFF)
        if not close:
            return None
        corrected.append(close[0])
    suggestion = " ".join(corrected)
    return None if suggestion.lower() == query.lower() else suggestion


def search(query, user):
    """Hits grouped by kind: editions, sessions, people, organizations, statements.

    Five queries whatever the data size; each group holds at most RESULTS_PER_KIND hits.
    """
    if not query:
        return []
    editions = _matches(
        Edition.objects.visible_to(user).select_related("forum"),
        query,
        language_columns("theme", "city", "country", "forum__name", "forum__alternative_names"),
        text_fields=language_columns("theme"),
    )
    sub_forums = _matches(
        SubForum.objects.visible_to(user).select_related("edition__forum"),
        query,
        language_columns("title", "description"),
        text_fields=language_columns("title", "description"),
        fuzzy_fields=language_columns("title"),
    )
    participants = _matches_then_annotate(
        Participant.objects.visible_to(user),
        query,
        ["name", "native_name"],
        _latest_appearance(user, participant=OuterRef("pk")),
    )
    organizations = _matches_then_annotate(
        Organization.objects.visible_to(user),
        query,
        [*language_columns("name"), "native_name", "alternative_names"],
        _latest_appearance(user, organization=OuterRef("pk")),
    )
    statements = _matches(
        Statement.objects.visible_to(user).select_related(
            "appearance__participant",
            "appearance__edition__forum",
            "appearance__sub_forum__edition__forum",
        ),
        query,
        language_columns("text"),
        text_fields=language_columns("text"),
        fuzzy_fields=(),
    )
    return [
        _group("editions", _("Editions"), editions),
        _group("sub_forums", _("Sessions"), sub_forums),
        _group("participants", _("Participants"), participants),
        _group("organizations", _("Organizations"), organizations),
        _group("statements", _("Statements"), statements),
    ]
