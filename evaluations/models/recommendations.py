"""The catalogue of advice (PRODUCT.md sections 2 and 6).

Each item is data, editable in admin and loaded from ``evaluations/data/recommendations.json``:
what it changes (``kind``: an indicator's value, one checklist answer, how to measure, or advice
without points), which indicator or dimension it serves, and two sources: its *basis in the
paper* (only what Ye (2025) says: the section 3.1 principle, the Table 2 challenge, the Table 3
element, the Table 5 case) and its *practice* (the named external source of the concrete action).
Ranking and the what-if live in ``evaluations.recommend``; nothing here decides which item
applies.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.validators import validate_single_line, validate_text

from .schemes import Localized


class Principle(models.TextChoices):
    """Section 3.1: the construction principles."""

    STRATEGIC_POSITIONING = "strategic_positioning", _("Strategic positioning")
    TECHNOLOGICAL_INNOVATION = (
        "technological_innovation",
        _("Technological innovation and application"),
    )
    MARKET_ADAPTABILITY = "market_adaptability", _("Market adaptability and flexibility")
    CULTURAL_INTEGRATION = "cultural_integration", _("Cultural integration")
    RISK_CONTROL = "risk_control", _("Risk control")


class Challenge(models.TextChoices):
    """Section 2.3, Table 2: the principal challenges."""

    PAYMENT_LOGISTICS = "payment_logistics", _("Payment & logistics")
    LEGAL_REGULATORY = "legal_regulatory", _("Legal & regulatory")
    BRAND_DEVELOPMENT = "brand_development", _("Brand development")
    DATA_SECURITY = "data_security", _("Data security")


CHALLENGE_IMPACT = {  # Table 2, impact level 1–10
    Challenge.PAYMENT_LOGISTICS: 8,
    Challenge.LEGAL_REGULATORY: 7,
    Challenge.BRAND_DEVELOPMENT: 6,
    Challenge.DATA_SECURITY: 9,
}


class Element(models.TextChoices):
    """Section 3.2, Table 3: the elements of a sustainable mechanism."""

    POLICY_SUPPORT = "policy_support", _("Policy support and regulatory improvement")
    TECHNOLOGY = "technology", _("Technology innovation and application")
    MARKET_BRAND = "market_brand", _("Market positioning and brand development")
    LOGISTICS = "logistics", _("Logistics and distribution infrastructure")
    COLLABORATION = "collaboration", _("International collaboration and communication")


ELEMENT_IMPORTANCE = {  # Table 3, importance out of 10
    Element.POLICY_SUPPORT: 10,
    Element.TECHNOLOGY: 9,
    Element.MARKET_BRAND: 8,
    Element.LOGISTICS: 7,
    Element.COLLABORATION: 6,
}


class Case(models.TextChoices):
    """Section 3.4, Table 5: the reference cases."""

    ALIBABA_PERSONALIZATION = (
        "alibaba_personalization",
        _("Alibaba: big-data-driven personalized recommendations"),
    )
    ALIBABA_PAYMENT = "alibaba_payment", _("Alibaba: diversified payment systems")
    JD_LOGISTICS = "jd_logistics", _("JD Worldwide: logistics network optimization")
    JD_GREEN_PACKAGING = (
        "jd_green_packaging",
        _("JD Worldwide: green packaging and environmental protection"),
    )


class ProfileCondition(models.TextChoices):
    """When an item applies because of who the enterprise is, not only because of a gap."""

    ANY = "", _("any enterprise")
    MANY_MARKETS_NO_COMPLIANCE = (
        "many_markets_no_compliance",
        _("three or more target markets without a compliance-development direction"),
    )
    SOCIAL_OR_LIVE = "social_or_live", _("runs social or live-streaming commerce")


class Kind(models.TextChoices):
    """What an item changes, and so whether it can claim points (PRODUCT.md section 6)."""

    VALUE = "value", _("a way to improve an indicator's value (one what-if per indicator)")
    CHECKLIST = "checklist", _("one answer of the environmental checklist (its own what-if)")
    MEASURE = "measure", _("how to start measuring an indicator marked not available")
    ADVICE = "advice", _("advice that moves no scored input (no points)")


class ChecklistAnswer(models.TextChoices):
    GREEN_PACKAGING = "green_packaging_pct", _("Shipments in green packaging (%)")
    LOW_CARBON_SHIPPING = "low_carbon_shipping_pct", _("Shipments by lower-carbon modes (%)")
    EMISSIONS_REPORTED = "emissions_reported", _("Emissions measured and reported")
    REDUCTION_TARGET = "reduction_target", _("Emission-reduction target set")
    RENEWABLE_ELECTRICITY = "renewable_electricity_pct", _("Renewable share of own electricity (%)")
    RETURNS_PROGRAMME = "returns_programme", _("Returns-reduction or reuse programme")


class Recommendation(Localized):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.VALUE)
    indicator = models.ForeignKey(
        "evaluations.Indicator",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("indicator"),
    )
    dimension = models.ForeignKey(
        "evaluations.Dimension",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("dimension"),
        help_text=_("For advice that serves a whole dimension rather than one indicator."),
    )
    principle = models.CharField(_("principle (section 3.1)"), max_length=32, choices=Principle)
    challenge = models.CharField(
        _("challenge (Table 2)"), max_length=32, choices=Challenge, blank=True
    )
    element = models.CharField(_("element (Table 3)"), max_length=32, choices=Element, blank=True)
    innovation_direction = models.CharField(
        _("innovation direction (Table 1)"), max_length=20, blank=True
    )
    case = models.CharField(_("case (Table 5)"), max_length=32, choices=Case, blank=True)
    profile_condition = models.CharField(
        _("applies to"), max_length=32, choices=ProfileCondition, blank=True, default=""
    )
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    title_zh = models.CharField(
        _("title (Chinese)"), max_length=200, blank=True, validators=[validate_single_line]
    )
    advice = models.TextField(_("advice"), validators=[validate_text])
    advice_zh = models.TextField(_("advice (Chinese)"), blank=True, validators=[validate_text])
    actions = models.TextField(
        _("actions"), help_text=_("One concrete action per line."), validators=[validate_text]
    )
    actions_zh = models.TextField(_("actions (Chinese)"), blank=True, validators=[validate_text])
    checklist_answer = models.CharField(
        _("checklist answer it changes"),
        max_length=32,
        choices=ChecklistAnswer,
        blank=True,
        help_text=_("For a checklist item: the answer that becomes yes, or 100 %."),
    )
    effect_to = models.FloatField(
        _("value the action reaches"),
        null=True,
        blank=True,
        help_text=_(
            "Only when the practice source states the effect: then the item has a what-if of "
            "its own instead of the indicator's shared one."
        ),
    )
    effect_note = models.TextField(
        _("where the effect is stated"), blank=True, validators=[validate_text]
    )
    effect_note_zh = models.TextField(
        _("where the effect is stated (Chinese)"), blank=True, validators=[validate_text]
    )
    basis = models.TextField(
        _("basis in the paper"),
        help_text=_(
            "Only what Ye (2025) says, by section and table: a principle, a challenge, an "
            "element, a case. Never an action the paper does not name."
        ),
        validators=[validate_text],
    )
    basis_zh = models.TextField(
        _("basis in the paper (Chinese)"), blank=True, validators=[validate_text]
    )
    practice = models.TextField(
        _("practice"),
        help_text=_(
            "The named external source of the concrete action, with a reference a reader can "
            "find (issuer, title, year, a URL or a standard number)."
        ),
        validators=[validate_text],
    )
    practice_zh = models.TextField(_("practice (Chinese)"), blank=True, validators=[validate_text])
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(indicator__isnull=False) | models.Q(dimension__isnull=False),
                name="recommendation_serves_something",
                violation_error_message=_("A recommendation serves an indicator or a dimension."),
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="checklist") | ~models.Q(checklist_answer=""),
                name="recommendation_checklist_names_its_answer",
                violation_error_message=_("A checklist item names the answer it changes."),
            ),
        ]

    def __str__(self) -> str:
        return self.localized("title")

    @property
    def element_importance(self) -> int | None:
        return ELEMENT_IMPORTANCE.get(self.element) if self.element else None

    def action_lines(self) -> list[str]:
        return [line.strip() for line in self.localized("actions").splitlines() if line.strip()]
