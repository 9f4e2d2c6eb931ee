"""Organisation and programme pages, and the enterprise's side of a programme invitation.

Each view's docstring states its access rule; ``enterprises.access`` enforces it: an
organisation's pages through ``organisation_for_member`` (an outsider 404, a role that may not
403), a programme and its invitees fetched through their organisation; an enterprise-level
result through the grant (``shared_result``: a former grantee reads a page that explains, 403).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.forms import add_service_error
from core.http import HTMX_STOP_POLLING, private_download, private_file
from enterprises import access
from enterprises.models import OrgRole, Role
from evaluations import selectors as evaluation_selectors
from programmes import exports, selectors
from programmes.forms import (
    ImportForm,
    InviteeForm,
    InviteeListForm,
    JoinForm,
    OrgInvitationForm,
    OrgRoleForm,
    PeriodChoiceForm,
    ProgrammeForm,
)
from programmes.models import Invitee, OrganisationInvitation, Programme
from programmes.services import imports, lists, organisations, reports
from programmes.services import programmes as programme_services

ORG_INVITATION_KEY = "organisation_invitation"  # the invitation whose link this browser opened
INVITEE_KEY = "programme_invitee"  # the programme invitation whose link this browser opened


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _programme(acc: access.OrganisationAccess, programme_pk: int) -> Programme:
    return get_object_or_404(
        acc.organisation.programmes.select_related("scheme", "organisation"), pk=programme_pk
    )


def _period(request: HttpRequest, programme: Programme) -> str:
    """The period a programme page shows: the one asked for, else the latest."""
    form = PeriodChoiceForm(request.GET or None, periods=programme.periods)
    if form.is_bound and form.is_valid():
        return form.cleaned_data["period"]
    return programme.periods[-1]


# --- Organisations ------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Any signed-in person: the organisations they belong to, with their programmes, and the
    invitations to an organisation addressed to them."""
    mine = access.organisations_for(request.user).prefetch_related("programmes")
    return render(
        request,
        "programmes/home.html",
        {
            "organisations": mine,
            "invitations": organisations.org_invitations_for(request.user),
        },
    )


@require_GET
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Members (any role) and staff: the organisation's programmes."""
    acc = access.organisation_for_member(request.user, pk)
    programmes = acc.organisation.programmes.select_related("scheme")
    return render(
        request,
        "programmes/organisation.html",
        {
            "acc": acc,
            "organisation": acc.organisation,
            "programmes": programmes,
            "may_manage": acc.may(access.MANAGE),
        },
    )


@require_GET
def member_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Members (any role) see who belongs; managers also manage members and invitations."""
    acc = access.organisation_for_member(request.user, pk)
    may_manage = acc.may(access.MANAGE)
    return render(
        request,
        "programmes/member_list.html",
        {
            "acc": acc,
            "organisation": acc.organisation,
            "memberships": acc.organisation.memberships.select_related("user").order_by(
                "created_at"
            ),
            "invitations": acc.organisation.invitations.filter(accepted_at__isnull=True)
            if may_manage
            else [],
            "invite_form": OrgInvitationForm(),
            "roles": OrgRole.choices,
            "may_manage": may_manage,
        },
    )


def member_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Managers: invite a person by e-mail."""
    acc = access.organisation_for_member(request.user, pk, may=access.MANAGE)
    form = OrgInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sent = organisations.org_invitation_create(
                organisation=acc.organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
                link_base=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _org_sent_message(sent))
            return redirect("programmes:members", pk=pk)
    return render(
        request,
        "programmes/member_invite.html",
        {"form": form, "organisation": acc.organisation},
    )


def _org_sent_message(sent: organisations.Sent) -> str:
    values = {"email": sent.invitation.email, "role": sent.invitation.get_role_display()}
    if sent.again:
        return (
            _(
                "The invitation to %(email)s was sent again, as %(role)s. The link in the "
                "earlier e-mail no longer works."
            )
            % values
        )
    return _("An invitation has been sent to %(email)s as %(role)s.") % values


@require_POST
def member_role(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """Managers: change a member's role (the last manager stays a manager)."""
    acc = access.organisation_for_member(request.user, pk, may=access.MANAGE)
    membership = get_object_or_404(acc.organisation.memberships, pk=member_pk)
    form = OrgRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
    else:
        try:
            organisations.org_membership_set_role(
                membership=membership, role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("The role has been changed."))
    return redirect("programmes:members", pk=pk)


@require_POST
def member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """Managers remove anyone; any member may leave."""
    acc = access.organisation_for_member(request.user, pk)
    membership = get_object_or_404(
        acc.organisation.memberships.select_related("user"), pk=member_pk
    )
    leaving = membership.user_id == request.user.pk
    if not leaving and not acc.may(access.MANAGE):
        raise PermissionDenied
    try:
        organisations.org_membership_remove(membership=membership)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("programmes:members", pk=pk)
    if leaving:
        messages.success(request, _("You have left %(name)s.") % {"name": acc.organisation.name})
        return redirect("programmes:home")
    messages.success(request, _("The member has been removed."))
    return redirect("programmes:members", pk=pk)


@require_POST
def org_invitation_resend(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    """Managers: send a pending invitation again."""
    acc = access.organisation_for_member(request.user, pk, may=access.MANAGE)
    invitation = get_object_or_404(
        acc.organisation.invitations.filter(accepted_at__isnull=True), pk=invitation_pk
    )
    try:
        sent = organisations.org_invitation_create(
            organisation=acc.organisation,
            email=invitation.email,
            role=None,
            invited_by=request.user,
            link_base=request.build_absolute_uri("/"),
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _org_sent_message(sent))
    return redirect("programmes:members", pk=pk)


@require_POST
def org_invitation_revoke(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    """Managers: withdraw a pending invitation."""
    acc = access.organisation_for_member(request.user, pk, may=access.MANAGE)
    invitation = get_object_or_404(acc.organisation.invitations, pk=invitation_pk)
    try:
        organisations.org_invitation_revoke(invitation=invitation)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The invitation has been withdrawn."))
    return redirect("programmes:members", pk=pk)


@login_not_required
@require_GET
def org_invitation_open(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the e-mailed link, exchanged once; the page that follows names no token."""
    invitation = organisations.org_invitation_open(token)
    if invitation is None:
        return render(request, "programmes/link_gone.html", status=404)
    request.session[ORG_INVITATION_KEY] = invitation.pk
    return redirect("programmes:org-invitation", invitation_pk=invitation.pk)


def _org_invitation_for(request: HttpRequest, invitation_pk: int) -> OrganisationInvitation:
    """The browser that opened its link, or the addressee with a confirmed address: else 404."""
    invitation = get_object_or_404(
        OrganisationInvitation.objects.select_related("organisation", "invited_by"),
        pk=invitation_pk,
    )
    user = request.user
    addressee = (
        user.is_authenticated
        and user.email_verified
        and user.email.lower() == invitation.email.lower()
    )
    if not addressee and request.session.get(ORG_INVITATION_KEY) != invitation.pk:
        raise Http404
    return invitation


@login_not_required
@require_GET
def org_invitation_detail(request: HttpRequest, invitation_pk: int) -> HttpResponse:
    """The browser that opened the link, or the addressee: who invites, and the way on."""
    invitation = _org_invitation_for(request, invitation_pk)
    user = request.user
    return render(
        request,
        "programmes/org_invitation.html",
        {
            "invitation": invitation,
            "signed_in_as_addressee": user.is_authenticated
            and user.email.lower() == invitation.email.lower(),
        },
    )


@require_POST
def org_invitation_accept(request: HttpRequest, invitation_pk: int) -> HttpResponse:
    """The addressee, signed in with the invited, confirmed address."""
    invitation = _org_invitation_for(request, invitation_pk)
    try:
        organisations.org_invitation_accept(invitation=invitation, user=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("programmes:org-invitation", invitation_pk=invitation.pk)
    request.session.pop(ORG_INVITATION_KEY, None)
    messages.success(request, _("Welcome to %(name)s.") % {"name": invitation.organisation.name})
    return redirect("programmes:organisation", pk=invitation.organisation_id)


# --- Programmes -------------------------------------------------------------------------------


def programme_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Managers: a new programme."""
    acc = access.organisation_for_member(request.user, pk, may=access.MANAGE)
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = programme_services.programme_create(
                organisation=acc.organisation,
                user=request.user,
                link_base=request.build_absolute_uri("/"),
                **form.programme_data(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The programme has been created; invite enterprises."))
            return redirect("programmes:invite", pk=pk, programme_pk=programme.pk)
    return render(
        request,
        "programmes/programme_form.html",
        {"form": form, "organisation": acc.organisation},
    )


def programme_edit(request: HttpRequest, pk: int, programme_pk: int) -> HttpResponse:
    """Managers: name, deadline and reminders (scheme and periods until someone joins)."""
    acc = access.organisation_for_member(request.user, pk, may=access.MANAGE)
    programme = _programme(acc, programme_pk)
    initial = {
        "name": programme.name,
        "scheme": programme.scheme_id,
        "periods": programme.periods,
        "deadline": programme.deadline,
        "reminder_days": programme.reminder_days,
    }
    form = ProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            programme_services.programme_update(programme=programme, **form.programme_data())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The programme has been saved."))
            return redirect("programmes:programme", pk=pk, programme_pk=programme.pk)
    return render(
        request,
        "programmes/programme_form.html",
        {"form": form, "organisation": acc.organisation, "programme": programme},
    )


@require_GET
def programme_detail(request: HttpRequest, pk: int, programme_pk: int) -> HttpResponse:
    """Members (any role) and staff: completion and the cohort dashboard; managers also see
    who was reminded when and may chase."""
    acc = access.organisation_for_member(request.user, pk)
    programme = _programme(acc, programme_pk)
    period = _period(request, programme)
    may_manage = acc.may(access.MANAGE)
    return render(
        request,
        "programmes/programme.html",
        {
            "acc": acc,
            "organisation": acc.organisation,
            "programme": programme,
            "period": period,
            "period_form": PeriodChoiceForm(initial={"period": period}, periods=programme.periods),
            "periods": programme_services.period_labels(programme.periods),
            "completion": selectors.completion(programme, period, with_reminders=may_manage),
            "cohort": selectors.cohort(programme, period),
            "may_manage": may_manage,
            "may_export": acc.may(access.EXPORT),
        },
    )


def invitee_add(request: HttpRequest, pk: int, programme_pk: int) -> HttpResponse:
    """Managers: invite one enterprise (POST here) or a list (POST to ``invite-list``)."""
    acc = access.organisation_for_member(request.user, pk, may=access.MANAGE)
    programme = _programme(acc, programme_pk)
    form = InviteeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitee = programme_services.invitee_add(
                programme=programme, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s has been invited; %(email)s received the link.")
                % {"name": invitee.name, "email": invitee.email},
            )
            return redirect("programmes:invite", pk=pk, programme_pk=programme.pk)
    return _invite_page(request, acc, programme, form, InviteeListForm())


def _invite_page(request, acc, programme, form, list_form, problems=()) -> HttpResponse:
    return render(
        request,
        "programmes/invite.html",
        {
            "organisation": acc.organisation,
            "programme": programme,
            "form": form,
            "list_form": list_form,
            "problems": problems,
            "invitees": programme.invitees.select_related("grant").order_by("-invited_at")[:20],
        },
    )


@require_POST
def invitee_list_upload(request: HttpRequest, pk: int, programme_pk: int) -> HttpResponse:
    """Managers: invite every enterprise of an XLSX or CSV list, or none (each bad cell named)."""
    acc = access.organisation_for_member(request.user, pk, may=access.MANAGE)
    programme = _programme(acc, programme_pk)
    list_form = InviteeListForm(request.POST, request.FILES)
    problems = []
    if list_form.is_valid():
        parsed = lists.invitee_list_read(list_form.cleaned_data["file"])
        problems = parsed.problems
        if not problems:
            try:
                made = programme_services.invitees_add(
                    programme=programme, rows=parsed.rows, user=request.user
                )
            except ValidationError as error:
                list_form.add_error("file", error)
            else:
                messages.success(
                    request,
                    _("%(n)d enterprises have been invited; their contacts receive the links.")
                    % {"n": len(made)},
                )
                return redirect("programmes:programme", pk=pk, programme_pk=programme.pk)
    return _invite_page(request, acc, programme, InviteeForm(), list_form, problems)


def _invitee(programme: Programme, invitee_pk: int) -> Invitee:
    return get_object_or_404(
        programme.invitees.select_related("grant", "enterprise", "programme"), pk=invitee_pk
    )


@require_POST
def invitee_resend(request: HttpRequest, pk: int, programme_pk: int, invitee_pk: int):
    """Managers: a new link for an invitee who has not answered."""
    acc = access.organisation_for_member(request.user, pk, may=access.MANAGE)
    invitee = _invitee(_programme(acc, programme_pk), invitee_pk)
    try:
        programme_services.invitee_resend(invitee=invitee)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The invitation has been sent again."))
    return redirect("programmes:programme", pk=pk, programme_pk=programme_pk)


@require_POST
def invitee_withdraw(request: HttpRequest, pk: int, programme_pk: int, invitee_pk: int):
    """Managers: withdraw an invitation nobody accepted."""
    acc = access.organisation_for_member(request.user, pk, may=access.MANAGE)
    invitee = _invitee(_programme(acc, programme_pk), invitee_pk)
    try:
        programme_services.invitee_withdraw(invitee=invitee)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The invitation has been withdrawn."))
    return redirect("programmes:programme", pk=pk, programme_pk=programme_pk)


@require_GET
def invitee_results(request: HttpRequest, pk: int, programme_pk: int, invitee_pk: int):
    """Members (any role) while the enterprise's grant is active: its results for the
    programme's periods (``shared_result``); after it ended, a page that explains (403);
    an invitee that never joined: 404."""
    acc = access.organisation_for_member(request.user, pk)
    programme = _programme(acc, programme_pk)
    invitee = _invitee(programme, invitee_pk)
    if invitee.enterprise_id is None or invitee.grant_id is None:
        raise Http404
    if acc.membership is not None:
        for year, quarter in programme.period_tuples:
            access.shared_result(request.user, invitee.enterprise_id, year, quarter)
    elif not invitee.grant.is_active:  # staff read only what is still shared
        raise Http404
    found = selectors.granted_results(programme, invitee_pk=invitee.pk)
    runs = found[0][1] if found else []
    programme_services.grants_mark_viewed(grant_ids=[invitee.grant_id])
    return render(
        request,
        "programmes/invitee_results.html",
        {
            "organisation": acc.organisation,
            "programme": programme,
            "invitee": invitee,
            "enterprise": invitee.enterprise,
            "runs": runs,
            "may_verify": acc.membership is not None and acc.may(access.VERIFY),
            "dimension_names": {
                code: d.localized("name") for code, d in evaluation_selectors.reference()[0].items()
            },
        },
    )


@require_GET
def results_xlsx(request: HttpRequest, pk: int, programme_pk: int) -> HttpResponse:
    """Managers and analysts (EXPORT) and staff: the granted enterprise-level results."""
    acc = access.organisation_for_member(request.user, pk, may=access.EXPORT)
    programme = _programme(acc, programme_pk)
    granted = selectors.granted_results(programme)
    built = exports.results_xlsx(programme, granted)
    programme_services.grants_mark_viewed(grant_ids=[invitee.grant_id for invitee, _r in granted])
    return private_download(built.content, built.filename, built.content_type)


def _summary(request, programme, period, *, retry=False):
    return reports.cohort_report_request(
        programme=programme, period=period, user=request.user, language=get_language(), retry=retry
    )


@require_GET
def summary_pdf(request: HttpRequest, pk: int, programme_pk: int) -> HttpResponse:
    """Members (any role) and staff: the cohort summary PDF once ready, its progress until."""
    acc = access.organisation_for_member(request.user, pk)
    programme = _programme(acc, programme_pk)
    period = _period(request, programme)
    report = _summary(request, programme, period)
    if report.is_ready:
        return private_file(report.file, report.filename, "application/pdf")
    return render(
        request,
        "programmes/summary_progress.html",
        {"organisation": acc.organisation, "programme": programme, "report": report},
    )


@require_GET
def summary_pdf_status(request: HttpRequest, pk: int, programme_pk: int) -> HttpResponse:
    """Members and staff: how far the summary is (polled by htmx)."""
    acc = access.organisation_for_member(request.user, pk)
    programme = _programme(acc, programme_pk)
    period = _period(request, programme)
    report = _summary(request, programme, period)
    response = render(
        request,
        "programmes/summary_progress_status.html",
        {"organisation": acc.organisation, "programme": programme, "report": report},
    )
    response["Cache-Control"] = "private, no-store"
    if report.is_ready and request.htmx:
        url = reverse("programmes:summary-pdf", args=[pk, programme_pk])
        response["HX-Redirect"] = f"{url}?period={period}"
    elif report.is_failed and request.htmx:
        response.status_code = HTMX_STOP_POLLING
    return response


@require_POST
def summary_pdf_retry(request: HttpRequest, pk: int, programme_pk: int) -> HttpResponse:
    """Members and staff: prepare a summary that failed again."""
    acc = access.organisation_for_member(request.user, pk)
    programme = _programme(acc, programme_pk)
    period = _period(request, programme)
    _summary(request, programme, period, retry=True)
    url = reverse("programmes:summary-pdf", args=[pk, programme_pk])
    return redirect(f"{url}?period={period}")


# --- Spreadsheet import ------------------------------------------------------------------------


@require_GET
def import_template(request: HttpRequest, pk: int, programme_pk: int) -> HttpResponse:
    """Managers: the XLSX template of a period, one row per enterprise that joined."""
    acc = access.organisation_for_member(request.user, pk, may=access.MANAGE)
    programme = _programme(acc, programme_pk)
    built = imports.import_template(programme=programme, period=_period(request, programme))
    return private_download(built.content, built.filename, built.content_type)


def import_upload(request: HttpRequest, pk: int, programme_pk: int) -> HttpResponse:
    """Managers: upload a filled-in template; every row is valid and written as a draft the
    enterprise submits, or nothing is written and each bad cell is named."""
    acc = access.organisation_for_member(request.user, pk, may=access.MANAGE)
    programme = _programme(acc, programme_pk)
    period = _period(request, programme)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = imports.import_drafts(
                programme=programme,
                period=period,
                upload=form.cleaned_data["file"],
                user=request.user,
            )
        except imports.ImportRefused as error:
            form.add_error("file", str(error))
        else:
            if report.ok:
                messages.success(
                    request,
                    _(
                        "%(n)d drafts have been written; each enterprise confirms and submits "
                        "its own."
                    )
                    % {"n": report.written},
                )
                url = reverse("programmes:programme", args=[pk, programme_pk])
                return redirect(f"{url}?period={period}")
    return render(
        request,
        "programmes/import.html",
        {
            "organisation": acc.organisation,
            "programme": programme,
            "period": period,
            "period_label": programme_services.period_labels([period])[0],
            "period_form": PeriodChoiceForm(initial={"period": period}, periods=programme.periods),
            "form": form,
            "report": report,
        },
    )


# --- The enterprise's side ---------------------------------------------------------------------


@login_not_required
@require_GET
def invitee_open(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the e-mailed link, exchanged once; the page that follows names no token."""
    invitee = programme_services.invitee_open(token)
    if invitee is None:
        return render(request, "programmes/link_gone.html", status=404)
    request.session[INVITEE_KEY] = invitee.pk
    return redirect("programmes:invitation", invitee_pk=invitee.pk)


def _invitee_for(
    request: HttpRequest, invitee_pk: int
) -> tuple[Invitee, access.EnterpriseAccess | None]:
    """The browser that opened the link, the contact with a confirmed address, or a member of
    the invited enterprise (members read, owners answer): anyone else 404."""
    invitee = get_object_or_404(
        Invitee.objects.select_related("programme__organisation", "programme__scheme", "grant"),
        pk=invitee_pk,
    )
    acc = None
    if invitee.enterprise_id is not None and request.user.is_authenticated:
        try:
            acc = access.enterprise_for_member(request.user, invitee.enterprise_id)
        except Http404:
            acc = None
        if acc is not None and acc.membership is None:
            acc = None  # staff read enterprises, not their invitations
    contact = programme_services.invitee_is_contact(invitee, request.user)
    if acc is None and not contact and request.session.get(INVITEE_KEY) != invitee.pk:
        raise Http404
    return invitee, acc


@login_not_required
@require_GET
def invitee_detail(request: HttpRequest, invitee_pk: int) -> HttpResponse:
    """The contact (or the browser that opened the link) and the enterprise's members: the
    programme, its periods and deadline, what joining shares, and the owner's answer."""
    invitee, acc = _invitee_for(request, invitee_pk)
    user = request.user
    choices = programme_services.enterprises_to_join_with(invitee, user)
    return render(
        request,
        "programmes/invitation.html",
        _invitation_context(invitee, acc, user, JoinForm(invitee=invitee, choices=choices)),
    )


def _invitation_context(invitee, acc, user, form) -> dict:
    contact = programme_services.invitee_is_contact(invitee, user)
    return {
        "invitee": invitee,
        "programme": invitee.programme,
        "organisation": invitee.programme.organisation,
        "periods": programme_services.period_labels(invitee.programme.periods),
        "acc": acc,
        "is_owner": bool(acc and acc.is_owner),
        "is_contact": contact,
        "may_answer": bool(acc and acc.is_owner) or (invitee.enterprise_id is None and contact),
        "signed_in_as_contact": user.is_authenticated
        and user.email.lower() == invitee.email.lower(),
        "form": form,
    }


@require_POST
def invitee_join(request: HttpRequest, invitee_pk: int) -> HttpResponse:
    """The enterprise's owner (or, for an enterprise without a profile, the contact with a
    confirmed address): join, which grants the organisation the programme's periods."""
    invitee, acc = _invitee_for(request, invitee_pk)
    if invitee.enterprise_id is not None:
        access.enterprise_for_member(request.user, invitee.enterprise_id, role=Role.OWNER)
    choices = programme_services.enterprises_to_join_with(invitee, request.user)
    form = JoinForm(request.POST, invitee=invitee, choices=choices)
    if form.is_valid():
        try:
            invitee = programme_services.invitee_join(
                invitee=invitee,
                user=request.user,
                include_evidence=form.cleaned_data["include_evidence"],
                enterprise=form.cleaned_data.get("chosen"),
                operation_modes=form.cleaned_data.get("operation_modes"),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            request.session.pop(INVITEE_KEY, None)
            request.session[access.SESSION_KEY] = invitee.enterprise_id
            messages.success(
                request,
                _(
                    "You have joined %(programme)s. %(organisation)s reads your submitted "
                    "results for its periods until you revoke the grant."
                )
                % {
                    "programme": invitee.programme.name,
                    "organisation": invitee.programme.organisation.name,
                },
            )
            return redirect("evaluations:dashboard", pk=invitee.enterprise_id)
    return render(
        request,
        "programmes/invitation.html",
        _invitation_context(invitee, acc, request.user, form),
        status=200,
    )


@require_POST
def invitee_decline(request: HttpRequest, invitee_pk: int) -> HttpResponse:
    """The enterprise's owner (or the contact, for an enterprise without a profile): decline,
    or leave a programme joined before (its grant ends at once)."""
    invitee, acc = _invitee_for(request, invitee_pk)
    if invitee.enterprise_id is not None:
        access.enterprise_for_member(request.user, invitee.enterprise_id, role=Role.OWNER)
    elif not programme_services.invitee_is_contact(invitee, request.user):
        raise Http404
    programme_services.invitee_decline(invitee=invitee, user=request.user)
    messages.success(
        request,
        _("You have declined %(programme)s; %(organisation)s reads nothing of yours through it.")
        % {
            "programme": invitee.programme.name,
            "organisation": invitee.programme.organisation.name,
        },
    )
    if invitee.enterprise_id is not None:
        return redirect("evaluations:dashboard", pk=invitee.enterprise_id)
    return redirect("programmes:invitation", invitee_pk=invitee.pk)
