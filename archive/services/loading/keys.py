"""Natural keys, as the models declare them (`natural_key_fields`, read through
archive.models.base.natural_key_parts): the shape of a reference, the key a record declares, and
the parents a key implies. Nothing here names a model: a model's key changes in one place."""

import functools

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation

from archive.models.base import natural_key_parts

from .report import a, dumps


@functools.cache
def key_types(model):
    """The type of each part, so that "20" and 20 name the same edition."""
    return tuple(
        int if isinstance(part.model._meta.get_field(part.name), models.IntegerField) else str
        for part in natural_key_parts(model)
    )


@functools.cache
def key_words(model):
    """What each part is, for messages: "forum slug", "edition number", 'sub-forum slug or ""'.

    A slug or number is named with its record's kind (whose number?); other fields, such as a
    dated name's name or an appearance's role, by themselves; a one-part key is just "slug".
    """
    parts = natural_key_parts(model)
    words = []
    for part in parts:
        field = part.model._meta.get_field(part.name)
        word = part.name
        if len(parts) > 1 and isinstance(field, models.SlugField | models.IntegerField):
            with translation.override(None):  # the untranslated name: messages are in English
                word = f"{part.model._meta.verbose_name} {part.name}"
        words.append(word + (' or ""' if part.optional else ""))
    return tuple(words)


def reference(model, value):
    """The natural key a reference names, with its parts' types checked and normalised."""
    types, parts = key_types(model), key_words(model)
    shape = f"[{', '.join(parts)}]"
    label = model._meta.label_lower
    if not isinstance(value, list) or len(value) != len(types):
        raise ValidationError(
            f"must refer to {a(label)} by its natural key, a list {shape}, not {dumps(value)}."
        )
    key = []
    for part, kind, what in zip(value, types, parts, strict=True):
        if kind is int:
            # "20", and 20.0 as plain fields take it, name edition 20.
            if (isinstance(part, str) and part.isdigit()) or (
                isinstance(part, float) and part.is_integer()
            ):
                part = int(part)
            if isinstance(part, bool) or not isinstance(part, int):
                raise ValidationError(f"the {what} in {dumps(value)} must be a whole number.")
        elif part is None and what.endswith('or ""'):
            part = ""
        elif not isinstance(part, str):
            raise ValidationError(f"the {what} in {dumps(value)} must be text.")
        key.append(part)
    return tuple(key)


@functools.cache
def _key_plan(model):
    """How a record's own fields make its key: ("value", field), ("ref", foreign key), or
    ("part", foreign key, position in the target's key, optional) for "fk__field"."""
    plan = []
    for name in model.natural_key_fields:
        head, _, own = name.partition("__")
        field = model._meta.get_field(head)
        if not field.is_relation:
            plan.append(("value", name, None, False))
        elif not own:
            plan.append(("ref", head, None, False))
        else:
            target = field.related_model
            position = [(p.model, p.name) for p in natural_key_parts(target)].index((target, own))
            plan.append(("part", head, position, field.null))
    return tuple(plan)


def declared_key(record):
    """The natural key a record declares; None when a part of it is missing or invalid."""
    model, values, refs = record.model, record.values, record.refs
    key = ()
    try:
        for kind, name, position, optional in _key_plan(model):
            if kind == "ref":
                key += refs[name]
            elif kind == "part":
                ref = refs.get(name) if optional else refs[name]
                key += (ref[position] if ref else "",)
            elif name in values:
                key += (values[name],)
            elif name in record.fields:  # given but invalid
                return None
            else:
                key += (model._meta.get_field(name).get_default(),)
    except (KeyError, TypeError):
        return None
    return None if any(part is None for part in key) else key


@functools.cache
def key_parents(model):
    """(foreign key, positions of the target's key in this key, optional) for each foreign key
    in the key: an appearance's edition is parts 1-2 of its key, its sub-forum parts 1-3."""
    own = [(part.model, part.name) for part in natural_key_parts(model)]
    parents = []
    for name in model.natural_key_fields:
        field = model._meta.get_field(name.partition("__")[0])
        if field.is_relation:
            target = [(p.model, p.name) for p in natural_key_parts(field.related_model)]
            parents.append((field, tuple(own.index(part) for part in target), field.null))
    return tuple(parents)


def parent_keys(model, key):
    """(model, natural key) of each record that a key names: an edition's forum..."""
    for field, positions, optional in key_parents(model):
        if optional and not all(key[i] for i in positions):
            continue  # no sub-forum
        yield field.related_model, tuple(key[i] for i in positions)


@functools.cache
def fetch_parent(model):
    """The foreign key by which existing rows are fetched, (field, positions): the key's last
    required one, the nearest parent (an appearance by its edition: fewer rows than by its
    participant). None for a key of the model's own fields alone (a slug)."""
    required = [
        (field, positions) for field, positions, optional in key_parents(model) if not optional
    ]
    return required[-1] if required else None
