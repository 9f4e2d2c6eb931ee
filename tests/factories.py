"""factory_boy factories shared by every test module."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import User
from enterprises.models import (
    Enterprise,
    Grant,
    Membership,
    OperationMode,
    Organisation,
    OrganisationMembership,
    OrgRole,
    Role,
)

PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    email_verified_at = factory.LazyFunction(timezone.now)  # UserFactory(email_verified_at=None)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class EnterpriseFactory(DjangoModelFactory):
    class Meta:
        model = Enterprise
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Enterprise {n} Co., Ltd.")
    size_band = "small"
    province = "zhejiang"
    city = "Hangzhou"

    @factory.post_generation
    def modes(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.operation_modes.set(OperationMode.objects.filter(code__in=extracted or ["b2c"]))


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    enterprise = factory.SubFactory(EnterpriseFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.VIEWER


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Association {n}")
    kind = "association"


class OrganisationMembershipFactory(DjangoModelFactory):
    class Meta:
        model = OrganisationMembership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = OrgRole.VIEWER


class GrantFactory(DjangoModelFactory):
    """A direct grant to a person by default; ``GrantFactory(organisation=org, email="")``."""

    class Meta:
        model = Grant

    enterprise = factory.SubFactory(EnterpriseFactory)
    email = factory.Sequence(lambda n: f"partner{n}@example.com")
    periods = factory.LazyFunction(lambda: ["2026Q3"])
    expires_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=365))


# --- evaluations: weight schemes ------------------------------------------------------------
# Models are named as strings so this appended block needs no import below the top of the file.

TABLE_4_ROWS = {
    # Ye (2025) Table 4 with PRODUCT.md section 3's bounds: weight, worst, best
    "logistics_cost": ("0.25", "30", "5"),
    "npd_cycle": ("0.15", "180", "14"),
    "tech_update_speed": ("0.10", "0", "24"),
    "market_response_time": ("0.20", "90", "7"),
    "environmental_impact_score": ("0.30", "0", "100"),
}


class DimensionFactory(DjangoModelFactory):
    class Meta:
        model = "evaluations.Dimension"

    code = factory.Sequence(lambda n: f"dimension_{n}")
    name = factory.Sequence(lambda n: f"Dimension {n}")
    name_zh = factory.Sequence(lambda n: f"维度{n}")
    order = 10


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = "evaluations.Indicator"

    code = factory.Sequence(lambda n: f"indicator_{n}")
    dimension = factory.SubFactory(DimensionFactory)
    name = factory.Sequence(lambda n: f"Indicator {n}")
    name_zh = factory.Sequence(lambda n: f"指标{n}")
    unit = "days"
    unit_zh = "天"
    direction = "lower"
    order = 10


class WeightSchemeFactory(DjangoModelFactory):
    """A draft with Table 4's rows over the migrated indicators.

    ``rows={"npd_cycle": {"weight": "-0.15"}, "tech_update_speed": None}`` changes or drops a
    row, ``rows=False`` leaves the draft empty; ``published=True`` publishes it (the service).
    """

    class Meta:
        model = "evaluations.WeightScheme"
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"scheme-{n}")
    name = factory.Sequence(lambda n: f"Scheme {n}")
    version = 1
    description = "A weight scheme made by a test."

    @factory.post_generation
    def rows(obj, create, extracted, **kwargs):  # noqa: N805
        if not create or extracted is False:
            return
        from evaluations.models import Indicator

        changes = extracted or {}
        indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
        for code, (weight, worst, best) in TABLE_4_ROWS.items():
            if code in changes and changes[code] is None:
                continue
            fields = {"weight": weight, "worst": worst, "best": best, **changes.get(code, {})}
            obj.rows.create(indicator=indicators[code], **fields)

    @factory.post_generation
    def published(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            from evaluations.services import scheme_publish

            scheme_publish(scheme=obj, user=kwargs.get("by"))
            obj.refresh_from_db()


# --- evaluations: assessments and runs ------------------------------------------------------

COMPLETE_VALUES = {
    # A middling enterprise: overall 57.13 (grade C) under Table 4.
    "logistics_cost": 18.0,
    "npd_cycle": 60.0,
    "tech_update_speed": 8.0,
    "market_response_time": 30.0,
    "environmental_impact_score": 55.0,
}


class AssessmentFactory(DjangoModelFactory):
    """A draft; ``values`` defaults to a complete, valid set."""

    class Meta:
        model = "evaluations.Assessment"

    enterprise = factory.SubFactory(EnterpriseFactory)
    year = 2026
    quarter = factory.Sequence(lambda n: n % 4 + 1)
    values = factory.LazyFunction(lambda: dict(COMPLETE_VALUES))


def submitted_run(assessment, user=None, *, execute: bool = True):
    """Submit ``assessment`` through the service and, by default, execute its run here."""
    from evaluations.models import EvaluationRun
    from evaluations.services.assessments import assessment_submit
    from evaluations.services.runs import run_execute

    run = assessment_submit(assessment=assessment, user=user)
    if execute:
        run_execute(run.pk)
    return EvaluationRun.objects.get(pk=run.pk)


# --- evaluations: the improvement plan ------------------------------------------------------


def planned_action(
    run, owner, *, code="logistics-shipping-system-routing", due_date=None, user=None
):
    """Add catalogue item ``code`` of ``run``'s own advice to the plan, through the service (the
    points and change are the run's what-if, as the result page would give them)."""
    from evaluations import recommend
    from evaluations.services.plans import plan_action_add

    advice = next(a for a in recommend.recommendations_for(run) if a.item.code == code)
    return plan_action_add(
        run=run,
        recommendation=advice.item,
        expected_points=advice.points,
        change=advice.change.as_dict() if advice.change else None,
        owner=owner,
        due_date=due_date or timezone.localdate() + timezone.timedelta(days=30),
        user=user or owner,
    )


# --- programmes -----------------------------------------------------------------------------


def default_scheme():
    from evaluations.services import default_scheme as found

    return found()


class ProgrammeFactory(DjangoModelFactory):
    """A programme of an organisation under the default scheme, asking for 2026Q3."""

    class Meta:
        model = "programmes.Programme"

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Programme {n}")
    scheme = factory.LazyFunction(default_scheme)
    periods = factory.LazyFunction(lambda: ["2026Q3"])
    deadline = factory.LazyFunction(lambda: timezone.localdate() + timezone.timedelta(days=30))
    link_base = "http://testserver"


class InviteeFactory(DjangoModelFactory):
    """An invited enterprise (``enterprise=None`` for one without a profile yet)."""

    class Meta:
        model = "programmes.Invitee"

    programme = factory.SubFactory(ProgrammeFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    name = factory.LazyAttribute(lambda o: o.enterprise.name if o.enterprise else "New Co.")
    email = factory.Sequence(lambda n: f"contact{n}@example.com")
    token_hash = factory.Sequence(lambda n: f"{n:064x}")


def joined_invitee(programme, *, owner=None, include_evidence=False, **kwargs):
    """An invitee whose owner joined through the service (a programme grant)."""
    from programmes.services.programmes import invitee_join

    invitee = InviteeFactory(programme=programme, **kwargs)
    if owner is None:
        owner = MembershipFactory(enterprise=invitee.enterprise, role=Role.OWNER).user
    return invitee_join(invitee=invitee, user=owner, include_evidence=include_evidence)


# --- api --------------------------------------------------------------------------------------


def api_token(user, scope: str = "write", **kwargs) -> str:
    """A personal access token for ``user`` (through the service); returns its secret."""
    from api.services.tokens import token_create

    return token_create(user=user, name=f"test {scope}", scope=scope, **kwargs).raw
