"""The demo's accounts, in one place: ``seed_demo`` creates exactly these and prints them, and
``scripts/run.py`` (``make run``) prints them again beside the address to open, where they do
not scroll away under the workers' logs (issue 15: peers@example.com was missing).

Plain Python with no Django import, so the runner can read it before any process starts.
"""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "cbec-demo-2026"


@dataclass(frozen=True, slots=True)
class DemoAccount:
    email: str
    full_name: str
    what: str  # what the account shows, as printed
    staff: bool = False


DEMO_USER = DemoAccount(
    "demo@example.com", "Demo Owner", "owner of the 3 demo enterprises (dashboards, results)"
)
DEMO_VIEWER = DemoAccount("viewer@example.com", "Demo Viewer", "read-only member of the same 3")
DEMO_ADMIN = DemoAccount(
    "admin@example.com", "Demo Administrator", "administrator (Django admin at /admin/)", True
)
PEER_OWNER = DemoAccount(
    "peers@example.com", "Demo Peers", "owner of the 8 peer enterprises (the cohorts)"
)
DEMO_MANAGER = DemoAccount(
    "association@example.com",
    "Demo Association Manager",
    "manager of the demo association (programmes, cohort dashboard)",
)
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DEMO_USER,
    DEMO_VIEWER,
    DEMO_ADMIN,
    PEER_OWNER,
    DEMO_MANAGER,
)


# The demo owner's read-and-write API token (development data only, like the password): made
# by ``manage.py demo_api_token`` (``make run``), so README's curl example works as written.
DEMO_API_TOKEN = "cbec_demo-owner-development-only"


def accounts_text() -> str:
    """The lines that list every demo account, with its password."""
    width = max(len(account.what) for account in DEMO_ACCOUNTS) + 1
    return "\n".join(
        f"  {account.what + ':':<{width}} {account.email} / {DEMO_PASSWORD}"
        for account in DEMO_ACCOUNTS
    )
