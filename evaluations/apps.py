from functools import partial

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Evaluations")

    def ready(self) -> None:
        """An edit in admin makes what is kept of it stale at once (``core.caching``)."""
        from core import caching
        from evaluations.models import Dimension, Indicator, Recommendation

        stale = {
            Dimension: partial(caching.bump, "reference"),
            Indicator: partial(caching.bump, "reference"),
            Recommendation: partial(caching.bump, "advice"),
        }
        for model, receiver in stale.items():
            for signal in (post_save, post_delete):
                signal.connect(
                    receiver, sender=model, weak=False, dispatch_uid=f"stale-{model.__name__}"
                )
