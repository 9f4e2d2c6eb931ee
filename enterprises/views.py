"""Enterprise pages. Each view's docstring states its access rule; ``access`` enforces it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.forms import add_service_error
from enterprises import access, services
from enterprises.context_processors import INVITATION_KEY
from enterprises.forms import EnterpriseForm, InvitationForm, RoleForm
from enterprises.models import Enterprise, Invitation, Role


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@require_GET
def enterprise_list(request: HttpRequest) -> HttpResponse:
    """Any signed-in person: their own enterprises and the invitations addressed to them."""
    enterprises = access.enterprises_for(request.user).prefetch_related("operation_modes")
    memberships = {m.enterprise_id: m for m in request.user.memberships.all()}
    rows = [(enterprise, memberships.get(enterprise.pk)) for enterprise in enterprises]
    return render(
        request,
        "enterprises/enterprise_list.html",
        {"rows": rows, "invitations": services.invitations_for(request.user)},
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
        request,
        "enterprises/enterprise_detail.html",
        {
            "acc": acc,
            "enterprise": enterprise,
            # a new enterprise's page leads on to its first assessment (issue 15)
            "first_assessment": acc.can_edit and not enterprise.assessments.exists(),
        },
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
            sent = services.invitation_create(
                enterprise=acc.enterprise,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
                accept_url_base=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _sent_message(sent))
            return redirect("enterprises:members", pk=pk)
    return render(
        request, "enterprises/member_invite.html", {"form": form, "enterprise": acc.enterprise}
    )


def _sent_message(sent: services.Sent) -> str:
    invitation = sent.invitation
    values = {"email": invitation.email, "role": invitation.get_role_display()}
    if not sent.again:
        return _("An invitation has been sent to %(email)s as %(role)s.") % values
    if sent.previous_role != invitation.role:
        values["before"] = Role(sent.previous_role).label
        return (
            _(
                "The invitation to %(email)s was sent again, now as %(role)s (it was "
                "%(before)s). The link in the earlier e-mail no longer works."
            )
            % values
        )
    return (
        _(
            "The invitation to %(email)s was sent again, still as %(role)s. The link in the "
            "earlier e-mail no longer works."
        )
        % values
    )


@require_POST
def invitation_resend(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    """Owners only: sends a pending invitation again, with the same role."""
    acc = access.enterprise_for_member(request.user, pk, role=Role.OWNER)
    invitation = get_object_or_404(
        acc.enterprise.invitations.filter(accepted_at__isnull=True), pk=invitation_pk
    )
    try:
        sent = services.invitation_create(
            enterprise=acc.enterprise,
            email=invitation.email,
            role=None,
            invited_by=request.user,
            accept_url_base=request.build_absolute_uri("/"),
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _sent_message(sent))
    return redirect("enterprises:members", pk=pk)


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


@login_not_required
@require_GET
def invitation_open(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the e-mailed link. Exchanged once for the invitation, kept in this browser's
    session; the page that follows has no token in its address."""
    invitation = services.invitation_open(token)
    if invitation is None:
        return render(request, "enterprises/invitation_gone.html", status=404)
    request.session[INVITATION_KEY] = invitation.pk
    return redirect("enterprises:invitation", invitation_pk=invitation.pk)


def _invitation_for(request: HttpRequest, invitation_pk: int) -> Invitation:
    """The browser that opened its link, or the addressee signed in with a confirmed address;
    anyone else: 404."""
    invitation = get_object_or_404(
        Invitation.objects.select_related("enterprise", "invited_by"), pk=invitation_pk
    )
    user = request.user
    addressee = (
        user.is_authenticated
        and user.email_verified
        and user.email.lower() == invitation.email.lower()
    )
    if not addressee and request.session.get(INVITATION_KEY) != invitation.pk:
        raise Http404
    return invitation


@login_not_required
@require_GET
def invitation_detail(request: HttpRequest, invitation_pk: int) -> HttpResponse:
    """The browser that opened the link, or the addressee: who invites, to what, as what, and
    the way on (sign up, log in, confirm the address, or accept)."""
    invitation = _invitation_for(request, invitation_pk)
    user = request.user
    return render(
        request,
        "enterprises/invitation.html",
        {
            "invitation": invitation,
            "signed_in_as_addressee": user.is_authenticated
            and user.email.lower() == invitation.email.lower(),
        },
    )


@require_POST
def invitation_accept(request: HttpRequest, invitation_pk: int) -> HttpResponse:
    """The addressee, signed in with the invited, confirmed address."""
    invitation = _invitation_for(request, invitation_pk)
    try:
        services.invitation_accept(invitation=invitation, user=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("enterprises:invitation", invitation_pk=invitation.pk)
    request.session.pop(INVITATION_KEY, None)
    request.session[access.SESSION_KEY] = invitation.enterprise_id
    messages.success(request, _("Welcome to %(name)s.") % {"name": invitation.enterprise.name})
    return redirect("enterprises:detail", pk=invitation.enterprise_id)
