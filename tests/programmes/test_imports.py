"""Spreadsheet imports: the template, the all-or-nothing upload, drafts the enterprise submits."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from enterprises.models import Role
from evaluations.models import Assessment, EvaluationRun
from evaluations.services.assessments import assessment_save
from programmes.models import ImportedDraft
from programmes.services import imports
from programmes.services.programmes import invitee_decline
from tests.factories import (
    AssessmentFactory,
    InviteeFactory,
    MembershipFactory,
    joined_invitee,
    submitted_run,
)

pytestmark = pytest.mark.django_db
CODES = [
    "logistics_cost",
    "npd_cycle",
    "tech_update_speed",
    "market_response_time",
    "environmental_impact_score",
]
CHECKLIST = [
    "green_packaging_pct",
    "low_carbon_shipping_pct",
    "emissions_reported",
    "reduction_target",
    "renewable_electricity_pct",
    "returns_programme",
]


def template(programme, language="en"):
    built = imports.import_template(programme=programme, period="2026Q3", language=language)
    return load_workbook(io.BytesIO(built.content))


def filled(book, rows: dict[int, dict]) -> SimpleUploadedFile:
    """The template with values typed into the rows of the given enterprise ids."""
    sheet = book.worksheets[0]
    keys = ["enterprise", "name", "credit_code", *CODES, *CHECKLIST]
    for row in sheet.iter_rows(min_row=2):
        values = rows.get(row[0].value)
        if values:
            for key, value in values.items():
                row[keys.index(key)].value = value
    data = io.BytesIO()
    book.save(data)
    return SimpleUploadedFile("values.xlsx", data.getvalue())


@pytest.fixture
def joined(programme):
    return [joined_invitee(programme) for _ in range(3)]


def run_import(programme, upload, user):
    return imports.import_drafts(programme=programme, period="2026Q3", upload=upload, user=user)


def test_the_template_has_a_row_per_joined_enterprise_and_headings_with_units(programme, joined):
    InviteeFactory(programme=programme)  # invited, not joined: no row
    invitee_decline(invitee=joined[2], user=joined[2].enterprise.memberships.get().user)
    book = template(programme)
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == (
        "Enterprise number (do not change)",
        "Enterprise",
        "Unified social credit code",
        "Logistics costs (% of sales revenue)",
    )
    assert len(rows[0]) == 3 + len(CODES) + len(CHECKLIST)
    assert sorted(row[0] for row in rows[1:]) == sorted(i.enterprise_id for i in joined[:2])
    validations = sheet.data_validations.dataValidation
    assert any(v.type == "list" and '"yes,no"' in v.formula1 for v in validations)
    assert any(v.type == "decimal" and v.formula2 == "100.0" for v in validations)


def test_the_template_speaks_the_chosen_language(programme, joined):
    heading = template(programme, "zh-hans").worksheets[0]["D1"].value
    with translation.override("zh-hans"):
        assert heading.startswith("物流成本")


def test_the_round_trip_writes_drafts_marked_by_the_organisation(programme, joined, manager):
    first, second, third = (i.enterprise_id for i in joined)
    upload = filled(
        template(programme),
        {
            first: {"logistics_cost": 12.5, "npd_cycle": 40, "environmental_impact_score": 70},
            second: {
                "tech_update_speed": 12,
                "green_packaging_pct": 50,
                "low_carbon_shipping_pct": 40,
                "renewable_electricity_pct": 10,
                "emissions_reported": "yes",
                "reduction_target": False,
                "returns_programme": "TRUE",
            },
        },
    )
    report = run_import(programme, upload, manager)
    assert report.ok and report.written == 2 and report.skipped == 1  # the third row is empty
    one = Assessment.objects.get(enterprise_id=first)
    assert one.values == {
        "logistics_cost": 12.5,
        "npd_cycle": 40.0,
        "environmental_impact_score": 70.0,
    }  # a blank cell leaves the field empty
    assert one.is_draft and one.updated_by == manager
    two = Assessment.objects.get(enterprise_id=second)
    assert two.env_mode == Assessment.EnvMode.CHECKLIST
    assert two.env_checklist["emissions_reported"] is True
    assert two.env_checklist["reduction_target"] is False
    assert two.values["environmental_impact_score"] == pytest.approx(51)  # from the checklist
    assert ImportedDraft.objects.filter(programme=programme).count() == 2
    assert not Assessment.objects.filter(enterprise_id=third).exists()
    assert not EvaluationRun.objects.exists()  # never submitted nor scored by the organisation


def test_a_complete_checklist_computes_the_score(programme, joined, manager):
    first = joined[0].enterprise_id
    answers = {
        "green_packaging_pct": 50,
        "low_carbon_shipping_pct": 40,
        "renewable_electricity_pct": 10,
        "emissions_reported": "是",
        "reduction_target": "否",
        "returns_programme": "no",
    }
    assert run_import(programme, filled(template(programme), {first: answers}), manager).ok
    draft = Assessment.objects.get(enterprise_id=first)
    assert draft.values["environmental_impact_score"] == pytest.approx(
        0.3 * 50 + 0.25 * 40 + 15 + 1
    )


def test_the_enterprise_confirms_and_submits_its_draft(programme, joined, manager, client_for):
    invitee = joined[0]
    values = {code: 20 for code in CODES}
    assert run_import(
        programme, filled(template(programme), {invitee.enterprise_id: values}), manager
    ).ok
    draft = Assessment.objects.get(enterprise_id=invitee.enterprise_id)
    owner = invitee.enterprise.memberships.get().user
    page = client_for(owner).get(
        reverse("evaluations:assessment", args=[invitee.enterprise_id, draft.pk])
    )
    assert programme.organisation.name in page.content.decode()
    run = submitted_run(draft, owner)
    assert run.created_by == owner and run.status == "succeeded"


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        ({"logistics_cost": "cheap"}, "D", "Not a number."),
        ({"logistics_cost": -1}, "D", "Below 0"),
        ({"logistics_cost": 101}, "D", "Above 100"),
        ({"emissions_reported": "maybe"}, "K", "Answer yes or no."),
        ({"green_packaging_pct": 120}, "I", "A percentage from 0 to 100."),
        (
            {"environmental_impact_score": 60, "green_packaging_pct": 10},
            "H",
            "not both",
        ),
    ],
)
def test_each_bad_cell_is_reported_and_nothing_is_written(
    programme, joined, manager, cells, column, reason
):
    good = {joined[1].enterprise_id: {"logistics_cost": 10}}
    upload = filled(template(programme), {joined[0].enterprise_id: cells, **good})
    report = run_import(programme, upload, manager)
    assert not report.ok
    [problem] = report.problems
    assert (problem.row, problem.column) in {(2, column), (3, column), (4, column)}
    assert reason in problem.reason
    assert not Assessment.objects.exists()


def test_rows_for_others_twice_or_already_answered_are_invalid(programme, joined, manager):
    stranger = InviteeFactory(programme=programme)  # invited, not joined
    submitted = joined[0].enterprise
    submitted_run(AssessmentFactory(enterprise=submitted, year=2026, quarter=3))
    own = AssessmentFactory(enterprise=joined[1].enterprise, year=2026, quarter=3)
    book = template(programme)
    sheet = book.worksheets[0]
    sheet.append([stranger.enterprise_id, "x", None, 10])
    sheet.append([joined[2].enterprise_id, "again", None, 10])
    sheet.append([joined[2].enterprise_id, "and again", None, 11])
    data = io.BytesIO()
    book.save(data)
    report = run_import(programme, SimpleUploadedFile("v.xlsx", data.getvalue()), manager)
    reasons = [p.reason for p in report.problems]
    assert "This enterprise has already submitted this period." in reasons
    assert "This enterprise has its own draft for this period." in reasons
    assert "No enterprise with this number has joined the programme." in reasons
    assert sum(r.startswith("This enterprise already has a row (row ") for r in reasons) == 2
    assert len(reasons) == 5
    assert (
        Assessment.objects.count() == 2 and own.values == Assessment.objects.get(pk=own.pk).values
    )


def test_an_untouched_imported_draft_may_be_replaced_a_touched_one_not(programme, joined, manager):
    enterprise_id = joined[0].enterprise_id
    assert run_import(
        programme, filled(template(programme), {enterprise_id: {"npd_cycle": 30}}), manager
    ).ok
    assert run_import(
        programme, filled(template(programme), {enterprise_id: {"npd_cycle": 35}}), manager
    ).ok
    draft = Assessment.objects.get(enterprise_id=enterprise_id)
    assert draft.values == {"npd_cycle": 35.0}
    owner = joined[0].enterprise.memberships.get().user
    assessment_save(assessment=draft, user=owner, values={"npd_cycle": 36})
    report = run_import(
        programme, filled(template(programme), {enterprise_id: {"npd_cycle": 40}}), manager
    )
    assert [p.reason for p in report.problems] == [
        "This enterprise has its own draft for this period."
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 broken zip", "damaged"),
        (b"%PDF-1.4 not a spreadsheet", "not an XLSX"),
    ],
)
def test_a_malformed_file_is_refused_whole(programme, joined, manager, content, message):
    with pytest.raises(imports.ImportRefused, match=message):
        run_import(programme, SimpleUploadedFile("v.xlsx", content), manager)


def test_a_formula_refuses_the_file(programme, joined, manager):
    book = template(programme)
    book.worksheets[0]["D2"] = "=1+1"
    data = io.BytesIO()
    book.save(data)
    with pytest.raises(imports.ImportRefused, match="D2 holds a formula"):
        run_import(programme, SimpleUploadedFile("v.xlsx", data.getvalue()), manager)
    assert not Assessment.objects.exists()


def test_another_spreadsheet_is_not_the_template(programme, joined, manager):
    book = Workbook()
    book.active.append(["Company", "Cost"])
    data = io.BytesIO()
    book.save(data)
    with pytest.raises(imports.ImportRefused, match="not the template"):
        run_import(programme, SimpleUploadedFile("v.xlsx", data.getvalue()), manager)


def test_a_template_in_chinese_is_read_on_an_english_page(programme, joined, manager):
    enterprise_id = joined[0].enterprise_id
    upload = filled(template(programme, "zh-hans"), {enterprise_id: {"reduction_target": "是"}})
    assert run_import(programme, upload, manager).ok
    assert Assessment.objects.get().env_checklist == {"reduction_target": True}


def test_the_page_reports_bad_cells_in_the_readers_language(programme, joined, manager, client_for):
    upload = filled(template(programme), {joined[0].enterprise_id: {"logistics_cost": "x"}})
    client = client_for(manager)
    url = reverse("programmes:import", args=[programme.organisation_id, programme.pk])
    response = client.post(f"{url}?period=2026Q3", {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="import-problems"' in html and "Not a number." in html
    assert not Assessment.objects.exists()


def test_a_ten_megabyte_file_gets_a_clear_error(programme, joined, manager, client_for):
    big = SimpleUploadedFile("values.xlsx", b"PK\x03\x04" + b"\0" * (10 * 1024 * 1024))
    url = reverse("programmes:import", args=[programme.organisation_id, programme.pk])
    response = client_for(manager).post(url, {"file": big})
    assert response.status_code == 200
    assert "larger than 5 MB" in str(response.context["form"].errors["file"])
    assert not Assessment.objects.exists()


def test_an_editor_of_the_enterprise_sees_the_marker_owner_too(
    programme, joined, manager, client_for
):
    invitee = joined[0]
    assert run_import(
        programme, filled(template(programme), {invitee.enterprise_id: {"npd_cycle": 9}}), manager
    ).ok
    editor = MembershipFactory(enterprise=invitee.enterprise, role=Role.EDITOR).user
    draft = Assessment.objects.get()
    page = client_for(editor).get(
        reverse("evaluations:assessment", args=[invitee.enterprise_id, draft.pk])
    )
    assert 'id="entered-by"' in page.content.decode()


def test_an_assessment_started_meanwhile_refuses_the_whole_import(
    programme, joined, manager, monkeypatch
):
    first, second = joined[0].enterprise_id, joined[1].enterprise_id
    upload = filled(template(programme), {first: {"npd_cycle": 9}, second: {"npd_cycle": 10}})
    checked = imports.import_validate(programme=programme, period="2026Q3", upload=upload)
    AssessmentFactory(enterprise=joined[1].enterprise, year=2026, quarter=3)  # after the check
    monkeypatch.setattr(imports, "import_validate", lambda **kwargs: checked)
    with pytest.raises(imports.ImportChanged):
        run_import(programme, upload, manager)
    assert not Assessment.objects.filter(enterprise_id=first).exists()
