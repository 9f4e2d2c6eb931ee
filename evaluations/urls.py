"""Evaluation pages, all under /enterprises/<pk>/ so every one names its enterprise."""

from django.urls import path

from evaluations import plan_views, report_views, verification_views, views

app_name = "evaluations"
A = "<id:pk>/assessments/<id:assessment_pk>"
urlpatterns = [
    path("<id:pk>/dashboard/", views.dashboard, name="dashboard"),
    path("<id:pk>/assessments/new/", views.assessment_create, name="assessment-create"),
    path(f"{A}/", views.assessment_detail, name="assessment"),
    path(f"{A}/checklist/", views.checklist_preview, name="checklist-preview"),
    path(f"{A}/reopen/", views.assessment_reopen, name="assessment-reopen"),
    path(f"{A}/verification/platform/", verification_views.review, name="verification-platform"),
    path(
        f"{A}/verification/<id:organisation_pk>/",
        verification_views.review,
        name="verification",
    ),
    path(f"{A}/evidence/", views.evidence_upload, name="evidence-upload"),
    path(f"{A}/evidence/<id:evidence_pk>/", views.evidence_download, name="evidence"),
    path(f"{A}/evidence/<id:evidence_pk>/delete/", views.evidence_delete, name="evidence-delete"),
    path("<id:pk>/runs/<id:run_pk>/", views.run_detail, name="run"),
    path("<id:pk>/runs/<id:run_pk>/status/", views.run_status, name="run-status"),
    path("<id:pk>/runs/<id:run_pk>/report.pdf", report_views.run_pdf, name="run-pdf"),
    path(
        "<id:pk>/runs/<id:run_pk>/report.pdf/status/",
        report_views.run_pdf_status,
        name="run-pdf-status",
    ),
    path(
        "<id:pk>/runs/<id:run_pk>/report.pdf/retry/",
        report_views.run_pdf_retry,
        name="run-pdf-retry",
    ),
    path("<id:pk>/runs/<id:run_pk>/report.csv", report_views.run_csv, name="run-csv"),
    path("<id:pk>/runs/<id:run_pk>/report.xlsx", report_views.run_xlsx, name="run-xlsx"),
    path("cohort.csv", report_views.cohort_export, name="cohort-export"),
    path("<id:pk>/runs/<id:run_pk>/what-if/", views.run_what_if, name="run-what-if"),
    path("<id:pk>/runs/<id:run_pk>/compare/", views.run_compare, name="run-compare"),
    path("<id:pk>/runs/<id:run_pk>/plan/add/", plan_views.plan_add, name="plan-add"),
    path("<id:pk>/plan/", plan_views.plan, name="plan"),
    path("<id:pk>/plan/<id:action_pk>/", plan_views.plan_action, name="plan-action"),
]
