"""The enterprise pages as a person uses them: bad input says why and saves nothing."""

import pytest
from django.urls import reverse

from enterprises import services
from enterprises.access import SESSION_KEY
from enterprises.models import Enterprise, Membership, OperationMode, Role
from tests.factories import EnterpriseFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Xiamen Tea Exporters Co., Ltd.",
    "credit_code": "91350100m000100y43",
    "operation_modes": [],  # filled in by the fixture below (row ids)
    "platforms": ["amazon", "own_site"],
    "target_markets": ["US", "DE"],
    "size_band": "small",
    "founded_year": "2015",
    "province": "fujian",
    "city": "Xiamen",
}


@pytest.fixture
def valid_data(db):
    modes = list(
        OperationMode.objects.filter(code__in=["b2c", "live"]).values_list("pk", flat=True)
    )
    return {**VALID, "operation_modes": modes}


def test_create_an_enterprise(client_for, valid_data):
    user = UserFactory()
    client = client_for(user)
    response = client.post(reverse("enterprises:create"), valid_data)
    enterprise = Enterprise.objects.get()
    assert response["Location"] == reverse("enterprises:detail", args=[enterprise.pk])
    assert enterprise.credit_code == "91350100M000100Y43"
    assert enterprise.platforms == ["amazon", "own_site"]
    assert [c.code for c in enterprise.target_markets] == ["DE", "US"]
    assert enterprise.memberships.get().user == user
    assert client.session[SESSION_KEY] == enterprise.pk
    page = client.get(response["Location"])
    assert b"Xiamen Tea Exporters" in page.content
    assert b"Live-streaming commerce" in page.content


@pytest.mark.parametrize(
    "pasted",
    [
        "9135 0100 M000 100Y 43",
        " 91350100-m000100y43 ".replace("-", " "),
        "９１３５０１００Ｍ０００１００Ｙ４３",
    ],
)
def test_a_credit_code_pasted_with_spaces_or_full_width_is_normalized(
    client_for, valid_data, pasted
):
    """Issue 15: a code pasted with spaces (or typed full-width) was refused as too long."""
    response = client_for(UserFactory()).post(
        reverse("enterprises:create"), {**valid_data, "credit_code": pasted}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Enterprise.objects.get().credit_code == "91350100M000100Y43"


def test_target_markets_are_tick_boxes_under_a_search_box(client_for):
    """Issue 15: not a 250-line list to Ctrl-click; the search box comes from a static script
    (the CSP allows no inline script)."""
    page = client_for(UserFactory()).get(reverse("enterprises:create")).content.decode()
    assert 'type="checkbox" class="form-check-input"  name="target_markets" value="DE"' in page
    assert '<select name="target_markets"' not in page and "Ctrl" not in page
    assert 'class="market-picker"' in page and "/static/js/market-filter.js" in page
    assert 'data-search-label="Search the markets"' in page


def test_a_new_enterprise_offers_its_first_assessment(client_for, valid_data):
    user = UserFactory()
    client = client_for(user)
    response = client.post(reverse("enterprises:create"), valid_data)
    page = client.get(response["Location"]).content.decode()
    enterprise = Enterprise.objects.get()
    new = reverse("evaluations:assessment-create", kwargs={"pk": enterprise.pk})
    assert f'href="{new}">Start the first assessment</a>' in page
    viewer = UserFactory()
    MembershipFactory(enterprise=enterprise, user=viewer, role=Role.VIEWER)
    assert (
        "Start the first assessment"
        not in client_for(viewer).get(response["Location"]).content.decode()
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"credit_code": "91350100M000100Y44"}, "credit_code"),  # wrong check character
        ({"credit_code": "91350100M000100Y4"}, "credit_code"),  # too short
        ({"credit_code": "91350100M000100I43"}, "credit_code"),  # I is not allowed
        ({"operation_modes": []}, "operation_modes"),
        ({"operation_modes": ["999999"]}, "operation_modes"),
        ({"platforms": ["myspace"]}, "platforms"),
        ({"platforms": ["other"], "platforms_other": ""}, "platforms_other"),
        ({"target_markets": ["XX"]}, "target_markets"),
        ({"founded_year": "2999"}, "founded_year"),
        ({"founded_year": "year"}, "founded_year"),
        ({"province": "atlantis"}, "province"),
        ({"city": "c" * 101}, "city"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(client_for, valid_data, change, field):
    client = client_for(UserFactory())
    response = client.post(reverse("enterprises:create"), {**valid_data, **change})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Enterprise.objects.exists()
    assert not Membership.objects.exists()


def test_a_credit_code_can_be_used_once(client_for, valid_data):
    EnterpriseFactory(credit_code="91350100M000100Y43")
    response = client_for(UserFactory()).post(reverse("enterprises:create"), valid_data)
    assert "credit_code" in response.context["form"].errors
    assert Enterprise.objects.count() == 1


def test_the_owner_edits_the_profile(client_for, enterprise, alice, valid_data):
    response = client_for(alice).post(reverse("enterprises:edit", args=[enterprise.pk]), valid_data)
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.name == VALID["name"]


def test_a_role_change_with_another_enterprises_member_id_is_404(client_for, alice, charlie):
    foreign = charlie.memberships.get()
    response = client_for(alice).post(
        reverse(
            "enterprises:member-role", args=[alice.memberships.get().enterprise_id, foreign.pk]
        ),
        {"role": Role.VIEWER},
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.role == Role.OWNER


def test_a_bad_role_value_changes_nothing(client_for, enterprise, alice, bob):
    membership = bob.memberships.get()
    client_for(alice).post(
        reverse("enterprises:member-role", args=[enterprise.pk, membership.pk]), {"role": "god"}
    )
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER


def test_the_last_owner_sees_why_they_cannot_leave(client_for, enterprise, alice):
    client = client_for(alice)
    url = reverse("enterprises:member-remove", args=[enterprise.pk, alice.memberships.get().pk])
    response = client.post(url, follow=True)
    assert "The last owner cannot leave" in response.content.decode()
    assert enterprise.memberships.filter(user=alice).exists()


def test_a_viewer_may_leave(client_for, enterprise, bob):
    client = client_for(bob)
    url = reverse("enterprises:member-remove", args=[enterprise.pk, bob.memberships.get().pk])
    assert client.post(url)["Location"] == reverse("enterprises:list")
    assert not enterprise.memberships.filter(user=bob).exists()


def test_invite_then_accept_through_the_pages(
    client_for, enterprise, alice, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("enterprises:member-invite", args=[enterprise.pk]),
            {"email": "colleague@example.com", "role": Role.EDITOR},
        )
    assert response.status_code == 302
    link = next(line for line in mailoutbox[0].body.splitlines() if "/invitations/" in line)
    path = link.replace("http://testserver", "")
    # The invited colleague is not signed up yet: the link is exchanged for the invitation and
    # the page that follows names no token; log-in and sign-up say who invites.
    client.logout()
    opened = client.get(path)
    page = reverse("enterprises:invitation", args=[enterprise.invitations.get().pk])
    assert opened.status_code == 302 and opened["Location"] == page
    invitation_page = client.get(page).content.decode()
    assert "Join Alice Trading Co." in invitation_page and "Create an account" in invitation_page
    login_page = client.get(reverse("login")).content.decode()
    assert "You are invited to join Alice Trading Co." in login_page
    assert client.get(path).status_code == 404  # the link worked once

    colleague = UserFactory(email="colleague@example.com")
    client.force_login(colleague, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(page).status_code == 200
    response = client.post(reverse("enterprises:invitation-accept", args=[page.split("/")[-2]]))
    assert response["Location"] == reverse("enterprises:detail", args=[enterprise.pk])
    assert enterprise.memberships.get(user=colleague).role == Role.EDITOR


def test_the_addressee_finds_the_invitation_without_the_link(client_for, enterprise, alice):
    sent = services.invitation_create(
        enterprise=enterprise,
        email="colleague@example.com",
        role=Role.EDITOR,
        invited_by=alice,
        accept_url_base="http://testserver/",
    )
    colleague = UserFactory(email="colleague@example.com")
    listing = client_for(colleague).get(reverse("enterprises:list")).content.decode()
    page = reverse("enterprises:invitation", args=[sent.invitation.pk])
    assert f'href="{page}"' in listing
    assert client_for(colleague).get(page).status_code == 200
    stranger = UserFactory(email="someone@example.com")
    assert client_for(stranger).get(page).status_code == 404


def test_the_invitation_page_names_the_invited_address(client_for, enterprise, alice):
    """It read "The invitation is for ." in both languages: blocktranslate cannot look up
    ``invitation.email`` inside itself, so the address was empty (issue 15, point 12)."""
    sent = services.invitation_create(
        enterprise=enterprise,
        email="colleague@example.com",
        role=Role.EDITOR,
        invited_by=alice,
        accept_url_base="http://testserver/",
    )
    colleague = UserFactory(email="colleague@example.com")
    page = reverse("enterprises:invitation", args=[sent.invitation.pk])
    client = client_for(colleague)
    assert "<strong>colleague@example.com</strong>" in client.get(page).content.decode()
    client.cookies["django_language"] = "zh-hans"
    html = client.get(page, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "此邀请发送至<strong>colleague@example.com</strong>。" in html


def test_an_owner_sends_an_invitation_again_with_its_role(
    client_for, enterprise, alice, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(alice)
    sent = services.invitation_create(
        enterprise=enterprise,
        email="colleague@example.com",
        role=Role.EDITOR,
        invited_by=alice,
        accept_url_base="http://testserver/",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("enterprises:invitation-resend", args=[enterprise.pk, sent.invitation.pk]),
            follow=True,
        )
    assert "was sent again, still as Editor" in response.content.decode()
    assert len(mailoutbox) == 1 and enterprise.invitations.get().role == Role.EDITOR


@pytest.mark.parametrize(
    "data",
    [
        {"email": "", "role": "viewer"},
        {"email": "x@", "role": "viewer"},
        {"email": "a@b.cn", "role": "boss"},
    ],
)
def test_bad_invitations_name_the_field(client_for, enterprise, alice, data, mailoutbox):
    response = client_for(alice).post(
        reverse("enterprises:member-invite", args=[enterprise.pk]), data
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not enterprise.invitations.exists()
    assert mailoutbox == []


def test_an_unknown_or_used_invitation_link_explains_itself(client_for, charlie):
    response = client_for(charlie).get(reverse("enterprises:invitation-open", args=["nope"]))
    assert response.status_code == 404
    assert "This invitation link no longer works" in response.content.decode()


def test_the_switcher_lists_only_my_enterprises(client_for, enterprise, alice, charlie):
    other = EnterpriseFactory(name="Alice Second Co.")
    MembershipFactory(enterprise=other, user=alice, role=Role.OWNER)
    client = client_for(alice)
    response = client.post(reverse("enterprises:switch", args=[other.pk]), follow=True)
    assert client.session[SESSION_KEY] == other.pk
    names = [e.name for e in response.context["my_enterprises"]]
    assert sorted(names) == ["Alice Second Co.", "Alice Trading Co."]
    assert response.context["current_enterprise"] == other
    assert client.get(reverse("home"))["Location"] == reverse(
        "evaluations:dashboard", args=[other.pk]
    )


def test_platforms_and_regions_read_in_chinese_under_chinese(client_for):
    """Issue 15 and the glossary: 阿里巴巴国际站, 速卖通, 亚马逊; 中国台湾, 中国香港, 中国澳门."""
    user = UserFactory()
    enterprise = EnterpriseFactory(
        platforms=["alibaba", "aliexpress", "amazon", "ebay"], target_markets=["TW", "HK", "MO"]
    )
    MembershipFactory(enterprise=enterprise, user=user, role=Role.OWNER)
    client = client_for(user)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("enterprises:detail", args=[enterprise.pk])).content.decode()
    assert "阿里巴巴国际站、速卖通、亚马逊、eBay" in page  # GB/T 15834: the enumeration comma
    assert "中国台湾" in page and "中国香港" in page and "中国澳门" in page
    form = client.get(reverse("enterprises:edit", args=[enterprise.pk])).content.decode()
    assert "阿里巴巴国际站" in form and "Alibaba.com" not in form
