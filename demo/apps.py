from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data of ``make run``: ``seed_demo`` and the list of its accounts. It sits above
    every app whose rows it creates (imports point down)."""

    name = "demo"
    verbose_name = _("Demo data")
