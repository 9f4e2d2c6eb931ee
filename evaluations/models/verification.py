"""Verification of a submission by an organisation's analyst, or by staff as "platform"
(PRODUCT.md section 11).

A ``Verification`` is a stamp on a submission (the assessment), and so on all its runs: one per
submission and organisation (``organisation`` empty: the platform's own, made by staff). It never
changes a score. Every step (under review, information requested with the indicators reopened,
back to review after a resubmission, verified, not verified) is a ``VerificationStep``, append
only; both are recorded by the audit trail.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VerificationState(models.TextChoices):
    UNDER_REVIEW = "under_review", _("under review")
    INFORMATION_REQUESTED = "information_requested", _("information requested")
    VERIFIED = "verified", _("verified")
    NOT_VERIFIED = "not_verified", _("not verified")


class VerificationQuerySet(models.QuerySet):
    def reopened_indicators(self, assessment) -> set[str] | None:
        """The indicators analysts reopened for the enterprise on this assessment, or None when
        no information is requested (then nothing is locked by a verification)."""
        asked = list(
            self.filter(
                assessment=assessment, state=VerificationState.INFORMATION_REQUESTED
            ).values_list("requested_indicators", flat=True)
        )
        if not asked:
            return None
        return {code for codes in asked for code in codes}


class Verification(models.Model):
    State = VerificationState

    assessment = models.ForeignKey(
        "evaluations.Assessment",
        on_delete=models.CASCADE,
        related_name="verifications",
        verbose_name=_("assessment"),
    )
    organisation = models.ForeignKey(
        "enterprises.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="verifications",
        verbose_name=_("organisation"),
        help_text=_("Empty: verified by the platform's own staff."),
    )
    state = models.CharField(
        _("state"), max_length=24, choices=VerificationState.choices, default="under_review"
    )
    analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("analyst"),
    )
    requested_indicators = models.JSONField(_("indicators reopened"), default=list, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    started_at = models.DateTimeField(_("review started"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last step"), auto_now=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = VerificationQuerySet.as_manager()

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "organisation"],
                condition=models.Q(organisation__isnull=False),
                name="verification_one_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["assessment"],
                condition=models.Q(organisation__isnull=True),
                name="verification_one_by_platform",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} · {self.verifier_label} · {self.state}"

    def get_additional_data(self) -> dict:
        """The audit trail files this entry under the enterprise (``audit.LogEntry``)."""
        assessment = self.assessment
        return {
            "enterprise": assessment.enterprise_id,
            "period": [assessment.year, assessment.quarter],
            "label": self.verifier_label,
        }

    @property
    def verifier_label(self) -> str:
        return self.organisation.name if self.organisation_id else str(_("the platform"))

    @property
    def is_open(self) -> bool:
        return self.state in (
            VerificationState.UNDER_REVIEW,
            VerificationState.INFORMATION_REQUESTED,
        )


class VerificationStep(models.Model):
    """One step of a verification: who, when, the state it led to, the comment and the
    indicators reopened. Written once, never changed."""

    verification = models.ForeignKey(Verification, on_delete=models.CASCADE, related_name="steps")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    state = models.CharField(_("state"), max_length=24, choices=VerificationState.choices)
    comment = models.TextField(_("comment"), blank=True)
    indicators = models.JSONField(_("indicators reopened"), default=list, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("verification step")
        verbose_name_plural = _("verification steps")

    def __str__(self) -> str:
        return f"{self.verification_id}: {self.state}"

    def get_additional_data(self) -> dict:
        return self.verification.get_additional_data()
