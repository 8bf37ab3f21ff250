from rest_framework.pagination import PageNumberPagination


class ShopPagination(PageNumberPagination):
    """Pages of 24 (a client may ask for up to 100 with `page_size`)."""

    page_size = 24
    page_size_query_param = "page_size"
    max_page_size = 100
