"""Weights derived from expert judgement (AHP, PRODUCT.md section 9): the service that fills a
draft, the admin page an administrator uses, and the report appendix that cites them."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations import services
from evaluations.models import EvaluationRun, WeightScheme
from evaluations.reports import pdf
from evaluations.reports.data import report_data
from evaluations.scoring import ahp
from evaluations.services.rescore import rescore_create
from evaluations.services.schemes import storable_weights
from tests.factories import AssessmentFactory, UserFactory, WeightSchemeFactory, submitted_run

pytestmark = pytest.mark.django_db

OE, IC, MA, SU = (
    "operational_efficiency",
    "innovation_capacity",
    "market_adaptability",
    "sustainability",
)
CLASSIC = [[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]]  # Saaty (1980): .637 .258 .105, CR .033


def table_4():
    return WeightScheme.objects.get(slug="ye-2025-table-4", version=1)


def consistent(weights: list[float]) -> list[list[float]]:
    return [[a / b for b in weights] for a in weights]


def single(code: str) -> dict:
    return {"criteria": [code], "matrix": [[1.0]]}


def full(dimensions: list[list[float]], npd_over_tech: float = 1.5) -> dict:
    """Comparisons for a scheme with all four dimensions, in their display order."""
    return {
        "dimensions": {"criteria": [OE, IC, MA, SU], "matrix": dimensions},
        "indicators": {
            OE: single("logistics_cost"),
            IC: {
                "criteria": ["npd_cycle", "tech_update_speed"],
                "matrix": [[1, npd_over_tech], [1 / npd_over_tech, 1]],
            },
            MA: single("market_response_time"),
            SU: single("environmental_impact_score"),
        },
    }


# One judgment far off: operational efficiency 9 times sustainability, all else equal.
ONE_BAD_JUDGMENT = [[1, 1, 1, 9], [1, 1, 1, 1], [1, 1, 1, 1], [1 / 9, 1, 1, 1]]


def weights_of(scheme) -> dict[str, Decimal]:
    return dict(scheme.rows.values_list("indicator__code", "weight"))


@pytest.fixture
def draft():
    return services.scheme_clone(scheme=table_4())


@pytest.fixture
def three_dimensions():
    """A draft without market response time: its dimensions are three, as in Saaty's example."""
    return WeightSchemeFactory(rows={"market_response_time": None})


# --- the service ------------------------------------------------------------------------------


def test_table_4s_own_ratios_give_table_4_back(draft, superuser):
    draft.rows.update(weight="0.2")  # anything: AHP replaces it
    comparisons = full(consistent([0.25, 0.25, 0.20, 0.30]), npd_over_tech=1.5)
    services.scheme_apply_ahp(scheme=draft, comparisons=comparisons, user=superuser)
    draft.refresh_from_db()
    assert {code: str(w) for code, w in weights_of(draft).items()} == {
        "logistics_cost": "0.250000000",
        "npd_cycle": "0.150000000",
        "tech_update_speed": "0.100000000",
        "market_response_time": "0.200000000",
        "environmental_impact_score": "0.300000000",
    }
    assert services.scheme_problems(draft) == []
    stored = draft.ahp_comparisons
    assert stored["dimensions"]["criteria"] == [OE, IC, MA, SU]
    assert stored["indicators"][IC]["matrix"] == [[1.0, 1.5], [1 / 1.5, 1.0]]
    assert stored["weights"]["npd_cycle"] == "0.150000000"


def test_the_published_three_by_three_example_fills_the_products(three_dimensions, superuser):
    comparisons = {
        "dimensions": {"criteria": [OE, IC, SU], "matrix": CLASSIC},
        "indicators": {
            OE: single("logistics_cost"),
            IC: {"criteria": ["npd_cycle", "tech_update_speed"], "matrix": [[1, 2], [0.5, 1]]},
            SU: single("environmental_impact_score"),
        },
    }
    services.scheme_apply_ahp(scheme=three_dimensions, comparisons=comparisons, user=superuser)
    weights = weights_of(three_dimensions)
    top = ahp([OE, IC, SU], CLASSIC).weights
    exact = {
        "logistics_cost": top[OE],
        "npd_cycle": top[IC] * 2 / 3,
        "tech_update_speed": top[IC] / 3,
        "environmental_impact_score": top[SU],
    }
    assert sum(weights.values()) == Decimal(1)  # exactly, in the stored decimals
    for code, product in exact.items():
        assert abs(float(weights[code]) - product) < 1e-9
    published = {"logistics_cost": 0.637, "npd_cycle": 0.172, "environmental_impact_score": 0.105}
    for code, value in published.items():
        assert float(weights[code]) == pytest.approx(value, abs=0.0005)


def test_an_inconsistent_matrix_is_refused_naming_the_pair(draft, superuser):
    before = weights_of(draft)
    with pytest.raises(ValidationError) as refused:
        services.scheme_apply_ahp(scheme=draft, comparisons=full(ONE_BAD_JUDGMENT), user=superuser)
    (message,) = refused.value.messages
    assert message.startswith("Dimensions: the consistency ratio (CR) is 0.243, above 0.10.")
    assert "“Operational efficiency” with “Sustainability”" in message
    assert "operational_efficiency" not in message  # names, never codes
    draft.refresh_from_db()
    assert weights_of(draft) == before and draft.ahp_comparisons is None


def test_a_published_scheme_is_refused(superuser):
    scheme = table_4()
    with pytest.raises(ValidationError, match="only a draft"):
        services.scheme_apply_ahp(
            scheme=scheme, comparisons=full(consistent([1, 1, 1, 1])), user=superuser
        )
    scheme.ahp_comparisons = full(consistent([1, 1, 1, 1]))
    with pytest.raises(ValidationError, match="can no longer be changed"):
        scheme.save()  # the model's freeze covers the comparisons too
    with pytest.raises(ValidationError):
        WeightScheme.objects.filter(pk=scheme.pk).update(ahp_comparisons={})


def test_comparisons_must_cover_the_schemes_own_hierarchy(draft, superuser):
    comparisons = full(consistent([1, 1, 1, 1]))
    comparisons["dimensions"] = {"criteria": [OE, IC, MA], "matrix": CLASSIC}
    comparisons["indicators"][IC]["matrix"] = [[1, 20], [0.05, 1]]  # off Saaty's scale
    with pytest.raises(ValidationError) as refused:
        services.scheme_apply_ahp(scheme=draft, comparisons=comparisons, user=superuser)
    text = " ".join(refused.value.messages)
    assert "Dimensions: compare exactly these: Operational efficiency, Innovation capacity" in text
    assert "Innovation capacity: matrix[0][1]: must be within Saaty's scale 1/9 to 9" in text


def test_storable_weights_sum_to_one_exactly():
    thirds = storable_weights({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}, 9)
    assert sum(thirds.values()) == Decimal(1)
    assert sorted(str(w) for w in thirds.values()) == ["0.333333333", "0.333333333", "0.333333334"]
    weights = list(ahp(list("abcdefg"), consistent([7, 1, 2, 5, 3, 8, 6])).weights.values())
    stored = storable_weights(dict(zip("abcdefg", weights, strict=True)), 9)
    assert sum(stored.values()) == Decimal(1)
    for exact, kept in zip(weights, stored.values(), strict=True):
        assert abs(float(kept) - exact) < 1e-9 and kept.as_tuple().exponent == -9


def test_the_comparisons_travel_with_the_version(draft, superuser):
    comparisons = full(consistent([0.25, 0.25, 0.20, 0.30]))
    services.scheme_apply_ahp(scheme=draft, comparisons=comparisons, user=superuser)
    services.scheme_publish(scheme=draft, user=superuser)
    draft.refresh_from_db()
    snapshot = services.scheme_snapshot(draft)
    assert snapshot["ahp"] == draft.ahp_comparisons
    clone = services.scheme_clone(scheme=draft)
    assert clone.ahp_comparisons == draft.ahp_comparisons
    assert services.scheme_snapshot(clone)["ahp"] == draft.ahp_comparisons
    # edited by hand afterwards: the comparisons no longer explain the weights
    clone.rows.filter(indicator__code="npd_cycle").update(weight="0.10")
    clone.rows.filter(indicator__code="tech_update_speed").update(weight="0.15")
    assert "ahp" not in services.scheme_snapshot(clone)
    assert "ahp" not in services.scheme_snapshot(table_4())


# --- the admin page ---------------------------------------------------------------------------


def ahp_url(scheme):
    return reverse("admin:evaluations_weightscheme_ahp", args=[scheme.pk])


def post(client, scheme, upper: dict[str, dict[str, str]], action="_apply"):
    """Post the page's forms: ``upper`` maps a level's prefix to its choices (default 1)."""
    page = client.get(ahp_url(scheme))
    data = {}
    for section in page.context["sections"]:
        for field in section["form"]:
            data[field.html_name] = field.value()
    for prefix, choices in upper.items():
        for name, value in choices.items():
            data[f"{prefix}-{name}"] = value
    data[action] = "1"
    return client.post(ahp_url(scheme), data)


def test_the_page_shows_one_matrix_per_level(admin_client, draft):
    page = admin_client.get(ahp_url(draft))
    assert page.status_code == 200
    sections = page.context["sections"]
    assert [s["group"].key for s in sections] == ["dimensions", OE, IC, MA, SU]
    assert len(sections[0]["form"].fields) == 6 and len(sections[2]["form"].fields) == 1
    content = page.content.decode()
    assert content.count("<select") == 7
    assert '<option value="1/9">1/9: extremely less important</option>' in content
    assert "Operational efficiency compared with Sustainability" in content
    change = admin_client.get(reverse("admin:evaluations_weightscheme_change", args=[draft.pk]))
    assert ahp_url(draft) in change.content.decode()


def test_posting_consistent_comparisons_fills_the_weights(admin_client, three_dimensions):
    response = post(
        admin_client,
        three_dimensions,
        {"dimensions": {"c_0_1": "3", "c_0_2": "5", "c_1_2": "3"}, IC: {"c_0_1": "2"}},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:evaluations_weightscheme_change", args=[three_dimensions.pk]
    )
    weights = weights_of(three_dimensions)
    assert float(weights["logistics_cost"]) == pytest.approx(0.637, abs=0.0005)
    assert float(weights["environmental_impact_score"]) == pytest.approx(0.105, abs=0.0005)
    assert sum(weights.values()) == Decimal(1)
    three_dimensions.refresh_from_db()
    assert three_dimensions.ahp_comparisons["dimensions"]["matrix"][0] == [1.0, 3.0, 5.0]
    # the page starts from the stored comparisons next time
    again = admin_client.get(ahp_url(three_dimensions))
    assert again.context["sections"][0]["form"]["c_0_2"].value() == "5"
    assert again.context["sections"][0]["level"].result.cr == pytest.approx(0.033, abs=0.0005)


def test_calculating_shows_the_figures_and_writes_nothing(admin_client, three_dimensions):
    before = weights_of(three_dimensions)
    response = post(
        admin_client,
        three_dimensions,
        {"dimensions": {"c_0_1": "3", "c_0_2": "5", "c_1_2": "3"}},
        action="_calculate",
    )
    assert response.status_code == 200
    level = response.context["sections"][0]["level"]
    assert level.result.lambda_max == pytest.approx(3.039, abs=0.0005)
    content = response.content.decode()
    assert '<td class="num" data-figure="ri">0.58</td>' in content
    assert '<td class="num" data-figure="cr">0.0332</td>' in content
    assert "1/5" in content  # the reciprocal of 5, in the lower triangle
    assert [line.code for line in response.context["weights"]] == [
        "logistics_cost",
        "npd_cycle",
        "tech_update_speed",
        "environmental_impact_score",
    ]
    assert weights_of(three_dimensions) == before


def test_an_inconsistent_set_is_refused_with_the_pair(admin_client, draft):
    before = weights_of(draft)
    response = post(admin_client, draft, {"dimensions": {"c_0_3": "9"}})
    assert response.status_code == 200
    content = response.content.decode()
    assert "the consistency ratio (CR) is 0.243, above 0.10" in content
    assert "“Operational efficiency” with “Sustainability”" in content
    assert "The weights were not changed" in content
    draft.refresh_from_db()
    assert weights_of(draft) == before and draft.ahp_comparisons is None


def test_a_published_scheme_has_no_ahp_page(admin_client, client_for):
    scheme = table_4()
    assert admin_client.get(ahp_url(scheme)).status_code == 403
    assert admin_client.post(ahp_url(scheme), {"_apply": "1"}).status_code == 403
    change = admin_client.get(reverse("admin:evaluations_weightscheme_change", args=[scheme.pk]))
    assert ahp_url(scheme) not in change.content.decode()
    missing = reverse("admin:evaluations_weightscheme_ahp", args=[10**9])
    assert admin_client.get(missing).status_code == 404
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_weightscheme"))
    draft = WeightSchemeFactory()
    assert client_for(viewer).get(ahp_url(draft)).status_code == 403
    assert client_for(None).get(ahp_url(draft)).status_code == 302


# --- the report appendix ----------------------------------------------------------------------


def test_the_appendix_cites_the_comparisons(enterprise, alice, superuser):
    scheme = services.scheme_clone(scheme=table_4())
    services.scheme_apply_ahp(
        scheme=scheme, comparisons=full(consistent([0.25, 0.25, 0.20, 0.30])), user=superuser
    )
    services.scheme_publish(scheme=scheme, user=superuser)
    services.scheme_make_default(scheme=scheme)
    run = submitted_run(AssessmentFactory(enterprise=enterprise), alice)
    assert run.scheme_version == 2 and run.scheme_snapshot["ahp"]["weights"]
    method = report_data(run, user=alice).methodology
    assert [m.title for m in method.provenance] == ["Dimensions", "Innovation capacity"]
    top = method.provenance[0]
    assert top.labels[0] == "Operational efficiency"
    assert top.rows[0].entries == ("1", "1", "1.25", "0.833333")
    assert math.fsum(row.weight for row in top.rows) == pytest.approx(1)
    html = pdf.report_html(report_data(run, user=alice))
    assert "Where the weights come from: pairwise comparisons (AHP)" in html
    assert "<caption>Innovation capacity: λ<sub>max</sub> = 2.0000, CR = 0.0000</caption>" in html


def test_without_comparisons_the_appendix_claims_none(enterprise, alice):
    run = submitted_run(AssessmentFactory(enterprise=enterprise), alice)
    assert "ahp" not in run.scheme_snapshot
    assert report_data(run, user=alice).methodology.provenance == ()
    assert "pairwise comparisons (AHP)" not in pdf.report_html(report_data(run, user=alice))


def test_the_page_reads_in_chinese(admin_client, draft):
    admin_client.cookies["django_language"] = "zh-hans"
    response = post(admin_client, draft, {"dimensions": {"c_0_3": "9"}}, action="_calculate")
    content = response.content.decode()
    assert "一致性比率（CR）" in content and "9：极端重要" in content
    assert "请重新斟酌“运营效率”与“可持续发展”的比较" in content


def test_a_draft_without_rows_is_told_to_add_them(admin_client, superuser):
    empty = WeightSchemeFactory(rows=False)
    page = admin_client.get(ahp_url(empty))
    assert page.status_code == 200
    assert "This draft has no indicators yet" in page.content.decode()
    assert admin_client.post(ahp_url(empty), {"_apply": "1"}).status_code == 200
    with pytest.raises(ValidationError, match="The scheme has no indicators to weigh."):
        services.scheme_apply_ahp(scheme=empty, comparisons={}, user=superuser)


def test_a_rescore_under_the_scheme_carries_the_comparisons(
    enterprise, alice, superuser, django_capture_on_commit_callbacks
):
    submitted_run(AssessmentFactory(enterprise=enterprise), alice)
    scheme = services.scheme_clone(scheme=table_4())
    comparisons = full(consistent([0.25, 0.25, 0.20, 0.30]), npd_over_tech=2)
    services.scheme_apply_ahp(scheme=scheme, comparisons=comparisons, user=superuser)
    scheme = services.scheme_publish(scheme=scheme, user=superuser)
    with django_capture_on_commit_callbacks(execute=True):
        rescore_create(scheme=scheme)
    rescored = EvaluationRun.objects.get(origin=EvaluationRun.Origin.RESCORE)
    assert rescored.scheme_snapshot["ahp"] == scheme.ahp_comparisons
