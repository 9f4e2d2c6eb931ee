"""The programme pages as people use them: a manager invites, an owner joins or declines, the
enterprise's dashboard shows its programmes, an organisation reads what was granted."""

import io
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from enterprises.models import Grant, Role
from programmes.models import CohortReport, ImportedDraft, Invitee, Programme
from programmes.services import rendering
from programmes.services.organisations import org_invitation_create
from tests.factories import (
    AssessmentFactory,
    InviteeFactory,
    MembershipFactory,
    ProgrammeFactory,
    UserFactory,
    default_scheme,
    joined_invitee,
    submitted_run,
)

pytestmark = pytest.mark.django_db


def url(name, programme, *extra):
    return reverse(f"programmes:{name}", args=[programme.organisation_id, programme.pk, *extra])


def test_a_manager_creates_a_programme(client_for, manager, organisation):
    client = client_for(manager)
    page = client.get(reverse("programmes:programme-create", args=[organisation.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("programmes:programme-create", args=[organisation.pk]),
        {
            "name": "2026 Q3 sustainability survey",
            "scheme": default_scheme().pk,
            "periods": ["2026Q3", "2026Q2"],
            "deadline": "2026-10-15",
            "reminder_days": "-7, 0, 7",
        },
    )
    programme = Programme.objects.get()
    assert response["Location"] == url("invite", programme)
    assert programme.periods == ["2026Q2", "2026Q3"]
    assert programme.created_by == manager
    assert programme.link_base == "http://testserver"


@pytest.mark.parametrize("days", ["a week", "-7, 99"])
def test_bad_reminder_days_are_an_error_at_the_field(client_for, manager, organisation, days):
    response = client_for(manager).post(
        reverse("programmes:programme-create", args=[organisation.pk]),
        {
            "name": "Survey",
            "scheme": default_scheme().pk,
            "periods": ["2026Q3"],
            "deadline": "2026-10-15",
            "reminder_days": days,
        },
    )
    assert response.status_code == 200
    assert "reminder_days" in response.context["form"].errors
    assert not Programme.objects.exists()


def test_a_manager_invites_one_and_a_list(client_for, manager, programme, committed):
    client = client_for(manager)
    with committed():
        response = client.post(
            url("invite", programme),
            {"name": "Ningbo Wave", "credit_code": "", "email": "wave@example.com"},
        )
    assert response.status_code == 302
    book = Workbook()
    book.active.append(["Name", "Credit code", "E-mail"])
    book.active.append(["Hangzhou Silk", "91330100MA2DEM0X1F", "silk@example.com"])
    book.active.append(["Yiwu Goods", None, "yiwu@example.com"])
    data = io.BytesIO()
    book.save(data)
    upload = SimpleUploadedFile("list.xlsx", data.getvalue())
    with committed():
        response = client.post(url("invite-list", programme), {"file": upload})
    assert response.status_code == 302
    assert sorted(programme.invitees.values_list("name", flat=True)) == [
        "Hangzhou Silk",
        "Ningbo Wave",
        "Yiwu Goods",
    ]
    assert len(mail.outbox) == 3


def test_a_bad_list_names_each_bad_cell_and_invites_nobody(client_for, manager, programme):
    csv = "name,code,email\nGood Co.,,good@example.com\n,,bad-address\n"
    response = client_for(manager).post(
        url("invite-list", programme),
        {"file": SimpleUploadedFile("list.csv", csv.encode())},
    )
    assert response.status_code == 200
    problems = [(p.row, p.column) for p in response.context["problems"]]
    assert problems == [(3, "A"), (3, "C")]
    assert not programme.invitees.exists()


def test_a_formula_in_a_list_refuses_the_file(client_for, manager, programme):
    csv = "Good Co.,,good@example.com\n=cmd|' /C calc'!A0,,x@example.com\n"
    response = client_for(manager).post(
        url("invite-list", programme), {"file": SimpleUploadedFile("list.csv", csv.encode())}
    )
    assert "formula" in response.context["problems"][0].reason
    assert not programme.invitees.exists()


def test_an_owner_joins_from_the_emailed_link(client, client_for, manager, programme, committed):
    owner_membership = MembershipFactory(role=Role.OWNER, user__email="owner@example.com")
    enterprise = owner_membership.enterprise
    enterprise.credit_code = "91330100MA2DEM0X1F"
    enterprise.save()
    with committed():
        client_for(manager).post(
            url("invite", programme),
            {"name": "Silk", "credit_code": "91330100MA2DEM0X1F", "email": "owner@example.com"},
        )
    link = re.search(r"http://testserver(/\S+)", mail.outbox[-1].body).group(1)
    client = client_for(owner_membership.user)
    invitee = Invitee.objects.get()
    assert client.get(link)["Location"] == reverse("programmes:invitation", args=[invitee.pk])
    page = client.get(reverse("programmes:invitation", args=[invitee.pk]))
    assert "Join the programme" in page.content.decode()
    response = client.post(
        reverse("programmes:invitee-join", args=[invitee.pk]), {"include_evidence": "on"}
    )
    assert response["Location"] == reverse("evaluations:dashboard", args=[enterprise.pk])
    grant = Grant.objects.get()
    assert (grant.enterprise, grant.source, grant.include_evidence) == (
        enterprise,
        "programme",
        True,
    )
    dashboard = client.get(response["Location"]).content.decode()
    assert programme.name in dashboard and "joined" in dashboard


def test_a_new_contact_makes_the_profile_and_joins(client_for, programme):
    invitee = InviteeFactory(
        programme=programme, enterprise=None, name="Brand New Co.", email="new@example.com"
    )
    contact = UserFactory(email="new@example.com")
    client = client_for(contact)
    refused = client.post(reverse("programmes:invitee-join", args=[invitee.pk]), {})
    assert refused.status_code == 200
    assert "operation_modes" in refused.context["form"].errors
    response = client.post(
        reverse("programmes:invitee-join", args=[invitee.pk]),
        {"enterprise": "new", "operation_modes": ["2"]},
    )
    invitee.refresh_from_db()
    assert response["Location"] == reverse("evaluations:dashboard", args=[invitee.enterprise_id])
    assert invitee.enterprise.memberships.get().user == contact


def test_an_editor_reads_the_invitation_but_cannot_answer(client_for, programme):
    invitee = InviteeFactory(programme=programme)
    editor = MembershipFactory(enterprise=invitee.enterprise, role=Role.EDITOR).user
    client = client_for(editor)
    page = client.get(reverse("programmes:invitation", args=[invitee.pk]))
    assert "Only an owner of the enterprise can join or decline." in page.content.decode()
    assert client.post(reverse("programmes:invitee-join", args=[invitee.pk])).status_code == 403
    assert client.post(reverse("programmes:invitee-decline", args=[invitee.pk])).status_code == 403


def test_leaving_ends_the_organisations_access_at_once(client_for, programme, manager):
    invitee = joined_invitee(programme)
    owner = invitee.enterprise.memberships.get().user
    submitted_run(AssessmentFactory(enterprise=invitee.enterprise, year=2026, quarter=3), owner)
    results = url("invitee-results", programme, invitee.pk)
    assert client_for(manager).get(results).status_code == 200
    response = client_for(owner).post(reverse("programmes:invitee-decline", args=[invitee.pk]))
    assert response.status_code == 302
    ended = client_for(manager).get(results)
    assert ended.status_code == 403
    assert "was shared with you until" in ended.content.decode()
    page = client_for(manager).get(url("programme", programme)).content.decode()
    assert "declined" in page


def test_the_assessment_page_says_who_entered_imported_values(client_for, programme, manager):
    invitee = joined_invitee(programme)
    owner = invitee.enterprise.memberships.get().user
    draft = AssessmentFactory(enterprise=invitee.enterprise, year=2026, quarter=3)
    ImportedDraft.objects.create(assessment=draft, programme=programme, imported_by=manager)
    page = (
        client_for(owner)
        .get(reverse("evaluations:assessment", args=[invitee.enterprise_id, draft.pk]))
        .content.decode()
    )
    assert 'id="entered-by"' in page and programme.organisation.name in page


def test_the_cohort_summary_is_rendered_on_a_worker(client_for, org_viewer, programme, monkeypatch):
    monkeypatch.setattr(rendering.pdf, "render_pdf", lambda html: b"%PDF-1.7 " + html.encode()[:50])
    client = client_for(org_viewer)
    response = client.get(url("summary-pdf", programme) + "?period=2026Q3")
    assert response.status_code == 200  # the progress page until a worker renders it
    report = CohortReport.objects.get()
    assert rendering.cohort_report_render(report_id=report.pk) == "ready"
    response = client.get(url("summary-pdf", programme) + "?period=2026Q3")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_summary_html_withholds_small_groups(programme):
    for _ in range(2):
        invitee = joined_invitee(programme)
        submitted_run(AssessmentFactory(enterprise=invitee.enterprise, year=2026, quarter=3))
    html = rendering.cohort_report_html(programme, "2026Q3")
    assert "fewer than 5" in html
    assert programme.name in html


def test_a_programme_is_reached_only_through_its_own_organisation(client_for, manager, programme):
    elsewhere = ProgrammeFactory()
    response = client_for(manager).get(
        reverse("programmes:programme", args=[programme.organisation_id, elsewhere.pk])
    )
    assert response.status_code == 404
    invitee = joined_invitee(elsewhere)
    response = client_for(manager).get(url("invitee-results", programme, invitee.pk))
    assert response.status_code == 404


def test_my_organisations_lists_them_with_their_programmes_and_invitations(
    client_for, manager, programme, committed
):
    other = ProgrammeFactory().organisation
    with committed():
        org_invitation_create(
            organisation=other,
            email=manager.email,
            role="viewer",
            invited_by=UserFactory(),
            link_base="http://testserver/",
        )
    page = client_for(manager).get(reverse("programmes:home"))
    html = page.content.decode()
    assert programme.organisation.name in html and programme.name in html
    assert f"{other.name} invites you as Viewer." in html
    nobody = client_for(UserFactory()).get(reverse("programmes:home"))
    assert "You do not belong to an organisation." in nobody.content.decode()
