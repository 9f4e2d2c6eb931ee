"""Account pages under /accounts/. Django's auth views keep their global names (``login``…)."""

from django.urls import include, path

from accounts import views

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("", include("django.contrib.auth.urls")),
]
