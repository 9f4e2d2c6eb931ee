"""The Celery application, configured from Django settings (the ``CELERY_`` namespace).

Workers find the tasks in each installed app's ``tasks`` module; routes and queues are in
settings (``CELERY_TASK_ROUTES``), and services queue tasks by name (``core.dispatch``).
"""

import os

from celery import Celery
from celery.signals import worker_ready
from kombu.transport import sqlalchemy as sqla_transport
from kombu.transport import virtual

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cbec_site.settings")

# The embedded broker polls a SQLite table; its transport options go to create_engine(), so the
# polling interval is set on the transport class itself.
sqla_transport.Transport.polling_interval = 0.1
# kombu's SQLAlchemy transport names SQLAlchemy's OperationalError as its only connection error,
# replacing the virtual transport's (amqp's ConnectionError, which kombu itself raises as
# "channel disconnected" for a producer whose channel it closed). A long-lived producer, beat's,
# then never reconnects: once a failure inside a send (a locked or unreadable broker file) has
# closed its channel, every later send fails with "channel disconnected", broker back or not.
# Pooled producers get a fresh channel on each use and never see it. The Redis transport adds
# its errors to the virtual transport's; so does this.
sqla_transport.Transport.connection_errors = (
    *virtual.Transport.connection_errors,
    *sqla_transport.Transport.connection_errors,
)

app = Celery("cbec_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _announce(sender, **kwargs) -> None:
    """A fresh worker reports at once through each of its queues, not only at beat's next tick."""
    for queue in sender.app.amqp.queues.consume_from:
        sender.app.send_task("core.tasks.heartbeat", [queue], queue=queue)
