"""Programmes and their invitees: invite, join (a grant), decline, and the runs a submission
gets under a programme's scheme version."""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from enterprises.models import Enterprise, Grant, Role
from evaluations.models import EvaluationRun
from evaluations.selectors import latest_submitted_results
from evaluations.services.runs import run_execute
from programmes.models import Invitee
from programmes.services import programmes as services
from tests.factories import (
    AssessmentFactory,
    EnterpriseFactory,
    InviteeFactory,
    MembershipFactory,
    ProgrammeFactory,
    UserFactory,
    WeightSchemeFactory,
    default_scheme,
    joined_invitee,
    submitted_run,
)

pytestmark = pytest.mark.django_db
CODE = "91330100MA2DEM0X1F"  # a valid unified social credit code (the demo's)


def other_scheme():
    return WeightSchemeFactory(
        published=True,
        rows={
            "logistics_cost": {"weight": "0.35"},
            "environmental_impact_score": {"weight": "0.20"},
        },
    )


# --- programmes -------------------------------------------------------------------------------


def test_a_programme_names_periods_a_published_scheme_and_whole_reminder_days(manager):
    organisation = manager.organisation_memberships.get().organisation
    fields = dict(
        organisation=organisation,
        user=manager,
        name="Q3 survey",
        scheme=default_scheme(),
        deadline=datetime.date(2026, 10, 15),
        link_base="http://testserver/",
    )
    made = services.programme_create(periods=["2026q3", "2026Q2", "2026Q3"], **fields)
    assert made.periods == ["2026Q2", "2026Q3"]  # sorted, once each
    assert made.reminder_days == [-7, 0, 7]
    assert made.link_base == "http://testserver"
    with pytest.raises(ValidationError) as refused:
        services.programme_create(periods=["2026Q5"], **fields)
    assert "periods" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.programme_create(periods=["2026Q3"], reminder_days=[-7, 90], **fields)
    assert "reminder_days" in refused.value.message_dict
    draft = WeightSchemeFactory()
    with pytest.raises(ValidationError) as refused:
        services.programme_create(periods=["2026Q3"], **{**fields, "scheme": draft})
    assert "scheme" in refused.value.message_dict


def test_scheme_and_periods_are_fixed_once_someone_joined(programme):
    services.programme_update(programme=programme, periods=["2026Q3", "2026Q4"])
    joined_invitee(programme)
    services.programme_update(
        programme=programme, name="Renamed", deadline=datetime.date(2027, 1, 1)
    )
    programme.refresh_from_db()
    assert programme.name == "Renamed"
    with pytest.raises(ValidationError):
        services.programme_update(programme=programme, periods=["2026Q3"])
    with pytest.raises(ValidationError):
        services.programme_update(programme=programme, scheme=other_scheme())


# --- invitations --------------------------------------------------------------------------------


def test_inviting_links_a_registered_enterprise_and_mails_its_contact(
    programme, manager, committed
):
    registered = EnterpriseFactory(credit_code=CODE)
    with committed():
        invitee = services.invitee_add(
            programme=programme,
            name="Silk Road",
            credit_code=CODE.lower(),
            email="Li@Example.com",
            user=manager,
        )
    assert invitee.enterprise == registered
    assert invitee.email == "li@example.com"
    assert invitee.status == Invitee.Status.INVITED
    assert mail.outbox[-1].to == ["li@example.com"]
    assert "/programmes/invitations/open/" in mail.outbox[-1].body
    assert programme.name in mail.outbox[-1].body
    assert programme.organisation.name not in mail.outbox[-1].subject


def test_an_invitation_mail_is_in_the_contacts_language(programme, manager, committed):
    UserFactory(email="wang@example.com", language="zh-hans")
    with committed():
        services.invitee_add(
            programme=programme,
            name="Wang Co.",
            credit_code="",
            email="wang@example.com",
            user=manager,
        )
    assert "评估项目" in mail.outbox[-1].subject


def test_a_list_is_invited_whole_or_not_at_all(programme, manager, committed):
    rows = [
        services.InviteeRow("A Co.", "", "a@example.com"),
        services.InviteeRow("B Co.", CODE, "b@example.com"),
    ]
    with committed():
        made = services.invitees_add(programme=programme, rows=rows, user=manager)
    assert len(made) == 2 and len(mail.outbox) == 2
    again = [services.InviteeRow("C Co.", "", "c@example.com"), rows[1]]
    with pytest.raises(ValidationError, match="B Co."):
        services.invitees_add(programme=programme, rows=again, user=manager)
    assert programme.invitees.count() == 2


@pytest.mark.parametrize(
    ("name", "code", "email", "column"),
    [
        ("", "", "a@example.com", "name"),
        ("Bad\u202eName", "", "a@example.com", "name"),
        ("A Co.", "91330100MA2DEM0X1G", "a@example.com", "credit_code"),
        ("A Co.", "", "not an address", "email"),
        ("A Co.", "", "", "email"),
    ],
)
def test_each_bad_cell_of_a_row_is_named(name, code, email, column):
    _row, problems = services.invitee_row_clean(name, code, email)
    assert list(problems) == [column]


def test_an_emailed_link_opens_once(programme, manager, committed):
    with committed():
        services.invitee_add(
            programme=programme, name="A Co.", credit_code="", email="a@example.com", user=manager
        )
    token = re.search(r"/open/([^/]+)/", mail.outbox[-1].body).group(1)
    assert services.invitee_open(token).name == "A Co."
    assert services.invitee_open(token) is None


# --- joining and declining -----------------------------------------------------------------------


def test_joining_is_a_programme_grant_of_the_programmes_periods(programme):
    invitee = InviteeFactory(programme=programme)
    owner = MembershipFactory(enterprise=invitee.enterprise, role=Role.OWNER).user
    services.invitee_join(invitee=invitee, user=owner, include_evidence=True)
    invitee.refresh_from_db()
    grant = invitee.grant
    assert invitee.status == Invitee.Status.JOINED and invitee.has_joined
    assert (grant.source, grant.organisation, grant.periods) == (
        Grant.Source.PROGRAMME,
        programme.organisation,
        ["2026Q3"],
    )
    assert grant.include_evidence is True and grant.created_by == owner
    assert grant.is_active


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER])
def test_only_an_owner_joins(programme, role):
    invitee = InviteeFactory(programme=programme)
    member = MembershipFactory(enterprise=invitee.enterprise, role=role).user
    with pytest.raises(ValidationError):
        services.invitee_join(invitee=invitee, user=member, include_evidence=False)
    assert not Grant.objects.exists()


def test_a_contact_without_a_profile_creates_it_and_becomes_its_owner(programme):
    invitee = InviteeFactory(
        programme=programme,
        enterprise=None,
        name="New Wave Co.",
        credit_code=CODE,
        email="new@example.com",
    )
    contact = UserFactory(email="new@example.com")
    services.invitee_join(
        invitee=invitee, user=contact, include_evidence=False, operation_modes=["b2c"]
    )
    invitee.refresh_from_db()
    enterprise = invitee.enterprise
    assert (enterprise.name, enterprise.credit_code) == ("New Wave Co.", CODE)
    assert enterprise.memberships.get().user == contact
    assert enterprise.memberships.get().role == Role.OWNER
    assert invitee.has_joined


def test_another_address_cannot_answer_for_a_new_enterprise(programme):
    invitee = InviteeFactory(programme=programme, enterprise=None, email="new@example.com")
    with pytest.raises(ValidationError):
        services.invitee_join(
            invitee=invitee,
            user=UserFactory(email="other@example.com"),
            include_evidence=False,
            operation_modes=["b2c"],
        )
    assert not Enterprise.objects.filter(name="New Co.").exists()


def test_an_unconfirmed_contact_cannot_answer(programme):
    invitee = InviteeFactory(programme=programme, enterprise=None, email="new@example.com")
    unconfirmed = UserFactory(email="new@example.com", email_verified_at=None)
    with pytest.raises(ValidationError):
        services.invitee_join(
            invitee=invitee, user=unconfirmed, include_evidence=False, operation_modes=["b2c"]
        )


def test_a_contact_may_join_with_an_enterprise_they_own(programme):
    invitee = InviteeFactory(programme=programme, enterprise=None, email="new@example.com")
    contact = UserFactory(email="new@example.com")
    owned = MembershipFactory(user=contact, role=Role.OWNER).enterprise
    MembershipFactory(user=contact, role=Role.VIEWER)  # not theirs to decide
    assert services.enterprises_to_join_with(invitee, contact) == [owned]
    services.invitee_join(invitee=invitee, user=contact, include_evidence=False, enterprise=owned)
    assert Invitee.objects.get(pk=invitee.pk).enterprise == owned


def test_a_registered_credit_code_is_for_its_owners_to_answer(programme):
    EnterpriseFactory(credit_code=CODE)
    invitee = InviteeFactory(
        programme=programme, enterprise=None, credit_code=CODE, email="new@example.com"
    )
    with pytest.raises(ValidationError, match="already registered"):
        services.invitee_join(
            invitee=invitee,
            user=UserFactory(email="new@example.com"),
            include_evidence=False,
            operation_modes=["b2c"],
        )


def test_declining_after_joining_revokes_the_grant_at_once(programme):
    invitee = joined_invitee(programme)
    owner = invitee.enterprise.memberships.get(role=Role.OWNER).user
    services.invitee_decline(invitee=invitee, user=owner)
    invitee.refresh_from_db()
    assert invitee.state == Invitee.Status.DECLINED
    assert invitee.grant.revoked_at is not None and invitee.grant.revoked_by == owner
    assert not invitee.grant.is_active


def test_a_grant_revoked_elsewhere_reads_as_declined(programme):
    invitee = joined_invitee(programme)
    Grant.objects.filter(pk=invitee.grant_id).update(revoked_at=timezone.now())
    invitee.refresh_from_db()
    assert invitee.status == Invitee.Status.JOINED
    assert invitee.state == Invitee.Status.DECLINED


def test_withdrawing_an_invitation_of_a_joined_enterprise_is_refused(programme):
    invitee = joined_invitee(programme)
    with pytest.raises(ValidationError):
        services.invitee_withdraw(invitee=invitee)
    services.invitee_withdraw(invitee=InviteeFactory(programme=programme))
    assert programme.invitees.count() == 1


# --- runs under the programme's scheme ---------------------------------------------------------


def test_a_programme_period_is_also_scored_under_the_programmes_scheme(programme, committed):
    programme.scheme = other_scheme()
    programme.save()
    invitee = joined_invitee(programme)
    owner = invitee.enterprise.memberships.get().user
    with committed():  # the second run is sent after the submission's commit, as the first
        run = submitted_run(
            AssessmentFactory(enterprise=invitee.enterprise, year=2026, quarter=3), owner
        )
    run.refresh_from_db()
    extra = EvaluationRun.objects.get(origin=EvaluationRun.Origin.PROGRAMME)
    assert extra.assessment_id == run.assessment_id
    assert extra.scheme == programme.scheme and run.scheme == default_scheme()
    assert extra.status == EvaluationRun.Status.SUCCEEDED
    assert extra.overall != run.overall


def test_no_second_run_under_the_default_scheme_another_period_or_after_declining(programme):
    invitee = joined_invitee(programme)  # the programme uses the default scheme
    owner = invitee.enterprise.memberships.get().user
    submitted_run(AssessmentFactory(enterprise=invitee.enterprise, year=2026, quarter=3), owner)
    assert not EvaluationRun.objects.filter(origin=EvaluationRun.Origin.PROGRAMME).exists()
    programme.scheme = other_scheme()
    programme.save()
    submitted_run(AssessmentFactory(enterprise=invitee.enterprise, year=2026, quarter=2), owner)
    assert not EvaluationRun.objects.filter(origin=EvaluationRun.Origin.PROGRAMME).exists()
    services.invitee_decline(invitee=invitee, user=owner)
    submitted_run(AssessmentFactory(enterprise=invitee.enterprise, year=2026, quarter=4), owner)
    assert not EvaluationRun.objects.filter(origin=EvaluationRun.Origin.PROGRAMME).exists()


def test_two_programmes_with_one_scheme_add_one_run(programme):
    scheme = other_scheme()
    programme.scheme = scheme
    programme.save()
    second = ProgrammeFactory(scheme=scheme, periods=["2026Q3"])
    invitee = joined_invitee(programme)
    owner = invitee.enterprise.memberships.get().user
    InviteeFactory(programme=second, enterprise=invitee.enterprise)
    submitted_run(AssessmentFactory(enterprise=invitee.enterprise, year=2026, quarter=3), owner)
    assert EvaluationRun.objects.filter(origin=EvaluationRun.Origin.PROGRAMME).count() == 1


def test_joining_scores_a_period_submitted_before(programme):
    programme.scheme = other_scheme()
    programme.save()
    invitee = InviteeFactory(programme=programme)
    owner = MembershipFactory(enterprise=invitee.enterprise, role=Role.OWNER).user
    Invitee.objects.filter(pk=invitee.pk).update(status=Invitee.Status.DECLINED)
    submitted_run(AssessmentFactory(enterprise=invitee.enterprise, year=2026, quarter=3), owner)
    assert not EvaluationRun.objects.filter(scheme=programme.scheme).exists()
    services.invitee_join(invitee=invitee, user=owner, include_evidence=False)
    run = EvaluationRun.objects.get(scheme=programme.scheme)
    assert run.origin == EvaluationRun.Origin.PROGRAMME
    run_execute(run.pk)


def test_a_programme_run_is_not_the_submission_a_rescore_or_the_cohort_export_takes(programme):
    programme.scheme = other_scheme()
    programme.save()
    invitee = joined_invitee(programme)
    owner = invitee.enterprise.memberships.get().user
    run = submitted_run(
        AssessmentFactory(enterprise=invitee.enterprise, year=2026, quarter=3), owner
    )
    assert list(latest_submitted_results()) == [run.pk]


def test_period_labels_follow_the_language():
    assert services.period_labels(["2026Q3"]) == ["2026 Q3"]
    with translation.override("zh-hans"):
        assert services.period_labels(["2026Q3"])[0].startswith("2026年")
