"""What a grantee reads (``/shared/``) and the public check page of a shared report
(``/check/<code>/``); the owners' page is ``evaluations:sharing`` under their enterprise."""

from django.urls import path

from evaluations import sharing_views

app_name = "sharing"
S = "shared/<id:pk>/<int:year>/<int:quarter>"
urlpatterns = [
    path("shared/", sharing_views.shared_list, name="list"),
    path(f"{S}/", sharing_views.shared_result, name="result"),
    path(f"{S}/report.pdf", sharing_views.shared_pdf, name="pdf"),
    path(f"{S}/report.pdf/status/", sharing_views.shared_pdf_status, name="pdf-status"),
    path(f"{S}/report.pdf/retry/", sharing_views.shared_pdf_retry, name="pdf-retry"),
    path(f"{S}/report.csv", sharing_views.shared_csv, name="csv"),
    path(f"{S}/report.xlsx", sharing_views.shared_xlsx, name="xlsx"),
    path("check/<str:code>/", sharing_views.report_check, name="check"),
]
