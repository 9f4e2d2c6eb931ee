from django.urls import path

from enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("new/", views.enterprise_create, name="create"),
    path("<id:pk>/", views.enterprise_detail, name="detail"),
    path("<id:pk>/edit/", views.enterprise_edit, name="edit"),
    path("<id:pk>/switch/", views.enterprise_switch, name="switch"),
    path("<id:pk>/members/", views.member_list, name="members"),
    path("<id:pk>/members/invite/", views.member_invite, name="member-invite"),
    path("<id:pk>/members/<id:member_pk>/role/", views.member_role, name="member-role"),
    path("<id:pk>/members/<id:member_pk>/remove/", views.member_remove, name="member-remove"),
    path(
        "<id:pk>/invitations/<id:invitation_pk>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path(
        "<id:pk>/invitations/<id:invitation_pk>/resend/",
        views.invitation_resend,
        name="invitation-resend",
    ),
    path("invitations/open/<str:token>/", views.invitation_open, name="invitation-open"),
    path("invitations/<id:invitation_pk>/", views.invitation_detail, name="invitation"),
    path(
        "invitations/<id:invitation_pk>/accept/",
        views.invitation_accept,
        name="invitation-accept",
    ),
]
