"""Lists come in pages with links to the next and previous page (`page`, `pageSize`)."""

from __future__ import annotations

from rest_framework.pagination import PageNumberPagination

MAX_PAGE_SIZE = 100


class Pages(PageNumberPagination):
    page_size = 20
    page_size_query_param = "pageSize"
    max_page_size = MAX_PAGE_SIZE
