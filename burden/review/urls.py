"""The review pages, under ``/review/``."""

from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("", views.ViolationListView.as_view(), name="violation_list"),
    path("<int:pk>/", views.ViolationDetailView.as_view(), name="violation_detail"),
    path("notifications/", views.NotificationListView.as_view(), name="notification_list"),
    path("notifications/preferences/", views.NotificationPreferencesView.as_view(), name="notification_preferences"),
    path("deadlines/", views.DeadlineSettingsView.as_view(), name="deadline_settings"),
]
