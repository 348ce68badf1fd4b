import re

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError

DESCRIPTIONS = {
    "count": _("Number of results on all pages."),
    "next": _("Link to the next page; null on the last."),
    "previous": _("Link to the previous page; null on the first."),
    "results": _("The records of this page."),
}


def describe(schema):
    for name, prop in schema["properties"].items():
        prop.setdefault("description", DESCRIPTIONS[name])
    return schema


def link_header(response, next_url, previous_url):
    links = [f'<{url}>; rel="{rel}"' for rel, url in (("next", next_url), ("prev", previous_url))]
    links = [link for link, url in zip(links, (next_url, previous_url), strict=True) if url]
    if links:
        # CSV has no room for the links: a client follows the Link header instead.
        response["Link"] = ", ".join(links)
    return response


class StrictPageSize:
    """`page_size` is a whole number from 1 to the maximum, or a 400 that names it: never
    silently the default (page_size=true) or the maximum (page_size=5000)."""

    def get_page_size(self, request):
        given = request.query_params.getlist(self.page_size_query_param)
        if not given:
            return self.page_size
        valid = len(given) == 1 and re.fullmatch(r"[0-9]{1,4}", given[0])
        if valid and 1 <= int(given[0]) <= self.max_page_size:
            return int(given[0])
        raise ValidationError(
            {
                self.page_size_query_param: [
                    gettext("Give a whole number from 1 to %(max)d.") % {"max": self.max_page_size}
                ]
            }
        )


class PageNumberPagination(StrictPageSize, pagination.PageNumberPagination):
    """For the small lists (regions, the catalogue, reports, one report's records)."""

    def get_page_number(self, request, paginator):
        """A page is a whole number from 1 (a 400 that names `page` otherwise); one past the
        last page is a 404, as DRF answers."""
        given = request.query_params.getlist(self.page_query_param)
        if not given:
            return 1
        if len(given) == 1 and re.fullmatch(r"[0-9]+", given[0]) and int(given[0]) >= 1:
            return given[0]
        if given == ["last"] and "last" in self.last_page_strings:
            return given[0]
        raise ValidationError({self.page_query_param: [gettext("Give a whole number from 1.")]})

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        return link_header(response, self.get_next_link(), self.get_previous_link())

    def get_paginated_response_schema(self, schema):
        return describe(super().get_paginated_response_schema(schema))


class CursorPagination(StrictPageSize, pagination.CursorPagination):
    """For the tables that grow with every city and year (figures, data-sharing requests): no
    COUNT, and each page is an indexed range rather than an OFFSET."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = "id"

    def get_ordering(self, request, queryset, view):
        ordering = tuple(super().get_ordering(request, queryset, view))
        # A unique last key, so that rows with the same first key keep one order across pages.
        if ordering[0].lstrip("-") != "id":
            ordering += ("-id" if ordering[0].startswith("-") else "id",)
        return ordering

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        # Every ordering offered on these lists is an integer; anything else is a forged cursor.
        position = cursor.position if cursor else None
        if position is not None and not (position.isdigit() and len(position) <= 18):
            raise NotFound(self.invalid_cursor_message)
        return cursor

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        return link_header(response, self.get_next_link(), self.get_previous_link())

    def get_paginated_response_schema(self, schema):
        return describe(super().get_paginated_response_schema(schema))
