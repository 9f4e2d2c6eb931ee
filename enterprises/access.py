"""Who may see and change what: the one place every view asks.

Rules (the same for every page that names an enterprise or something inside one):
- an anonymous visitor is sent to the login page (``LoginRequiredMiddleware``);
- a signed-in person who is not a member gets 404, so outsiders cannot even learn that an id
  exists; staff (administrators) may read every enterprise but change none;
- a member whose role is too low gets 403;
- objects inside an enterprise are fetched through it (``get_object_or_404(ent.things, pk=…)``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from enterprises.models import Enterprise, Membership, Role

RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.OWNER: 3}
SESSION_KEY = "current_enterprise_id"


@dataclass(frozen=True, slots=True)
class EnterpriseAccess:
    enterprise: Enterprise
    membership: Membership | None  # None for staff reading an enterprise they are not in

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    def has(self, role: str) -> bool:
        return self.membership is not None and RANK[self.membership.role] >= RANK[role]

    @property
    def can_edit(self) -> bool:
        return self.has(Role.EDITOR)

    @property
    def is_owner(self) -> bool:
        return self.has(Role.OWNER)


def enterprises_for(user) -> QuerySet[Enterprise]:
    """The enterprises a person is a member of."""
    if not user.is_authenticated:
        return Enterprise.objects.none()
    return Enterprise.objects.filter(memberships__user=user)


def enterprise_for_member(user, pk: int, *, role: str = Role.VIEWER) -> EnterpriseAccess:
    """The enterprise ``pk`` if ``user`` holds at least ``role`` in it: else 404 or 403."""
    if not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("enterprise").filter(user=user, enterprise_id=pk).first()
    )
    if membership is None:
        if user.is_staff and role == Role.VIEWER:
            try:
                return EnterpriseAccess(Enterprise.objects.get(pk=pk), None)
            except Enterprise.DoesNotExist:
                raise Http404 from None
        if user.is_staff and Enterprise.objects.filter(pk=pk).exists():
            raise PermissionDenied
        raise Http404
    if RANK[membership.role] < RANK[role]:
        raise PermissionDenied
    return EnterpriseAccess(membership.enterprise, membership)


def member_to_remove(access: EnterpriseAccess, user, member_pk: int) -> Membership:
    """Owners may remove anyone; every member may remove themselves (leave)."""
    membership = access.enterprise.memberships.select_related("user").filter(pk=member_pk).first()
    if membership is None:
        raise Http404
    if membership.user_id != user.pk and not access.is_owner:
        raise PermissionDenied
    return membership


def remember(request: HttpRequest, access: EnterpriseAccess) -> None:
    if access.membership is not None:
        request.session[SESSION_KEY] = access.enterprise.pk


def current_enterprise(request: HttpRequest) -> Enterprise | None:
    """The enterprise last opened in this session, if still a member; else the first one."""
    mine = enterprises_for(request.user)
    pk = request.session.get(SESSION_KEY)
    if pk is not None:
        enterprise = mine.filter(pk=pk).first()
        if enterprise is not None:
            return enterprise
    return mine.order_by("memberships__created_at").first()
