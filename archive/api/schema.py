"""What drf-spectacular cannot infer about the API, added to the OpenAPI document it builds.

Every operation answers JSON errors too (archive/api/errors.py, pagination.py and views.py):
400 for a query parameter the address does not take or an invalid value, 404 for an unknown
record or a page outside the list, 406 when the client accepts no JSON. A postprocessing hook
(SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) documents them on every operation, so that a
generated client knows each error's shape.
"""

ERROR_SCHEMAS = {
    "Error": {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "BadRequest": {
        "type": "object",
        "description": (
            "Either `detail` (with `allowed_parameters` for an unknown parameter) or, for an "
            "invalid value, the parameter's name with a list of messages."
        ),
        "properties": {
            "detail": {"type": "string"},
            "allowed_parameters": {"type": "array", "items": {"type": "string"}},
        },
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
}

ERROR_RESPONSES = {
    "400": ("BadRequest", "A query parameter this address does not take, or an invalid value."),
    "404": ("Error", "No such record, or a page outside the list."),
    "406": ("Error", "The request's Accept header admits no JSON."),
}


LANGUAGES_PARAMETER = {
    "name": "lang",
    "in": "query",
    "required": False,
    "description": (
        "`all`: add every language of each translated field, as `<field>_translations` "
        '({"en": ..., "zh-hans": ..., "ja": ...}, null where a language has none) beside the '
        "field, in the record and in the references inside it. The field itself keeps the "
        "language Accept-Language chose. Any other value is a 400."
    ),
    "schema": {"type": "string", "enum": ["all"]},
}


def add_languages_parameter(result, generator, request, public):
    """?lang=all on every operation (archive/api/views.py reads it on every list and record)."""
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method != "parameters":
                operation.setdefault("parameters", []).append(dict(LANGUAGES_PARAMETER))
    return result


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            for status, (schema, description) in ERROR_RESPONSES.items():
                operation["responses"].setdefault(
                    status,
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{schema}"}
                            }
                        },
                    },
                )
    return result
