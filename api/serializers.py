"""What the API reads and writes. Input is checked as the assessment form and the ``score``
command check it: a value is a JSON number (never a string or a boolean) within the
indicator's range, or null for "not available"; a checklist answer is a JSON boolean or a
JSON number from 0 to 100, nothing guessed at."""

from __future__ import annotations

import math

from django import forms
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.models import Delivery, Webhook
from api.services.webhooks import EVENTS
from enterprises.models import Enterprise, Grant
from evaluations import selectors
from evaluations.forms import indicator_field
from evaluations.models import Assessment, EvaluationRun
from evaluations.models.assessments import FIRST_YEAR, LAST_YEAR
from evaluations.scoring.checklist import ITEMS as CHECKLIST_ITEMS
from evaluations.scoring.checklist import json_repr

NUMBER_OR_NULL = {"type": "number", "nullable": True}


class EnterpriseSerializer(serializers.ModelSerializer):
    operation_modes = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = Enterprise
        fields = ["id", "name", "size_band", "province", "city", "operation_modes"]


@extend_schema_field({"type": "object", "additionalProperties": NUMBER_OR_NULL})
class ValuesField(serializers.JSONField):
    pass


@extend_schema_field(
    {"type": "object", "additionalProperties": {"oneOf": [{"type": "number"}, {"type": "boolean"}]}}
)
class ChecklistField(serializers.JSONField):
    pass


class AssessmentSerializer(serializers.ModelSerializer):
    values = ValuesField(read_only=True)
    env_checklist = ChecklistField(read_only=True)
    period = serializers.CharField(read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "year",
            "quarter",
            "period",
            "status",
            "values",
            "env_mode",
            "env_checklist",
            "created_at",
            "updated_at",
            "submitted_at",
        ]
        read_only_fields = fields


class AssessmentCreateSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    prefill = serializers.BooleanField(
        default=False, help_text="Start from the latest earlier period's values."
    )


def _strict_bool(value, field: str) -> bool:
    if not isinstance(value, bool):
        raise serializers.ValidationError({field: _("Must be true or false.")})
    return value


class DraftSerializer(serializers.Serializer):
    """A draft's values, all of them (what is not given is left empty, as on the form)."""

    values = ValuesField(
        required=False,
        help_text="Indicator code to a number, or null for not available (scored at its "
        "worst bound; the result is marked incomplete).",
    )
    env_mode = serializers.ChoiceField(choices=Assessment.EnvMode.choices, required=False)
    checklist = ChecklistField(
        required=False,
        help_text="The environmental checklist's answers: shares as numbers 0-100, yes/no "
        "answers as JSON booleans.",
    )

    def validate_values(self, raw):
        if not isinstance(raw, dict):
            raise serializers.ValidationError(_("An object mapping indicator codes to numbers."))
        indicators = selectors.reference()[1]
        errors, cleaned = {}, {}
        for code, value in raw.items():
            indicator = indicators.get(code)
            if indicator is None:
                errors[code] = [_("Not a known indicator.")]
            elif value is None:
                cleaned[code] = None
            elif isinstance(value, bool) or not isinstance(value, int | float):
                errors[code] = [
                    _("Must be a JSON number or null (got %(value)s).")
                    % {"value": json_repr(value)}
                ]
            else:
                try:
                    cleaned[code] = indicator_field(indicator).clean(value)
                except forms.ValidationError as error:
                    errors[code] = error.messages
                except OverflowError:
                    errors[code] = [_("Enter a number.")]
        if errors:
            raise serializers.ValidationError(errors)
        return cleaned

    def validate_checklist(self, raw):
        if not isinstance(raw, dict):
            raise serializers.ValidationError(_("An object with the checklist's answers."))
        kinds = {key: kind for key, kind, _factor in CHECKLIST_ITEMS}
        errors = {}
        for key, value in raw.items():
            kind = kinds.get(key)
            if kind is None:
                errors[key] = [_("Not an answer of the checklist.")]
            elif kind == "yes" and not isinstance(value, bool):
                errors[key] = [
                    _("Must be true or false (got %(value)s).") % {"value": json_repr(value)}
                ]
            elif kind == "share" and (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or not 0 <= value <= 100
            ):
                errors[key] = [
                    _("Must be a number from 0 to 100 (got %(value)s).")
                    % {"value": json_repr(value)}
                ]
        if errors:
            raise serializers.ValidationError(errors)
        return raw


class SubmitSerializer(DraftSerializer):
    confirm_warnings = serializers.JSONField(
        required=False,
        default=False,
        help_text="true: submit values that draw plausibility warnings as they are.",
    )

    def validate_confirm_warnings(self, value):
        if not isinstance(value, bool):
            raise serializers.ValidationError(_("Must be true or false."))
        return value


class DimensionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    weight = serializers.FloatField()
    score = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(
        allow_null=True, help_text="Since the previous period under the same scheme version."
    )


class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    dimension = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    normalized = serializers.FloatField()
    score = serializers.FloatField()
    weight = serializers.FloatField()
    contribution = serializers.FloatField()
    potential_gain = serializers.FloatField()
    change = serializers.FloatField(allow_null=True)


class RecommendationSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    advice = serializers.CharField()
    actions = serializers.ListField(child=serializers.CharField())
    indicator = serializers.CharField(allow_null=True)
    points = serializers.FloatField(allow_null=True)
    what_if = serializers.CharField(allow_blank=True)
    basis = serializers.CharField(allow_blank=True)
    practice = serializers.CharField(allow_blank=True)


class BoxSerializer(serializers.Serializer):
    minimum = serializers.FloatField()
    q1 = serializers.FloatField()
    median = serializers.FloatField()
    q3 = serializers.FloatField()
    maximum = serializers.FloatField()
    value = serializers.FloatField(allow_null=True)
    percentile = serializers.FloatField(allow_null=True)


class PeerDimensionSerializer(serializers.Serializer):
    name = serializers.CharField()
    box = BoxSerializer()


class PeersSerializer(serializers.Serializer):
    shown = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)
    counted = serializers.CharField(allow_blank=True)
    cohort_size = serializers.IntegerField(help_text="Other enterprises in the figures.")
    overall = BoxSerializer(allow_null=True)
    dimensions = PeerDimensionSerializer(many=True)


class RunSerializer(serializers.ModelSerializer):
    period = serializers.CharField(read_only=True)
    scheme = serializers.CharField(source="scheme_slug", read_only=True)

    class Meta:
        model = EvaluationRun
        fields = [
            "id",
            "assessment",
            "year",
            "quarter",
            "period",
            "origin",
            "status",
            "error",
            "scheme",
            "scheme_version",
            "overall",
            "grade",
            "incomplete",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "description": "How the score moves under plausible schemes (PRODUCT.md section 8): "
        "the 5th-95th percentile band, the median and each grade's share; null for a run "
        "scored before bands existed, or not finished.",
        "additionalProperties": True,
    }
)
class RobustnessField(serializers.JSONField):
    pass


class VerificationSerializer(serializers.Serializer):
    """A verification stamp on the run's submission (PRODUCT.md section 11)."""

    verifier = serializers.CharField(help_text="The organisation's name, or the platform.")
    is_platform = serializers.BooleanField()
    state = serializers.ChoiceField(
        choices=["under_review", "information_requested", "verified", "not_verified"]
    )
    state_label = serializers.CharField()
    analyst = serializers.CharField(allow_blank=True)
    date = serializers.DateTimeField(allow_null=True)
    comment = serializers.CharField(allow_blank=True)


class RunDetailSerializer(RunSerializer):
    values = ValuesField(read_only=True)
    robustness = RobustnessField(read_only=True)
    dimensions = DimensionSerializer(many=True, read_only=True)
    indicators = IndicatorSerializer(many=True, read_only=True)
    recommendations = RecommendationSerializer(many=True, read_only=True)
    peers = PeersSerializer(read_only=True, allow_null=True)
    verification = VerificationSerializer(many=True, read_only=True)

    class Meta(RunSerializer.Meta):
        fields = [
            *RunSerializer.Meta.fields,
            "values",
            "robustness",
            "dimensions",
            "indicators",
            "recommendations",
            "peers",
            "verification",
        ]
        read_only_fields = fields


class WarningSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    limit = serializers.FloatField(allow_null=True)
    message = serializers.CharField()


class GrantSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", allow_null=True, default=None)
    active = serializers.BooleanField(source="is_active")

    class Meta:
        model = Grant
        fields = [
            "id",
            "organisation",
            "email",
            "source",
            "periods",
            "include_evidence",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_viewed_at",
            "active",
        ]
        read_only_fields = fields


class ReportPendingSerializer(serializers.Serializer):
    status = serializers.CharField()
    detail = serializers.CharField()


class WebhookSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENTS), required=False, allow_empty=False
    )

    class Meta:
        model = Webhook
        fields = ["id", "url", "events", "active", "created_at"]
        read_only_fields = ["id", "active", "created_at"]


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="Shown once: it signs every delivery (HMAC-SHA256)."
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = [*WebhookSerializer.Meta.read_only_fields, "secret"]


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = [
            "id",
            "event",
            "status",
            "attempts",
            "response_code",
            "error",
            "created_at",
            "last_attempt_at",
        ]
        read_only_fields = fields
