"""Administration of indicators and weight schemes (PRODUCT.md section 4).

A draft is edited here and checked with the engine's own rules on every save; a published or
retired version is shown read-only. Status changes happen only through the actions, which call
the services. The preview scores sample values under a scheme and the current default, side by
side, and shows what the scheme would do to the cohort (every enterprise's latest submitted
values, both schemes scored with the bulk engine), so an administrator sees what a new version
would change before publishing it. A draft's weights may also be derived from pairwise
comparisons (AHP, PRODUCT.md section 9) on a page of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import zip_longest

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import DecimalField, JSONField, QuerySet, Sum
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from audit.admin import TrailHistoryAdmin
from audit.models import LogEntry
from evaluations import formatting, selectors, services
from evaluations.forms import (
    AhpMatrixForm,
    FiniteDecimalField,
    LenientJSONField,
    SampleValuesForm,
)
from evaluations.models import (
    Dimension,
    Indicator,
    Recommendation,
    ReportFile,
    SchemeIndicator,
    WeightScheme,
    grade_label,
)
from evaluations.models.rescore import RescoreJob
from evaluations.scoring import ScoreResult, ScoringError, score
from evaluations.services.rescore import rescore_create
from evaluations.services.schemes import DIMENSIONS


@admin.register(Dimension)
class DimensionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_zh", "order")
    list_editable = ("order",)

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj else ()


@admin.register(Indicator)
class IndicatorAdmin(TrailHistoryAdmin):
    list_display = ("code", "name", "name_zh", "dimension", "unit", "direction", "max_value")
    list_filter = ("dimension",)
    list_select_related = ("dimension",)
    search_fields = ("code", "name", "name_zh")
    fieldsets = (
        (None, {"fields": ("code", "dimension", "direction", "min_value", "max_value", "order")}),
        (_("English"), {"fields": ("name", "unit", "guidance", "paper_note")}),
        (
            _("Simplified Chinese"),
            {"fields": ("name_zh", "unit_zh", "guidance_zh", "paper_note_zh")},
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        """Once created, what schemes and stored values depend on is fixed; texts stay editable."""
        return ("code", "dimension", "direction", "min_value", "max_value") if obj else ()


class SchemeRowsFormSet(BaseInlineFormSet):
    """Refuses a draft the engine would refuse: one message per problem, naming the indicator."""

    def clean(self) -> None:
        scheme = self.instance
        forms = [form for form in self.forms if form.has_changed() or form.instance.pk]
        forms = [form for form in forms if not self._should_delete_form(form)]
        # Rows whose own fields are fine are checked even when a row-level (unique) check failed,
        # so a duplicate is named; a row with a bad field shows that field's error alone.
        complete = all(
            name in form.cleaned_data for form in forms for name in SchemeIndicator.EDITABLE
        )
        if complete and not scheme.is_frozen:
            rows = [
                SchemeIndicator(
                    scheme=scheme, **{k: form.cleaned_data[k] for k in SchemeIndicator.EDITABLE}
                )
                for form in forms
            ]
            problems = services.scheme_problems(scheme, rows)
            if problems:
                raise ValidationError(problems)
        super().clean()


def _editable(scheme: WeightScheme | None) -> bool:
    return scheme is None or not scheme.is_frozen


class SchemeIndicatorInline(admin.TabularInline):
    model = SchemeIndicator
    formset = SchemeRowsFormSet
    fields = SchemeIndicator.EDITABLE
    extra = 0
    formfield_overrides = {DecimalField: {"form_class": FiniteDecimalField}}

    def get_extra(self, request, obj=None, **kwargs) -> int:
        """A new scheme gets one row per indicator, pre-selected (see ``get_formset_kwargs``)."""
        return Indicator.objects.count() if obj is None else 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("indicator__dimension")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "indicator":
            kwargs["queryset"] = Indicator.objects.select_related("dimension")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request, obj=None) -> bool:
        return _editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return _editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _editable(obj) and super().has_delete_permission(request, obj)

    # A published or retired version reads as indicator names and plain numbers (0.25, 30),
    # not the stored decimals (0.250000000, 30.0000) under a row heading "1: 0.250000000".
    SHOWN = ("indicator_name", "weight_shown", "worst_shown", "best_shown", "plausible_shown")

    def get_fields(self, request, obj=None):
        return self.SHOWN if not _editable(obj) else super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return self.SHOWN if not _editable(obj) else super().get_readonly_fields(request, obj)

    @admin.display(description=_("indicator"))
    def indicator_name(self, row: SchemeIndicator) -> str:
        return row.indicator.localized("name")

    @admin.display(description=_("weight"))
    def weight_shown(self, row: SchemeIndicator) -> str:
        return formatting.plain(row.weight)

    @admin.display(description=_("worst"))
    def worst_shown(self, row: SchemeIndicator) -> str:
        return formatting.plain(row.worst)

    @admin.display(description=_("best"))
    def best_shown(self, row: SchemeIndicator) -> str:
        return formatting.plain(row.best)

    @admin.display(description=_("plausible maximum"))
    def plausible_shown(self, row: SchemeIndicator) -> str:
        return formatting.plain(row.plausible_max)


@admin.register(WeightScheme)
class WeightSchemeAdmin(TrailHistoryAdmin):
    list_display = (
        "slug",
        "version",
        "shown_name",
        "status",
        "is_default",
        "weight_sum",
        "published_at",
    )
    list_display_links = ("slug", "version", "shown_name")
    list_filter = ("status", "is_default")
    search_fields = ("slug", "name")
    fields = (
        ("slug", "version"),
        ("name", "name_zh"),
        ("description", "description_zh"),
        "grade_bands",
        ("weight_spread", "bound_spread"),
        ("status", "is_default"),
        ("weight_sum", "check_result"),
        ("created_at", "published_at", "published_by"),
    )
    readonly_fields = (
        "status",
        "is_default",
        "weight_sum",
        "check_result",
        "created_at",
        "published_at",
        "published_by",
    )
    inlines = [SchemeIndicatorInline]
    actions = ["publish", "clone", "retire", "make_default", "rescore_latest_runs"]
    formfield_overrides = {JSONField: {"form_class": LenientJSONField}}

    def get_queryset(self, request) -> QuerySet[WeightScheme]:
        return super().get_queryset(request).annotate(weight_total=Sum("rows__weight"))

    def history_entries(self, obj: WeightScheme) -> QuerySet[LogEntry]:
        """The scheme's entries and its rows' (weights and bounds), in one list."""
        rows = ContentType.objects.get_for_model(SchemeIndicator)
        return super().history_entries(obj) | LogEntry.objects.filter(
            content_type=rows, additional_data__scheme=obj.pk
        )

    def has_change_permission(self, request, obj=None) -> bool:
        """A published or retired version is shown read-only: it can never be changed."""
        return _editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _editable(obj) and super().has_delete_permission(request, obj)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if obj is None or obj.pk is None:
            kwargs["initial"] = [
                {"indicator": pk} for pk in Indicator.objects.values_list("pk", flat=True)
            ]
        return kwargs

    @admin.display(description=_("name"), ordering="name")
    def shown_name(self, obj: WeightScheme) -> str:
        """The name in the reader's language (the Chinese one when it is filled in)."""
        return obj.localized("name")

    @admin.display(description=_("weight sum"))
    def weight_sum(self, obj: WeightScheme) -> str:
        total = getattr(obj, "weight_total", None)
        if total is None and obj.pk:
            total = obj.rows.aggregate(total=Sum("weight"))["total"]
        return "—" if total is None else format(total.normalize(), "f")

    @admin.display(description=_("check"))
    def check_result(self, obj: WeightScheme) -> str:
        if obj.pk is None or obj.is_frozen:
            return "—"
        problems = services.scheme_problems(obj)
        if not problems:
            return _("Ready to publish.")
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((p,) for p in problems))
        )

    # --- actions: each one calls a service and reports what happened -------------------------

    def _report(self, request, scheme: WeightScheme, error: ValidationError) -> None:
        for message in error.messages:
            self.message_user(
                request,
                _("%(scheme)s: %(message)s") % {"scheme": scheme, "message": message},
                messages.ERROR,
            )

    @admin.action(description=_("Publish the selected drafts…"), permissions=["change"])
    def publish(self, request, queryset) -> HttpResponse | None:
        """Asks first (issue 15), saying what follows; publishes on the confirming POST."""
        if request.POST.get("confirmed") != "yes":
            return self._confirm(request, queryset, "publish")
        for scheme in queryset:
            self._publish(request, scheme)
        return None

    def _publish(self, request, scheme: WeightScheme) -> None:
        try:
            services.scheme_publish(scheme=scheme, user=request.user)
        except ValidationError as error:
            self._report(request, scheme, error)
        else:
            self.message_user(
                request,
                _("%(scheme)s is published. New submissions use it once it is made the default.")
                % {"scheme": scheme},
                messages.SUCCESS,
            )

    @admin.action(description=_("Clone as a new draft version"), permissions=["change"])
    def clone(self, request, queryset) -> None:
        for scheme in queryset:
            try:
                draft = services.scheme_clone(scheme=scheme)
            except ValidationError as error:
                self._report(request, scheme, error)
                continue
            url = reverse("admin:evaluations_weightscheme_change", args=[draft.pk])
            self.message_user(
                request,
                format_html(_('Created draft <a href="{}">{}</a>.'), url, draft),
                messages.SUCCESS,
            )

    @admin.action(description=_("Retire the selected schemes"), permissions=["change"])
    def retire(self, request, queryset) -> None:
        for scheme in queryset:
            try:
                services.scheme_retire(scheme=scheme)
            except ValidationError as error:
                self._report(request, scheme, error)
            else:
                self.message_user(
                    request, _("%(scheme)s is retired.") % {"scheme": scheme}, messages.SUCCESS
                )

    @admin.action(description=_("Make the default scheme…"), permissions=["change"])
    def make_default(self, request, queryset) -> HttpResponse | None:
        """Asks first (issue 15), saying what follows; changes the default on confirming."""
        if queryset.count() != 1:
            self.message_user(
                request, _("Select exactly one scheme to make the default."), messages.ERROR
            )
            return None
        if request.POST.get("confirmed") != "yes":
            return self._confirm(request, queryset, "make_default")
        self._make_default(request, queryset.get())
        return None

    def _make_default(self, request, scheme: WeightScheme) -> None:
        try:
            services.scheme_make_default(scheme=scheme)
        except ValidationError as error:
            self._report(request, scheme, error)
        else:
            self.message_user(
                request,
                _(
                    "%(scheme)s is now the default: new submissions are scored under it. "
                    "Earlier results keep their scheme until you re-score them."
                )
                % {"scheme": scheme},
                messages.SUCCESS,
            )

    # --- confirmation: what an action will do, before it does it --------------------------------

    CONSEQUENCES = {
        "publish": (
            _("Publish"),
            [
                _(
                    "Publishing freezes the version: its weights, bounds and grade bands can "
                    "never be changed again (a change needs a new draft: clone it)."
                ),
                _(
                    "It does not change how anything is scored yet: new submissions use the "
                    "default scheme, so make this version the default when it should score "
                    "them."
                ),
            ],
        ),
        "make_default": (
            _("Make the default"),
            [
                _("Every submission from now on is scored under this version."),
                _(
                    "Results already scored keep the version that scored them; to move history "
                    "under this version, re-score it afterwards (the re-score action)."
                ),
                _(
                    "The dashboards show each period under the default where a result under it "
                    "exists, so until the re-score they mix versions, marked on the trend."
                ),
            ],
        ),
        "clone": (
            _("Clone as a new draft"),
            [
                _(
                    "A new draft version is made with the same weights, bounds and grade bands; "
                    "nothing else changes."
                ),
                _("Edit the draft, preview it against the cohort, then publish it."),
            ],
        ),
    }

    def _confirm(self, request, queryset, action: str) -> TemplateResponse:
        """The intermediate page of a list action (as Django's own "delete selected")."""
        title, consequences = self.CONSEQUENCES[action]
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "schemes": list(queryset),
            "consequences": consequences,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "button": title,
        }
        return TemplateResponse(request, "admin/evaluations/weightscheme/confirm.html", context)

    def _one_scheme_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        """A button on a scheme's own page: GET asks (saying what follows), POST does it."""
        scheme = self.get_object(request, unquote(object_id))
        if scheme is None:
            raise Http404
        if not request.user.has_perm("evaluations.change_weightscheme"):
            raise PermissionDenied
        change_url = reverse("admin:evaluations_weightscheme_change", args=[scheme.pk])
        if request.method == "POST":
            if action == "clone":
                try:
                    draft = services.scheme_clone(scheme=scheme)
                except ValidationError as error:
                    self._report(request, scheme, error)
                    return redirect(change_url)
                self.message_user(
                    request,
                    _("Created the draft %(draft)s: edit it, preview it, then publish it.")
                    % {"draft": draft},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:evaluations_weightscheme_change", args=[draft.pk]))
            if action == "publish":
                self._publish(request, scheme)
            else:
                self._make_default(request, scheme)
            return redirect(change_url)
        title, consequences = self.CONSEQUENCES[action]
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "original": scheme,
            "schemes": [scheme],
            "consequences": consequences,
            "button": title,
            "cancel_url": change_url,
        }
        return TemplateResponse(request, "admin/evaluations/weightscheme/confirm.html", context)

    def clone_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._one_scheme_view(request, object_id, "clone")

    def publish_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._one_scheme_view(request, object_id, "publish")

    def make_default_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._one_scheme_view(request, object_id, "make_default")

    @admin.action(
        description=_("Re-score every enterprise's latest run under this scheme"),
        permissions=["change"],
    )
    def rescore_latest_runs(self, request, queryset) -> None:
        """Starts a re-scoring job for the one selected published scheme (the workers do it)."""
        if queryset.count() != 1:
            self.message_user(
                request, _("Select exactly one scheme to re-score with."), messages.ERROR
            )
            return
        scheme = queryset.get()
        try:
            job = rescore_create(scheme=scheme, user=request.user)
        except ValidationError as error:
            self._report(request, scheme, error)
            return
        url = reverse("admin:evaluations_rescorejob_change", args=[job.pk])
        self.message_user(
            request,
            format_html(
                _('Re-scoring under {} started: <a href="{}">job {}</a>.'), scheme, url, job.pk
            ),
            messages.SUCCESS,
        )

    # --- preview ------------------------------------------------------------------------------

    def get_urls(self):
        preview = path(
            "<path:object_id>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_preview",
        )
        derive = path(
            "<path:object_id>/ahp/",
            self.admin_site.admin_view(self.ahp_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_ahp",
        )
        steps = [
            path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_{name}",
            )
            for name, view in (
                ("clone", self.clone_view),
                ("publish", self.publish_view),
                ("make-default", self.make_default_view),
            )
        ]
        return [preview, derive, *steps, *super().get_urls()]

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Staff with view permission: sample values scored under this scheme and the default."""
        scheme = self.get_object(request, unquote(object_id))
        if scheme is None:
            raise Http404
        if not self.has_view_or_change_permission(request, scheme):
            raise PermissionDenied
        indicators = list(Indicator.objects.select_related("dimension"))
        submitted = any(indicator.code in request.GET for indicator in indicators)
        form = SampleValuesForm(request.GET if submitted else None, indicators=indicators)
        default = services.default_scheme()
        columns = [_Column(_("This scheme"), scheme), _Column(_("Current default"), default)]
        if form.is_bound and form.is_valid():
            _score_columns(form, columns)
        context = {
            **_impact_context(columns),
            **self.admin_site.each_context(request),
            "title": _("Preview scores: %(scheme)s") % {"scheme": scheme},
            "opts": self.opts,
            "original": scheme,
            "form": form,
            "columns": columns,
            "scored": any(column.result for column in columns),
            "dimension_rows": _rows(Dimension.objects.all(), columns, "dimensions"),
            "indicator_rows": _rows(indicators, columns, "indicators"),
        }
        return TemplateResponse(request, "admin/evaluations/weightscheme/preview.html", context)

    def ahp_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Staff who may change this scheme, and only while it is a draft (a published or
        retired version: 403, as for every change to it): weights from AHP comparisons.

        Posting calculates each level's weights and consistency; "apply" also writes the
        draft's weights through ``services.scheme_apply_ahp``, which refuses CR > 0.10.
        """
        scheme = self.get_object(request, unquote(object_id))
        if scheme is None:
            raise Http404
        if not self.has_change_permission(request, scheme):
            raise PermissionDenied
        groups = services.ahp_groups(scheme)
        stored = scheme.ahp_comparisons or {}
        data = request.POST if request.method == "POST" else None
        forms = [
            AhpMatrixForm(
                data,
                prefix=group.key,
                criteria=group.criteria,
                labels=group.labels,
                stored=_stored_group(stored, group.key),
            )
            for group in groups
        ]
        levels, weights, unusable = [], [], False
        # Figures for what was posted, or on arrival for the comparisons stored before.
        if data is None:
            judged = scheme.ahp_comparisons is not None
        else:
            judged = all([form.is_valid() for form in forms])  # every form's errors shown
        if groups[0].criteria and judged:
            comparisons = _comparisons(groups, forms)
            levels = services.scheme_ahp_levels(scheme=scheme, comparisons=comparisons)
            try:
                weights = services.ahp_weights(levels)
            except ValidationError:  # each level shows its own problem or refusal
                unusable = True
            if request.method == "POST" and "_apply" in request.POST:
                try:
                    services.scheme_apply_ahp(
                        scheme=scheme, comparisons=comparisons, user=request.user
                    )
                except ValidationError as error:
                    self.message_user(
                        request,
                        _("The weights were not changed: %(reasons)s")
                        % {"reasons": " ".join(error.messages)},
                        messages.ERROR,
                    )
                else:
                    self.message_user(
                        request,
                        _("%(scheme)s: the weights now come from the AHP comparisons.")
                        % {"scheme": scheme},
                        messages.SUCCESS,
                    )
                    return redirect(
                        reverse("admin:evaluations_weightscheme_change", args=[scheme.pk])
                    )
        stale = scheme.ahp_comparisons is not None and not services.ahp_describes_weights(
            scheme.ahp_comparisons, services.scheme_spec(scheme)
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Derive weights by AHP: %(scheme)s") % {"scheme": scheme},
            "opts": self.opts,
            "original": scheme,
            "sections": [
                {"group": group, "form": form, "level": level}
                for group, form, level in zip_longest(groups, forms, levels)
            ],
            "weights": weights,
            "unusable": unusable,
            "stale": stale,
            "places": SchemeIndicator._meta.get_field("weight").decimal_places,
        }
        return TemplateResponse(request, "admin/evaluations/weightscheme/ahp.html", context)


def _stored_group(stored: dict, key: str) -> object:
    """One group's stored comparisons (to start the form from), or None."""
    if key == DIMENSIONS:
        return stored.get(key)
    indicators = stored.get("indicators")
    return indicators.get(key) if isinstance(indicators, dict) else None


def _comparisons(groups, forms) -> dict:
    """The forms' matrices in the shape ``services.scheme_apply_ahp`` takes."""
    top, *inside = [form.comparisons() for form in forms]
    return {
        DIMENSIONS: top,
        "indicators": {group.key: c for group, c in zip(groups[1:], inside, strict=True)},
    }


@dataclass
class _Column:
    """One scheme's side of the preview: its problems if it cannot score, else its result."""

    title: str
    scheme: WeightScheme | None
    problems: list[str] = field(default_factory=list)
    result: ScoreResult | None = None

    def __post_init__(self) -> None:
        # A published version passed these checks when it was frozen; the engine re-checks it.
        if self.scheme is not None and not self.scheme.is_frozen:
            self.problems = services.scheme_problems(self.scheme)

    @property
    def grade_label(self) -> str:
        if self.result is None or self.scheme is None:
            return ""
        for band in self.scheme.grade_band_specs():
            if band.grade == self.result.grade:
                return grade_label(band.label)
        return ""


def _impact_context(columns: list[_Column]) -> dict:
    """The cohort figures of the preview, or why there are none (the template says it)."""
    this, default = columns
    if default.scheme is None:
        return {"impact_unavailable": _("There is no default scheme to compare with.")}
    if this.scheme.pk == default.scheme.pk:
        return {
            "impact_unavailable": _("This scheme is the current default: nothing would change.")
        }
    if this.problems or default.problems:
        return {"impact_unavailable": _("The scheme must be valid before its impact can be shown.")}
    try:
        comparison = selectors.scheme_cohort_impact(
            old=services.scheme_spec(default.scheme), new=services.scheme_spec(this.scheme)
        )
    except ScoringError as error:  # a frozen version the engine refuses: say why, never a 500
        return {"impact_unavailable": str(error)}
    impact = comparison.impact
    transitions = [
        {"grade": grade, "counts": counts}
        for grade, counts in zip(impact.grades, impact.transitions, strict=True)
    ]
    return {"impact": impact, "transitions": transitions, "not_available": comparison.not_available}


def _score_columns(form: SampleValuesForm, columns: list[_Column]) -> None:
    """Score the sample under each usable scheme; bad values become the form's field errors."""
    errors: dict[str, str] = {}
    for column in columns:
        if column.scheme is None or column.problems:
            continue
        spec = services.scheme_spec(column.scheme)
        values = {code: form.cleaned_data.get(code) for code in spec.codes}
        try:
            column.result = score(spec, values)
        except ScoringError as error:
            for key, message in error.errors.items():
                errors.setdefault(key, message)
    for key, message in errors.items():
        form.add_error(key if key in form.fields else None, message)
    if errors:
        for column in columns:
            column.result = None


def _rows(items, columns: list[_Column], part: str) -> list[dict]:
    """Catalogue rows, each with the matching result of every column (None where absent)."""
    rows = []
    for item in items:
        cells = []
        for column in columns:
            results = getattr(column.result, part, ())
            cells.append(next((r for r in results if r.code == item.code), None))
        rows.append({"item": item, "cells": cells})
    return rows


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    """The catalogue of advice (PRODUCT.md section 6): data, edited here. Each item cites its
    basis in the paper and, apart, the practice its action comes from."""

    list_display = ("code", "title", "kind", "indicator", "element", "is_active")
    list_editable = ("is_active",)
    list_filter = ("kind", "principle", "element", "challenge", "case", "profile_condition")
    list_select_related = ("indicator", "dimension")
    search_fields = ("code", "title", "title_zh", "practice")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "code",
                    "kind",
                    ("indicator", "dimension"),
                    "checklist_answer",
                    "profile_condition",
                    "is_active",
                    "order",
                )
            },
        ),
        (
            _("Basis in the paper"),
            {"fields": ("principle", "challenge", "element", "innovation_direction", "case")},
        ),
        (_("English"), {"fields": ("title", "advice", "actions", "basis", "practice")}),
        (
            _("Simplified Chinese"),
            {"fields": ("title_zh", "advice_zh", "actions_zh", "basis_zh", "practice_zh")},
        ),
        (
            _("An effect the practice source states"),
            {
                "classes": ("collapse",),
                "fields": ("effect_to", "effect_note", "effect_note_zh"),
            },
        ),
    )


@admin.register(RescoreJob)
class RescoreJobAdmin(admin.ModelAdmin):
    """Read-only: jobs are started by ``manage.py rescore`` or the scheme action above."""

    list_display = (
        "id",
        "scheme",
        "status",
        "progress",
        "done",
        "skipped",
        "total",
        "chunk_size",
        "created_by",
        "created_at",
        "duration",
    )
    list_filter = ("status",)
    list_select_related = ("scheme", "created_by")
    fields = (
        "scheme",
        "status",
        "progress",
        ("done", "skipped", "total"),
        "chunk_size",
        "error",
        "created_by",
        ("created_at", "started_at", "finished_at"),
        "duration",
    )
    readonly_fields = tuple(
        name for item in fields for name in (item if isinstance(item, tuple) else (item,))
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("progress"))
    def progress(self, job: RescoreJob) -> str:
        percent = job.progress_percent
        return format_html(
            '<progress value="{}" max="100" aria-label="{}">{}</progress> {}',
            f"{percent:.1f}",
            _("progress"),
            f"{percent:.0f} %",
            f"{percent:.0f} %",
        )

    @admin.display(description=_("duration"))
    def duration(self, job: RescoreJob) -> str:
        if job.started_at is None:
            return "—"
        end = job.finished_at or timezone.now()
        return f"{(end - job.started_at).total_seconds():.1f} s"


@admin.register(ReportFile)
class ReportFileAdmin(admin.ModelAdmin):
    """Read-only: files are asked for on the result pages and rendered by the reports queue."""

    list_display = (
        "id",
        "kind",
        "run",
        "language",
        "audience",
        "status",
        "requested_at",
        "expires_at",
    )
    list_filter = ("status", "kind", "language", "audience")
    list_select_related = ("run",)
    fields = (
        "kind",
        "run",
        ("language", "audience"),
        ("grant", "check_code"),
        "status",
        "error",
        "filename",
        "requested_by",
        ("requested_at", "started_at", "finished_at", "expires_at"),
        "stamp",
    )
    readonly_fields = tuple(
        name for item in fields for name in (item if isinstance(item, tuple) else (item,))
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
