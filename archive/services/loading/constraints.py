"""The models' check constraints (`Meta.constraints`), evaluated in Python.

Django's own `Q.check()` and `CheckConstraint.validate()` ask the database: one query (and, inside
the load's transaction, one savepoint) per record and constraint. The loader checks thousands of
records with a few queries per model, so it evaluates each condition itself, as SQL would: a
comparison with NULL is unknown, and a CHECK fails only when its condition is false.
"""

import operator
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import F, Q

from .state import MODELS

#: The lookups a condition may use; a model gaining another fails tests/test_loading.py.
COMPARISONS = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "in": lambda value, choices: value in choices,
}
#: A bound on one field said in words: "must be 1 or more." says more than the column's range.
BOUNDS = {
    "gt": "must be more than {}.",
    "gte": "must be {} or more.",
    "lt": "must be less than {}.",
    "lte": "must be {} or less.",
}


@dataclass(frozen=True)
class Check:
    """One check constraint: the fields it reads, and `test(instance)`: True, False or None
    (unknown, which passes)."""

    constraint: models.CheckConstraint
    fields: frozenset
    test: object  # a function of the instance, or None where the condition is not supported
    bound: tuple | None  # (field, message) for a bound on one field

    def message(self):
        return self.bound[1] if self.bound else str(self.constraint.get_violation_error_message())

    def field(self):
        return self.bound[0] if self.bound else NON_FIELD_ERRORS


def _compile(model, condition, fields):
    """A function of an instance that evaluates `condition` in three-valued logic."""
    if isinstance(condition, Q):
        tests = [_compile(model, child, fields) for child in condition.children]
        if any(test is None for test in tests) or condition.connector not in (Q.AND, Q.OR):
            return None
        stop = condition.connector == Q.OR  # the value that decides it: False for AND

        def test(instance):
            results = [child(instance) for child in tests]
            result = stop if stop in results else (None if None in results else not stop)
            if condition.negated and result is not None:
                return not result
            return result

        return test
    lookup, value = condition
    name, _, kind = lookup.partition("__")
    kind = kind or "exact"
    attname = model._meta.get_field(name).attname
    fields.add(name)
    if isinstance(value, F):
        fields.add(value.name)
        other = model._meta.get_field(value.name).attname

        def right(instance):
            return getattr(instance, other)
    elif hasattr(value, "resolve_expression"):
        return None  # another expression: not evaluated here
    else:

        def right(instance):
            return value

    if kind == "isnull":
        return lambda instance: (getattr(instance, attname) is None) == value
    compare = COMPARISONS.get(kind)
    if compare is None:
        return None

    def test(instance):
        left, other = getattr(instance, attname), right(instance)
        if left is None or other is None:
            return None
        return compare(left, other)

    return test


def _bound(condition):
    """(field, message) when the condition is one bound on one field, such as `number >= 1`."""
    if len(condition.children) != 1 or condition.negated:
        return None
    child = condition.children[0]
    if isinstance(child, Q) or isinstance(child[1], F):
        return None
    name, _, kind = child[0].partition("__")
    if kind not in BOUNDS:
        return None
    return name, BOUNDS[kind].format(child[1])


def checks_of(model):
    result = []
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.CheckConstraint):
            fields = set()
            test = _compile(model, constraint.condition, fields)
            result.append(Check(constraint, frozenset(fields), test, _bound(constraint.condition)))
    return tuple(result)


#: Every check constraint of the archive's models, by name.
CHECKS = {check.constraint.name: check for model in MODELS for check in checks_of(model)}
BY_MODEL = {model: checks_of(model) for model in MODELS}


def check_constraints(record, errors):
    """Add to `errors` ({field: [message]}) the record's failed check constraints.

    A bound on one field (`number >= 1`) replaces that field's other messages (the column's
    range): it says more. Any other check says what field validation or clean() already say
    ("The end date cannot be before the start date."), so it is reported, with the constraint's
    own message, only where they said nothing about its fields: what no rule caught.
    """
    instance = record.instance
    for check in BY_MODEL[record.model]:
        if check.fields & record.bad:
            continue  # refused while parsing: reported already
        if check.bound is None and check.fields & errors.keys():
            continue
        if check.test is None:  # a condition not evaluated here: ask the database
            try:
                check.constraint.validate(record.model, instance)
                passed = True
            except ValidationError:
                passed = False
        else:
            try:
                passed = check.test(instance)
            except TypeError:  # a value of the wrong type, reported above
                continue
        if passed is False:
            errors[check.field()] = [check.message()]
