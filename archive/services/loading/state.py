"""What a load carries from step to step: the files read, their records, the records found in
the database, and every problem found so far."""

from archive.models import LOAD_ORDER

from .report import FixtureError, Problem

#: Dependency order: every model comes after the models its natural key and references need.
MODELS = LOAD_ORDER
LABELS = {model._meta.label_lower: model for model in MODELS}

CHUNK_SIZE = 500
PROGRESS_EVERY = 10_000


class Record:
    """One record of a fixture file, as parsing and validation see it."""

    __slots__ = (
        "bad",
        "changes",
        "current_m2m",
        "file",
        "fields",
        "index",
        "instance",
        "is_new",
        "key",
        "label",
        "m2m",
        "m2m_add",
        "m2m_refs",
        "model",
        "ok",
        "refs",
        "values",
    )

    def __init__(self, file, index, label, model, fields):
        self.file, self.index, self.label, self.model, self.fields = (
            file,
            index,
            label,
            model,
            fields,
        )
        self.values = {}  # plain field name -> converted value
        self.refs = {}  # foreign key name -> natural key of the target, or None
        self.m2m_refs = {}  # many-to-many name -> [natural key, ...]
        self.m2m_add = set()  # many-to-many names given as {"add": [...]}: added to, not replaced
        self.m2m = {}  # many-to-many name -> [target instance, ...]
        self.key = None
        self.instance = None
        self.is_new = True
        self.current_m2m = {}  # many-to-many name -> target pks in the database now
        self.changes = []  # descriptions of differences from the database: "city: ... → ..."
        self.ok = True
        self.bad = set()  # fields whose value was refused while parsing


class Load:
    """The state of one load_edition call."""

    def __init__(self, say, missing_only=False):
        self.say = say
        self.missing_only = missing_only
        self.problems = []
        self.items = []  # (NamedFile, list of raw records)
        self.records = []
        self.by_model = {model: {} for model in MODELS}  # natural key -> Record
        self.known = {model: {} for model in MODELS}  # natural key -> instance (files or DB)
        self.by_pk = {model: {} for model in MODELS}
        self.references = {}  # (model, *raw reference) -> natural key
        self.suspect = set()  # files that may hold NaN, Infinity or a lone surrogate

    def problem(self, file, message, record=None, field=None):
        if record is None:
            self.problems.append(Problem(file, message))
            return
        record.ok = False
        self.problems.append(Problem(file, message, record.index, record.label, record.key, field))

    def raise_problems(self):
        if self.problems:
            raise FixtureError(self.problems)

    def file_names(self):
        return ", ".join(named.name for named, _ in self.items)


def chunks(items):
    items = list(items)
    for start in range(0, len(items), CHUNK_SIZE):
        yield items[start : start + CHUNK_SIZE]
