"""A run keeps the names and units it was scored with (issue 14): a label or unit edited in
admin after runs exist never relabels an old result or report."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils.translation import override

from evaluations.models import Dimension, EvaluationRun, Indicator
from tests.factories import AssessmentFactory, submitted_run

pytestmark = pytest.mark.django_db

fill_labels = importlib.import_module("evaluations.migrations.0020_run_snapshot_labels").fill_labels


def _rename():
    Indicator.objects.filter(code="logistics_cost").update(
        name="Freight spend", name_zh="运费支出", unit="per mille", unit_zh="千分比"
    )
    indicator = Indicator.objects.get(code="logistics_cost")
    indicator.save()  # through save(): the reference cache is refreshed as after an admin edit
    dimension = indicator.dimension
    dimension.name, dimension.name_zh = "Cost control", "成本控制"
    dimension.save()


def test_the_snapshot_keeps_names_and_units_in_both_languages(enterprise, alice):
    run = submitted_run(AssessmentFactory(enterprise=enterprise), alice)
    labels = run.scheme_snapshot["labels"]
    assert labels["indicators"]["logistics_cost"]["name"] == "Logistics costs"
    assert labels["indicators"]["logistics_cost"]["name_zh"]
    assert labels["indicators"]["logistics_cost"]["unit"] == "% of sales revenue"
    dimension = Indicator.objects.get(code="logistics_cost").dimension
    assert labels["dimensions"][dimension.code]["name"] == dimension.name


def test_an_old_result_and_its_report_keep_their_labels(enterprise, alice, client_for):
    run = submitted_run(AssessmentFactory(enterprise=enterprise), alice)
    dimension = Indicator.objects.get(code="logistics_cost").dimension
    old_dimension = dimension.name
    _rename()
    client = client_for(alice)
    page = client.get(reverse("evaluations:run", kwargs={"pk": enterprise.pk, "run_pk": run.pk}))
    html = page.content.decode()
    assert "Logistics costs" in html and "% of sales revenue" in html
    assert old_dimension in html
    assert "Freight spend" not in html and "per mille" not in html and "Cost control" not in html
    csv = client.get(reverse("evaluations:run-csv", kwargs={"pk": enterprise.pk, "run_pk": run.pk}))
    text = b"".join(csv.streaming_content if csv.streaming else [csv.content]).decode()
    assert "Logistics costs" in text and "Freight spend" not in text
    # A new submission is scored, and named, with the rows as they are now.
    later = submitted_run(AssessmentFactory(enterprise=enterprise, year=2025), alice)
    assert later.scheme_snapshot["labels"]["indicators"]["logistics_cost"]["name"] == (
        "Freight spend"
    )


def test_an_old_result_keeps_its_chinese_labels(enterprise, alice, client_for):
    with override("zh-hans"):
        old_zh = Indicator.objects.get(code="logistics_cost").name_zh
    run = submitted_run(AssessmentFactory(enterprise=enterprise), alice)
    _rename()
    alice.language = "zh-hans"
    alice.save()
    html = (
        client_for(alice)
        .get(
            reverse("evaluations:run", kwargs={"pk": enterprise.pk, "run_pk": run.pk}),
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        .content.decode()
    )
    assert 'lang="zh-hans"' in html
    assert old_zh in html and "运费支出" not in html and "成本控制" not in html


def test_the_migration_fills_the_labels_of_runs_stored_before(enterprise, alice):
    run = submitted_run(AssessmentFactory(enterprise=enterprise), alice)
    snapshot = dict(run.scheme_snapshot)
    del snapshot["labels"]
    EvaluationRun.objects.filter(pk=run.pk).update(scheme_snapshot=snapshot)
    fill_labels(apps, None)
    run.refresh_from_db()
    labels = run.scheme_snapshot["labels"]
    assert labels["indicators"]["logistics_cost"]["name"] == "Logistics costs"
    assert set(labels["indicators"]) == {row["code"] for row in snapshot["indicators"]}
    assert set(labels["dimensions"]) == set(Dimension.objects.values_list("code", flat=True))


def test_a_what_if_on_an_old_result_keeps_its_labels(enterprise, alice, client_for):
    run = submitted_run(AssessmentFactory(enterprise=enterprise), alice)
    old_dimension = Indicator.objects.get(code="logistics_cost").dimension.name
    _rename()
    response = client_for(alice).post(
        reverse("evaluations:run-what-if", kwargs={"pk": enterprise.pk, "run_pk": run.pk}),
        {**{code: str(value) for code, value in run.values.items()}, "logistics_cost": "12"},
    )
    html = response.content.decode()
    assert old_dimension in html and "Cost control" not in html
