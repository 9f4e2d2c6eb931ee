"""The REST API's views (/api/v1/). Thin: access first, through ``enterprises.access`` exactly as
the site's pages ask it (outsider 404, role too low 403, a grantee through ``shared_result``),
then a selector or one service call. Writes need a read-and-write token (``permissions``).
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.idempotency import HEADER, idempotent
from api.services import webhooks as webhook_services
from core.http import private_download, private_file
from enterprises import access
from enterprises.models import Role
from evaluations import peers, recommend, selectors, verification
from evaluations.models import EvaluationRun
from evaluations.reports import tables
from evaluations.services import assessments as assessment_services
from evaluations.services import reports as report_services

IDEMPOTENCY = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Any unique string: the same request sent again with it gets the first answer "
    "and changes nothing; another request with it gets 422.",
)
ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Bad input, by field"),
    401: OpenApiResponse(OpenApiTypes.OBJECT, description="No token, or not a valid one"),
    403: OpenApiResponse(OpenApiTypes.OBJECT, description="Role too low, or a read-only token"),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="Not found (or not yours to see)"),
}
READ_ERRORS = {code: ERRORS[code] for code in (401, 403, 404)}


def member(request, pk: int, role: str = Role.VIEWER) -> access.EnterpriseAccess:
    return access.enterprise_for_member(request.user, pk, role=role)


class EnterpriseList(generics.ListAPIView):
    """The enterprises you are a member of."""

    serializer_class = s.EnterpriseSerializer

    def get_queryset(self):
        return access.enterprises_for(self.request.user).prefetch_related("operation_modes")

    @extend_schema(responses={200: s.EnterpriseSerializer(many=True), **READ_ERRORS})
    def get(self, request, *args, **kwargs):
        """The enterprises you are a member of."""
        return super().get(request, *args, **kwargs)


class EnterpriseDetail(APIView):
    @extend_schema(responses={200: s.EnterpriseSerializer, **READ_ERRORS})
    def get(self, request, pk: int):
        """One enterprise: members (any role) and staff."""
        return Response(s.EnterpriseSerializer(member(request, pk).enterprise).data)


class AssessmentList(generics.GenericAPIView):
    serializer_class = s.AssessmentSerializer

    @extend_schema(responses={200: s.AssessmentSerializer(many=True), **READ_ERRORS})
    def get(self, request, pk: int):
        """An enterprise's assessments, latest period first: members and staff."""
        enterprise = member(request, pk).enterprise
        page = self.paginate_queryset(enterprise.assessments.order_by("-year", "-quarter"))
        return self.get_paginated_response(s.AssessmentSerializer(page, many=True).data)

    @extend_schema(
        request=s.AssessmentCreateSerializer,
        parameters=[IDEMPOTENCY],
        responses={201: s.AssessmentSerializer, 422: OpenApiTypes.OBJECT, **ERRORS},
    )
    @idempotent
    def post(self, request, pk: int):
        """A new draft for a period: editors and owners, with a read-and-write token."""
        acc = member(request, pk, Role.EDITOR)
        data = _valid(s.AssessmentCreateSerializer, request)
        assessment = assessment_services.assessment_create(
            enterprise=acc.enterprise,
            user=request.user,
            year=data["year"],
            quarter=data["quarter"],
            prefill=data["prefill"],
        )
        return Response(s.AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _save(acc, assessment, request, data: dict):
    """Save the draft's values as the form does (``assessment_save``), if any were sent."""
    if not ({"values", "env_mode", "checklist"} & set(data)):
        return assessment
    return assessment_services.assessment_save(
        assessment=assessment,
        user=request.user,
        values=data.get("values", assessment.values),
        env_mode=data.get("env_mode", assessment.env_mode),
        env_checklist=data.get("checklist", assessment.env_checklist),
    )


class AssessmentDetail(APIView):
    @extend_schema(responses={200: s.AssessmentSerializer, **READ_ERRORS})
    def get(self, request, pk: int, assessment_pk: int):
        """One assessment: members and staff."""
        enterprise = member(request, pk).enterprise
        assessment = get_object_or_404(enterprise.assessments, pk=assessment_pk)
        return Response(s.AssessmentSerializer(assessment).data)

    @extend_schema(
        request=s.DraftSerializer,
        parameters=[IDEMPOTENCY],
        responses={200: s.AssessmentSerializer, 422: OpenApiTypes.OBJECT, **ERRORS},
    )
    @idempotent
    def patch(self, request, pk: int, assessment_pk: int):
        """Change a draft: ``values`` replaces all its values (what is left out is empty, as on
        the form); editors and owners, with a read-and-write token."""
        acc = member(request, pk, Role.EDITOR)
        assessment = get_object_or_404(acc.enterprise.assessments, pk=assessment_pk)
        data = _valid(s.DraftSerializer, request)
        assessment = _save(acc, assessment, request, data)
        return Response(s.AssessmentSerializer(assessment).data)


class AssessmentSubmit(APIView):
    @extend_schema(
        request=s.SubmitSerializer,
        parameters=[IDEMPOTENCY],
        responses={201: s.RunSerializer, 422: OpenApiTypes.OBJECT, **ERRORS},
    )
    @idempotent
    def post(self, request, pk: int, assessment_pk: int):
        """Submit a draft (optionally saving values first, in the same transaction): a queued
        run. Values that draw plausibility warnings need ``"confirm_warnings": true``; without
        it a 400 lists the warnings and nothing changes."""
        acc = member(request, pk, Role.EDITOR)
        assessment = get_object_or_404(acc.enterprise.assessments, pk=assessment_pk)
        data = _valid(s.SubmitSerializer, request)
        assessment = _save(acc, assessment, request, data)
        try:
            run = assessment_services.assessment_submit(
                assessment=assessment,
                user=request.user,
                confirm_warnings=data["confirm_warnings"],
            )
        except assessment_services.PlausibilityUnconfirmed as unconfirmed:
            return Response(
                {
                    "confirm_warnings": [unconfirmed.messages[0]],
                    "warnings": s.WarningSerializer(unconfirmed.warnings, many=True).data,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(s.RunSerializer(run).data, status=status.HTTP_201_CREATED)


class RunList(generics.GenericAPIView):
    serializer_class = s.RunSerializer

    @extend_schema(responses={200: s.RunSerializer(many=True), **READ_ERRORS})
    def get(self, request, pk: int):
        """An enterprise's runs, newest first: members and staff."""
        enterprise = member(request, pk).enterprise
        page = self.paginate_queryset(enterprise.runs.order_by("-created_at", "-id"))
        return self.get_paginated_response(s.RunSerializer(page, many=True).data)


def _readable_run(request, pk: int, run_pk: int) -> EvaluationRun:
    """Members and staff (``enterprise_for_member``); someone the period's result was shared
    with, its succeeded runs (``shared_result``: a former grantee 403, anyone else 404)."""
    runs = EvaluationRun.objects.select_related("scheme", "enterprise", "assessment")
    try:
        acc = member(request, pk)
    except Http404:
        run = runs.filter(
            enterprise_id=pk, pk=run_pk, status=EvaluationRun.Status.SUCCEEDED
        ).first()
        if run is None:
            raise
        access.shared_result(request.user, pk, run.year, run.quarter)
        return run
    return get_object_or_404(runs.filter(enterprise=acc.enterprise), pk=run_pk)


def run_detail_data(run: EvaluationRun) -> dict:
    """The result page's content (``selectors.run_page``, ``peers``, ``recommend``) as data."""
    page = selectors.run_page(run)
    data = s.RunSerializer(run).data
    data.update(values=run.values, robustness=run.robustness)
    data["dimensions"] = [
        {
            "code": line.row.code,
            "name": line.dimension.localized("name") if line.dimension else line.row.code,
            "weight": line.row.weight,
            "score": line.row.score,
            "change": line.change,
        }
        for line in page.dimensions
    ]
    data["indicators"] = [
        {
            "code": line.row.code,
            "name": line.indicator.localized("name") if line.indicator else line.row.code,
            "unit": line.indicator.localized("unit") if line.indicator else "",
            "dimension": line.row.dimension,
            "value": line.row.value,
            "normalized": line.row.normalized,
            "score": line.row.score,
            "weight": line.row.weight,
            "contribution": line.row.contribution,
            "potential_gain": line.row.potential_gain,
            "change": line.change,
        }
        for line in page.indicators
    ]
    data["recommendations"], data["peers"] = [], None
    data["verification"] = [
        {
            "verifier": str(stamp.verifier),
            "is_platform": stamp.is_platform,
            "state": stamp.state,
            "state_label": str(stamp.state_label),
            "analyst": stamp.analyst or "",
            "date": stamp.date,
            "comment": stamp.comment or "",
        }
        for stamp in verification.stamps_for(run.assessment_id)
    ]
    if run.status == EvaluationRun.Status.SUCCEEDED:
        position = peers.peer_position(run)
        advice = recommend.cached_recommendations(run, cohort=position.cohort)
        data["recommendations"] = [
            {
                "code": item.item.code,
                "title": item.title,
                "advice": item.advice,
                "actions": [str(line) for line in item.actions],
                "indicator": item.item.indicator.code if item.item.indicator_id else None,
                "points": item.points,
                "what_if": str(item.what_if),
                "basis": item.basis,
                "practice": item.practice,
            }
            for item in advice
        ]
        data["peers"] = {
            "shown": position.shown,
            "reason": str(position.reason),
            "counted": position.counted if position.label else "",
            "cohort_size": position.cohort_size,
            "overall": _box(position.overall),
            "dimensions": [
                {"name": str(name), "box": _box(box)} for name, box in position.dimensions
            ],
        }
    return data


def _box(box) -> dict | None:
    if box is None:
        return None
    return {
        "minimum": box.minimum,
        "q1": box.q1,
        "median": box.median,
        "q3": box.q3,
        "maximum": box.maximum,
        "value": box.value,
        "percentile": box.percentile,
    }


class RunDetail(APIView):
    @extend_schema(responses={200: s.RunDetailSerializer, **READ_ERRORS})
    def get(self, request, pk: int, run_pk: int):
        """A run: status and, once it succeeded, the overall score, grade, dimensions,
        indicators, robustness band, recommendations (ranked as on the result page) and peer
        position. Members and staff; a grantee for a shared period."""
        return Response(run_detail_data(_readable_run(request, pk, run_pk)))


REPORT_TYPES = {"pdf": "application/pdf", "csv": tables.CSV_TYPE, "xlsx": tables.XLSX_TYPE}


class RunReport(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "kind", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(REPORT_TYPES)
            )
        ],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, tables.XLSX_TYPE): OpenApiTypes.BINARY,
            202: s.ReportPendingSerializer,
            **READ_ERRORS,
        },
    )
    def get(self, request, pk: int, run_pk: int, kind: str):
        """A succeeded run's report, as on the site: CSV and XLSX at once; the PDF once a worker
        has rendered it (until then 202 with its status: ask again). Members and staff."""
        acc = member(request, pk)
        if kind not in REPORT_TYPES:
            raise Http404
        run = get_object_or_404(
            acc.enterprise.runs.select_related("scheme", "enterprise"),
            pk=run_pk,
            status=EvaluationRun.Status.SUCCEEDED,
        )
        if kind == "csv":
            built = tables.build_csv(run, user=request.user)
        elif kind == "xlsx":
            built = tables.build_xlsx(run, user=request.user)
        else:
            report = report_services.report_file_request(
                run=run, user=request.user, language=get_language()
            )
            if report.is_ready:
                return private_file(report.file, report.filename, "application/pdf")
            return Response(
                {
                    "status": report.status,
                    "detail": _("The PDF is being prepared; ask again in a few seconds."),
                },
                status=status.HTTP_202_ACCEPTED,
                headers={"Retry-After": "5"},
            )
        return private_download(built.content, built.filename, built.content_type)


class GrantList(generics.GenericAPIView):
    serializer_class = s.GrantSerializer

    @extend_schema(responses={200: s.GrantSerializer(many=True), **READ_ERRORS})
    def get(self, request, pk: int):
        """Who the enterprise's results are shared with: owners."""
        acc = member(request, pk, Role.OWNER)
        page = self.paginate_queryset(access.enterprise_grants(acc.enterprise))
        return self.get_paginated_response(s.GrantSerializer(page, many=True).data)


class WebhookList(generics.GenericAPIView):
    serializer_class = s.WebhookSerializer

    @extend_schema(responses={200: s.WebhookSerializer(many=True), **READ_ERRORS})
    def get(self, request, pk: int):
        """The enterprise's webhooks: owners."""
        acc = member(request, pk, Role.OWNER)
        page = self.paginate_queryset(acc.enterprise.webhooks.all())
        return self.get_paginated_response(s.WebhookSerializer(page, many=True).data)

    @extend_schema(
        request=s.WebhookSerializer,
        parameters=[IDEMPOTENCY],
        responses={201: s.WebhookCreatedSerializer, 422: OpenApiTypes.OBJECT, **ERRORS},
    )
    @idempotent
    def post(self, request, pk: int):
        """Register an https address for ``run.succeeded``, ``run.failed`` and
        ``result.verified``: owners. The secret is in this answer only."""
        acc = member(request, pk, Role.OWNER)
        data = _valid(s.WebhookSerializer, request)
        webhook = webhook_services.webhook_create(
            enterprise=acc.enterprise, user=request.user, url=data["url"], events=data.get("events")
        )
        return Response(s.WebhookCreatedSerializer(webhook).data, status=status.HTTP_201_CREATED)


class WebhookDetail(APIView):
    @extend_schema(responses={204: None, **READ_ERRORS})
    def delete(self, request, pk: int, webhook_pk: int):
        """Remove a webhook (its deliveries go with it): owners."""
        acc = member(request, pk, Role.OWNER)
        webhook = get_object_or_404(acc.enterprise.webhooks, pk=webhook_pk)
        webhook_services.webhook_delete(webhook=webhook)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeliveryList(generics.GenericAPIView):
    serializer_class = s.DeliverySerializer

    @extend_schema(responses={200: s.DeliverySerializer(many=True), **READ_ERRORS})
    def get(self, request, pk: int, webhook_pk: int):
        """A webhook's deliveries with their response codes, newest first: owners."""
        acc = member(request, pk, Role.OWNER)
        webhook = get_object_or_404(acc.enterprise.webhooks, pk=webhook_pk)
        page = self.paginate_queryset(webhook.deliveries.all())
        return self.get_paginated_response(s.DeliverySerializer(page, many=True).data)
