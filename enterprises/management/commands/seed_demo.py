"""Loads the demo: a demo member, a demo administrator and three fictional enterprises.

Idempotent: running it again changes nothing that is already there.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from enterprises import services
from enterprises.models import Membership, Role

DEMO_PASSWORD = "cbec-demo-2026"
DEMO_USER = "demo@example.com"
DEMO_ADMIN = "admin@example.com"
DEMO_VIEWER = "viewer@example.com"

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
        demo = self._user(DEMO_USER, "Demo Owner")
        viewer = self._user(DEMO_VIEWER, "Demo Viewer")
        self._user(DEMO_ADMIN, "Demo Administrator", is_staff=True, is_superuser=True)
        for data in ENTERPRISES:
            enterprise = demo.memberships.filter(enterprise__name=data["name"]).first()
            if enterprise is None:
                created = services.enterprise_create(creator=demo, **data)
                Membership.objects.get_or_create(
                    enterprise=created, user=viewer, defaults={"role": Role.VIEWER}
                )
        self.stdout.write(
            self.style.SUCCESS("Demo data ready.")
            + f"\n  member (owner of 3 enterprises): {DEMO_USER} / {DEMO_PASSWORD}"
            + f"\n  viewer:                           {DEMO_VIEWER} / {DEMO_PASSWORD}"
            + f"\n  administrator (Django admin):     {DEMO_ADMIN} / {DEMO_PASSWORD}"
        )

    def _user(self, email: str, name: str, **extra) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name, **extra)
        return user
