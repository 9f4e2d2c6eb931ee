from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Evaluations")

    def ready(self) -> None:
        from evaluations.models import Dimension, Indicator, Recommendation
        from evaluations.recommend import catalogue_changed
        from evaluations.selectors import forget_reference

        for model in (Dimension, Indicator):
            for signal in (post_save, post_delete):
                signal.connect(forget_reference, sender=model, dispatch_uid=f"ref-{model.__name__}")
        for signal in (post_save, post_delete):
            signal.connect(catalogue_changed, sender=Recommendation, dispatch_uid="recommend-cat")
