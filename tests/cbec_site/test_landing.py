"""The landing page a visitor who is not logged in gets at "/" (issue 15: it was a login form)."""

import pytest
from django.urls import reverse
from django.utils import translation

from evaluations import selectors
from evaluations.formatting import shown_score
from evaluations.services import default_scheme, scheme_score
from tests.factories import EnterpriseFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_visitor_learns_what_the_tool_does_with_an_example(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    for heading in ("For whom", "What it asks", "What it gives", "An example result"):
        assert heading in html
    for url in (reverse("signup"), reverse("login"), reverse("methodology")):
        assert f'href="{url}"' in html
    # the example is the engine's own result for the fixed example values
    result = scheme_score(scheme=default_scheme(), values=selectors.SAMPLE_VALUES)
    assert f'id="sample-overall">{shown_score(result.overall)}<' in html
    assert 'aria-labelledby="sample-title"' in html  # the result page's own chart partial
    assert "Example" in html and "Not a real enterprise." in html
    # what is the paper's and what is ours (PRODUCT.md section 8)
    assert "Table 4" in html and "this product's choice" in html


def test_the_landing_page_in_chinese(client):
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "示例" in html and "综合得分" in html
    assert "What it gives" not in html


def test_a_signed_in_member_still_lands_on_the_dashboard(client):
    user = UserFactory()
    enterprise = EnterpriseFactory()
    MembershipFactory(enterprise=enterprise, user=user)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302
    with translation.override("en"):
        assert response["Location"] in (
            reverse("evaluations:dashboard", kwargs={"pk": enterprise.pk}),
            reverse("enterprises:list"),
        )
