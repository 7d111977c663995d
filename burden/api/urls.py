"""``/api/v1/``: the core endpoints, cases, and each registered kind's ``ROUTES`` (``Kind.api_routes``)."""

from django.urls import include, path
from django.utils.module_loading import import_string
from rest_framework.routers import DefaultRouter

from ..records.registry import kinds
from . import cases, docs, views

app_name = "api"

router = DefaultRouter()
router.register("units", views.UnitViewSet, basename="unit")
router.register("users", views.UserViewSet, basename="user")
router.register("memberships", views.MembershipViewSet, basename="membership")
for kind in kinds():
    for prefix, viewset, basename in import_string(kind.api_routes) if kind.api_routes else []:
        router.register(prefix, viewset, basename=basename)
router.register("rules", views.RuleViewSet, basename="rule")
router.register("violations", views.ViolationViewSet, basename="violation")
router.register("cases", cases.CaseViewSet, basename="case")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("auth/token/revoke/", views.TokenRevokeView.as_view(), name="token_revoke"),
    path("auth/tokens/", views.TokenListView.as_view(), name="token_list"),
    path("auth/tokens/<str:key>/", views.TokenDetailView.as_view(), name="token_detail"),
    path("burden/summary/", views.BurdenSummaryView.as_view(), name="burden_summary"),
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    # Our own page: drf-spectacular's has an inline script and style, which the CSP forbids.
    path(
        "docs/",
        docs.DocsView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path("", include(router.urls)),
]
