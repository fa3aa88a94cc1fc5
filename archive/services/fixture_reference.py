"""The fixture format's field reference, generated from the models and the loader's own tables
(docs/fixture-reference.md; `manage.py fixture_reference` writes it, tests/test_fixture_reference.py
checks that the shipped file is what the models say today).

For each model the loader takes, in load order: its natural key, and each field an editor may
write with its JSON type, whether it is required, its limits (length, range), its choices with
their meaning, and its per-language columns.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import override

from .loading import INTEGER_RANGES, MODELS, SPECS, key_words

JSON_TYPES = {
    models.DateField: 'text, a date "YYYY-MM-DD"',
    models.TimeField: 'text, a time "HH:MM"',
    models.BooleanField: "true or false",
    models.URLField: "text, a web address starting with http:// or https://",
    models.SlugField: "text: lower-case letters, digits and hyphens",
    models.FileField: 'text, a path under the media folder ("portraits/name.jpg"), or ""',
    models.CharField: "text",
    models.TextField: "text",
    models.IntegerField: "a whole number",
}


def _json_type(field_):
    for kind in type(field_).__mro__:
        if kind in JSON_TYPES:
            return JSON_TYPES[kind]
    return field_.get_internal_type()


def _reference(model):
    return f"[{', '.join(key_words(model))}]"


def _limits(field_):
    parts = []
    if getattr(field_, "max_length", None) and not isinstance(field_, models.FileField):
        parts.append(f"at most {field_.max_length} characters")
    if isinstance(field_, models.IntegerField):
        low, high = INTEGER_RANGES.get(field_.get_internal_type(), (None, None))
        if low is not None:
            parts.append(f"{low} to {high}")
    return "; ".join(parts)


def _languages(field_name, model):
    columns = [
        f"`{f.name}`"
        for f in model._meta.concrete_fields
        if getattr(f, "translated_field", None) is not None
        and f.translated_field.name == field_name
    ]
    return ", ".join(columns)


def _field_rows(model):
    spec = SPECS[model]
    rows = []
    for name in spec.names:
        if name in spec.mirrors or name == "updated_at":
            continue
        field_ = model._meta.get_field(name)
        if getattr(field_, "translated_field", None) is not None:
            continue  # listed with its plain field
        if name in spec.fks:
            target = field_.related_model
            kind = f"reference to {target._meta.label_lower} {_reference(target)}"
            if field_.null:
                kind += " or null"
        elif name in spec.m2m:
            target = field_.related_model
            kind = f"list of references to {target._meta.label_lower} {_reference(target)}"
        else:
            kind = _json_type(field_)
        required = "yes" if name in spec.required else "no"
        if field_.has_default() and not callable(field_.default) and field_.default not in ("",):
            required = f"no (default `{field_.default}`)"
        notes = [part for part in (_limits(field_), str(field_.help_text or "")) if part]
        if field_.choices and name not in spec.fks:
            notes.append(
                "one of: " + ", ".join(f"`{value}` ({label})" for value, label in field_.choices)
            )
        languages = _languages(name, model)
        if languages:
            notes.append(f"per language: {languages} (the plain field is English)")
        rows.append((name, kind, required, ". ".join(notes)))
    return rows


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def render():
    """The reference as Markdown, in English whatever the active language."""
    with override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
        lines = [
            "# Fixture field reference",
            "",
            "Generated from the models by `manage.py fixture_reference` (do not edit by hand;",
            "`tests/test_fixture_reference.py` fails when this file and the models disagree). The",
            "format itself, with examples: [fixtures.md](fixtures.md).",
            "",
            "Records load in this order; a reference is the natural key of the record it names,",
            "as a list. A field marked required must be given; the others may be left out.",
        ]
        for model in MODELS:
            meta = model._meta
            lines += [
                "",
                f"## `{meta.label_lower}`: {meta.verbose_name}",
                "",
                f"Natural key: {_reference(model)}.",
                "",
                "| field | JSON value | required | limits, choices, languages |",
                "| --- | --- | --- | --- |",
            ]
            lines += [
                f"| `{name}` | {_cell(kind)} | {required} | {_cell(notes)} |"
                for name, kind, required, notes in _field_rows(model)
            ]
        return "\n".join(lines) + "\n"
