"""Programme pages under /programmes/: an organisation's (``organisations/<pk>/…``, where a
programme and its invitees are reached through their organisation) and the enterprise's side
of a programme invitation (``invitations/…``)."""

from django.urls import path

from programmes import views

app_name = "programmes"
ORG = "organisations/<id:pk>"
PROG = f"{ORG}/programmes/<id:programme_pk>"
INV = "invitations/<id:invitee_pk>"
urlpatterns = [
    path("", views.home, name="home"),
    path(f"{ORG}/", views.organisation_detail, name="organisation"),
    path(f"{ORG}/members/", views.member_list, name="members"),
    path(f"{ORG}/members/invite/", views.member_invite, name="member-invite"),
    path(f"{ORG}/members/<id:member_pk>/role/", views.member_role, name="member-role"),
    path(f"{ORG}/members/<id:member_pk>/remove/", views.member_remove, name="member-remove"),
    path(
        f"{ORG}/invitations/<id:invitation_pk>/resend/",
        views.org_invitation_resend,
        name="org-invitation-resend",
    ),
    path(
        f"{ORG}/invitations/<id:invitation_pk>/revoke/",
        views.org_invitation_revoke,
        name="org-invitation-revoke",
    ),
    path(
        "organisations/invitations/open/<str:token>/",
        views.org_invitation_open,
        name="org-invitation-open",
    ),
    path(
        "organisations/invitations/<id:invitation_pk>/",
        views.org_invitation_detail,
        name="org-invitation",
    ),
    path(
        "organisations/invitations/<id:invitation_pk>/accept/",
        views.org_invitation_accept,
        name="org-invitation-accept",
    ),
    path(f"{ORG}/programmes/new/", views.programme_create, name="programme-create"),
    path(f"{PROG}/", views.programme_detail, name="programme"),
    path(f"{PROG}/edit/", views.programme_edit, name="programme-edit"),
    path(f"{PROG}/invite/", views.invitee_add, name="invite"),
    path(f"{PROG}/invite/list/", views.invitee_list_upload, name="invite-list"),
    path(f"{PROG}/invitees/<id:invitee_pk>/", views.invitee_results, name="invitee-results"),
    path(f"{PROG}/invitees/<id:invitee_pk>/resend/", views.invitee_resend, name="invitee-resend"),
    path(
        f"{PROG}/invitees/<id:invitee_pk>/withdraw/",
        views.invitee_withdraw,
        name="invitee-withdraw",
    ),
    path(f"{PROG}/results.xlsx", views.results_xlsx, name="results-xlsx"),
    path(f"{PROG}/summary.pdf", views.summary_pdf, name="summary-pdf"),
    path(f"{PROG}/summary.pdf/status/", views.summary_pdf_status, name="summary-pdf-status"),
    path(f"{PROG}/summary.pdf/retry/", views.summary_pdf_retry, name="summary-pdf-retry"),
    path(f"{PROG}/import/", views.import_upload, name="import"),
    path(f"{PROG}/import/template.xlsx", views.import_template, name="import-template"),
    path("invitations/open/<str:token>/", views.invitee_open, name="invitee-open"),
    path(f"{INV}/", views.invitee_detail, name="invitation"),
    path(f"{INV}/join/", views.invitee_join, name="invitee-join"),
    path(f"{INV}/decline/", views.invitee_decline, name="invitee-decline"),
]
