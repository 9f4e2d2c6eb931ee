"""Fixtures for the evaluations tests: an administrator who may use the whole Django admin, and
the management commands run as a shell runs them."""

import io
import sys

import pytest
from django.core.management import execute_from_command_line
from django.db import connections

from tests.factories import UserFactory


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client_for, superuser):
    return client_for(superuser)


@pytest.fixture
def manage(capsys, monkeypatch):
    """``manage(command, *args, stdin=None) -> (exit status, stdout, stderr)`` via manage.py."""
    # run_from_argv closes every connection when it ends: that would end the test's transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run(command, *args, stdin=None):
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            execute_from_command_line(["manage.py", command, *args])
            status = 0
        except SystemExit as exit:
            status = exit.code
        out, err = capsys.readouterr()
        return status, out, err

    return run
