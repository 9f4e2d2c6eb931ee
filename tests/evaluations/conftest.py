"""Fixtures for the evaluations tests: an administrator who may use the whole Django admin."""

import pytest

from tests.factories import UserFactory


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client_for, superuser):
    return client_for(superuser)
