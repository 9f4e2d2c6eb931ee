from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app stands on: sending tasks by name, the one cache, mail on its queue."""

    name = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        """``<id:pk>`` in every app's URL patterns (loaded after the apps are ready)."""
        from django.urls import register_converter

        from core.converters import IdConverter

        register_converter(IdConverter, "id")
