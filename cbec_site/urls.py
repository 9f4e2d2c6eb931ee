from django.contrib import admin
from django.urls import include, path

from cbec_site import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("accounts/", include("accounts.urls")),
    path("enterprises/", include("enterprises.urls")),
    path("enterprises/", include("evaluations.urls")),
    path("", include("audit.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
