"""Each kind of change that matters writes an audit trail entry: who, what before -> after, and
under which enterprise (PRODUCT.md section 11). Changes made through a page carry the person;
changes made by a worker carry nobody (the trail shows "system")."""

import json

import pytest
from auditlog.context import set_actor
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from audit import trail
from audit.models import LogEntry
from enterprises.models import Invitation, Membership, OperationMode, Role
from enterprises.services import invitation_accept
from evaluations.models import EvaluationRun, Evidence, RescoreJob, WeightScheme
from evaluations.services.rescore import rescore_create, rescore_fail
from evaluations.services.runs import run_execute
from tests.factories import (
    COMPLETE_VALUES,
    AssessmentFactory,
    MembershipFactory,
    UserFactory,
    WeightSchemeFactory,
    submitted_run,
)

pytestmark = pytest.mark.django_db

CREATE, UPDATE, DELETE = LogEntry.Action.CREATE, LogEntry.Action.UPDATE, LogEntry.Action.DELETE
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def entries_for(obj):
    return list(LogEntry.objects.get_for_object(obj).order_by("timestamp", "id"))


def last_entry(obj) -> LogEntry:
    return entries_for(obj)[-1]


def lines(entry: LogEntry) -> list[str]:
    return trail.describe([entry])[0].lines


def _evaluations(name, enterprise, **kwargs):
    return reverse(f"evaluations:{name}", kwargs={"pk": enterprise.pk, **kwargs})


# --- assessments --------------------------------------------------------------------------------


def test_assessment_values_before_and_after(enterprise, erin, client_for):
    assessment = AssessmentFactory(enterprise=enterprise, year=2026, quarter=3)
    form = {code: str(value) for code, value in COMPLETE_VALUES.items()}
    client_for(erin).post(
        _evaluations("assessment", enterprise, assessment_pk=assessment.pk),
        {**form, "logistics_cost": "12", "env_mode": "typed", "save": "1"},
    )
    entry = last_entry(assessment)
    assert (entry.action, entry.actor, entry.enterprise) == (UPDATE, erin, enterprise)
    before, after = (json.loads(value) for value in entry.changes["values"])
    assert (before["logistics_cost"], after["logistics_cost"]) == (18.0, 12.0)
    row = trail.describe([entry])[0]
    assert row.headline == "Assessment 2026 Q3: changed"
    assert row.lines == ["Logistics costs: 18 → 12"]  # the other values did not change


def test_a_submission_and_a_reopening_are_status_changes(
    enterprise, erin, client_for, django_capture_on_commit_callbacks
):
    assessment = AssessmentFactory(enterprise=enterprise)
    client = client_for(erin)
    form = {code: str(value) for code, value in COMPLETE_VALUES.items()}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            _evaluations("assessment", enterprise, assessment_pk=assessment.pk),
            {**form, "env_mode": "typed", "submit": "1"},
        )
    submitted = last_entry(assessment)
    assert (submitted.actor, submitted.enterprise) == (erin, enterprise)
    assert submitted.changes["status"] == ["draft", "submitted"]
    assert submitted.changes["submitted_at"][0] == "None"
    assert "Status: draft → submitted" in lines(submitted)

    client.post(_evaluations("assessment-reopen", enterprise, assessment_pk=assessment.pk))
    reopened = last_entry(assessment)
    assert (reopened.actor, reopened.enterprise) == (erin, enterprise)
    assert reopened.changes == {"status": ["submitted", "draft"]}


def test_a_run_and_its_result(enterprise, erin):
    assessment = AssessmentFactory(enterprise=enterprise)
    with set_actor(erin):  # as the submission's request would
        run = submitted_run(assessment, erin, execute=False)
    run_execute(run.pk)  # on a worker: nobody
    created, running, succeeded = entries_for(run)
    assert (created.action, created.actor, created.enterprise) == (CREATE, erin, enterprise)
    assert created.changes["status"] == ["None", "queued"]
    assert running.changes == {"status": ["queued", "running"]}
    assert (succeeded.actor, succeeded.enterprise) == (None, enterprise)
    assert succeeded.changes["status"] == ["running", "succeeded"]
    assert succeeded.changes["grade"] == ["", "C"]
    assert float(succeeded.changes["overall"][1]) == pytest.approx(57.13, abs=0.01)
    assert trail.describe([succeeded])[0].who == "system"
    assert "Overall score: — → 57.1" in lines(succeeded)  # the display rule, as everywhere


def test_a_run_that_cannot_be_scored_records_why(enterprise, erin):
    run = submitted_run(AssessmentFactory(enterprise=enterprise), erin, execute=False)
    EvaluationRun.objects.filter(pk=run.pk).update(values={"logistics_cost": "many"})
    run_execute(run.pk)
    failed = last_entry(run)
    assert failed.changes["status"] == ["running", "failed"]
    assert "cannot be scored" in failed.changes["error"][1]
    assert failed.enterprise == enterprise


# --- evidence ---------------------------------------------------------------------------------


def test_evidence_added_and_removed(enterprise, erin, client_for):
    assessment = AssessmentFactory(enterprise=enterprise)
    client = client_for(erin)
    upload = SimpleUploadedFile("freight.pdf", PDF, content_type="application/pdf")
    client.post(
        _evaluations("evidence-upload", enterprise, assessment_pk=assessment.pk),
        {"indicator_code": "logistics_cost", "file": upload},
    )
    evidence = Evidence.objects.get(assessment=assessment)
    added = last_entry(evidence)
    assert (added.action, added.actor, added.enterprise) == (CREATE, erin, enterprise)
    assert added.changes["original_name"] == ["None", "freight.pdf"]
    assert "Indicator: Logistics costs" in lines(added)  # the indicator by name, not its code

    client.post(
        _evaluations(
            "evidence-delete", enterprise, assessment_pk=assessment.pk, evidence_pk=evidence.pk
        )
    )
    removed = last_entry(evidence)
    assert (removed.action, removed.actor, removed.enterprise) == (DELETE, erin, enterprise)
    assert "freight.pdf" in trail.describe([removed])[0].headline


# --- members, roles and invitations ------------------------------------------------------------


def test_members_and_roles(enterprise, alice, bob, client_for):
    membership = bob.memberships.get()
    assert entries_for(membership)[0].action == CREATE
    client = client_for(alice)
    client.post(
        reverse("enterprises:member-role", args=[enterprise.pk, membership.pk]),
        {"role": Role.EDITOR},
    )
    changed = last_entry(membership)
    assert (changed.actor, changed.enterprise) == (alice, enterprise)
    assert changed.changes == {"role": ["viewer", "editor"]}
    row = trail.describe([changed])[0]
    assert row.lines == ["Role: Viewer → Editor"]  # labels, not the stored codes
    assert "bob@example.com" in row.headline

    client.post(reverse("enterprises:member-remove", args=[enterprise.pk, membership.pk]))
    removed = last_entry(membership)
    assert (removed.action, removed.actor, removed.enterprise) == (DELETE, alice, enterprise)
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_invitations_sent_withdrawn_and_accepted(
    enterprise, alice, client_for, django_capture_on_commit_callbacks
):
    invite = reverse("enterprises:member-invite", args=[enterprise.pk])
    client_for(alice).post(invite, {"email": "gone@example.com", "role": Role.VIEWER})
    withdrawn = Invitation.objects.get(email="gone@example.com")
    sent = last_entry(withdrawn)
    assert (sent.action, sent.actor, sent.enterprise) == (CREATE, alice, enterprise)
    assert sent.changes["email"] == ["None", "gone@example.com"]
    assert sent.changes["role"] == ["None", "viewer"]
    client_for(alice).post(
        reverse("enterprises:invitation-revoke", args=[enterprise.pk, withdrawn.pk])
    )
    assert (last_entry(withdrawn).action, last_entry(withdrawn).actor) == (DELETE, alice)

    with django_capture_on_commit_callbacks(execute=True):
        client_for(alice).post(invite, {"email": "new@example.com", "role": Role.EDITOR})
    invitation = Invitation.objects.get(email="new@example.com")
    newcomer = UserFactory(email="new@example.com")
    client = client_for(newcomer)
    with set_actor(newcomer):  # the link's token is only in the e-mail: as its request would
        invitation_accept(invitation=invitation, user=newcomer)
    accepted = last_entry(invitation)
    assert (accepted.actor, accepted.enterprise) == (newcomer, enterprise)
    assert accepted.changes["accepted_by"] == ["None", str(newcomer.pk)]
    assert f"Accepted by: — → {newcomer.get_short_name()}" in lines(accepted)
    joined = last_entry(newcomer.memberships.get())
    assert (joined.action, joined.actor, joined.enterprise) == (CREATE, newcomer, enterprise)
    assert client.get(reverse("enterprises:detail", args=[enterprise.pk])).status_code == 200


def test_enterprise_profile_edits(enterprise, alice, client_for):
    data = {
        "name": "Alice Global Trading Co.",
        "operation_modes": list(enterprise.operation_modes.values_list("pk", flat=True)),
        "platforms": ["amazon"],
        "size_band": "medium",
        "province": "zhejiang",
        "city": "Hangzhou",
    }
    response = client_for(alice).post(reverse("enterprises:edit", args=[enterprise.pk]), data)
    assert response.status_code == 302
    edited = last_entry(enterprise)
    assert (edited.actor, edited.enterprise) == (alice, enterprise)
    assert edited.changes["name"] == ["Alice Trading Co.", "Alice Global Trading Co."]
    assert edited.changes["size_band"] == ["small", "medium"]
    shown = lines(edited)
    assert "Name: Alice Trading Co. → Alice Global Trading Co." in shown
    assert "Size: Small (10–99 employees) → Medium (100–999 employees)" in shown
    assert "Main platforms: — → Amazon" in shown


# --- weight schemes, publication, the default, re-scoring ------------------------------------


def _act(client, action, *schemes):
    """The list action, confirmed on its intermediate page (publish and default ask first)."""
    return client.post(
        reverse("admin:evaluations_weightscheme_changelist"),
        {"action": action, "_selected_action": [s.pk for s in schemes], "confirmed": "yes"},
    )


def test_scheme_drafts_publication_and_the_default(client_for):
    root = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    client = client_for(root)
    draft = WeightSchemeFactory(name="Draft")
    created = entries_for(draft)[0]
    assert (created.action, created.actor, created.enterprise) == (CREATE, None, None)
    rows = LogEntry.objects.get_for_model(draft.rows.model).filter(additional_data__scheme=draft.pk)
    assert rows.count() == 5  # the draft's weights, one entry per row

    _act(client, "publish", draft)
    published = last_entry(draft)
    assert (published.actor, published.enterprise) == (root, None)
    assert published.changes["status"] == ["draft", "published"]
    assert published.changes["published_by"] == ["None", str(root.pk)]

    default = WeightScheme.objects.get(is_default=True)
    _act(client, "make_default", draft)
    assert last_entry(draft).changes == {"is_default": ["False", "True"]}
    assert last_entry(default).changes == {"is_default": ["True", "False"]}
    assert last_entry(default).actor == root
    assert "Default: yes → no" in lines(last_entry(default))


def test_a_draft_deleted_with_its_rows(client_for):
    root = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    draft = WeightSchemeFactory()
    rows = list(draft.rows.all())
    delete = reverse("admin:evaluations_weightscheme_delete", args=[draft.pk])
    assert client_for(root).post(delete, {"post": "yes"}).status_code == 302
    assert (last_entry(draft).action, last_entry(draft).actor) == (DELETE, root)
    assert {last_entry(row).action for row in rows} == {DELETE}
    assert {last_entry(row).additional_data["scheme"] for row in rows} == {draft.pk}


def test_a_rescore_job_is_one_entry_when_created_and_one_when_it_ends(
    staff, django_capture_on_commit_callbacks
):
    for _ in range(3):
        submitted_run(AssessmentFactory(enterprise=MembershipFactory().enterprise, quarter=1))
    runs_before = LogEntry.objects.get_for_model(EvaluationRun).count()
    target = WeightSchemeFactory(published=True)
    # as the admin action's request would; the start task runs after it, as on a worker
    with django_capture_on_commit_callbacks(execute=True), set_actor(staff):
        job = rescore_create(scheme=target, user=staff, chunk_size=2)
    job.refresh_from_db()
    assert job.status == RescoreJob.Status.DONE and job.done == 3
    created, ended = entries_for(job)
    assert (created.action, created.actor) == (CREATE, staff)
    assert created.changes["scheme"] == ["None", str(target.pk)]
    assert (ended.action, ended.actor) == (UPDATE, None)  # the worker's
    assert ended.changes == {"status": ["running", "done"]}
    # the three re-scored runs were written in bulk: no entry each
    assert EvaluationRun.objects.filter(origin="rescore").count() == 3
    assert LogEntry.objects.get_for_model(EvaluationRun).count() == runs_before


def test_a_failed_rescore_job_records_why(staff):
    job = rescore_create(scheme=WeightSchemeFactory(published=True), user=staff)
    rescore_fail(job_id=job.pk, reason="the worker ran out of memory")
    ended = last_entry(job)
    assert ended.changes["status"] == ["queued", "failed"]
    assert ended.changes["error"] == ["", "the worker ran out of memory"]
    assert len(entries_for(job)) == 2


def test_what_was_written_in_english_reads_in_chinese(enterprise, alice, client_for):
    """The trail stores operation modes and target markets by their names in the writer's
    language ("B2B (business to business)", "Germany"): a Chinese reader meets them in Chinese,
    listed with 、 (issue 15, point 12)."""
    b2b = OperationMode.objects.get(code="b2b")
    data = {
        "name": enterprise.name,
        "operation_modes": [b2b.pk],
        "target_markets": ["DE", "FR"],
        "platforms": ["alibaba", "amazon"],
        "size_band": "medium",
        "province": "zhejiang",
    }
    with translation.override("en"):
        response = client_for(alice).post(reverse("enterprises:edit", args=[enterprise.pk]), data)
    assert response.status_code == 302
    entries = entries_for(enterprise)
    stored = json.dumps([e.changes for e in entries], ensure_ascii=False)
    assert "Germany" in stored and "B2B (business to business)" in stored
    with translation.override("zh-hans"):
        shown = [line for e in entries for line in lines(e)]
    assert "目标市场：— → 德国、法国" in shown, shown
    assert "主要平台：— → 阿里巴巴国际站、亚马逊" in shown, shown
    assert any(line.startswith("运营模式：新增：B2B") for line in shown), shown
    assert not [line for line in shown if "Germany" in line or "business to" in line]
