"""Nothing in the app can change or remove an audit trail entry: not the model, not a queryset,
not a deletion elsewhere cascading into it, not the admin (even for a superuser)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import ProtectedError
from django.urls import reverse

from audit import trail
from audit.models import AppendOnlyError, LogEntry
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(enterprise, alice, bob, client_for):
    membership = bob.memberships.get()
    client_for(alice).post(
        reverse("enterprises:member-role", args=[enterprise.pk, membership.pk]),
        {"role": "editor"},
    )
    return LogEntry.objects.get_for_object(membership).latest("timestamp")


def _unchanged(entry):
    stored = LogEntry.objects.get(pk=entry.pk)
    return (stored.changes, stored.actor_id, stored.object_repr) == (
        {"role": ["viewer", "editor"]},
        entry.actor_id,
        entry.object_repr,
    )


def test_an_entry_cannot_be_saved_again(entry):
    entry.changes = {"role": ["viewer", "owner"]}
    with pytest.raises(AppendOnlyError):
        entry.save()
    loaded = LogEntry.objects.get(pk=entry.pk)
    with pytest.raises(AppendOnlyError):
        loaded.save()
    assert _unchanged(entry)


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert _unchanged(entry)


@pytest.mark.parametrize(
    "write",
    [
        lambda entries: entries.update(object_repr="forged"),
        lambda entries: entries.delete(),
        lambda entries: entries.filter(pk__gt=0).delete(),
        lambda entries: entries.bulk_update(list(entries), ["object_repr"]),
        lambda entries: LogEntry._base_manager.all().delete(),
        lambda entries: entries.update_or_create(pk=entries.get().pk, defaults={"cid": "x"}),
    ],
)
def test_bulk_writes_are_refused(entry, write):
    with pytest.raises(AppendOnlyError):
        write(LogEntry.objects.filter(pk=entry.pk))
    assert _unchanged(entry)


def test_deleting_the_actor_keeps_who_it_was(entry, alice):
    alice.delete()
    stored = LogEntry.objects.select_related("actor").get(pk=entry.pk)
    assert stored.actor is None and stored.actor_id == entry.actor_id
    assert trail.describe([stored])[0].who == "alice@example.com"  # the e-mail kept on entry


def test_deleting_an_enterprise_keeps_its_trail(entry, enterprise):
    pk = enterprise.pk
    before = LogEntry.objects.filter(enterprise_id=pk).count()
    enterprise.delete()
    trail_left = LogEntry.objects.filter(enterprise_id=pk)
    assert trail_left.count() > before  # and its deletion was recorded too
    assert trail_left.filter(action=LogEntry.Action.DELETE, object_id=pk).exists()
    row = trail.describe([trail_left.get(pk=entry.pk)])[0]
    assert row.enterprise == f"deleted enterprise {pk}"


def test_a_content_type_with_entries_cannot_be_deleted(entry):
    with pytest.raises(ProtectedError):
        ContentType.objects.get_for_model(MembershipFactory._meta.model).delete()


@pytest.fixture
def root(db):
    return UserFactory(email="root@example.com", is_staff=True, is_superuser=True)


def test_the_admin_only_shows_entries_even_to_a_superuser(entry, root, client_for):
    client = client_for(root)
    changelist = reverse("admin:audit_logentry_changelist")
    page = client.get(changelist)
    assert page.status_code == 200 and entry.object_repr.encode() in page.content
    assert page.context["action_form"] is None  # no action at all, so no "delete selected"
    change = reverse("admin:audit_logentry_change", args=[entry.pk])
    assert client.get(change).status_code == 200  # to look at
    assert client.post(change, {"object_repr": "forged"}).status_code == 403
    assert client.get(reverse("admin:audit_logentry_add")).status_code == 403
    delete = reverse("admin:audit_logentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    bulk = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302)
    assert _unchanged(entry)
    admin = page.context["cl"].model_admin
    request = page.wsgi_request
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request, entry)
    assert not admin.has_delete_permission(request, entry)
