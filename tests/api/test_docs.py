"""The API's docs page works under the site's CSP: every script and stylesheet it loads is one
of the site's own static files (no CDN, no inline script), and each of them is served."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_docs_page_loads_only_the_sites_own_static_files(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    scripts = re.findall(r"<script([^>]*)>", html)
    sources = [re.search(r'src="([^"]+)"', attrs).group(1) for attrs in scripts]  # none inline
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert sources and styles
    for asset in sources + styles:
        assert asset.startswith("/static/"), asset
        assert client.get(asset).status_code == 200, asset
    assert any("swagger-ui-bundle.js" in source for source in sources)
    assert re.search(r'data-schema-url="/api/v1/schema/"', html)


def test_the_account_page_links_to_tokens(client_for, alice):
    page = client_for(alice).get(reverse("account")).content.decode()
    assert reverse("api-tokens") in page
