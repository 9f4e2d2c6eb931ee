"""The catalogue of advice drawn from the paper (PRODUCT.md sections 2 and 6).

Each item is data, editable in admin and loaded from a fixture: which indicator (or dimension)
it serves, which section 3.1 principle it applies, and where relevant the Table 2 challenge, the
Table 3 element, the Table 1 innovation direction and the Table 5 case it draws on. Ranking and
the what-if live in ``evaluations.recommend``; nothing here decides which item applies.
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


class Recommendation(Localized):
    code = models.SlugField(_("code"), max_length=64, unique=True)
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
    source = models.CharField(
        _("source in the paper"),
        max_length=200,
        help_text=_('Where it comes from, e.g. "Ye (2025), section 3.4, Table 5".'),
        validators=[validate_single_line],
    )
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
        ]

    def __str__(self) -> str:
        return self.localized("title")

    @property
    def element_importance(self) -> int | None:
        return ELEMENT_IMPORTANCE.get(self.element) if self.element else None

    def action_lines(self) -> list[str]:
        return [line.strip() for line in self.localized("actions").splitlines() if line.strip()]
