from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    """Organisations' pages and their assessment programmes (PRODUCT.md section 10)."""

    name = "programmes"
    verbose_name = _("Assessment programmes")

    def ready(self) -> None:
        """A submission for a programme period is also scored under the programme's scheme:
        ``evaluations`` announces the submission, this app adds the run (imports point down)."""
        from evaluations.signals import assessment_submitted
        from programmes.receivers import score_under_programmes

        assessment_submitted.connect(
            score_under_programmes, weak=False, dispatch_uid="programme-runs-for-submission"
        )
