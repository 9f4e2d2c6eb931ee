import pytest

from cbec_site.celery import app
from tests.evaluations.worker import _reset_producer_pool


@pytest.fixture
def use_broker():
    """``use_broker(url)``: this process's producer pool sends to ``url`` until the test ends.
    The configured broker's transport options (Redis's, in CI) do not apply to another kind."""
    saved = app.conf.broker_write_url, app.conf.broker_transport_options

    def use(url: str) -> None:
        same_kind = url.split("://")[0] == app.conf.broker_url.split("://")[0]
        app.conf.broker_write_url = url
        app.conf.broker_transport_options = saved[1] if same_kind else {}
        _reset_producer_pool()

    yield use
    app.conf.broker_write_url, app.conf.broker_transport_options = saved
    _reset_producer_pool()
