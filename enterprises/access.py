"""Who may see and change what: the one place every view asks.

Rules (the same for every page that names an enterprise, an organisation or something inside
one):
- an anonymous visitor is sent to the login page (``LoginRequiredMiddleware``);
- a signed-in person who is not a member gets 404, so outsiders cannot even learn that an id
  exists; staff (administrators) may read every enterprise but change none;
- a member whose role is too low gets 403;
- objects inside an enterprise are fetched through it (``get_object_or_404(ent.things, pk=…)``);
- an organisation's members may what their role may (PRODUCT.md section 10's table: ``ORG_MAY``);
- someone an owner shared a result with reads it through their grant (``shared_result``); a
  former grantee gets a page that explains (403), anyone else a 404;
- a submission's verification (``verifier_for``): an organisation's analysts act while it holds
  an active grant covering the period, staff act as "platform"; the enterprise's members read.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from enterprises.models import (
    Enterprise,
    Grant,
    Membership,
    Organisation,
    OrganisationMembership,
    OrgRole,
    Role,
)

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


# --- Organisations (PRODUCT.md section 10) --------------------------------------------------

# What each organisation role may do (the table of PRODUCT.md section 10).
MANAGE = "manage"  # members, programmes, invitations, reminders, imports
READ = "read"  # granted results, dashboards, shared reports
EXPORT = "export"  # enterprise-level XLSX, granted evidence
VERIFY = "verify"  # verification of shared results
ORG_MAY = {
    OrgRole.MANAGER: {MANAGE, READ, EXPORT},
    OrgRole.ANALYST: {READ, EXPORT, VERIFY},
    OrgRole.VIEWER: {READ},
}


@dataclass(frozen=True, slots=True)
class OrganisationAccess:
    organisation: Organisation
    membership: OrganisationMembership | None  # None for staff

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    def may(self, capability: str) -> bool:
        if self.membership is None:  # staff: read everything, verify as "platform"
            return capability in (READ, EXPORT, VERIFY)
        return capability in ORG_MAY[self.membership.role]


def organisations_for(user) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user)


def organisation_for_member(user, pk: int, *, may: str = READ) -> OrganisationAccess:
    """The organisation ``pk`` if ``user`` belongs to it with a role that ``may`` do this: an
    outsider gets 404, a member whose role may not, 403. Staff may read and verify."""
    if not user.is_authenticated:
        raise Http404
    membership = (
        OrganisationMembership.objects.select_related("organisation")
        .filter(user=user, organisation_id=pk)
        .first()
    )
    if membership is None:
        if user.is_staff:
            organisation = Organisation.objects.filter(pk=pk).first()
            if organisation is None:
                raise Http404
            found = OrganisationAccess(organisation, None)
            if not found.may(may):
                raise PermissionDenied
            return found
        raise Http404
    found = OrganisationAccess(membership.organisation, membership)
    if not found.may(may):
        raise PermissionDenied
    return found


# --- Grants: results shared with someone outside the enterprise -----------------------------


class GrantEnded(PermissionDenied):
    """The reader was granted this once; the grant has expired or was revoked. They get a page
    that says so (403); anyone who never had a grant gets a 404."""


@dataclass(frozen=True, slots=True)
class SharedAccess:
    enterprise: Enterprise
    grant: Grant

    @property
    def evidence(self) -> bool:
        return self.grant.include_evidence


def shared_result(user, pk: int, year: int, quarter: int) -> SharedAccess:
    """Someone an owner shared the period's result with (a person by their confirmed address,
    or a member of a granted organisation): their grant. A former grantee: GrantEnded (403).
    Anyone else: 404. Members read through ``enterprise_for_member`` instead."""
    reaching = Grant.objects.reaching(user).filter(enterprise_id=pk).select_related("enterprise")
    covering = [grant for grant in reaching if grant.covers(year, quarter)]
    active = [grant for grant in covering if grant.is_active]
    if active:
        # The widest grant wins: one that includes evidence before one that does not.
        grant = sorted(active, key=lambda g: (not g.include_evidence, g.pk))[0]
        return SharedAccess(grant.enterprise, grant)
    if covering:
        raise _grant_ended(covering)
    raise Http404


def _ended(grant: Grant):
    return grant.revoked_at or grant.expires_at


def _grant_ended(covering: list[Grant]) -> GrantEnded:
    return GrantEnded(
        _(
            "This result was shared with you until %(when)s. The enterprise's owner can "
            "share it again."
        )
        % {"when": max(_ended(grant) for grant in covering).strftime("%Y-%m-%d")}
    )


def enterprise_grants(enterprise: Enterprise) -> QuerySet[Grant]:
    """Every grant of an enterprise, for its owners' sharing page."""
    return enterprise.grants.select_related("organisation", "created_by", "revoked_by")


# --- Verification of a submission (PRODUCT.md section 11) -----------------------------------


@dataclass(frozen=True, slots=True)
class VerifierAccess:
    organisation: Organisation | None  # None: the platform's own stamp, made by staff
    may_act: bool  # start a review, request information, decide; else read only


def verifier_for(user, submission, *, organisation_pk: int | None) -> VerifierAccess:
    """Who may open the verification of ``submission`` (an assessment: its ``enterprise_id``,
    ``year``, ``quarter``) by the organisation ``organisation_pk``, or by the platform (None).

    - an organisation's members whose role may VERIFY (analysts) act while it holds an active
      grant covering the submission's period; its other members read; once every such grant
      has ended, a page that explains (GrantEnded, 403);
    - the platform's: staff act;
    - the enterprise's members, and staff on an organisation's, read (the organisation must
      hold a grant for the period);
    - anyone else: 404.
    """
    if not user.is_authenticated:
        raise Http404
    member = Membership.objects.filter(user=user, enterprise_id=submission.enterprise_id).exists()
    if organisation_pk is None:
        if user.is_staff:
            return VerifierAccess(None, may_act=True)
        if member:
            return VerifierAccess(None, may_act=False)
        raise Http404
    organisation = Organisation.objects.filter(pk=organisation_pk).first()
    if organisation is None:
        raise Http404
    covering = [
        grant
        for grant in organisation.grants.filter(enterprise_id=submission.enterprise_id)
        if grant.covers(submission.year, submission.quarter)
    ]
    active = [grant for grant in covering if grant.is_active]
    membership = organisation.memberships.filter(user=user).first()
    if membership is not None and not member:
        if active:
            return VerifierAccess(organisation, may_act=VERIFY in ORG_MAY[membership.role])
        if covering:
            raise _grant_ended(covering)
        raise Http404
    if (member or user.is_staff) and covering:
        return VerifierAccess(organisation, may_act=False)
    raise Http404
