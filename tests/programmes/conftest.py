"""Fixtures of the programme tests: an organisation's cast and a programme."""

import pytest

from enterprises.models import OrgRole
from tests.factories import OrganisationFactory, OrganisationMembershipFactory, ProgrammeFactory


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Zhejiang CBEC Association")


@pytest.fixture
def manager(organisation):
    return OrganisationMembershipFactory(
        organisation=organisation, role=OrgRole.MANAGER, user__email="manager@example.com"
    ).user


@pytest.fixture
def analyst(organisation):
    return OrganisationMembershipFactory(
        organisation=organisation, role=OrgRole.ANALYST, user__email="analyst@example.com"
    ).user


@pytest.fixture
def org_viewer(organisation):
    return OrganisationMembershipFactory(
        organisation=organisation, role=OrgRole.VIEWER, user__email="orgviewer@example.com"
    ).user


@pytest.fixture
def programme(organisation):
    return ProgrammeFactory(organisation=organisation, name="Q3 survey", periods=["2026Q3"])


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): …`` runs what the block registered for after its commit (mail,
    tasks), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
