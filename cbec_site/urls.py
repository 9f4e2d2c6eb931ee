from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from api import account_views as api_account_views
from cbec_site import views
from evaluations import views as evaluation_views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("methodology/", evaluation_views.methodology, name="methodology"),
    path("favicon.ico", views.favicon),
    path("accounts/me/tokens/", api_account_views.token_list, name="api-tokens"),
    path(
        "accounts/me/tokens/<id:token_pk>/revoke/",
        api_account_views.token_revoke,
        name="api-token-revoke",
    ),
    path("accounts/", include("accounts.urls")),
    path("enterprises/", include("enterprises.urls")),
    path("enterprises/", include("evaluations.urls")),
    path("programmes/", include("programmes.urls")),
    path("", include("evaluations.sharing_urls")),
    path("", include("audit.urls")),
    path("api/v1/", include("api.urls")),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
