from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """``{"count", "next", "previous", "results"}``; ``?page=`` and ``?page_size=`` (at most 500).

    Stricter than DRF's default: a page or page size that is not a whole number of
    at least 1 is a 400 rather than silently ignored; a page past the end is a 404.
    """

    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        return min(self._whole_number(raw, self.page_size_query_param), self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and raw != "last":
            self._whole_number(raw, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)

    @staticmethod
    def _whole_number(raw: str, name: str) -> int:
        try:
            number = int(raw)
        except ValueError:
            number = 0
        if number < 1:
            raise ValidationError({name: [_("Enter a whole number of at least 1.")]})
        return number
