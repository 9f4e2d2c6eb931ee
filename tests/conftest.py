"""The cast of every permission test (healthchecks' alice / bob / charlie).

alice owns ``enterprise``; erin is its editor; bob its viewer; charlie is an outsider who owns
another enterprise; staff is an administrator who belongs to none.
"""

import pytest
from django.core.cache import cache
from django.utils import translation

from enterprises.models import Role
from tests.factories import EnterpriseFactory, MembershipFactory, UserFactory


@pytest.fixture
def enterprise(db):
    return EnterpriseFactory(name="Alice Trading Co.")


@pytest.fixture
def alice(enterprise):
    return MembershipFactory(
        enterprise=enterprise, role=Role.OWNER, user__email="alice@example.com"
    ).user


@pytest.fixture
def erin(enterprise):
    return MembershipFactory(
        enterprise=enterprise, role=Role.EDITOR, user__email="erin@example.com"
    ).user


@pytest.fixture
def bob(enterprise):
    return MembershipFactory(
        enterprise=enterprise, role=Role.VIEWER, user__email="bob@example.com"
    ).user


@pytest.fixture
def charlie(db):
    return MembershipFactory(role=Role.OWNER, user__email="charlie@example.com").user


@pytest.fixture
def staff(db):
    return UserFactory(email="staff@example.com", is_staff=True)


@pytest.fixture
def client_for(client):
    """``client_for(user)``: the test client logged in as ``user`` (or anonymous for None)."""

    def login(user):
        client.logout()
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return login


@pytest.fixture(autouse=True)
def _english():
    """Each test starts in English: a request in Chinese leaves Chinese active in its thread."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with nothing kept from another test's (rolled back) rows."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def figures(request):
    """``figures(name, **values)``: measured figures, printed in a section of their own at the
    end of the run (``-n`` workers included), for the notes that quote them."""

    def record(name: str, **values) -> None:
        shown = ", ".join(
            f"{key}={value:.2f}" if isinstance(value, float) else f"{key}={value}"
            for key, value in values.items()
        )
        request.node.user_properties.append(("figures", f"{name}: {shown}"))

    return record


def pytest_terminal_summary(terminalreporter) -> None:
    lines = [
        value
        for report in terminalreporter.getreports("passed")
        for key, value in report.user_properties
        if key == "figures"
    ]
    if lines:
        terminalreporter.section("figures")
        for line in lines:
            terminalreporter.write_line(line)


def pytest_collection_modifyitems(items) -> None:
    """Under ``-n`` (``make test``), the services tests run one after another in one process and
    the browser tests one after another in another, each beside its share of the rest: they
    start workers, brokers and browsers and wait on them, which two services tests (or two
    browsers) at once on two cores would make slow and uneven. Each group is about 2.5 minutes."""
    for item in items:
        if item.get_closest_marker("services"):
            item.add_marker(pytest.mark.xdist_group("services"))
        elif item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("browser"))
