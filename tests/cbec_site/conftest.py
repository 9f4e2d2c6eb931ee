import pytest

from cbec_site.celery import app
from tests.evaluations.worker import _reset_producer_pool


@pytest.fixture
def use_broker():
    """``use_broker(url)``: this process's producer pool sends to ``url`` until the test ends."""
    saved = app.conf.broker_write_url

    def use(url: str) -> None:
        app.conf.broker_write_url = url
        _reset_producer_pool()

    yield use
    app.conf.broker_write_url = saved
    _reset_producer_pool()
