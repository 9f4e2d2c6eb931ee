"""``python manage.py demo_api_token``: the demo owner's read-and-write API token, made once
(development data only: refused without DJANGO_DEBUG), printed for README's curl example."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from api.services.tokens import demo_token
from demo.accounts import DEMO_API_TOKEN, DEMO_USER


class Command(BaseCommand):
    help = "Make (once) and print the demo owner's read-and-write API token (development only)."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_api_token makes a known token; run it with DJANGO_DEBUG=true.")
        user = User.objects.filter(email=DEMO_USER.email).first()
        if user is None:
            raise CommandError("No demo owner: run manage.py seed_demo first.")
        demo_token(user=user, raw=DEMO_API_TOKEN)
        self.stdout.write(f"API token of {DEMO_USER.email} (read and write): {DEMO_API_TOKEN}")
