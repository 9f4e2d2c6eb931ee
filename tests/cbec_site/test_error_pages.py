"""The 500 page and the footer speak the reader's language (issue 15: English under Chinese)."""

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [("en", "Something went wrong", "出错"), ("zh-hans", "出错了", "Something went wrong")],
)
def test_the_server_error_page_is_in_the_reader_language(language, expected, absent):
    with translation.override(language):
        response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert expected in html and absent not in html
    assert f'<html lang="{language}">' in html


def test_the_footer_is_chinese_under_chinese(client):
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/methodology/").content.decode()
    footer = html[html.index("<footer") :]
    assert "《中国跨境电商运营模式创新及其长期可持续发展机制研究》" in footer
    assert "Evaluation system from" not in footer
