"""The cohort dashboard: completion, figures under the programme's scheme, suppression."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from enterprises.models import Grant, InnovationDirection
from evaluations import suppression
from evaluations.peers import quantile
from programmes import selectors
from programmes.services.programmes import invitee_decline
from tests.factories import (
    COMPLETE_VALUES,
    AssessmentFactory,
    InviteeFactory,
    WeightSchemeFactory,
    joined_invitee,
    submitted_run,
)

pytestmark = pytest.mark.django_db


def member_with_result(
    programme, *, logistics=18.0, modes=("b2c",), province="zhejiang", quarter=3, **values
):
    invitee = joined_invitee(
        programme, enterprise__modes=list(modes), enterprise__province=province
    )
    owner = invitee.enterprise.memberships.get().user
    run = submitted_run(
        AssessmentFactory(
            enterprise=invitee.enterprise,
            year=2026,
            quarter=quarter,
            values={**COMPLETE_VALUES, "logistics_cost": logistics, **values},
        ),
        owner,
    )
    return invitee, run


def test_the_rule_is_one_module_shared_with_peers():
    assert suppression.MIN_OTHERS == 5
    assert not suppression.shown(4) and suppression.shown(5)
    assert not suppression.shown(5, includes_reader=True) and suppression.shown(
        6, includes_reader=True
    )


def test_fewer_than_five_enterprises_show_no_distribution(programme, client_for, manager):
    for logistics in (10, 12, 14, 16):
        member_with_result(programme, logistics=logistics)
    cohort = selectors.cohort(programme, "2026Q3")
    assert cohort.n == 4 and not cohort.shown
    assert cohort.overall is None and cohort.chart is None
    assert all(not cell.shown for _g, _l, cell in cohort.grades)
    page = client_for(manager).get(
        reverse("programmes:programme", args=[programme.organisation_id, programme.pk])
    )
    html = page.content.decode()
    assert 'id="cohort-suppressed"' in html
    assert "fewer than 5" in html
    assert 'id="cohort-boxes-title"' not in html


def test_five_enterprises_show_the_distribution_under_the_programmes_scheme(programme):
    runs = [member_with_result(programme, logistics=v)[1] for v in (6, 10, 14, 18, 22)]
    cohort = selectors.cohort(programme, "2026Q3")
    assert cohort.shown and cohort.n == 5
    overall = sorted(run.overall for run in runs)
    assert cohort.overall.median == pytest.approx(quantile(overall, 0.5))
    assert cohort.overall.minimum == overall[0] and cohort.overall.maximum == overall[-1]
    assert cohort.chart is not None
    counts = {grade: cell for grade, _label, cell in cohort.grades}
    assert sum(cell.value for cell in counts.values()) == 5
    # a grade held by fewer than five enterprises is withheld like any aggregate
    assert all(cell.shown == (cell.value >= 5) for cell in counts.values())


def test_incomplete_runs_unjoined_and_revoked_enterprises_are_left_out(programme):
    for logistics in (6, 10, 14, 18, 22):
        member_with_result(programme, logistics=logistics)
    member_with_result(programme, npd_cycle=None)  # incomplete: not available
    revoked, _run = member_with_result(programme)
    Grant.objects.filter(pk=revoked.grant_id).update(revoked_at=timezone.now())
    declined, _run = member_with_result(programme)
    invitee_decline(invitee=declined, user=declined.enterprise.memberships.get().user)
    invited = InviteeFactory(programme=programme)  # invited, never joined
    submitted_run(AssessmentFactory(enterprise=invited.enterprise, year=2026, quarter=3))
    assert selectors.cohort(programme, "2026Q3").n == 5


def test_figures_use_the_programmes_scheme_version(programme, committed):
    scheme = WeightSchemeFactory(
        published=True,
        rows={
            "logistics_cost": {"weight": "0.45"},
            "environmental_impact_score": {"weight": "0.10"},
        },
    )
    programme.scheme = scheme
    programme.save()
    with committed():
        runs = [member_with_result(programme, logistics=v)[1] for v in (6, 10, 14, 18, 22)]
    results = selectors.results(programme)
    assert {r.run_id for r in results}.isdisjoint({run.pk for run in runs})
    assert len(results) == 5


def test_completion_names_what_the_organisation_may_know(programme):
    member_with_result(programme)  # submitted
    joined_invitee(programme)  # joined, not submitted
    InviteeFactory(programme=programme)  # no answer
    gone = joined_invitee(programme)
    invitee_decline(invitee=gone, user=gone.enterprise.memberships.get().user)
    found = selectors.completion(programme, "2026Q3")
    assert (found.invited, found.unanswered, found.joined, found.submitted, found.declined) == (
        4,
        1,
        2,
        1,
        1,
    )
    assert sorted(line.shown_state for line in found.to_chase) == ["invited", "joined"]


def test_groups_count_an_enterprise_once_by_its_primary_mode(programme):
    for _ in range(5):
        member_with_result(programme, modes=("b2b", "b2c"), province="guangdong")
    member_with_result(programme, modes=("b2c",), province="zhejiang")
    cohort = selectors.cohort(programme, "2026Q3")
    by_mode = {row.label: row for row in cohort.by_mode}
    assert set(by_mode) == {"B2B (business to business)", "B2C (business to consumer)"}
    assert (
        by_mode["B2B (business to business)"].n == 5 and by_mode["B2B (business to business)"].shown
    )
    assert (
        by_mode["B2C (business to consumer)"].n == 1
        and by_mode["B2C (business to consumer)"].box is None
    )
    by_province = {row.label: row for row in cohort.by_province}
    assert by_province["Guangdong"].shown and not by_province["Zhejiang"].shown
    assert cohort.by_mode_chart is not None and len(cohort.by_mode_chart.rows) == 1


def test_the_trend_runs_across_the_programmes_periods(programme):
    programme.periods = ["2026Q2", "2026Q3"]
    programme.save()
    for v in (6, 10, 14, 18, 22):
        invitee, _run = member_with_result(programme, logistics=v, quarter=3)
        submitted_run(
            AssessmentFactory(
                enterprise=invitee.enterprise,
                year=2026,
                quarter=2,
                values={**COMPLETE_VALUES, "logistics_cost": v + 4},
            ),
            invitee.enterprise.memberships.get().user,
        )
    cohort = selectors.cohort(programme, "2026Q3")
    overall = cohort.trend_rows[0][1]
    assert [cell.n for cell in overall] == [5, 5]
    assert overall[0].value < overall[1].value  # lower logistics costs in Q3 score higher
    assert cohort.trend_chart is not None


def test_table_1_directions_beside_the_papers_counts(programme):
    personalized = InnovationDirection.objects.get(code="personalized")
    for _ in range(5):
        invitee, _run = member_with_result(programme)
        invitee.enterprise.innovation_directions.add(personalized)
    rows = {
        label: (cell, paper)
        for label, cell, paper in selectors.cohort(programme, "2026Q3").directions
    }
    cell, paper = rows["Technology-driven personalized services"]
    assert (cell.value, cell.shown, paper) == (5, True, 120)
    cell, paper = rows["Cultural export and brand internationalization"]
    assert (cell.value, cell.shown, paper) == (0, False, 65)


def test_the_results_export_has_the_granted_enterprises_only(
    programme, client_for, analyst, org_viewer
):
    shared, run = member_with_result(programme)
    revoked, _run = member_with_result(programme)
    invitee_decline(invitee=revoked, user=revoked.enterprise.memberships.get().user)
    url = reverse("programmes:results-xlsx", args=[programme.organisation_id, programme.pk])
    assert client_for(org_viewer).get(url).status_code == 403
    response = client_for(analyst).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Enterprise"
    assert [row[0] for row in rows[1:]] == [shared.enterprise.name]
    assert rows[1][6] == pytest.approx(run.overall)
    shared.grant.refresh_from_db()
    assert shared.grant.last_viewed_at is not None


def test_an_enterprise_name_cannot_become_a_formula_in_the_export(programme, client_for, analyst):
    invitee, _run = member_with_result(programme)
    invitee.enterprise.name = '=HYPERLINK("http://x")'
    invitee.enterprise.save()
    response = client_for(analyst).get(
        reverse("programmes:results-xlsx", args=[programme.organisation_id, programme.pk])
    )
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert list(sheet.iter_rows(values_only=True))[1][0].startswith("'=")


def test_the_programme_page_asks_as_many_queries_for_many_invitees_as_for_few(
    programme, client_for, manager
):
    page = reverse("programmes:programme", args=[programme.organisation_id, programme.pk])
    client = client_for(manager)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        return len(queries)

    for _ in range(2):
        member_with_result(programme)
    InviteeFactory(programme=programme)
    count()  # the first page also fills the cache of reference data
    few = count()
    for _ in range(4):
        member_with_result(programme, modes=("b2b",), province="fujian")
        InviteeFactory(programme=programme)
    assert count() == few
