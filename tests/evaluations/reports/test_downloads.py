"""Who may download a report, and what the response tells browsers and caches."""

import pytest
from django.http import Http404
from django.urls import reverse

from enterprises.models import Role
from evaluations.reports import pdf, tables
from tests.factories import AssessmentFactory, MembershipFactory, submitted_run

pytestmark = pytest.mark.django_db

FORMATS = [
    ("run-pdf", "pdf", "application/pdf"),
    ("run-csv", "csv", "text/csv; charset=utf-8"),
    (
        "run-xlsx",
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
]


def _url(name, run, pk=None) -> str:
    return reverse(f"evaluations:{name}", kwargs={"pk": pk or run.enterprise_id, "run_pk": run.pk})


@pytest.mark.parametrize(("name", "extension", "content_type"), FORMATS)
def test_a_member_downloads_a_private_attachment(
    name, extension, content_type, run, bob, client_for, download
):
    response = download(client_for(bob), name, run)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="alice-trading-co-2025-Q4-evaluation.{extension}"'
    )
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("name", "extension", "content_type"), FORMATS)
def test_staff_may_download_and_outsiders_may_not_even_see_it(
    name, extension, content_type, run, staff, charlie, client_for, download
):
    response = download(client_for(staff), name, run)
    assert response.status_code == 200 and response["Content-Type"] == content_type
    assert client_for(charlie).get(_url(name, run)).status_code == 404
    anonymous = client_for(None).get(_url(name, run))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "extension", "content_type"), FORMATS)
def test_a_run_is_reached_only_through_its_own_enterprise(
    name, extension, content_type, run, alice, client_for
):
    other = MembershipFactory(user=alice, role=Role.OWNER).enterprise
    assert client_for(alice).get(_url(name, run, pk=other.pk)).status_code == 404


@pytest.mark.parametrize(("name", "extension", "content_type"), FORMATS)
def test_a_run_without_a_result_has_no_report(
    name, extension, content_type, enterprise, alice, client_for
):
    queued = submitted_run(AssessmentFactory(enterprise=enterprise), alice, execute=False)
    assert client_for(alice).get(_url(name, queued)).status_code == 404


def test_only_get_is_allowed(run, alice, client_for):
    for name in ("run-pdf", "run-pdf-status", "run-csv", "run-xlsx"):
        assert client_for(alice).post(_url(name, run)).status_code == 405
    assert client_for(alice).get(_url("run-pdf-retry", run)).status_code == 405


def test_the_builders_check_access_again(run, charlie):
    for build in (pdf.build, tables.build_csv, tables.build_xlsx):
        with pytest.raises(Http404):
            build(run, user=charlie)


def test_a_chinese_name_gives_a_chinese_file_name(run, bob, client_for):
    run.enterprise.name = "杭州示例贸易有限公司"
    run.enterprise.save()
    disposition = client_for(bob).get(_url("run-csv", run))["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert "-2025-Q4-evaluation.csv" in disposition


def test_the_result_page_links_the_three_downloads(run, bob, client_for):
    html = client_for(bob).get(_url("run", run)).content.decode()
    for name, label in (("run-pdf", "PDF"), ("run-csv", "CSV"), ("run-xlsx", "XLSX")):
        assert f'href="{_url(name, run)}"' in html
        assert f">{label}</a>" in html


def test_a_waiting_page_has_no_download_links(enterprise, alice, client_for):
    queued = submitted_run(AssessmentFactory(enterprise=enterprise), alice, execute=False)
    html = client_for(alice).get(_url("run", queued)).content.decode()
    assert _url("run-pdf", queued) not in html
