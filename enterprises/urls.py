from django.urls import path

from enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("new/", views.enterprise_create, name="create"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="edit"),
    path("<int:pk>/switch/", views.enterprise_switch, name="switch"),
    path("<int:pk>/members/", views.member_list, name="members"),
    path("<int:pk>/members/invite/", views.member_invite, name="member-invite"),
    path("<int:pk>/members/<int:member_pk>/role/", views.member_role, name="member-role"),
    path("<int:pk>/members/<int:member_pk>/remove/", views.member_remove, name="member-remove"),
    path(
        "<int:pk>/invitations/<int:invitation_pk>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
]
