"""The weight scheme admin as an administrator uses it: drafts checked, published ones frozen."""

import re
import time

import numpy as np
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from audit.models import LogEntry
from evaluations import services
from evaluations.models import EvaluationRun, Indicator, SchemeIndicator, WeightScheme
from evaluations.scoring import cohort_impact, score_bulk
from tests.factories import AssessmentFactory, UserFactory, WeightSchemeFactory, submitted_run

pytestmark = pytest.mark.django_db

Status = WeightScheme.Status
SAMPLE = {
    "logistics_cost": "18",
    "npd_cycle": "60",
    "tech_update_speed": "8",
    "market_response_time": "30",
    "environmental_impact_score": "55",
}


def change_url(scheme):
    return reverse("admin:evaluations_weightscheme_change", args=[scheme.pk])


def preview_url(scheme):
    return reverse("admin:evaluations_weightscheme_preview", args=[scheme.pk])


def table_4():
    return WeightScheme.objects.get(slug="ye-2025-table-4", version=1)


def form_data(response) -> dict:
    """What the browser would post back: the admin form and its inline, as rendered."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is not None and value is not False:
                data[bound.html_name] = value
    return data


def row_prefix(response, code: str) -> str:
    formset = response.context["inline_admin_formsets"][0].formset
    for form in formset.forms:
        if form.instance.pk and form.instance.indicator.code == code:
            return form.prefix
    raise AssertionError(code)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- editing a draft ------------------------------------------------------------------------


def test_a_draft_shows_its_weight_sum_and_can_be_edited(admin_client):
    draft = WeightSchemeFactory(name="Draft")
    page = admin_client.get(change_url(draft))
    assert page.status_code == 200
    assert b"Ready to publish." in page.content
    assert page.context["adminform"].form.fields.keys() >= {"slug", "name", "grade_bands"}
    data = form_data(page)
    data["name"] = "Draft, renamed"
    data[row_prefix(page, "logistics_cost") + "-weight"] = "0.20"
    data[row_prefix(page, "environmental_impact_score") + "-weight"] = "0.35"
    response = admin_client.post(change_url(draft), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    draft.refresh_from_db()
    assert draft.name == "Draft, renamed"
    assert str(draft.rows.get(indicator__code="environmental_impact_score").weight) == "0.350000000"
    renamed = LogEntry.objects.get_for_object(draft).latest("timestamp")
    assert renamed.actor.email == "root@example.com"
    assert renamed.changes["name"] == ["Draft", "Draft, renamed"]
    reweighted = LogEntry.objects.get_for_model(SchemeIndicator).filter(
        additional_data__scheme=draft.pk, action=LogEntry.Action.UPDATE
    )
    assert {entry.additional_data["indicator"] for entry in reweighted} == {
        "logistics_cost",
        "environmental_impact_score",
    }
    assert {entry.actor.email for entry in reweighted} == {"root@example.com"}
    # the scheme's History lists its own entries and its rows', read as people read them
    history = admin_client.get(reverse("admin:evaluations_weightscheme_history", args=[draft.pk]))
    assert history.status_code == 200
    lines = [line for row in history.context["rows"] for line in row.lines]
    assert "Name: Draft → Draft, renamed" in lines
    assert "Weight: 0.3 → 0.35" in lines


def test_a_drafts_spreads_and_plausible_maxima_are_edited_here(admin_client):
    draft = WeightSchemeFactory()
    page = admin_client.get(change_url(draft))
    assert page.context["adminform"].form.fields.keys() >= {"weight_spread", "bound_spread"}
    data = form_data(page)
    data.update(weight_spread="0.1", bound_spread="0.05")
    data[row_prefix(page, "npd_cycle") + "-plausible_max"] = "500"
    response = admin_client.post(change_url(draft), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    draft.refresh_from_db()
    assert (str(draft.weight_spread), str(draft.bound_spread)) == ("0.100", "0.050")
    assert str(draft.rows.get(indicator__code="npd_cycle").plausible_max) == "500.0000"
    spec = services.scheme_spec(draft)
    assert (spec.weight_spread, spec.indicators[1].plausible_max) == (0.1, 500.0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"npd_cycle": {"plausible_max": "0"}},
            "New product development cycle (npd_cycle): plausible maximum 0 must exceed minimum 0",
        ),
        (
            {"npd_cycle": {"weight": "-0.15"}, "tech_update_speed": {"weight": "0.40"}},
            "New product development cycle (npd_cycle): weight must be &gt;= 0 (got -0.15)",
        ),
        ({"logistics_cost": {"weight": "0.30"}}, "Scheme: weights sum to 1.05"),
        (
            {"tech_update_speed": {"worst": "10", "best": "10"}},
            "Technology update speed (tech_update_speed): worst and best bounds must differ",
        ),
        (
            {"market_response_time": "DELETE", "environmental_impact_score": {"weight": "0.50"}},
            "Market response time (market_response_time): is missing",
        ),
        (
            {"npd_cycle": {"indicator": "logistics_cost"}},
            "Logistics costs (logistics_cost): appears 2 times",
        ),
    ],
    ids=[
        "plausible-max",
        "negative-weight",
        "sum-not-1",
        "worst-equals-best",
        "missing",
        "duplicate",
    ],
)
def test_an_invalid_draft_is_refused_naming_the_indicator(admin_client, change, message):
    draft = WeightSchemeFactory()
    before = list(
        draft.rows.values_list("indicator_id", "weight", "worst", "best", "plausible_max")
    )
    page = admin_client.get(change_url(draft))
    data = form_data(page)
    for code, fields in change.items():
        prefix = row_prefix(page, code)
        if fields == "DELETE":
            data[f"{prefix}-DELETE"] = "on"
            continue
        for name, value in fields.items():
            if name == "indicator":
                value = Indicator.objects.get(code=value).pk
            data[f"{prefix}-{name}"] = value
    response = admin_client.post(change_url(draft), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    errors = response.context["inline_admin_formsets"][0].formset.non_form_errors()
    assert len(errors) >= 1
    rows = draft.rows.values_list("indicator_id", "weight", "worst", "best", "plausible_max")
    assert list(rows) == before


def test_adding_a_scheme_offers_every_indicator(admin_client):
    page = admin_client.get(reverse("admin:evaluations_weightscheme_add"))
    formset = page.context["inline_admin_formsets"][0].formset
    assert [form.initial["indicator"] for form in formset.forms] == list(
        Indicator.objects.values_list("pk", flat=True)
    )
    data = form_data(page)
    data.update(slug="regional", name="Regional weights", version="1")
    table_4_rows = [("0.25", "30", "5"), ("0.15", "180", "14"), ("0.10", "0", "24")]
    table_4_rows += [("0.20", "90", "7"), ("0.30", "0", "100")]
    for form, (weight, worst, best) in zip(formset.forms, table_4_rows, strict=True):
        data[f"{form.prefix}-weight"] = weight
        data[f"{form.prefix}-worst"] = worst
        data[f"{form.prefix}-best"] = best
    response = admin_client.post(reverse("admin:evaluations_weightscheme_add"), data)
    assert response.status_code == 302
    scheme = WeightScheme.objects.get(slug="regional")
    assert scheme.status == Status.DRAFT and scheme.rows.count() == 5
    assert services.scheme_problems(scheme) == []


# --- a published scheme is read-only ------------------------------------------------------


def test_a_published_scheme_is_shown_read_only(admin_client):
    page = admin_client.get(change_url(table_4()))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert not page.context["adminform"].form.fields  # every field is read-only
    inline = page.context["inline_admin_formsets"][0]
    assert not inline.has_add_permission and not inline.has_delete_permission
    assert b'name="_save"' not in page.content
    assert b"Preview scores" in page.content


def test_posting_to_a_published_scheme_changes_nothing(admin_client):
    draft = WeightSchemeFactory()
    page = admin_client.get(change_url(draft))
    data = form_data(page)  # a well-formed post, aimed at the published Table 4 instead
    scheme = table_4()
    before = (scheme.name, list(scheme.rows.values_list("weight", "worst", "best")))
    data["name"] = "Rewritten"
    response = admin_client.post(change_url(scheme), data)
    assert response.status_code == 403
    scheme.refresh_from_db()
    assert (scheme.name, list(scheme.rows.values_list("weight", "worst", "best"))) == before


def test_a_published_scheme_cannot_be_deleted_and_its_history_only_records(admin_client):
    scheme = WeightSchemeFactory(published=True)
    delete = reverse("admin:evaluations_weightscheme_delete", args=[scheme.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    history = reverse("admin:evaluations_weightscheme_history", args=[scheme.pk])
    page = admin_client.get(history)
    assert page.status_code == 200  # the earlier versions can be looked at ...
    assert [row.entry.action for row in page.context["rows"]][-1] == LogEntry.Action.CREATE
    assert b"revert" not in page.content.lower()  # ... and nothing brings one back
    admin_client.post(history, {})
    scheme.refresh_from_db()
    assert scheme.status == Status.PUBLISHED


# --- actions ----------------------------------------------------------------------------------


def _act(client, action, *schemes, confirmed=True):
    data = {"action": action, "_selected_action": [s.pk for s in schemes]}
    if confirmed:
        data["confirmed"] = "yes"
    return client.post(reverse("admin:evaluations_weightscheme_changelist"), data, follow=True)


def test_publish_action(admin_client, superuser):
    draft = WeightSchemeFactory()
    response = _act(admin_client, "publish", draft)
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED and draft.published_by == superuser
    assert any("is published" in m for m in _messages(response))


@pytest.mark.parametrize(
    ("action", "says"),
    [
        ("publish", "make this version the default when it should score them"),
        ("make_default", "to move history under this version, re-score it afterwards"),
    ],
)
def test_publishing_and_making_default_ask_first_and_say_what_follows(admin_client, action, says):
    """Issue 15: both took effect at once, with no word of what follows."""
    scheme = WeightSchemeFactory(published=action == "make_default")
    before = (scheme.status, scheme.is_default)
    page = _act(admin_client, action, scheme, confirmed=False)
    scheme.refresh_from_db()
    assert (scheme.status, scheme.is_default) == before  # nothing happened yet
    content = page.content.decode()
    assert says in content
    assert '<input type="hidden" name="confirmed" value="yes">' in content
    assert f'<input type="hidden" name="_selected_action" value="{scheme.pk}">' in content
    _act(admin_client, action, scheme)
    scheme.refresh_from_db()
    assert (scheme.status, scheme.is_default) != before


def test_a_published_scheme_offers_clone_as_a_new_draft(admin_client):
    page = admin_client.get(change_url(table_4())).content.decode()
    clone_url = reverse("admin:evaluations_weightscheme_clone", args=[table_4().pk])
    assert f'href="{clone_url}" id="clone-scheme">Clone as a new draft</a>' in page
    asked = admin_client.get(clone_url)
    assert "same weights, bounds and grade bands" in asked.content.decode()
    assert not WeightScheme.objects.filter(version=2).exists()  # a GET asks, never acts
    done = admin_client.post(clone_url)
    draft = WeightScheme.objects.get(slug="ye-2025-table-4", version=2)
    assert done["Location"] == change_url(draft)
    assert draft.status == Status.DRAFT and draft.rows.count() == 5
    draft_page = admin_client.get(change_url(draft)).content.decode()
    assert "Clone as a new draft" not in draft_page and "Publish…" in draft_page


def test_a_scheme_page_publishes_and_makes_default_after_asking(admin_client):
    draft = WeightSchemeFactory()
    publish = reverse("admin:evaluations_weightscheme_publish", args=[draft.pk])
    assert "freezes the version" in admin_client.get(publish).content.decode()
    admin_client.post(publish)
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    default = reverse("admin:evaluations_weightscheme_make-default", args=[draft.pk])
    assert f'href="{default}"' in admin_client.get(change_url(draft)).content.decode()
    assert "re-score it afterwards" in admin_client.get(default).content.decode()
    admin_client.post(default)
    draft.refresh_from_db()
    assert draft.is_default


def test_the_steps_are_only_for_staff_who_may_change_schemes(client_for):
    viewer = UserFactory(is_staff=True)
    url = reverse("admin:evaluations_weightscheme_clone", args=[table_4().pk])
    assert client_for(viewer).post(url).status_code == 403
    assert not WeightScheme.objects.filter(version=2).exists()


def test_weight_rows_read_as_indicator_names_and_plain_numbers(admin_client):
    """Issue 15: a published scheme's rows read "1: 0.250000000" and 0.250000000."""
    content = admin_client.get(change_url(table_4())).content.decode()
    assert "0.250000000" not in content and "30.0000" not in content
    assert "1: 0.25" not in content
    squeezed = re.sub(r"\s+", "", content)
    assert '<tdclass="field-weight_shown"><p>0.25</p></td>' in squeezed
    assert '<tdclass="field-indicator_name"><p>Logisticscosts</p></td>' in squeezed
    draft = services.scheme_clone(scheme=table_4())
    editable = admin_client.get(change_url(draft)).content.decode()
    assert 'value="0.25"' in editable and 'value="0.250000000"' not in editable


def test_the_scheme_list_explains_the_steps(admin_client):
    content = admin_client.get(reverse("admin:evaluations_weightscheme_changelist")).content
    text = content.decode()
    for step in ("Clone", "Edit", "Preview", "Publish", "Make the default", "Re-score"):
        assert f"<strong>{step}</strong>" in text


def test_the_rescore_message_links_to_its_job(admin_client):
    response = _act(admin_client, "rescore_latest_runs", table_4())
    from evaluations.models.rescore import RescoreJob

    job = RescoreJob.objects.get()
    url = reverse("admin:evaluations_rescorejob_change", args=[job.pk])
    assert any(f'<a href="{url}">job {job.pk}</a>' in m for m in _messages(response))


def test_publish_action_reports_the_problems(admin_client):
    draft = WeightSchemeFactory(rows={"npd_cycle": {"weight": "-0.15"}})
    response = _act(admin_client, "publish", draft)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert any("npd_cycle): weight must be >= 0" in m for m in _messages(response))


def test_clone_action(admin_client):
    response = _act(admin_client, "clone", table_4())
    clone = WeightScheme.objects.get(slug="ye-2025-table-4", version=2)
    assert clone.status == Status.DRAFT and clone.rows.count() == 5
    assert any("Created draft" in m for m in _messages(response))


def test_retire_and_make_default_actions(admin_client):
    other = WeightSchemeFactory(published=True)
    response = _act(admin_client, "retire", table_4())
    assert any("cannot be retired" in m for m in _messages(response))
    assert table_4().status == Status.PUBLISHED

    response = _act(admin_client, "make_default", other)
    assert any("is now the default" in m for m in _messages(response))
    response = _act(admin_client, "retire", table_4())
    assert any("is retired" in m for m in _messages(response))
    assert table_4().status == Status.RETIRED
    assert list(WeightScheme.objects.filter(is_default=True)) == [other]

    response = _act(admin_client, "make_default", other, table_4())
    assert any("exactly one" in m for m in _messages(response))


def test_the_list_shows_status_default_and_weight_sum(admin_client):
    WeightSchemeFactory(slug="heavy", rows={"logistics_cost": {"weight": "0.5"}})
    response = admin_client.get(reverse("admin:evaluations_weightscheme_changelist"))
    content = response.content.decode()
    assert "ye-2025-table-4" in content and "heavy" in content
    assert '<td class="field-weight_sum">1</td>' in content
    assert '<td class="field-weight_sum">1.25</td>' in content


# --- preview ----------------------------------------------------------------------------------


def _cell(column, code):
    return next(i for i in column.result.indicators if i.code == code)


def test_preview_scores_the_sample_under_both_schemes(admin_client):
    draft = services.scheme_clone(scheme=table_4())
    draft.rows.filter(indicator__code="logistics_cost").update(weight="0.35")
    draft.rows.filter(indicator__code="environmental_impact_score").update(weight="0.20")
    form = admin_client.get(preview_url(draft))
    assert form.status_code == 200
    assert form.context["form"]["logistics_cost"].value() == "18"  # prefilled
    assert not form.context["scored"]

    response = admin_client.get(preview_url(draft), SAMPLE)
    this, default = response.context["columns"]
    assert default.scheme == table_4() and this.scheme == draft
    # Table 4: 25*0.48 + 15*120/166 + 10*8/24 + 20*60/83 + 30*0.55
    expected_default = 12 + 15 * 120 / 166 + 10 / 3 + 20 * 60 / 83 + 16.5
    assert default.result.overall == pytest.approx(expected_default)  # 57.13
    assert this.result.overall == pytest.approx(expected_default + 10 * 0.48 - 10 * 0.55)
    assert (this.result.grade, default.result.grade) == ("C", "C")
    assert _cell(default, "logistics_cost").normalized == pytest.approx(0.48)
    assert _cell(this, "logistics_cost").contribution == pytest.approx(16.8)
    assert _cell(default, "logistics_cost").contribution == pytest.approx(12.0)
    content = response.content.decode()
    for text in ["57.13", "56.43", "16.80", "12.00", "0.4800", "0.7229", "C</strong> (developing)"]:
        assert text in content
    assert content.count('class="indicator"') == 5 and content.count('class="dimension"') == 4


def test_preview_of_an_invalid_draft_shows_its_problems(admin_client):
    draft = WeightSchemeFactory(rows={"npd_cycle": {"weight": "0.5"}})
    response = admin_client.get(preview_url(draft), SAMPLE)
    this, default = response.context["columns"]
    assert this.result is None and any("weights sum to 1.35" in p for p in this.problems)
    assert default.result.overall == pytest.approx(57.1345, abs=1e-4)
    assert "weights sum to 1.35" in response.content.decode()


def test_preview_shows_the_engines_errors_for_bad_values(admin_client):
    bad = {
        **SAMPLE,
        "logistics_cost": "-5",
        "environmental_impact_score": "120",
        "npd_cycle": "soon",
    }
    response = admin_client.get(preview_url(table_4()), bad)
    errors = response.context["form"].errors
    assert errors["logistics_cost"] == ["must be at least 0 (got -5)"]
    assert errors["environmental_impact_score"] == ["must be at most 100 (got 120)"]
    assert errors["npd_cycle"] == ["must be a number (got 'soon')"]
    assert not response.context["scored"]


def test_preview_is_for_staff_only(client_for):
    url = preview_url(table_4())
    response = client_for(UserFactory()).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    staff_without_permission = client_for(UserFactory(is_staff=True)).get(url)
    assert staff_without_permission.status_code == 403


# --- reference data -------------------------------------------------------------------------


def test_indicator_texts_are_editable_but_the_code_is_not(admin_client):
    indicator = Indicator.objects.get(code="npd_cycle")
    url = reverse("admin:evaluations_indicator_change", args=[indicator.pk])
    page = admin_client.get(url)
    assert "code" not in page.context["adminform"].form.fields
    assert "max_value" not in page.context["adminform"].form.fields
    data = form_data(page)
    data.update(code="renamed", guidance="Two weeks is good.", guidance_zh="两周为佳。")
    assert admin_client.post(url, data).status_code == 302
    indicator.refresh_from_db()
    assert (indicator.code, indicator.guidance_zh) == ("npd_cycle", "两周为佳。")


# --- a draft's impact on the cohort (under the sample preview) --------------------------------

BEST = {"logistics_cost": 5, "npd_cycle": 14, "tech_update_speed": 24, "market_response_time": 7}
WORST = {"logistics_cost": 30, "npd_cycle": 180, "tech_update_speed": 0, "market_response_time": 90}


def test_preview_shows_the_drafts_impact_on_the_cohort(admin_client):
    cohort = [
        {**BEST, "environmental_impact_score": 0},  # 70 B under Table 4, 90 A under the draft
        {**BEST, "logistics_cost": 30, "environmental_impact_score": 100},  # 75 B, 55 C
        {**BEST, "environmental_impact_score": 100},  # 100 A, 100 A
        {**WORST, "environmental_impact_score": 0},  # 0 E, 0 E
        {**BEST, "environmental_impact_score": 50},  # its stored values lack npd_cycle
    ]
    runs = [submitted_run(AssessmentFactory(values=values)) for values in cohort]
    incomplete = {k: v for k, v in cohort[-1].items() if k != "npd_cycle"}
    EvaluationRun.objects.filter(pk=runs[-1].pk).update(values=incomplete)
    draft = services.scheme_clone(scheme=table_4())
    draft.rows.filter(indicator__code="logistics_cost").update(weight="0.45")
    draft.rows.filter(indicator__code="environmental_impact_score").update(weight="0.10")

    response = admin_client.get(preview_url(draft))
    impact = response.context["impact"]
    assert (impact.total, impact.compared, impact.incomplete) == (5, 4, 1)
    assert (impact.up, impact.same, impact.down) == (1, 2, 1)
    # shifts +20, -20, 0, 0; ranks (2 3 4 1) and (3 2 4 1): 1 - 6 * 2 / (4 * 15)
    assert (impact.median_shift, impact.median_abs_shift, impact.max_abs_shift) == (0, 10, 20)
    assert impact.spearman == pytest.approx(0.8, abs=1e-12)
    rows = {row["grade"]: row["counts"] for row in response.context["transitions"]}
    assert rows["B"] == (1, 0, 1, 0, 0) and rows["A"] == (1, 0, 0, 0, 0)
    assert rows["E"] == (0, 0, 0, 0, 1)
    assert response.context["not_available"] == [("New product development cycle", 1)]
    content = response.content.decode()
    assert '<td class="num" data-figure="spearman">0.8000</td>' in content
    assert '<td class="num" data-figure="max-abs-shift">20.00</td>' in content
    assert "New product development cycle: 1 run" in content
    assert "from the two schemes alone" in content


def test_the_cohort_impact_says_when_there_is_nothing_to_compare(admin_client):
    response = admin_client.get(preview_url(table_4()))
    assert "nothing would change" in response.context["impact_unavailable"]
    invalid = WeightSchemeFactory(rows={"npd_cycle": {"weight": "0.5"}})
    response = admin_client.get(preview_url(invalid))
    assert "must be valid" in response.context["impact_unavailable"]
    empty = admin_client.get(preview_url(WeightSchemeFactory(published=True)))
    assert empty.context["impact"].compared == 0
    assert '<td class="num" data-figure="spearman">—</td>' in empty.content.decode()


def test_a_cohort_of_ten_thousand_is_compared_well_under_a_second(admin_client, figures):
    """The engine's part (load aside): 10,000 runs scored twice and compared."""
    rng = np.random.default_rng(3)
    values = np.column_stack(
        [
            rng.uniform(lo, hi, 10_000)
            for lo, hi in [(3, 35), (10, 200), (0, 30), (5, 100), (0, 100)]
        ]
    )
    old = services.scheme_spec(table_4())
    draft = services.scheme_clone(scheme=table_4())
    draft.rows.filter(indicator__code="logistics_cost").update(weight="0.35")
    draft.rows.filter(indicator__code="environmental_impact_score").update(weight="0.20")
    new = services.scheme_spec(draft)
    start = time.perf_counter()
    impact = cohort_impact(score_bulk(old, values), score_bulk(new, values))
    elapsed = time.perf_counter() - start
    figures("cohort impact, engine only", runs=10_000, seconds=elapsed)
    assert impact.compared == 10_000 and elapsed < 0.5


# --- the content security policy: no inline style on the scheme admin's pages -----------------


def test_the_scheme_admin_pages_have_no_inline_style(admin_client):
    draft = services.scheme_clone(scheme=table_4())
    submitted_run(AssessmentFactory())
    ahp = reverse("admin:evaluations_weightscheme_ahp", args=[draft.pk])
    choices = {f"dimensions-c_{i}_{j}": "1" for i in range(4) for j in range(i + 1, 4)}
    choices.update({"dimensions-c_0_3": "9", "innovation_capacity-c_0_1": "3"})
    pages = {
        "change form (draft)": admin_client.get(change_url(draft)),
        "change form (published)": admin_client.get(change_url(table_4())),
        "preview": admin_client.get(preview_url(draft), SAMPLE),
        "ahp": admin_client.get(ahp),
        "ahp (calculated)": admin_client.post(ahp, {**choices, "_calculate": "1"}),
        "list": admin_client.get(reverse("admin:evaluations_weightscheme_changelist")),
        "clone (asks)": admin_client.get(
            reverse("admin:evaluations_weightscheme_clone", args=[table_4().pk])
        ),
        "publish (asks)": _act(admin_client, "publish", draft, confirmed=False),
    }
    for name, page in pages.items():
        assert page.status_code == 200, name
        content = page.content.decode()
        assert not re.search(r"\sstyle\s*=", content, re.IGNORECASE), name
        assert "<style" not in content, name
    assert "css/admin.css" in pages["preview"].content.decode()
    assert pages["preview"].context["impact"].compared == 1
    assert pages["ahp (calculated)"].context["sections"][0]["level"].refusal
