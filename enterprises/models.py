"""Enterprise profiles, who belongs to them, and invitations to join.

The reference lists (operation modes, innovation directions) come from the paper, sections 2.1
and 2.2 (Table 1); their labels are translatable choices, their rows exist so that cohorts can be
queried by mode.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.validators import validate_single_line
from enterprises.validators import normalize_credit_code, validate_credit_code


class Mode(models.TextChoices):
    B2B = "b2b", _("B2B (business to business)")
    B2C = "b2c", _("B2C (business to consumer)")
    C2C = "c2c", _("C2C (consumer to consumer)")
    SOCIAL = "social", _("Social commerce")
    LIVE = "live", _("Live-streaming commerce")


class Direction(models.TextChoices):
    PERSONALIZED = "personalized", _("Technology-driven personalized services")
    MULTICHANNEL = "multichannel", _("Multi-channel integrated marketing")
    SUPPLY_CHAIN = "supply_chain", _("International supply chain management")
    COMPLIANCE = "compliance", _("Policy support and compliance development")
    BRAND = "brand", _("Cultural export and brand internationalization")


class Platform(models.TextChoices):
    # Translated: Chinese readers know them as 阿里巴巴国际站, 速卖通, 亚马逊 (the glossary).
    ALIBABA = "alibaba", _("Alibaba.com")
    ALIEXPRESS = "aliexpress", _("AliExpress")
    AMAZON = "amazon", _("Amazon")
    JD = "jd_worldwide", _("JD Worldwide")
    TMALL = "tmall_global", _("Taobao / Tmall Global")
    EBAY = "ebay", "eBay"
    TEMU = "temu", "Temu"
    SHEIN = "shein", "SHEIN"
    TIKTOK = "tiktok_shop", "TikTok Shop"
    OWN_SITE = "own_site", _("Own website")
    OTHER = "other", _("Other")


class SizeBand(models.TextChoices):
    MICRO = "micro", _("Micro (under 10 employees)")
    SMALL = "small", _("Small (10–99 employees)")
    MEDIUM = "medium", _("Medium (100–999 employees)")
    LARGE = "large", _("Large (1,000 employees or more)")


class Province(models.TextChoices):
    BEIJING = "beijing", _("Beijing")
    TIANJIN = "tianjin", _("Tianjin")
    HEBEI = "hebei", _("Hebei")
    SHANXI = "shanxi", _("Shanxi")
    INNER_MONGOLIA = "inner_mongolia", _("Inner Mongolia")
    LIAONING = "liaoning", _("Liaoning")
    JILIN = "jilin", _("Jilin")
    HEILONGJIANG = "heilongjiang", _("Heilongjiang")
    SHANGHAI = "shanghai", _("Shanghai")
    JIANGSU = "jiangsu", _("Jiangsu")
    ZHEJIANG = "zhejiang", _("Zhejiang")
    ANHUI = "anhui", _("Anhui")
    FUJIAN = "fujian", _("Fujian")
    JIANGXI = "jiangxi", _("Jiangxi")
    SHANDONG = "shandong", _("Shandong")
    HENAN = "henan", _("Henan")
    HUBEI = "hubei", _("Hubei")
    HUNAN = "hunan", _("Hunan")
    GUANGDONG = "guangdong", _("Guangdong")
    GUANGXI = "guangxi", _("Guangxi")
    HAINAN = "hainan", _("Hainan")
    CHONGQING = "chongqing", _("Chongqing")
    SICHUAN = "sichuan", _("Sichuan")
    GUIZHOU = "guizhou", _("Guizhou")
    YUNNAN = "yunnan", _("Yunnan")
    TIBET = "tibet", _("Tibet")
    SHAANXI = "shaanxi", _("Shaanxi")
    GANSU = "gansu", _("Gansu")
    QINGHAI = "qinghai", _("Qinghai")
    NINGXIA = "ningxia", _("Ningxia")
    XINJIANG = "xinjiang", _("Xinjiang")
    HONG_KONG = "hong_kong", _("Hong Kong")
    MACAO = "macao", _("Macao")
    TAIWAN = "taiwan", _("Taiwan")


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    EDITOR = "editor", _("Editor")
    VIEWER = "viewer", _("Viewer")


class OperationMode(models.Model):
    code = models.CharField(_("code"), max_length=20, choices=Mode.choices, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("operation mode")
        verbose_name_plural = _("operation modes")

    def __str__(self) -> str:
        return str(self.get_code_display())


class InnovationDirection(models.Model):
    code = models.CharField(_("code"), max_length=20, choices=Direction.choices, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("innovation direction")
        verbose_name_plural = _("innovation directions")

    def __str__(self) -> str:
        return str(self.get_code_display())


def _current_year() -> int:
    return timezone.now().year


class Enterprise(models.Model):
    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_credit_code],
        help_text=_("统一社会信用代码: 18 characters, optional."),
    )
    operation_modes = models.ManyToManyField(
        OperationMode, verbose_name=_("operation modes"), related_name="enterprises"
    )
    platforms = models.JSONField(_("main platforms"), default=list, blank=True)
    platforms_other = models.CharField(
        _("other platforms"), max_length=200, blank=True, validators=[validate_single_line]
    )
    target_markets = CountryField(_("target markets"), multiple=True, blank=True)
    size_band = models.CharField(_("size"), max_length=10, choices=SizeBand.choices, blank=True)
    founded_year = models.PositiveSmallIntegerField(
        _("founding year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2100)],
    )
    province = models.CharField(_("province"), max_length=20, choices=Province.choices, blank=True)
    city = models.CharField(
        _("city"), max_length=100, blank=True, validators=[validate_single_line]
    )
    innovation_directions = models.ManyToManyField(
        InnovationDirection,
        verbose_name=_("innovation directions pursued"),
        related_name="enterprises",
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        """The audit trail files this entry under the enterprise (``audit.LogEntry``)."""
        return {"enterprise": self.pk, "label": self.name}

    def platform_labels(self) -> list[str]:
        labels = dict(Platform.choices)
        names = [str(labels[code]) for code in self.platforms if code in labels and code != "other"]
        if self.platforms_other:
            names.append(self.platforms_other)
        return names

    def clean(self) -> None:
        self.credit_code = normalize_credit_code(self.credit_code) or None
        if self.founded_year and self.founded_year > _current_year():
            raise ValidationError({"founded_year": _("The founding year cannot be in the future.")})
        unknown = set(self.platforms or []) - set(Platform.values)
        if unknown:
            raise ValidationError({"platforms": _("Unknown platform.")})


class Membership(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        ordering = ["enterprise", "created_at", "id"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "user"], name="membership_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.enterprise} ({self.get_role_display()})"

    def get_additional_data(self) -> dict:
        return {"enterprise": self.enterprise_id, "label": self.user.email}


class Invitation(models.Model):
    """Only a hash of the token is stored: the link in the e-mail is the one copy of the secret."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                "enterprise",
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True),
                name="invitation_one_pending_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.enterprise}"

    def get_additional_data(self) -> dict:
        return {"enterprise": self.enterprise_id, "label": self.email}

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


# --- Organisations and grants (PRODUCT.md section 10) ---------------------------------------


class OrganisationKind(models.TextChoices):
    ASSOCIATION = "association", _("Industry association")
    PILOT_ZONE = "pilot_zone", _("Comprehensive pilot zone")
    BUREAU = "bureau", _("Government department")
    BUYER = "buyer", _("Buyer")
    INVESTOR = "investor", _("Investor")


class OrgRole(models.TextChoices):
    MANAGER = "manager", _("Manager")
    ANALYST = "analyst", _("Analyst")
    VIEWER = "viewer", _("Viewer")


class Organisation(models.Model):
    """An association, pilot zone, bureau, buyer or investor: created by staff after a check."""

    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by (staff)"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"organisation": self.pk}


class OrganisationMembership(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=OrgRole.choices)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        ordering = ["organisation", "created_at", "id"]
        verbose_name = _("organisation member")
        verbose_name_plural = _("organisation members")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="organisation_membership_unique_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.get_role_display()})"

    def get_additional_data(self) -> dict:
        """The audit trail names the member by address, in any reader's language."""
        return {"label": self.user.email}


def period_key(year: int, quarter: int) -> str:
    """How a grant names a period: "2026Q3"."""
    return f"{int(year)}Q{int(quarter)}"


class GrantQuerySet(models.QuerySet):
    def active(self, now=None):
        """Not revoked and not expired."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )

    def reaching(self, user):
        """Grants whose grantee is this person: their confirmed address, or an organisation they
        belong to. An unconfirmed address is granted nothing."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        by_organisation = models.Q(organisation__memberships__user=user)
        if not user.email_verified:
            return self.filter(by_organisation)
        return self.filter(by_organisation | models.Q(email__iexact=user.email)).distinct()


class Grant(models.Model):
    """An enterprise owner's consent to share results (PRODUCT.md section 10): with a person (by
    e-mail address) or an organisation; for chosen periods; until it expires or is revoked.
    Joining a programme makes one for the programme's organisation and periods.

    A grant covers the scores, the recommendations and the shared report variant; evidence only
    when ``include_evidence`` is ticked. Revoking ends online access at once; what the grantee
    already exported stays with them."""

    class Source(models.TextChoices):
        DIRECT = "direct", _("shared directly by the owner")
        PROGRAMME = "programme", _("joining an assessment programme")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="grants")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="grants",
        verbose_name=_("organisation"),
    )
    email = models.EmailField(
        _("person (e-mail address)"),
        blank=True,
        help_text=_("A person: their account must have confirmed this address."),
    )
    source = models.CharField(
        _("made by"), max_length=10, choices=Source.choices, default=Source.DIRECT
    )
    periods = models.JSONField(
        _("periods"), default=list, help_text=_('The periods shared, e.g. ["2026Q2", "2026Q3"].')
    )
    include_evidence = models.BooleanField(_("evidence included"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("granted"), auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_viewed_at = models.DateTimeField(_("last looked"), null=True, blank=True)

    objects = GrantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(organisation__isnull=False, email="")
                    | models.Q(organisation__isnull=True) & ~models.Q(email="")
                ),
                name="grant_has_one_grantee",
                violation_error_message=_("A grant names a person or an organisation."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} → {self.grantee_label}"

    def get_additional_data(self) -> dict:
        return {"enterprise": self.enterprise_id}

    @property
    def grantee_label(self) -> str:
        return self.organisation.name if self.organisation_id else self.email

    def covers(self, year: int, quarter: int) -> bool:
        return period_key(year, quarter) in self.periods

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
