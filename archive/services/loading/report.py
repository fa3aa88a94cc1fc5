"""Report: the problems a load found (`Problem`, `FixtureError`), what it did (`LoadReport`), and
how values from a fixture are shown in those messages."""

import json
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the fixtures: where it is, and what is wrong."""

    file: str
    message: str
    index: int | None = None  # the record's position in the file's list, counting from 1
    model: str | None = None  # as the file names it: "archive.edition"
    key: tuple | None = None  # the record's natural key
    field: str | None = None

    def __str__(self):
        where = self.file
        if self.index is not None:
            where += f", record {self.index}"
            if self.model:
                where += f" ({self.model}{' ' + show_key(self.key) if self.key else ''})"
        if self.field:
            where += f", field “{self.field}”"
        return printable(f"{where}: {self.message}")


class FixtureError(Exception):
    """The fixtures cannot be loaded; ``problems`` lists every reason. Nothing was written."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self):
        count = len(self.problems)
        heading = (
            "1 problem found" if count == 1 else f"{count} problems found"
        ) + "; nothing was loaded."
        return "\n".join([heading, *(f"- {problem}" for problem in self.problems)])


@dataclass
class ModelReport:
    created: list = field(default_factory=list)  # natural keys
    updated: list = field(default_factory=list)  # (natural key, ["field", ...])
    unchanged: list = field(default_factory=list)  # natural keys
    kept: list = field(default_factory=list)  # existing records a missing-only load left alone


@dataclass
class LoadReport:
    """What a load created, updated and left unchanged (or would have, for a dry run)."""

    files: list
    dry_run: bool
    models: dict  # model label -> ModelReport, in load order

    def _total(self, kind):
        return sum(len(getattr(report, kind)) for report in self.models.values())

    created = property(lambda self: self._total("created"))
    updated = property(lambda self: self._total("updated"))
    unchanged = property(lambda self: self._total("unchanged"))
    kept = property(lambda self: self._total("kept"))

    def counts(self):
        """{label: (created, updated, unchanged)} for every model the files hold."""
        return {
            label: (len(report.created), len(report.updated), len(report.unchanged))
            for label, report in self.models.items()
        }

    def lines(self, verbosity=1):
        """The report as text lines; verbosity 2 lists every record."""
        if self.dry_run:
            lines = ["Dry run: nothing was written. Loading these files would:"]
            words = ("create", "update", "leave unchanged")
        else:
            lines = ["Loaded:"]
            words = ("created", "updated", "unchanged")
        for label, report in self.models.items():
            counts = (len(report.created), len(report.updated), len(report.unchanged))
            if self.dry_run:
                parts = [f"{word} {count}" for word, count in zip(words, counts, strict=True)]
            else:
                parts = [f"{count} {word}" for word, count in zip(words, counts, strict=True)]
            if report.kept:
                parts.append(f"{len(report.kept)} already there, left as they are")
            lines.append(f"  {label}: {', '.join(parts)}")
            if verbosity >= 2:
                lines += [f"    {words[0]} {show_key(key)}" for key in report.created]
                lines += [
                    f"    {words[1]} {show_key(key)} ({', '.join(fields)})"
                    for key, fields in report.updated
                ]
                lines += [f"    {words[2]} {show_key(key)}" for key in report.unchanged]
                lines += [f"    already there {show_key(key)}" for key in report.kept]
        total = (
            f"Total: {self.created} created, {self.updated} updated, {self.unchanged} unchanged."
        )
        if self.dry_run:
            total = (
                f"Total: {self.created} to create, {self.updated} to update, "
                f"{self.unchanged} unchanged."
            )
        if self.kept:
            total += (
                f" {self.kept} already in the database, left as they are (--missing-only never"
                " changes an existing record; use --update to apply the files' values)."
            )
        lines.append(total)
        return lines


def model_reports(load):
    """{label: ModelReport} of a validated load, in load order."""
    reports = {}
    for model, records in load.by_model.items():
        if not records:
            continue
        report = reports[model._meta.label_lower] = ModelReport()
        for record in records.values():
            if record.is_new:
                report.created.append(record.key)
            elif load.missing_only:
                report.kept.append(record.key)
            elif record.changes:
                report.updated.append((record.key, [name for name, _ in record.changes]))
            else:
                report.unchanged.append(record.key)
    return reports


# --- showing values in messages -------------------------------------------------------------
def show_key(key):
    return dumps(list(key))


def show(value):
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    if hasattr(value, "name") and not isinstance(value, str):  # a FieldFile
        value = value.name or ""
    shown = dumps(value)
    return shown if len(shown) <= 80 else shown[:77] + '…"'


def dumps(value):
    """JSON text of a value from a fixture, for a message: never an error of its own."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (RecursionError, TypeError, ValueError):
        return "[...]" if isinstance(value, list) else "{...}"


def printable(text):
    """The text with any lone surrogate written as its escape: a message must always print."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def a(word):
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def json_kind(value):
    if isinstance(value, dict):
        return "an object ({...})"
    if isinstance(value, list):
        return "a list ([...])"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({json.dumps(value)})"
    if isinstance(value, int | float):
        return f"a number ({dumps(value)})"
    return a(type(value).__name__)


def megabytes(size):
    return f"{size / (1024 * 1024):.1f} MB"


def sizes(size, limit):
    """A size over a limit and the limit, shown precisely enough to differ."""
    if megabytes(size) != megabytes(limit):
        return megabytes(size), megabytes(limit)
    return f"{size:,} bytes", f"{limit:,} bytes"
