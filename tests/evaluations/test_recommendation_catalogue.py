"""The recommendation catalogue loaded by migration 0009: complete, valid, bilingual, in admin."""

import importlib
import json

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from enterprises.models import Direction
from evaluations.models import Indicator, Recommendation
from evaluations.models.recommendations import (
    Case,
    Challenge,
    Element,
    Principle,
    ProfileCondition,
)

pytestmark = pytest.mark.django_db

migration = importlib.import_module("evaluations.migrations.0009_recommendation_sources")

INDICATORS = [
    "logistics_cost",
    "npd_cycle",
    "tech_update_speed",
    "market_response_time",
    "environmental_impact_score",
]


def catalogue() -> list[dict]:
    return json.loads(migration.CATALOGUE.read_text(encoding="utf-8"))


def present(field: str) -> set[str]:
    return set(Recommendation.objects.exclude(**{field: ""}).values_list(field, flat=True))


def test_the_migration_loaded_every_item_of_the_file():
    codes = {item["code"] for item in catalogue()}
    assert set(Recommendation.objects.values_list("code", flat=True)) >= codes


@pytest.mark.parametrize("code", INDICATORS)
def test_every_indicator_has_ways_to_improve_it_and_to_measure_it(code):
    indicator = Indicator.objects.get(code=code)
    active = Recommendation.objects.filter(indicator=indicator, is_active=True)
    improving = active.filter(kind__in=["value", "checklist"]).count()
    assert improving >= 2 and active.filter(kind="measure").count() == 1


def test_every_item_is_valid_and_serves_exactly_one_thing():
    directions = set(Direction.values)
    for recommendation in Recommendation.objects.all():
        recommendation.full_clean()
        assert (recommendation.indicator_id is None) != (recommendation.dimension_id is None)
        assert recommendation.innovation_direction in directions | {""}
        assert recommendation.basis.startswith("Ye (2025)") and recommendation.practice


def test_every_item_is_bilingual_with_matching_actions():
    for recommendation in Recommendation.objects.all():
        assert recommendation.title_zh and recommendation.advice_zh, recommendation.code
        english = [line for line in recommendation.actions.splitlines() if line.strip()]
        chinese = [line for line in recommendation.actions_zh.splitlines() if line.strip()]
        assert 1 <= len(english) <= 5, recommendation.code
        assert len(english) == len(chinese), recommendation.code
        assert recommendation.action_lines() == english


def test_the_paper_is_covered():
    assert present("principle") == set(Principle.values)
    assert present("challenge") == set(Challenge.values)
    assert present("element") == set(Element.values)
    assert present("case") == set(Case.values)
    assert present("innovation_direction") == set(Direction.values)


@pytest.mark.parametrize(
    "condition, challenge",
    [
        (ProfileCondition.MANY_MARKETS_NO_COMPLIANCE, Challenge.LEGAL_REGULATORY),
        (ProfileCondition.SOCIAL_OR_LIVE, Challenge.DATA_SECURITY),
    ],
)
def test_profile_dependent_items(condition, challenge):
    items = Recommendation.objects.filter(profile_condition=condition)
    assert items.count() >= 2
    assert all(item.challenge == challenge and item.indicator_id for item in items)


def test_most_items_carry_an_element():
    total = Recommendation.objects.count()
    assert Recommendation.objects.exclude(element="").count() >= 0.8 * total


def test_loading_again_brings_the_catalogue_back_to_the_file():
    count = Recommendation.objects.count()
    item = Recommendation.objects.get(code="logistics-overseas-warehouses-consolidation")
    Recommendation.objects.filter(pk=item.pk).update(title="edited", basis="")
    Recommendation.objects.create(
        code="gone-from-the-file", kind="advice", dimension=item.indicator.dimension,
        principle="risk_control", title="x", advice="x", actions="x", basis="x", practice="x",
    )  # fmt: skip
    migration.load(django_apps, None)
    assert Recommendation.objects.count() == count
    item.refresh_from_db()
    assert item.title != "edited" and item.basis.startswith("Ye (2025)")
    assert len(item.action_lines()) == 3


def test_admin_lists_searches_and_opens_recommendations(admin_client):
    url = reverse("admin:evaluations_recommendation_changelist")
    assert admin_client.get(url).status_code == 200
    response = admin_client.get(url, {"q": "海外仓", "principle__exact": "strategic_positioning"})
    assert response.status_code == 200
    assert "logistics-overseas-warehouses-consolidation" in response.content.decode()
    item = Recommendation.objects.first()
    change = reverse("admin:evaluations_recommendation_change", args=[item.pk])
    assert admin_client.get(change).status_code == 200
