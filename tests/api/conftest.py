import pytest
from rest_framework.test import APIClient

from tests.factories import api_token


@pytest.fixture
def api_for():
    """``api_for(user, scope="write")``: a DRF test client sending that person's token (no
    token for None)."""

    def make(user, scope: str = "write") -> APIClient:
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token(user, scope)}")
        return client

    return make
