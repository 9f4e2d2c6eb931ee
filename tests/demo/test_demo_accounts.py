"""``make run`` lists every demo account it creates (issue 15: peers@example.com was missing):
``seed_demo`` prints exactly the accounts it made, and the runner prints the same list again
beside the address to open."""

import importlib.util
import io
import re
import sys

import pytest
from django.core.management import call_command

from accounts.models import User
from demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.scripts.test_run import ROOT

PRINTED = re.compile(rf"(\S+@\S+) / {re.escape(DEMO_PASSWORD)}$", re.M)


@pytest.mark.django_db
def test_seed_demo_prints_exactly_the_accounts_it_creates():
    assert not User.objects.exists()
    out = io.StringIO()
    call_command("seed_demo", "--force", stdout=out)
    printed = PRINTED.findall(out.getvalue())
    created = sorted(User.objects.values_list("email", flat=True))
    assert sorted(printed) == created == sorted(a.email for a in DEMO_ACCOUNTS)
    assert "peers@example.com" in printed
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(email=account.email)
        assert user.check_password(DEMO_PASSWORD) and user.is_staff == account.staff


def test_the_runner_lists_the_same_accounts_beside_the_address(monkeypatch):
    spec = importlib.util.spec_from_file_location("make_run", ROOT / "scripts" / "run.py")
    runner = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_run", runner)  # its dataclasses look it up
    spec.loader.exec_module(runner)
    banner = runner.banner()
    assert banner.startswith("open http://127.0.0.1:")
    assert sorted(PRINTED.findall(banner)) == sorted(a.email for a in DEMO_ACCOUNTS)
