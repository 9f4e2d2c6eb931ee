from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit trail: one append-only table of every change that matters (django-auditlog)."""

    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from audit.registration import register_models

        register_models()
