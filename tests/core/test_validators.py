"""Control characters and direction overrides are refused in every text a person types."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from core.validators import validate_single_line, validate_text

# Text the application writes itself (codes, hashes, reasons, file names it makes): not typed.
WRITTEN_BY_THE_APP = {
    ("accounts", "User", "password"),
    ("accounts", "UserSession", "session_key"),
    ("enterprises", "Enterprise", "credit_code"),  # its own validator: 18 given characters
    ("enterprises", "Invitation", "token_hash"),
    ("evaluations", "EvaluationRun", "error"),
    ("evaluations", "EvaluationRun", "grade"),
    ("evaluations", "EvaluationRun", "language"),
    ("evaluations", "RunDimension", "code"),
    ("evaluations", "RunIndicator", "code"),
    ("evaluations", "RunIndicator", "dimension"),
    ("evaluations", "Evidence", "indicator_code"),
    ("evaluations", "PlanAction", "indicator_code"),  # copied from the catalogue item
    ("evaluations", "Evidence", "content_type"),
    ("evaluations", "Recommendation", "innovation_direction"),
    ("evaluations", "ReportFile", "key"),
    ("evaluations", "ReportFile", "language"),
    ("evaluations", "ReportFile", "stamp"),
    ("evaluations", "ReportFile", "filename"),
    ("evaluations", "ReportFile", "error"),
    ("evaluations", "ReportFile", "check_code"),  # secrets.token_hex
    ("evaluations", "RescoreJob", "error"),
}


def _typed_text_fields():
    for app in ("accounts", "enterprises", "evaluations", "core"):
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical"):
                continue
            for field in model._meta.get_fields():
                if not isinstance(field, models.CharField | models.TextField) or field.choices:
                    continue
                if isinstance(field, models.SlugField | models.EmailField):
                    continue  # their own validators allow no control character
                key = (app, model.__name__, field.name)
                if key not in WRITTEN_BY_THE_APP:
                    yield key, field


def test_every_typed_text_field_refuses_control_characters():
    """A new text field must take a validator (or be listed as written by the app)."""
    missing = [
        key
        for key, field in _typed_text_fields()
        if validate_single_line not in field.validators and validate_text not in field.validators
    ]
    assert missing == []


@pytest.mark.parametrize(
    "text",
    ["Acme\r\nBcc: victim@example.com", "Acme\x00", "evil\u202egnp.exe", "tab\there", "\x85"],
)
def test_a_name_with_a_control_or_override_character_is_refused(text):
    with pytest.raises(ValidationError, match="invisible control character"):
        validate_single_line(text)


def test_longer_text_keeps_its_line_breaks_but_not_overrides():
    validate_text("first line\nsecond line\r\n\tindented")
    with pytest.raises(ValidationError):
        validate_text("reversed \u202e text")
    validate_single_line("杭州示例贸易有限公司 (Hangzhou) – 丝绸之路")
