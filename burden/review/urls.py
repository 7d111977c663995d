"""The review pages, under ``/review/``: the queue opens on the cases; single flags are one tab away."""

from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="case_list"),
    path("flags/", views.ViolationListView.as_view(), name="violation_list"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("letters/<int:pk>/", views.CaseLetterView.as_view(), name="case_letter"),
    path("notices/new/", views.NoticeView.as_view(), name="notice_new"),
    path("<int:pk>/", views.ViolationDetailView.as_view(), name="violation_detail"),
    path("notifications/", views.NotificationListView.as_view(), name="notification_list"),
    path("notifications/preferences/", views.NotificationPreferencesView.as_view(), name="notification_preferences"),
    path("deadlines/", views.DeadlineSettingsView.as_view(), name="deadline_settings"),
    path("case-policy/", views.CasePolicySettingsView.as_view(), name="case_policy_settings"),
]
