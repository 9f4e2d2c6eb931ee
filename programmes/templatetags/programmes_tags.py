"""Small pieces of programme information on the enterprise's own pages (the dashboard and the
assessment page include them), so those pages' views need not know about programmes."""

from django import template

from programmes import selectors
from programmes.models import ImportedDraft

register = template.Library()


@register.inclusion_tag("programmes/_enterprise_programmes.html")
def enterprise_programmes(enterprise, acc):
    """Which programmes ask this enterprise for which period, by when, and its answer."""
    return {"rows": selectors.programmes_of(enterprise), "acc": acc, "enterprise": enterprise}


@register.inclusion_tag("programmes/_entered_by.html")
def entered_by(assessment):
    """ "Entered by <organisation>" on a draft a programme's import wrote, until it is
    submitted."""
    imported = None
    if assessment.is_draft:
        imported = (
            ImportedDraft.objects.filter(assessment=assessment)
            .select_related("programme__organisation")
            .first()
        )
    return {"imported": imported, "assessment": assessment}
