"""People sign in with their e-mail address; there is no separate user name."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.validators import validate_single_line


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class Reminder(models.TextChoices):
    """The kinds of reminder e-mail a person can turn off on their account page. Mail that is
    part of an action the person took (a confirmation link, an invitation) is not a reminder."""

    PLAN_WEEK_BEFORE = "plan_week_before", _("Improvement plan: a week before an action is due")
    PLAN_DUE_DAY = "plan_due_day", _("Improvement plan: on the day an action is due")
    PROGRAMME = "programme", _("Assessment programmes: reminders of a programme's deadline")


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(
        _("full name"), max_length=150, blank=True, validators=[validate_single_line]
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Chosen with the language switch; used at every log-in and in e-mails."),
    )
    email_verified_at = models.DateTimeField(
        _("e-mail address confirmed"),
        null=True,
        blank=True,
        help_text=_(
            "Set when the person opened the link sent to the address. Until then the account "
            "cannot accept invitations, see invitations addressed to it or be granted anything."
        ),
    )

    reminders_off = models.JSONField(
        _("reminders turned off"),
        default=list,
        blank=True,
        help_text=_("The kinds of reminder e-mail this person does not want."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def wants(self, reminder: str) -> bool:
        """Whether reminders of this kind (``Reminder``) may be sent to this person."""
        return reminder not in (self.reminders_off or [])

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name or self.email


class UserSession(models.Model):
    """Which sessions belong to whom, so deactivating a person can end all of their sessions
    on the server (whatever the session backend), not only refuse them on the next request."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.session_key[:6]}…"
