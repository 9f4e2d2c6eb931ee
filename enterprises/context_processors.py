from django.http import HttpRequest

from enterprises import access
from enterprises.models import Invitation

ENTERPRISE_PAGES = ("enterprises", "evaluations")  # their <pk> is an enterprise's
INVITATION_KEY = "invitation"  # the invitation whose e-mailed link this browser opened


def enterprise_switcher(request: HttpRequest) -> dict:
    """The navigation bar's enterprise switcher: the user's enterprises, and the current one:
    the enterprise of the page itself when it names one (back to a page by its bookmark or the
    Back button), else the one last chosen in this session."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    mine = list(access.enterprises_for(user).only("pk", "name"))
    match = getattr(request, "resolver_match", None)
    page_pk = match.kwargs.get("pk") if match and match.namespace in ENTERPRISE_PAGES else None
    chosen_pk = request.session.get(access.SESSION_KEY)
    current = (
        next((e for e in mine if e.pk == page_pk), None)
        or next((e for e in mine if e.pk == chosen_pk), None)
        or (mine[0] if mine else None)
    )
    return {"my_enterprises": mine, "current_enterprise": current}


def opened_invitation(request: HttpRequest) -> dict:
    """The invitation whose e-mailed link this browser opened, for the log-in and sign-up pages
    to say who invites whom (one query, only while the session holds one)."""
    pk = getattr(request, "session", {}).get(INVITATION_KEY)
    if pk is None:
        return {}
    invitation = Invitation.objects.select_related("enterprise").filter(pk=pk).first()
    return {"opened_invitation": invitation} if invitation and invitation.is_pending else {}
