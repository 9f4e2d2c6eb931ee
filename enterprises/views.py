"""Enterprise pages. Each view's docstring states its access rule; ``access`` enforces it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from enterprises import access, services
from enterprises.forms import EnterpriseForm, InvitationForm, RoleForm, add_service_error
from enterprises.models import Enterprise, Invitation, Role


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@require_GET
def enterprise_list(request: HttpRequest) -> HttpResponse:
    """Any signed-in person: their own enterprises and the invitations addressed to them."""
    enterprises = access.enterprises_for(request.user).prefetch_related("operation_modes")
    memberships = {m.enterprise_id: m for m in request.user.memberships.all()}
    rows = [(enterprise, memberships.get(enterprise.pk)) for enterprise in enterprises]
    invitations = Invitation.objects.filter(
        email__iexact=request.user.email, accepted_at__isnull=True
    ).select_related("enterprise")
    return render(
        request,
        "enterprises/enterprise_list.html",
        {"rows": rows, "invitations": [i for i in invitations if i.is_pending]},
    )


def enterprise_create(request: HttpRequest) -> HttpResponse:
    """Any signed-in person; they become its first owner."""
    form = EnterpriseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = services.enterprise_create(creator=request.user, **form.profile_data())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            request.session[access.SESSION_KEY] = enterprise.pk
            messages.success(request, _("The enterprise profile has been created."))
            return redirect("enterprises:detail", pk=enterprise.pk)
    return render(request, "enterprises/enterprise_form.html", {"form": form})


@require_GET
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Members (any role) and staff: the enterprise's dashboard."""
    acc = access.enterprise_for_member(request.user, pk)
    access.remember(request, acc)
    enterprise = Enterprise.objects.prefetch_related(
        "operation_modes", "innovation_directions"
    ).get(pk=acc.enterprise.pk)
    return render(
        request, "enterprises/enterprise_detail.html", {"acc": acc, "enterprise": enterprise}
    )


def enterprise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Owners only: the profile."""
    acc = access.enterprise_for_member(request.user, pk, role=Role.OWNER)
    form = EnterpriseForm(request.POST or None, instance=acc.enterprise)
    if request.method == "POST" and form.is_valid():
        try:
            services.enterprise_update(enterprise=acc.enterprise, **form.profile_data())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The profile has been saved."))
            return redirect("enterprises:detail", pk=pk)
    return render(
        request, "enterprises/enterprise_form.html", {"form": form, "enterprise": acc.enterprise}
    )


@require_POST
def enterprise_switch(request: HttpRequest, pk: int) -> HttpResponse:
    """Members: makes this enterprise the current one of the session."""
    acc = access.enterprise_for_member(request.user, pk)
    access.remember(request, acc)
    return redirect("evaluations:dashboard", pk=pk)


@require_GET
def member_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Members (any role) see who belongs; owners also see the forms to manage them."""
    acc = access.enterprise_for_member(request.user, pk)
    memberships = acc.enterprise.memberships.select_related("user").order_by("created_at")
    invitations = (
        acc.enterprise.invitations.filter(accepted_at__isnull=True) if acc.is_owner else []
    )
    return render(
        request,
        "enterprises/member_list.html",
        {
            "acc": acc,
            "enterprise": acc.enterprise,
            "memberships": memberships,
            "invitations": invitations,
            "invite_form": InvitationForm(),
            "roles": Role.choices,
        },
    )


def member_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Owners only: sends an invitation by e-mail."""
    acc = access.enterprise_for_member(request.user, pk, role=Role.OWNER)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                enterprise=acc.enterprise,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
                accept_url_base=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("An invitation has been sent to %(email)s.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("enterprises:members", pk=pk)
    return render(
        request, "enterprises/member_invite.html", {"form": form, "enterprise": acc.enterprise}
    )


@require_POST
def member_role(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """Owners only: changes a member's role (the last owner cannot be demoted)."""
    acc = access.enterprise_for_member(request.user, pk, role=Role.OWNER)
    membership = get_object_or_404(acc.enterprise.memberships, pk=member_pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
    else:
        try:
            services.membership_set_role(membership=membership, role=form.cleaned_data["role"])
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("The role has been changed."))
    return redirect("enterprises:members", pk=pk)


@require_POST
def member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """Owners remove anyone; any member may remove themselves (leave)."""
    acc = access.enterprise_for_member(request.user, pk)
    membership = access.member_to_remove(acc, request.user, member_pk)
    leaving = membership.user_id == request.user.pk
    try:
        services.membership_remove(membership=membership)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("enterprises:members", pk=pk)
    if leaving:
        request.session.pop(access.SESSION_KEY, None)
        messages.success(request, _("You have left %(name)s.") % {"name": acc.enterprise.name})
        return redirect("enterprises:list")
    messages.success(request, _("The member has been removed."))
    return redirect("enterprises:members", pk=pk)


@require_POST
def invitation_revoke(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    """Owners only: withdraws a pending invitation."""
    acc = access.enterprise_for_member(request.user, pk, role=Role.OWNER)
    invitation = get_object_or_404(acc.enterprise.invitations, pk=invitation_pk)
    try:
        services.invitation_revoke(invitation=invitation)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The invitation has been withdrawn."))
    return redirect("enterprises:members", pk=pk)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The signed-in person the invitation was addressed to; anonymous visitors log in first."""
    invitation = services.invitation_by_token(token)
    if invitation is None:
        raise Http404
    error = None
    if request.method == "POST":
        try:
            services.invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as exc:
            error = _error_text(exc)
        else:
            request.session[access.SESSION_KEY] = invitation.enterprise_id
            messages.success(
                request, _("Welcome to %(name)s.") % {"name": invitation.enterprise.name}
            )
            return redirect("enterprises:detail", pk=invitation.enterprise_id)
    return render(
        request, "enterprises/invitation_accept.html", {"invitation": invitation, "error": error}
    )
