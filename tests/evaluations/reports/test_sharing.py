"""What someone an owner shared a result with reads and downloads, and the public check page
(PRODUCT.md sections 7, 10 and 11; issue 17): read only, no plan, evidence only if granted, a
check code per shared file, "withdrawn" once the grant ends."""

import csv
import io
import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core import dispatch, limits
from enterprises.models import Grant, OrgRole
from enterprises.services import grant_create, grant_revoke
from evaluations.models import Evidence, ReportFile
from evaluations.reports import pdf, tables
from evaluations.reports.data import report_data
from evaluations.services import reports
from evaluations.services import verification as verification_services
from evaluations.services.rendering import report_file_render
from tests.factories import (
    GrantFactory,
    OrganisationMembershipFactory,
    UserFactory,
    planned_action,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
LOGISTICS = "logistics-shipping-system-routing"


@pytest.fixture
def partner(db):
    return UserFactory(email="partner@example.com", full_name="Pat Partner")


@pytest.fixture
def grant(enterprise, alice, partner, run):
    return grant_create(enterprise=enterprise, by=alice, periods=["2025Q4"], email=partner.email)


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(dispatch, "send", lambda name, *args, **kw: calls.append((name, args)))
    return calls


def _shared(name, run) -> str:
    return reverse(f"sharing:{name}", args=[run.enterprise_id, run.year, run.quarter])


def _with_evidence(run, alice):
    """A file attached while the period was a draft (the service refuses a submitted one)."""
    Evidence.objects.create(
        assessment=run.assessment,
        indicator_code="logistics_cost",
        file=SimpleUploadedFile("freight-invoices.pdf", PDF, content_type="application/pdf"),
        original_name="freight-invoices.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=alice,
    )


# --- The owners' page -----------------------------------------------------------------------


def test_the_owner_sees_every_grant_with_its_state_and_last_look(
    enterprise, alice, run, grant, client_for
):
    organisation = OrganisationMembershipFactory(role=OrgRole.ANALYST).organisation
    GrantFactory(
        enterprise=enterprise,
        email="",
        organisation=organisation,
        source=Grant.Source.PROGRAMME,
        periods=["2025Q4"],
        expires_at=None,
    )
    GrantFactory(
        enterprise=enterprise, email="old@example.com", expires_at=timezone.now() - timedelta(1)
    )
    grant_revoke(
        grant=grant_create(
            enterprise=enterprise, by=alice, periods=["2025Q4"], email="gone@example.com"
        ),
        by=alice,
    )
    page = client_for(alice).get(reverse("evaluations:sharing", args=[enterprise.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    for who in ("partner@example.com", organisation.name, "old@example.com", "gone@example.com"):
        assert who in html
    assert html.count("grant-active") == 2 and "grant-expired" in html
    assert "grant-revoked" in html and "joining an assessment programme" in html
    assert "2025 Q4" in html
    assert not re.search(r">[^<]*2025Q4", html)  # a human label, never the key
    assert "not yet" in html
    # the form offers the submitted periods, a year ahead by default
    assert 'value="2025Q4"' in html and 'value="2025Q3"' in html
    assert (timezone.localdate() + timedelta(days=365)).isoformat() in html


def test_the_owner_shares_and_revokes_through_the_page(
    enterprise, alice, run, partner, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(alice)
    url = reverse("evaluations:sharing", args=[enterprise.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "grantee": "person",
                "email": partner.email,
                "periods": ["2025Q4"],
                "expires_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
            },
        )
    assert response.status_code == 302
    grant = Grant.objects.get()
    assert grant.periods == ["2025Q4"] and not grant.include_evidence
    assert timezone.localtime(grant.expires_at).date() == timezone.localdate() + timedelta(30)
    assert len(mailoutbox) == 1
    assert client_for(partner).get(_shared("result", run)).status_code == 200

    client = client_for(alice)
    revoke = reverse("evaluations:grant-revoke", args=[enterprise.pk, grant.pk])
    assert client.post(revoke).status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_by == alice
    response = client_for(partner).get(_shared("result", run))
    assert response.status_code == 403 and "was shared with you until" in response.content.decode()


def test_a_period_not_submitted_cannot_be_chosen(enterprise, alice, run, client_for):
    response = client_for(alice).post(
        reverse("evaluations:sharing", args=[enterprise.pk]),
        {"grantee": "person", "email": "p@example.com", "periods": ["2024Q1"]},
    )
    assert response.status_code == 200 and not Grant.objects.exists()


def test_the_enterprise_page_links_the_sharing_page_for_owners_only(
    enterprise, alice, bob, client_for
):
    url = reverse("enterprises:detail", args=[enterprise.pk])
    assert 'id="sharing-link"' in client_for(alice).get(url).content.decode()
    assert 'id="sharing-link"' not in client_for(bob).get(url).content.decode()


# --- The grantee's pages --------------------------------------------------------------------


def test_the_grantee_lists_what_is_shared_and_reads_it_only(run, grant, partner, client_for):
    client = client_for(partner)
    listing = client.get(reverse("sharing:list")).content.decode()
    assert run.enterprise.name in listing and _shared("result", run) in listing

    response = client.get(_shared("result", run))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="overall-score"' in html and 'id="recommendations"' in html
    assert 'id="peers-heading"' in html
    for absent in ("what-if-form", "plan-add", "assessment-reopen", "/plan/", "shared-evidence"):
        assert absent not in html
    assert reverse("evaluations:run", args=[run.enterprise_id, run.pk]) not in html
    grant.refresh_from_db()
    assert grant.last_viewed_at is not None


def test_evidence_is_listed_only_when_the_grant_includes_it(
    enterprise, alice, run, grant, partner, client_for
):
    _with_evidence(run, alice)
    assert (
        "freight-invoices.pdf"
        not in client_for(partner).get(_shared("result", run)).content.decode()
    )
    Grant.objects.filter(pk=grant.pk).update(include_evidence=True)
    assert (
        "freight-invoices.pdf" in client_for(partner).get(_shared("result", run)).content.decode()
    )


def test_a_period_the_grant_does_not_cover_is_not_found(runs, grant, partner, client_for):
    earlier = runs[0]
    assert client_for(partner).get(_shared("result", earlier)).status_code == 404


def test_an_unconfirmed_address_is_shared_nothing(run, grant, partner, client_for):
    partner.email_verified_at = None
    partner.save()
    assert client_for(partner).get(_shared("result", run)).status_code == 404


# --- The shared report ----------------------------------------------------------------------


def test_the_shared_report_leaves_out_the_plan_and_evidence_and_carries_its_check_address(
    enterprise, alice, erin, run, grant, partner
):
    planned_action(run, erin, code=LOGISTICS)
    _with_evidence(run, alice)
    data = report_data(run, user=partner, grant_id=grant.pk, check_code="c0de" * 8)
    assert data.shared and data.plan is None and data.evidence == []
    assert data.check_url.endswith("/check/" + "c0de" * 8 + "/")
    assert tables.plan_section(data) is None
    html = pdf.report_html(data)
    assert "Improvement plan" not in html and erin.full_name not in html
    assert 'id="evidence"' not in html and data.check_url in html
    text = tables.csv_bytes(data).decode("utf-8-sig")
    assert data.check_url in text and erin.full_name not in text
    workbook = load_workbook(BytesIO(tables.xlsx_bytes(data)))
    assert "Plan" not in workbook.sheetnames
    summary = dict(workbook["Summary"].iter_rows(values_only=True))
    assert summary["Shared report: check it at"] == data.check_url
    assert summary["Evidence files included"] == "no"


def test_the_shared_report_lists_evidence_when_granted(enterprise, alice, run, partner):
    _with_evidence(run, alice)
    grant = grant_create(
        enterprise=enterprise,
        by=alice,
        periods=["2025Q4"],
        email=partner.email,
        include_evidence=True,
    )
    data = report_data(run, user=partner, grant_id=grant.pk, check_code="a" * 32)
    assert [line.name for line in data.evidence] == ["freight-invoices.pdf"]
    assert "freight-invoices.pdf" in pdf.report_html(data)


def test_the_members_report_is_unchanged(enterprise, erin, run):
    planned_action(run, erin, code=LOGISTICS)
    data = report_data(run, user=erin)
    assert not data.shared and data.plan is not None and data.check_url == ""
    assert "check it at" not in tables.csv_bytes(data).decode("utf-8-sig")


def test_a_report_through_another_readers_grant_is_refused(run, grant, bob):
    with pytest.raises(Exception) as caught:
        report_data(run, user=bob, grant_id=grant.pk)
    assert type(caught.value).__name__ in ("Http404", "GrantEnded")


def test_each_shared_csv_has_its_check_code_kept_for_its_grant(run, grant, partner, client_for):
    client = client_for(partner)
    first = client.get(_shared("csv", run))
    rows = list(csv.reader(io.StringIO(first.content.decode("utf-8-sig"))))
    url = dict(row for row in rows if len(row) == 2)["Shared report: check it at"]
    code = re.search(r"/check/([0-9a-f]{32})/$", url).group(1)
    again = client.get(_shared("csv", run)).content.decode("utf-8-sig")
    assert code in again  # the same file for the same grant: the same code
    row = ReportFile.objects.get(check_code=code)
    assert row.grant == grant and row.audience == "shared" and row.kind == "run_csv"
    xlsx = client.get(_shared("xlsx", run))
    assert xlsx.status_code == 200
    assert ReportFile.objects.filter(grant=grant, kind="run_xlsx").count() == 1


def test_the_shared_pdf_is_a_file_of_its_own_per_grant(
    enterprise, alice, run, grant, partner, sent, client_for, django_capture_on_commit_callbacks
):
    other = grant_create(
        enterprise=enterprise,
        by=alice,
        periods=["2025Q4"],
        organisation=(OrganisationMembershipFactory().organisation),
    )
    with django_capture_on_commit_callbacks(execute=True):
        mine = reports.report_file_request(run=run, user=partner, language="en", grant=grant)
        theirs = reports.report_file_request(run=run, user=alice, language="en", grant=other)
        members = reports.report_file_request(run=run, user=alice, language="en")
    assert len({mine.pk, theirs.pk, members.pk}) == 3
    assert mine.check_code and theirs.check_code and mine.check_code != theirs.check_code
    assert members.check_code is None and members.grant is None
    assert mine.audience == "shared" and members.audience == "members"
    # the worker renders the shared variant under the grant, as its reader
    assert report_file_render(report_file_id=mine.pk) == ReportFile.Status.READY
    response = client_for(partner).get(_shared("pdf", run))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_the_worker_refuses_a_shared_pdf_once_the_grant_is_revoked(
    alice, run, grant, partner, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = reports.report_file_request(run=run, user=partner, language="en", grant=grant)
    grant_revoke(grant=grant, by=alice)
    assert report_file_render(report_file_id=report.pk) == ReportFile.Status.FAILED


def test_the_sweep_keeps_a_shared_reports_code_when_its_file_expires(run, grant, partner, sent):
    report = reports.report_file_request(run=run, user=partner, language="en", grant=grant)
    ReportFile.objects.filter(pk=report.pk).update(
        status=ReportFile.Status.READY, expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert reports.report_files_sweep()["expired"] == 1
    kept = ReportFile.objects.get(pk=report.pk)
    assert kept.check_code == report.check_code and not kept.file and kept.expires_at is None


# --- The check page -------------------------------------------------------------------------


@pytest.fixture
def code(run, grant, partner):
    return reports.shared_table_file(
        run=run, grant=grant, kind=ReportFile.Kind.RUN_CSV, user=partner, language="en"
    ).check_code


def test_a_check_code_has_128_random_bits(code):
    assert re.fullmatch(r"[0-9a-f]{32}", code)


def test_the_check_page_shows_the_figures_and_nothing_else(run, code, client):
    response = client.get(reverse("sharing:check", args=[code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert run.enterprise.name in html and "2025 Q4" in html
    overall = re.search(r'id="check-overall">([^<]+)<', html).group(1)
    assert overall == f"{int(run.overall * 10) / 10:.1f}"  # the display rule: rounded down
    assert f"grade-{run.grade}" in html and "version" in html
    for absent in ("Hangzhou", "Indicators", "partner@example.com", "Withdrawn"):
        assert absent not in html
    assert response["X-Robots-Tag"] == "noindex"


def test_the_check_page_says_withdrawn_after_the_grant_ends(run, alice, grant, code, client):
    grant_revoke(grant=grant, by=alice)
    html = client.get(reverse("sharing:check", args=[code])).content.decode()
    assert "Withdrawn" in html
    assert run.enterprise.name not in html and 'id="check-overall"' not in html


def test_the_check_page_says_withdrawn_after_the_grant_expires(run, grant, code, client):
    Grant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    html = client.get(reverse("sharing:check", args=[code])).content.decode()
    assert "Withdrawn" in html and run.enterprise.name not in html


def test_the_check_page_reads_in_chinese(run, code, client):
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("sharing:check", args=[code]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = html.content.decode()
    assert "2025年第四季度" in text and "核验" in text


def test_an_unknown_code_is_not_found(client, code):
    assert client.get(reverse("sharing:check", args=["0" * 32])).status_code == 404


def test_checks_are_limited_per_client_address(code, client):
    url = reverse("sharing:check", args=[code])
    assert client.get(url).status_code == 200
    # the rest of this window's allowance, spent at once (a loop of requests on a slow machine
    # could cross into the next window)
    for _ in range(limits.REPORT_CHECKS.count - 1):
        limits.spend(limits.REPORT_CHECKS, "127.0.0.1")
    response = client.get(url)
    assert response.status_code == 429 and "try again shortly" in response.content.decode()


def test_the_shared_page_and_the_check_page_show_the_verification_stamp(
    run, grant, partner, code, staff, client, client_for
):
    """The check page shows who verified and when, never the analyst's name or comment."""
    verification = verification_services.verification_start(
        assessment=run.assessment, organisation=None, by=staff
    )
    verification_services.verification_verify(
        verification=verification, by=staff, comment="Checked against the freight invoices"
    )
    check = client.get(reverse("sharing:check", args=[code])).content.decode()
    assert "Verified by the platform on" in check
    assert "freight invoices" not in check and staff.full_name not in check
    shared = client_for(partner).get(_shared("result", run)).content.decode()
    assert "Verified by the platform on" in shared
