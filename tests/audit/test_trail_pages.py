"""The trail pages: owners read their enterprise's trail, staff read all; filters; the export."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from audit import trail
from audit.models import LogEntry
from enterprises.models import Role
from tests.factories import AssessmentFactory, MembershipFactory

pytestmark = pytest.mark.django_db

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)


def trail_url(enterprise, /, **query):
    url = reverse("audit:enterprise-trail", args=[enterprise.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def xlsx_url(enterprise):
    return reverse("audit:enterprise-trail-xlsx", args=[enterprise.pk])


@pytest.fixture
def history(enterprise, alice, bob, erin, client_for):
    """alice changes bob's role from a browser; erin saves an assessment; a worker-made row."""
    client_for(alice).post(
        reverse("enterprises:member-role", args=[enterprise.pk, bob.memberships.get().pk]),
        {"role": Role.EDITOR},
        HTTP_USER_AGENT=CHROME,
        REMOTE_ADDR="203.0.113.7",
    )
    assessment = AssessmentFactory(enterprise=enterprise, year=2026, quarter=3)  # nobody
    client_for(erin).post(
        reverse("evaluations:assessment", args=[enterprise.pk, assessment.pk]),
        {"logistics_cost": "=HYPERLINK(1)", "env_mode": "typed", "save": "1"},
    )  # refused: nothing written
    client_for(erin).post(
        reverse("evaluations:assessment", args=[enterprise.pk, assessment.pk]),
        {"logistics_cost": "12", "env_mode": "typed", "save": "1"},
    )
    return assessment


# --- who may read it --------------------------------------------------------------------------


def test_owners_read_their_trail_and_nobody_else_does(
    enterprise, alice, erin, bob, charlie, staff, client_for, history
):
    assert client_for(alice).get(trail_url(enterprise)).status_code == 200
    assert client_for(erin).get(trail_url(enterprise)).status_code == 403
    assert client_for(bob).get(trail_url(enterprise)).status_code == 403
    assert client_for(charlie).get(trail_url(enterprise)).status_code == 404
    assert client_for(staff).get(trail_url(enterprise)).status_code == 403  # /audit/ instead
    anonymous = client_for(None).get(trail_url(enterprise))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))


def test_the_staff_trail_is_for_staff(alice, staff, client_for, history):
    assert client_for(alice).get(reverse("audit:trail")).status_code == 403
    assert client_for(alice).get(reverse("audit:trail-xlsx")).status_code == 403
    page = client_for(staff).get(reverse("audit:trail"))
    assert page.status_code == 200
    assert client_for(staff).get(reverse("audit:trail-xlsx")).status_code == 200


def test_an_owner_sees_only_their_enterprise(enterprise, alice, charlie, client_for, history):
    other = charlie.memberships.get().enterprise
    AssessmentFactory(enterprise=other)
    rows = client_for(alice).get(trail_url(enterprise)).context["rows"]
    assert rows and {row.entry.enterprise_id for row in rows} == {enterprise.pk}


def test_the_enterprise_page_links_to_the_trail_for_owners(
    enterprise, alice, bob, staff, client_for
):
    detail = reverse("enterprises:detail", args=[enterprise.pk])
    assert trail_url(enterprise).encode() in client_for(alice).get(detail).content
    assert trail_url(enterprise).encode() not in client_for(bob).get(detail).content
    staff_link = f"{reverse('audit:trail')}?enterprise={enterprise.pk}"
    assert staff_link.encode() in client_for(staff).get(detail).content


# --- what it shows ----------------------------------------------------------------------------


def test_each_entry_reads_when_who_what_and_from_where(
    enterprise, alice, erin, client_for, history
):
    page = client_for(alice).get(trail_url(enterprise))
    rows = page.context["rows"]
    assert [row.entry.timestamp for row in rows] == sorted(
        (row.entry.timestamp for row in rows), reverse=True
    )  # newest first
    saved, role = rows[0], next(row for row in rows if row.kind == "Membership")
    assert (saved.who, saved.email) == (erin.get_short_name(), "erin@example.com")
    assert saved.headline == "Assessment 2026 Q3: changed"
    assert saved.lines[0] == "Logistics costs: 18 → 12"
    assert (role.who, role.ip, role.agent) == (
        alice.get_short_name(),
        "203.0.113.7",
        "Chrome 126 · Windows",
    )
    created = next(row for row in rows if row.entry.actor is None)
    assert created.who == "system"
    html = page.content.decode()
    assert "Logistics costs: 18 → 12" in html and "Chrome 126 · Windows" in html
    assert 'class="table-responsive"' in html  # a narrow screen scrolls the table, not the page


def test_it_reads_in_chinese(enterprise, alice, client_for, history):
    client = client_for(alice)
    client.cookies["django_language"] = "zh-hans"
    with translation.override("zh-hans"):
        rows = client.get(trail_url(enterprise), HTTP_ACCEPT_LANGUAGE="zh-hans").context["rows"]
        saved = rows[0]
        assert "2026年第三季度" in saved.headline  # the glossary's one form
        assert saved.lines[0].startswith("物流成本")
        assert saved.lines[0].endswith("18 → 12")
        assert next(row for row in rows if row.entry.actor is None).who == "系统"


def test_a_page_costs_the_same_queries_however_long_the_trail(enterprise, alice, client_for):
    client = client_for(alice)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(trail_url(enterprise)).status_code == 200
        return len(captured)

    AssessmentFactory(enterprise=enterprise, quarter=1)
    few = queries()
    for quarter in (2, 3, 4):
        AssessmentFactory(enterprise=enterprise, quarter=quarter)
        MembershipFactory(enterprise=enterprise)
    assert queries() == few


def test_pages_of_fifty(enterprise, alice, client_for):
    for n in range(55):
        MembershipFactory(enterprise=enterprise, user__email=f"member{n}@example.com")
    client = client_for(alice)
    first = client.get(trail_url(enterprise))
    assert len(first.context["rows"]) == 50 and first.context["page_obj"].has_next()
    second = client.get(trail_url(enterprise, page=2))
    assert (
        len(second.context["rows"]) == LogEntry.objects.filter(enterprise=enterprise).count() - 50
    )


# --- filters ----------------------------------------------------------------------------------


def _subjects(response):
    return [row.kind for row in response.context["rows"]]


def test_filter_by_kind_person_and_dates(enterprise, alice, erin, client_for, history):
    client = client_for(alice)
    assert set(_subjects(client.get(trail_url(enterprise, kind="evaluations.assessment")))) == {
        "Assessment"
    }
    by_erin = client.get(trail_url(enterprise, person=erin.pk)).context["rows"]
    assert by_erin and {row.entry.actor for row in by_erin} == {erin}
    by_system = client.get(trail_url(enterprise, person="system")).context["rows"]
    assert by_system and {row.entry.actor for row in by_system} == {None}
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    assert client.get(trail_url(enterprise, date_from=today, date_to=today)).context["rows"]
    assert not client.get(trail_url(enterprise, date_from=tomorrow)).context["rows"]
    assert not client.get(trail_url(enterprise, date_to=today - timedelta(1))).context["rows"]
    people = dict(client.get(trail_url(enterprise)).context["form"].fields["person"].choices)
    assert str(erin.pk) in people and str(alice.pk) in people


@pytest.mark.parametrize(
    "query",
    [
        {"person": "abc"},
        {"person": "99999999999999999999999"},
        {"kind": "auth.user"},
        {"kind": "nonsense"},
        {"date_from": "2026-13-45"},
        {"date_from": "2026-07-02", "date_to": "2026-07-01"},
        {"date_to": "9999-12-31"},
        {"page": "-1"},
        {"page": "x" * 500},
        {"enterprise": "99999999999999999999999"},
    ],
)
def test_bad_filters_never_break_the_page(enterprise, alice, staff, client_for, history, query):
    assert client_for(alice).get(trail_url(enterprise, **query)).status_code == 200
    assert client_for(alice).get(xlsx_url(enterprise), query).status_code == 200
    assert client_for(staff).get(reverse("audit:trail"), query).status_code == 200


def test_staff_filter_by_enterprise(enterprise, charlie, staff, client_for, history):
    other = charlie.memberships.get().enterprise
    response = client_for(staff).get(reverse("audit:trail"), {"enterprise": other.pk})
    rows = response.context["rows"]
    assert rows and {row.enterprise for row in rows} == {other.name}
    everything = client_for(staff).get(reverse("audit:trail")).context["page_obj"]
    assert everything.paginator.count == LogEntry.objects.count()
    assert "Enterprise" in response.content.decode()  # a column of its own for staff


# --- the export -------------------------------------------------------------------------------


def _sheet(response):
    workbook = load_workbook(io.BytesIO(response.content))
    return list(workbook.active.iter_rows(values_only=True))


def test_the_export_is_the_filtered_trail(enterprise, alice, erin, client_for, history):
    response = client_for(alice).get(xlsx_url(enterprise), {"person": erin.pk})
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"audit-trail-{enterprise.pk}-" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    header, *rows = _sheet(response)
    assert header[:3] == ("When", "Who", "E-mail address")
    assert "Enterprise" not in header  # one enterprise: no column for it
    assert rows and {row[1:3] for row in rows} == {(erin.get_short_name(), "erin@example.com")}
    saved = rows[0]
    assert saved[3:6] == ("Assessment", "2026 Q3", "changed")
    assert saved[6].startswith("Logistics costs: 18 → 12")


def test_the_export_neutralises_formulas(enterprise, alice, client_for):
    MembershipFactory(enterprise=enterprise, user__email="=cmd|'/C calc'!A0@example.com")
    rows = _sheet(client_for(alice).get(xlsx_url(enterprise)))
    texts = [cell for row in rows for cell in row if isinstance(cell, str)]
    assert not any(text.startswith(("=", "+", "-", "@")) for text in texts)
    assert any(text.startswith("'=cmd") for text in texts)


def test_the_staff_export_names_each_enterprise(enterprise, staff, client_for, history):
    header, *rows = _sheet(client_for(staff).get(reverse("audit:trail-xlsx")))
    assert header[3] == "Enterprise"
    assert enterprise.name in {row[3] for row in rows}


# --- user agents ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agent", "short"),
    [
        (CHROME, "Chrome 126 · Windows"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x18003133) NetType/WIFI",
            "WeChat 8 · iOS",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Version/17.5 Safari/605.1.15",
            "Safari 17 · macOS",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            "Firefox 128 · Linux",
        ),
        ("curl/8.5.0", "curl/8.5.0"),
        ("", ""),
    ],
)
def test_user_agents_are_shortened(agent, short):
    assert trail.short_agent(agent) == short


def test_target_markets_read_as_country_names(enterprise, alice, client_for):
    """The trail page failed (500) on an enterprise's target markets: a callable's choices."""
    from enterprises import services

    services.enterprise_update(enterprise=enterprise, target_markets=["DE", "US"])
    with translation.override("en"):
        response = client_for(alice).get(trail_url(enterprise))
    assert response.status_code == 200
    changes = [c for row in response.context["rows"] for c in row.changes]
    markets = next(c for c in changes if c.field == "Target markets")
    assert markets.after == "Germany, United States of America", markets
