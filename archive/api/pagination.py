"""Pagination of every API list: ``page`` from 1, ``page_size`` from 1 to MAX_PAGE_SIZE.

A value outside those ranges is an error with a message naming the range, never silently
replaced: a ``page`` that does not exist is 404 (DRF's convention for "Invalid page."), a bad
``page_size`` is 400, as for a bad filter. Both numbers are plain ASCII digits without a sign,
spaces or leading zeros, so one list page has one address (and one page-cache entry).
"""

import re

from django.core.paginator import InvalidPage
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination

PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
WHOLE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")  # 1 to 999,999,999: no sign, space or leading 0


class ArchivePagination(PageNumberPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    last_page_strings = ()  # the schema says integer: "?page=last" is not a page number

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        if not WHOLE_NUMBER.fullmatch(value) or int(value) > self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f'Invalid page_size "{value}": a whole number from 1 to '
                        f"{self.max_page_size} (the default is {self.page_size})."
                    ]
                }
            )
        return int(value)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        value = request.query_params.get(self.page_query_param)
        try:
            if value is not None and not WHOLE_NUMBER.fullmatch(value):
                raise InvalidPage(value)
            self.page = paginator.page(1 if value is None else int(value))
        except InvalidPage:
            pages = paginator.num_pages
            raise NotFound(
                f'Invalid page "{value}": this list has '
                + (f"pages 1 to {pages}." if pages > 1 else "one page, page 1.")
            ) from None
        return list(self.page)

    def get_schema_operation_parameters(self, view):
        page, page_size = super().get_schema_operation_parameters(view)
        page["schema"] = {"type": "integer", "minimum": 1, "default": 1}
        page["description"] = "A page number, from 1 to the last page (404 past it)."
        page_size["schema"] = {
            "type": "integer",
            "minimum": 1,
            "maximum": self.max_page_size,
            "default": self.page_size,
        }
        page_size["description"] = (
            f"Results per page, from 1 to {self.max_page_size} (400 outside that range)."
        )
        return [page, page_size]

    def get_paginated_response_schema(self, schema):
        """DRF's shape with OpenAPI 3.1 nulls (DRF writes 3.0's `nullable`, which 3.1 drops)."""
        link = {"type": ["string", "null"], "format": "uri"}
        return {
            "type": "object",
            "required": ["count", "results"],
            "properties": {
                "count": {"type": "integer", "example": 123},
                "next": {**link, "example": "https://archive.example.org/api/editions/?page=2"},
                "previous": {**link, "example": "https://archive.example.org/api/editions/"},
                "results": schema,
            },
        }
