"""Evaluation pages, all under /enterprises/<pk>/ so every one names its enterprise."""

from django.urls import path

from evaluations import views

app_name = "evaluations"
A = "<int:pk>/assessments/<int:assessment_pk>"
urlpatterns = [
    path("<int:pk>/dashboard/", views.dashboard, name="dashboard"),
    path("<int:pk>/assessments/new/", views.assessment_create, name="assessment-create"),
    path(f"{A}/", views.assessment_detail, name="assessment"),
    path(f"{A}/checklist/", views.checklist_preview, name="checklist-preview"),
    path(f"{A}/reopen/", views.assessment_reopen, name="assessment-reopen"),
    path(f"{A}/evidence/", views.evidence_upload, name="evidence-upload"),
    path(f"{A}/evidence/<int:evidence_pk>/", views.evidence_download, name="evidence"),
    path(f"{A}/evidence/<int:evidence_pk>/delete/", views.evidence_delete, name="evidence-delete"),
    path("<int:pk>/runs/<int:run_pk>/", views.run_detail, name="run"),
    path("<int:pk>/runs/<int:run_pk>/status/", views.run_status, name="run-status"),
]
