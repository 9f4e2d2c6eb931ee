from django.http import HttpRequest

from enterprises import access


def enterprise_switcher(request: HttpRequest) -> dict:
    """The navigation bar's enterprise switcher: the user's enterprises, current one first."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    mine = list(access.enterprises_for(user).only("pk", "name"))
    current_pk = request.session.get(access.SESSION_KEY)
    current = next((e for e in mine if e.pk == current_pk), mine[0] if mine else None)
    return {"my_enterprises": mine, "current_enterprise": current}
