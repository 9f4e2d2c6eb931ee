"""The audit trail's one table (PRODUCT.md section 11): append-only.

django-auditlog writes an entry for every change of a registered model (``registration.py``):
who (``actor``, and ``actor_email`` kept even if the account goes), when, what (``changes``:
field -> [before, after] as text), from where (``remote_addr``, ``user_agent``) and, for what
belongs to an enterprise, which one (``enterprise``, from the model's ``get_additional_data()``).

Nothing may change or remove an entry once written: ``save()`` only inserts, ``delete()`` and the
queryset's ``update()``/``delete()`` raise, and no foreign key lets a deletion elsewhere cascade
or null into the trail: an enterprise or an account deleted keeps its entries (the ids stay;
``db_constraint=False`` lets them outlive the row), and a content type with entries cannot be
deleted at all.
"""

from __future__ import annotations

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

USER_AGENT_LENGTH = 300


class AppendOnlyError(Exception):
    """An attempt to change or remove an audit trail entry."""

    def __init__(self, what: str = "changed or deleted") -> None:
        super().__init__(f"The audit trail is append-only: an entry cannot be {what}.")


class LogEntryQuerySet(models.QuerySet):
    """Bulk writes may not go around the refusal either."""

    def update(self, **kwargs):
        raise AppendOnlyError("updated")

    def bulk_update(self, objs, fields, *args, **kwargs):
        raise AppendOnlyError("updated")

    def delete(self):
        raise AppendOnlyError("deleted")

    def _raw_delete(self, using):
        raise AppendOnlyError("deleted")


class LogEntryTrailManager(LogEntryManager.from_queryset(LogEntryQuerySet)):
    """auditlog's manager (``log_create``, ``get_for_object``) over the refusing queryset."""


class LogEntry(AbstractLogEntry):
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("content type"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    user_agent = models.CharField(_("user agent"), max_length=USER_AGENT_LENGTH, blank=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enterprise"),
    )

    objects = LogEntryTrailManager()

    class Meta(AbstractLogEntry.Meta):
        base_manager_name = "objects"
        ordering = ["-timestamp", "-id"]
        verbose_name = _("audit trail entry")
        verbose_name_plural = _("audit trail")
        indexes = [
            models.Index(fields=["enterprise", "-timestamp"], name="logentry_enterprise_latest"),
        ]

    def save(self, *args, **kwargs) -> None:
        """Insert once; the enterprise comes from what the audited model gave as extra data."""
        if not self._state.adding:
            raise AppendOnlyError("changed")
        if self.enterprise_id is None and isinstance(self.additional_data, dict):
            self.enterprise_id = self.additional_data.get("enterprise")
        self.user_agent = (self.user_agent or "")[:USER_AGENT_LENGTH]
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("deleted")
