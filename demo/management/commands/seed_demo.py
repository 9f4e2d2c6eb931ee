"""Loads the demo: a demo member, a demo administrator, three fictional enterprises with six
quarters of evaluated assessments, eight fictional peers so every cohort can be shown, and a
fictional industry association whose programme the enterprises joined (its manager's login is
printed with the others).

Idempotent: running it again changes nothing that is already there.
"""

import datetime
import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from demo.accounts import (
    DEMO_ADMIN,
    DEMO_MANAGER,
    DEMO_PASSWORD,
    DEMO_USER,
    DEMO_VIEWER,
    PEER_OWNER,
    DemoAccount,
    accounts_text,
)
from enterprises import services
from enterprises.models import Membership, Organisation, OrganisationMembership, OrgRole, Role
from enterprises.services import one_time_token
from evaluations.models import Assessment
from evaluations.services import default_scheme
from evaluations.services.assessments import assessment_submit
from evaluations.services.runs import run_execute
from programmes.models import Invitee
from programmes.services import programmes as programme_services

ASSOCIATION = "Zhejiang Cross-Border E-Commerce Association (demo)"
PROGRAMME = "2026 H1 sustainability survey (demo)"

ENTERPRISES = [
    {
        "name": "Hangzhou Silk Road Trading Co., Ltd. (demo)",
        "credit_code": "91330100MA2DEM0X1F",
        "operation_modes": ["b2b", "b2c"],
        "platforms": ["alibaba", "aliexpress", "amazon"],
        "target_markets": ["US", "DE", "GB", "FR"],
        "size_band": "medium",
        "founded_year": 2012,
        "province": "zhejiang",
        "city": "Hangzhou",
        "innovation_directions": ["supply_chain", "brand"],
    },
    {
        "name": "Shenzhen Bright Gadgets Ltd. (demo)",
        "credit_code": None,
        "operation_modes": ["b2c", "live"],
        "platforms": ["amazon", "tiktok_shop", "own_site"],
        "target_markets": ["US", "JP", "KR", "SG", "MY", "TH"],
        "size_band": "small",
        "founded_year": 2018,
        "province": "guangdong",
        "city": "Shenzhen",
        "innovation_directions": ["personalized", "multichannel"],
    },
    {
        "name": "Yiwu Smallgoods Export Co. (demo)",
        "credit_code": None,
        "operation_modes": ["b2b", "social"],
        "platforms": ["alibaba", "temu"],
        "target_markets": ["BR", "MX", "SA", "AE"],
        "size_band": "micro",
        "founded_year": 2020,
        "province": "zhejiang",
        "city": "Yiwu",
        "innovation_directions": ["compliance"],
    },
]


PEERS = [  # fictional peers, so the demo's cohorts are large enough for the box plots
    ("Ningbo Harbour Home Goods (demo peer)", ["b2b", "b2c"], "zhejiang"),
    ("Guangzhou Lotus Apparel (demo peer)", ["b2c", "live"], "guangdong"),
    ("Xiamen Tea Route Co. (demo peer)", ["b2b"], "fujian"),
    ("Suzhou Fine Silk Online (demo peer)", ["b2c"], "jiangsu"),
    ("Dongguan Maker Tools (demo peer)", ["b2b", "b2c"], "guangdong"),
    ("Qingdao Ocean Foods Export (demo peer)", ["b2b", "b2c"], "shandong"),
    ("Chengdu Panda Crafts (demo peer)", ["b2c", "social"], "sichuan"),
    ("Wuhan Riverside Electronics (demo peer)", ["b2b", "b2c"], "hubei"),
]
# Six quarters of history per demo enterprise, improving over time.
PERIODS = [(2025, 1), (2025, 2), (2025, 3), (2025, 4), (2026, 1), (2026, 2)]


def demo_values(rng: random.Random, progress: float) -> dict[str, float]:
    """Plausible figures; ``progress`` from 0 to 1 moves them toward good practice."""
    return {
        "logistics_cost": round(rng.uniform(14, 24) - 5 * progress, 1),
        "npd_cycle": round(rng.uniform(60, 120) - 30 * progress),
        "tech_update_speed": round(rng.uniform(3, 8) + 6 * progress),
        "market_response_time": round(rng.uniform(20, 45) - 10 * progress),
        "environmental_impact_score": round(rng.uniform(30, 55) + 15 * progress, 1),
    }


def seed_history(enterprise, user, periods, rng: random.Random) -> None:
    """Submitted assessments with their runs computed now, so the demo needs no waiting."""
    for index, (year, quarter) in enumerate(periods):
        if Assessment.objects.filter(enterprise=enterprise, year=year, quarter=quarter).exists():
            continue
        assessment = Assessment.objects.create(
            enterprise=enterprise,
            year=year,
            quarter=quarter,
            values=demo_values(rng, index / max(1, len(periods) - 1)),
            created_by=user,
            updated_by=user,
        )
        run = assessment_submit(assessment=assessment, user=user)
        run_execute(run.pk, prerender=False)  # history: nobody is waiting for its PDF


class Command(BaseCommand):
    help = "Loads demo accounts and fictional enterprises (for development and demonstrations)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DJANGO_DEBUG off (never in production).",
        )

    @transaction.atomic
    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo loads a known password; run it with DJANGO_DEBUG=true.")
        demo = self._user(DEMO_USER)
        viewer = self._user(DEMO_VIEWER)
        self._user(DEMO_ADMIN)
        for data in ENTERPRISES:
            enterprise = demo.memberships.filter(enterprise__name=data["name"]).first()
            if enterprise is None:
                created = services.enterprise_create(creator=demo, **data)
                Membership.objects.get_or_create(
                    enterprise=created, user=viewer, defaults={"role": Role.VIEWER}
                )
        rng = random.Random(2025)
        for membership in demo.memberships.select_related("enterprise").order_by("id"):
            seed_history(membership.enterprise, demo, PERIODS, rng)
        peer_owner = self._user(PEER_OWNER)
        for name, modes, province in PEERS:
            peer = peer_owner.memberships.filter(enterprise__name=name).first()
            peer = (
                peer.enterprise
                if peer
                else services.enterprise_create(
                    creator=peer_owner, name=name, operation_modes=modes, province=province
                )
            )
            seed_history(peer, peer_owner, PERIODS[-2:], rng)
        self._association()
        self.stdout.write(self.style.SUCCESS("Demo data ready.") + "\n" + accounts_text())

    def _association(self) -> None:
        """A fictional association whose programme asks the demo enterprises and the peers for
        the first two quarters of 2026; every owner joined it, so its dashboard has a cohort."""
        manager = self._user(DEMO_MANAGER)
        association, _created = Organisation.objects.get_or_create(
            name=ASSOCIATION, defaults={"kind": "association"}
        )
        OrganisationMembership.objects.get_or_create(
            organisation=association, user=manager, defaults={"role": OrgRole.MANAGER}
        )
        programme = association.programmes.filter(name=PROGRAMME).first()
        if programme is None:
            programme = programme_services.programme_create(
                organisation=association,
                user=manager,
                name=PROGRAMME,
                scheme=default_scheme(),
                periods=["2026Q1", "2026Q2"],
                deadline=datetime.date(2026, 7, 31),
                link_base="http://127.0.0.1:8000",
            )
        invited = set(programme.invitees.values_list("enterprise_id", flat=True))
        owners = Membership.objects.filter(
            role=Role.OWNER, user__email__in=[DEMO_USER.email, PEER_OWNER.email]
        ).select_related("enterprise", "user")
        for membership in owners.order_by("id"):
            enterprise = membership.enterprise
            if enterprise.pk in invited:
                continue
            invitee = Invitee.objects.create(  # no invitation e-mail for the demo
                programme=programme,
                enterprise=enterprise,
                name=enterprise.name,
                credit_code=enterprise.credit_code or "",
                email=membership.user.email,
                token_hash=one_time_token()[1],
                invited_by=manager,
            )
            programme_services.invitee_join(
                invitee=invitee, user=membership.user, include_evidence=False
            )

    def _user(self, account: DemoAccount) -> User:
        """One of ``demo.accounts.DEMO_ACCOUNTS``: the only accounts the demo creates."""
        user = User.objects.filter(email=account.email).first()
        if user is None:
            user = User.objects.create_user(
                account.email,
                DEMO_PASSWORD,
                full_name=account.full_name,
                email_verified_at=timezone.now(),
                is_staff=account.staff,
                is_superuser=account.staff,
            )
        return user
