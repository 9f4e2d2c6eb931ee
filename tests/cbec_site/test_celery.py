"""The Celery app's adjustments to kombu (``cbec_site/celery.py``)."""

import pytest
from amqp.exceptions import RecoverableConnectionError
from sqlalchemy.exc import OperationalError

from cbec_site.celery import app


@pytest.mark.parametrize(
    ("url", "own"),
    [("sqla+sqlite:///broker.sqlite3", OperationalError), ("redis://127.0.0.1:1/0", OSError)],
)
def test_channel_disconnected_is_a_connection_error_on_every_broker(url, own):
    """kombu raises "channel disconnected" itself for a producer whose channel it closed; only a
    connection error makes ``Connection.ensure`` reconnect and revive that producer (beat's)."""
    errors = app.connection_for_write(url).connection_errors
    assert issubclass(RecoverableConnectionError, errors)
    assert issubclass(own, errors)  # the transport's own errors are still there
