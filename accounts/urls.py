"""Account pages under /accounts/. Django's auth views keep their global names (``login``…)."""

from django.urls import include, path

from accounts import views

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/sent/", views.signup_sent, name="signup-sent"),
    path("verify/<uidb64>/<token>/", views.verify_email, name="verify-email"),
    path("verify/again/", views.verification_resend, name="verify-email-again"),
    path("me/", views.account, name="account"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("", include("django.contrib.auth.urls")),
]
