from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [
    path("enterprises/<int:pk>/trail/", views.enterprise_trail, name="enterprise-trail"),
    path(
        "enterprises/<int:pk>/trail.xlsx", views.enterprise_trail_xlsx, name="enterprise-trail-xlsx"
    ),
    path("audit/", views.staff_trail, name="trail"),
    path("audit/trail.xlsx", views.staff_trail_xlsx, name="trail-xlsx"),
]
