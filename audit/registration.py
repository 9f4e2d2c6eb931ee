"""What the audit trail records: the one list of audited models and the fields that matter.

Each registered model's saves and deletions write an entry through django-auditlog's signals;
the fields listed are compared before -> after (bookkeeping such as ``updated_at`` or a run's
attempt counter is left out). What belongs to an enterprise says which one in its
``get_additional_data()``, so its entries appear on that enterprise's trail.

Writes that send no signals write no entries, by design: re-scored runs are stored with
``bulk_create`` or ``COPY``, so a re-scoring job is one entry when it is created and one when it
ends (its start and its counters are bookkeeping), not one per run.

Models are named by label, so this module imports none of the apps it audits.
"""

from __future__ import annotations

from auditlog.registry import auditlog
from auditlog.signals import pre_log
from django.apps import apps

from audit.models import LogEntry

TRACKED: dict[str, dict] = {
    # enterprises: profile edits (and its modes and directions), members and roles, invitations
    "enterprises.Enterprise": {
        "exclude_fields": ["created_by", "created_at", "updated_at"],
        "m2m_fields": ["operation_modes", "innovation_directions"],
    },
    "enterprises.Membership": {"include_fields": ["user", "role"]},
    "enterprises.Invitation": {
        "include_fields": [
            "email",
            "role",
            "invited_by",
            "expires_at",
            "accepted_at",
            "accepted_by",
        ]
    },
    # organisations (created by staff), their members, and grants: given, revoked, and to whom
    "enterprises.Organisation": {"include_fields": ["name", "kind", "checked_by"]},
    "enterprises.OrganisationMembership": {"include_fields": ["organisation", "user", "role"]},
    "enterprises.Grant": {
        "include_fields": [
            "organisation",
            "email",
            "source",
            "periods",
            "include_evidence",
            "expires_at",
            "revoked_at",
            "revoked_by",
        ]
    },
    # programmes: invitations to organisations, programmes, invitees (joined / declined: the
    # grant is recorded above) and the drafts a programme's import wrote
    "programmes.OrganisationInvitation": {
        "include_fields": [
            "email",
            "role",
            "invited_by",
            "expires_at",
            "accepted_at",
            "accepted_by",
        ]
    },
    "programmes.Programme": {
        "include_fields": ["name", "scheme", "periods", "deadline", "reminder_days"]
    },
    "programmes.Invitee": {
        "include_fields": [
            "enterprise",
            "name",
            "credit_code",
            "email",
            "status",
            "grant",
            "responded_at",
            "responded_by",
        ]
    },
    "programmes.ImportedDraft": {"include_fields": ["assessment", "programme", "imported_by"]},
    # assessments: values before -> after; submissions and reopenings are status changes
    "evaluations.Assessment": {
        "include_fields": ["values", "env_mode", "env_checklist", "status", "submitted_at"]
    },
    "evaluations.EvaluationRun": {"include_fields": ["status", "overall", "grade", "error"]},
    "evaluations.Evidence": {
        "include_fields": ["indicator_code", "original_name", "content_type", "size"]
    },
    # the improvement plan: actions added, and their status, owner and due date changed
    "evaluations.PlanAction": {
        "include_fields": [
            "recommendation",
            "indicator_code",
            "owner",
            "due_date",
            "status",
            "expected_points",
        ]
    },
    # verification: each stamp's state (who, when, for which organisation) and every step
    "evaluations.Verification": {
        "include_fields": [
            "organisation",
            "state",
            "analyst",
            "requested_indicators",
            "comment",
            "reason",
            "decided_at",
        ]
    },
    "evaluations.VerificationStep": {"include_fields": ["by", "state", "comment", "indicators"]},
    # reference data and weight schemes: drafts, publication (status), the default (is_default)
    "evaluations.Indicator": {},
    "evaluations.WeightScheme": {"exclude_fields": ["created_at"]},
    "evaluations.SchemeIndicator": {},
    "evaluations.RescoreJob": {"include_fields": ["scheme", "status", "error"]},
}
# The kinds whose entries belong to an enterprise (``get_additional_data()`` names it): an
# enterprise's own trail offers these as filters; the rest are the platform's (staff only).
ENTERPRISE_MODELS = [
    "enterprises.Enterprise",
    "enterprises.Membership",
    "enterprises.Invitation",
    "enterprises.Grant",
    "evaluations.Assessment",
    "evaluations.EvaluationRun",
    "evaluations.Evidence",
    "evaluations.PlanAction",
    "evaluations.Verification",
    "evaluations.VerificationStep",
    "programmes.Invitee",
    "programmes.ImportedDraft",
]


def register_models() -> None:
    for label, options in TRACKED.items():
        model = apps.get_model(label)
        options = dict(options)
        left_out = set(options.pop("exclude_fields", ()))
        # Always a list of fields: without one auditlog also lists the primary key and reverse
        # relations ("rows": "evaluations.SchemeIndicator.None") in what a creation recorded.
        options.setdefault(
            "include_fields",
            [
                field.name
                for field in model._meta.concrete_fields
                if not field.primary_key and field.name not in left_out
            ],
        )
        auditlog.register(model, **options)
    pre_log.connect(
        _only_a_finished_job,
        sender=apps.get_model("evaluations.RescoreJob"),
        dispatch_uid="audit-rescore-job-finished",
    )


def _only_a_finished_job(sender, instance, action, **kwargs) -> bool | None:
    """A re-scoring job is recorded when created and when it ends, not when it starts."""
    if action == LogEntry.Action.UPDATE and not instance.is_finished:
        return False
    return None
