"""Top-level URL configuration: the core's pages, and each registered kind's (``burden.records.registry``)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.defaults import page_not_found

from . import requestid, views
from .api.errors import api_aware
from .forms import LoginForm
from .records.registry import kinds
from .rules import views as rule_views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("units/", views.UnitListView.as_view(), name="unit_list"),
    path("units/<str:code>/", views.UnitDetailView.as_view(), name="unit_detail"),
    path("health/", views.health, name="health"),
    path("health/live/", views.health_live, name="health_live"),
    path("health/ready/", views.health, name="health_ready"),
    path("rules/", rule_views.RuleListView.as_view(), name="rule_list"),
    path("rules/<str:code>/", rule_views.RuleDetailView.as_view(), name="rule_detail"),
    path("rules/<str:code>/run/", rule_views.RuleRunView.as_view(), name="rule_run"),
    path("review/", include("burden.review.urls")),
    path("api/v1/", include("burden.api.urls")),
    path("", include("burden.insights.urls")),
    # Each kind's pages, under the prefix its app registered (``Kind.urls``, ``Kind.url_path``).
    *(path(f"{kind.url_path}/", include(kind.urls)) for kind in kinds() if kind.urls),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# Callers of the API get their errors as JSON, even for an address that matches nothing.
handler404 = api_aware(page_not_found, 404)
handler500 = api_aware(requestid.server_error, 500)  # the page shows the request's id
