"""The insights pages.

``burden/ledger/`` is the Excel import and export; the burden ledger lives at ``/burden-ledger/``.
"""

from django.urls import path

from . import report_views, views

app_name = "insights"

urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("dashboard/targets/", views.TargetListView.as_view(), name="target_list"),
    path("dashboard/targets/<int:pk>/delete/", views.TargetDeleteView.as_view(), name="target_delete"),
    path("burden-ledger/", views.SourceRankingView.as_view(), name="source_ranking"),
    path("burden-ledger/<str:code>/", views.SourceDetailView.as_view(), name="source_detail"),
    path("burden-ledger/<str:code>/explain/", views.SourceExplainView.as_view(), name="source_explain"),
    path("reports/", report_views.ReportIndexView.as_view(), name="report_index"),
    path("reports/view/", report_views.ReportView.as_view(), name="report_view"),
    path("reports/xlsx/", report_views.ReportXlsxView.as_view(), name="report_xlsx"),
    path("reports/jobs/<int:pk>/", report_views.ReportJobView.as_view(), name="report_job"),
    path("reports/jobs/<int:pk>/file/", report_views.ReportJobFileView.as_view(), name="report_job_file"),
]
