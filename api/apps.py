from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The REST API (/api/v1/), its tokens and webhooks (PRODUCT.md section 11)."""

    name = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        """A run that ended becomes webhook deliveries: ``evaluations`` announces it, this app
        listens (imports point down)."""
        from api.receivers import result_verified as on_result_verified
        from api.receivers import run_finished as on_run_finished
        from evaluations.signals import result_verified, run_finished

        run_finished.connect(on_run_finished, weak=False, dispatch_uid="api-webhooks-run-finished")
        result_verified.connect(
            on_result_verified, weak=False, dispatch_uid="api-webhooks-result-verified"
        )
