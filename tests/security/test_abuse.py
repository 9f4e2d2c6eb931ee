"""What an outside-in test of the running product found (issue 13), each reproduced first."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enterprises.models import OperationMode
from evaluations.models import Assessment, Evidence, ReportFile
from evaluations.services import reports
from evaluations.services.assessments import evidence_attach
from tests.factories import AssessmentFactory, submitted_run

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


class CountingStream(io.BytesIO):
    """A request body that records how much of it was read."""

    taken = 0

    def read(self, *args):
        data = super().read(*args)
        self.taken += len(data)
        return data

    def readline(self, *args):
        data = super().readline(*args)
        self.taken += len(data)
        return data


def test_a_body_over_the_limit_is_refused_before_it_is_read(client_for, enterprise, erin):
    """A 300 MB upload was spooled to disk before 'larger than 10 MB'."""
    draft = AssessmentFactory(enterprise=enterprise)
    client = client_for(erin)
    url = reverse("evaluations:evidence-upload", args=[enterprise.pk, draft.pk])
    body = CountingStream(b"x" * 1024)
    response = client.generic(
        "POST",
        url,
        data=b"",
        content_type="multipart/form-data; boundary=b",
        CONTENT_LENGTH=str(300 * 1024 * 1024),
        **{"wsgi.input": body},
    )
    assert response.status_code == 413
    assert "at most 11 MB" in response.content.decode()
    assert body.taken == 0
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("name", ["Acme\r\nBcc: all@example.com", "Acme \u202eCo"])
def test_a_name_with_control_characters_is_refused_with_a_field_error(client_for, alice, name):
    """A CR/LF in an enterprise name once made invitations fail with a 500."""
    mode = OperationMode.objects.get(code="b2c").pk
    response = client_for(alice).post(
        reverse("enterprises:create"), {"name": name, "operation_modes": [mode]}
    )
    assert response.status_code == 200
    assert "invisible control character" in str(response.context["form"].errors["name"])


def test_a_file_name_with_a_direction_override_is_refused(enterprise, erin):
    """U+202E in a file name showed reversed ('invoice‮fdp.exe') in the PDF's evidence list."""
    draft = AssessmentFactory(enterprise=enterprise)
    with pytest.raises(ValidationError, match="invisible control character"):
        evidence_attach(
            assessment=draft,
            user=erin,
            indicator_code="logistics_cost",
            upload=SimpleUploadedFile("invoice\u202efdp.pdf", PDF),
        )


@pytest.mark.parametrize(
    "path",
    [
        "/enterprises/9223372036854775808/",
        "/enterprises/99999999999999999999999/dashboard/",
        "/enterprises/1/runs/9223372036854775808/",
    ],
)
def test_an_id_past_64_bits_is_a_404(client_for, alice, path):
    assert client_for(alice).get(path).status_code == 404


def test_evidence_cannot_reach_an_assessment_submitted_meanwhile(enterprise, erin):
    """A page loaded as a draft, then submitted by a colleague: the attachment that follows
    must see the submission (racing tries attached 4 of 15 files to submitted assessments)."""
    stale = AssessmentFactory(enterprise=enterprise)
    Assessment.objects.filter(pk=stale.pk).update(status=Assessment.Status.SUBMITTED)
    assert stale.is_draft  # what the racing request still holds
    with pytest.raises(ValidationError, match="submitted"):
        evidence_attach(
            assessment=stale,
            user=erin,
            indicator_code="logistics_cost",
            upload=SimpleUploadedFile("freight.pdf", PDF),
        )
    assert not Evidence.objects.exists()


def test_report_renders_are_limited_per_enterprise(enterprise, alice, client_for):
    run = submitted_run(AssessmentFactory(enterprise=enterprise), alice)
    for language in [f"x{n}" for n in range(10)]:
        reports.report_file_request(run=run, user=alice, language=language)
    with pytest.raises(ValidationError, match="Ten reports"):
        reports.report_file_request(run=run, user=alice, language="en")
    response = client_for(alice).get(
        reverse("evaluations:run-pdf", args=[enterprise.pk, run.pk]), follow=True
    )
    assert "Ten reports of this enterprise" in response.content.decode()
    assert ReportFile.objects.count() == 10
    # a fresh result's own pre-render is not counted: nobody asked for it
    assert reports.report_file_request(run=run, user=alice, language="de", limited=False)
