"""Reading the audit trail: which entries a page shows, and each entry as people read it.

An entry stores field -> [before, after] as text (django-auditlog's form: ``"None"`` for no
value, JSON for JSON fields, the id for a foreign key, naive UTC for a time). ``describe()``
turns a batch of entries into rows in the reader's language: field labels from the models'
verbose names, choices by their labels, ids by the names they stand for, an assessment's values
one indicator at a time ("Logistics costs: 18 → 12"). It looks the names up once per batch,
so a page or an export costs a fixed number of queries per batch, whatever its length.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from audit.models import LogEntry
from audit.registration import ENTERPRISE_MODELS, TRACKED
from core.text import listing
from enterprises.models import Enterprise, Platform
from evaluations.formatting import plain, shown_score
from evaluations.forms import CHECKLIST_LABELS
from evaluations.models import Indicator, WeightScheme
from evaluations.models.assessments import period_label
from evaluations.scoring.checklist import ITEMS as CHECKLIST_ITEMS

NONE = "—"
BY_NUMBER = {"evaluations.evaluationrun", "evaluations.rescorejob"}  # named "#17"
SCORES = {"overall"}  # shown by the display rule, as everywhere (evaluations.formatting)
BATCH = 2000
# Fields whose models give no translatable verbose name (a foreign key named after its model):
# the trail labels them itself, so a Chinese reader never meets "User" or "Responded by".
FIELD_LABELS = {
    "user": gettext_lazy("user"),
    "enterprise": gettext_lazy("enterprise"),
    "organisation": gettext_lazy("organisation"),
    "programme": gettext_lazy("programme"),
    "assessment": gettext_lazy("assessment"),
    "invitee": gettext_lazy("invited enterprise"),
    "run": gettext_lazy("evaluation run"),
    "created_by": gettext_lazy("created by"),
    "updated_by": gettext_lazy("updated by"),
    "invited_by": gettext_lazy("invited by"),
    "accepted_by": gettext_lazy("accepted by"),
    "responded_by": gettext_lazy("answered by"),
    "revoked_by": gettext_lazy("revoked by"),
    "uploaded_by": gettext_lazy("uploaded by"),
    "imported_by": gettext_lazy("imported by"),
    "requested_by": gettext_lazy("requested by"),
}


# --- Which entries --------------------------------------------------------------------------


def entries(enterprise: Enterprise | None = None) -> QuerySet[LogEntry]:
    """An enterprise's entries (or, for staff, every entry), newest first."""
    queryset = LogEntry.objects.select_related("actor", "content_type", "enterprise")
    if enterprise is not None:
        queryset = queryset.filter(enterprise_id=enterprise.pk)
    return queryset.order_by("-timestamp", "-id")


def kind_choices(*, enterprise_only: bool) -> list[tuple[str, str]]:
    """The kinds of object a trail can be filtered by ("evaluations.assessment", "Assessments")."""
    labels = ENTERPRISE_MODELS if enterprise_only else list(TRACKED)
    choices = []
    for label in labels:
        opts = apps.get_model(label)._meta
        choices.append((opts.label_lower, capfirst(opts.verbose_name_plural)))
    return sorted(choices, key=lambda choice: str(choice[1]))


def people(queryset: QuerySet[LogEntry]) -> QuerySet:
    """Everyone who appears as the actor of an entry of ``queryset``."""
    actors = queryset.order_by().filter(actor__isnull=False).values("actor_id")
    return get_user_model().objects.filter(pk__in=actors).order_by("full_name", "email")


# --- As people read it ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    field: str
    before: str | None  # None: nothing before (a creation, or members of a list added)
    after: str

    def text(self) -> str:
        """ "Logistics costs: 18 → 12"; what an object was created with reads "Role: Viewer"."""
        if self.before is None:
            return _("%(field)s: %(value)s") % {"field": self.field, "value": self.after}
        return _("%(field)s: %(before)s → %(after)s") % {
            "field": self.field,
            "before": self.before,
            "after": self.after,
        }


@dataclass(slots=True)
class Row:
    entry: LogEntry
    who: str
    email: str
    enterprise: str
    kind: str
    action: str
    subject: str
    changes: list[Change] = field(default_factory=list)

    @property
    def when(self) -> datetime:
        return timezone.localtime(self.entry.timestamp)

    @property
    def ip(self) -> str:
        return self.entry.remote_addr or ""

    @property
    def agent(self) -> str:
        return short_agent(self.entry.user_agent)

    @property
    def headline(self) -> str:
        """ "Assessment 2026 Q3: changed"."""
        return _("%(kind)s %(subject)s: %(action)s") % {
            "kind": self.kind,
            "subject": self.subject,
            "action": self.action,
        }

    @property
    def lines(self) -> list[str]:
        return [change.text() for change in self.changes]

    def changes_text(self) -> str:
        """One line per change, for a spreadsheet cell."""
        return "\n".join(self.lines)


def describe(batch: Iterable[LogEntry]) -> list[Row]:
    """The entries as rows; names are looked up once for the whole batch."""
    batch = list(batch)
    names = _Names(batch)
    return [_row(entry, names) for entry in batch]


def describe_all(queryset: QuerySet[LogEntry]) -> Iterator[Row]:
    """Every entry of ``queryset`` as a row, in batches (an export of any length)."""
    batch = []
    for entry in queryset.iterator(chunk_size=BATCH):
        batch.append(entry)
        if len(batch) == BATCH:
            yield from describe(batch)
            batch = []
    yield from describe(batch)


def _action(entry: LogEntry) -> str:
    if entry.action == LogEntry.Action.CREATE:
        return pgettext("audit trail action", "created")
    if entry.action == LogEntry.Action.DELETE:
        return pgettext("audit trail action", "deleted")
    return pgettext("audit trail action", "changed")


def _related(entry: LogEntry, name: str):
    """The actor or enterprise, or None once deleted (the trail keeps the id, not the row)."""
    try:
        return getattr(entry, name)
    except ObjectDoesNotExist:
        return None


def _row(entry: LogEntry, names: _Names) -> Row:
    model = entry.content_type.model_class()
    actor = _related(entry, "actor")
    if actor is not None:
        who, email = actor.get_short_name(), actor.email
    else:  # the account is gone (its address was kept), or nobody: a worker or a command
        who, email = entry.actor_email or _("system"), entry.actor_email or ""
    found = _related(entry, "enterprise")
    if entry.enterprise_id is None:
        enterprise = ""
    elif found is not None:
        enterprise = found.name
    else:
        enterprise = _("deleted enterprise %(id)s") % {"id": entry.enterprise_id}
    kind = capfirst(model._meta.verbose_name) if model else entry.content_type.name
    changes = (
        []
        if entry.action == LogEntry.Action.DELETE or model is None
        else _changes(entry, model, names)
    )
    return Row(
        entry=entry,
        who=who,
        email=email,
        enterprise=enterprise,
        kind=str(kind),
        action=_action(entry),
        subject=_subject(entry, model, names),
        changes=changes,
    )


def _subject(entry: LogEntry, model, names: _Names) -> str:
    """What the entry is about, in the reader's language where it can be."""
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    parts = []
    if model is not None and model._meta.label_lower in BY_NUMBER:
        parts.append(f"#{entry.object_pk}")
    period = data.get("period")
    if isinstance(period, list) and len(period) == 2:
        parts.append(period_label(*period))
    if data.get("indicator"):
        parts.append(names.indicator(str(data["indicator"])))
    if data.get("label"):
        parts.append(str(data["label"]))
    return " · ".join(parts) or entry.object_repr


def _changes(entry: LogEntry, model, names: _Names) -> list[Change]:
    changes: list[Change] = []
    created = entry.action == LogEntry.Action.CREATE
    for name, values in (entry.changes_dict or {}).items():
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue  # a field since removed: nothing a person could read
        if model_field.auto_created:
            continue  # an id, or a reverse relation: bookkeeping
        label = capfirst(str(_label(model_field)))
        if isinstance(values, dict) and values.get("type") == "m2m":
            listed = listing(
                names.m2m(model_field.related_model, str(item))
                for item in values.get("objects", [])
            )
            if values.get("operation") == "add":
                changes.append(Change(label, None, _("added: %(items)s") % {"items": listed}))
            else:
                changes.append(Change(label, None, _("removed: %(items)s") % {"items": listed}))
            continue
        if not isinstance(values, list | tuple) or len(values) != 2:
            continue
        before, after = values
        expand = EXPANDED.get((model._meta.label_lower, name))
        if expand is not None:
            expanded = expand(_json(before), _json(after), names)
            if created:
                expanded = [Change(c.field, None, c.after) for c in expanded if c.after != NONE]
            changes.extend(expanded)
            continue
        shown = (_value(model_field, before, names), _value(model_field, after, names))
        if created and shown[1] == NONE:
            continue  # nothing was set: not worth a line
        changes.append(Change(label, None if created else shown[0], shown[1]))
    return changes


def _label(model_field: models.Field):
    """The field's verbose name, or the trail's own label when the model gives no translation."""
    if isinstance(model_field.verbose_name, Promise):
        return model_field.verbose_name
    return FIELD_LABELS.get(model_field.name, model_field.verbose_name)


def _json(text):
    if text is None or text == "None":
        return None
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return None


def _value(model_field: models.Field, text, names: _Names) -> str:
    """One stored value as people read it."""
    if text is None or text == "None" or text == "":
        return NONE
    text = str(text)
    if model_field.is_relation:
        return names.related(model_field.related_model, text)
    if model_field.choices:
        # a callable's choices (django-countries) have no flatchoices: read the choices
        labels = dict(model_field.flatchoices or model_field.choices)
        if getattr(model_field, "multiple", False):  # several codes in one field ("DE,US")
            # stored as codes, or as the names of the language it was written in ("Germany")
            codes = [names.choice(model_field, labels, item.strip()) for item in text.split(",")]
            return listing(str(labels.get(code, code)) for code in codes if code) or NONE
        return str(labels.get(_typed(model_field, text), text))
    if isinstance(model_field, models.BooleanField):
        return _("yes") if text == "True" else _("no")
    if isinstance(model_field, models.DateTimeField):
        return _datetime(text)
    if isinstance(model_field, models.DecimalField):
        try:
            return format(Decimal(text).normalize(), "f")
        except InvalidOperation:
            return text
    if isinstance(model_field, models.FloatField):
        try:
            number = float(text)
        except ValueError:
            return text
        return shown_score(number) if model_field.name in SCORES else plain(number)
    if isinstance(model_field, models.JSONField):
        value = _json(text)
        return text if value is None else json.dumps(value, ensure_ascii=False)
    if model_field.name == "indicator_code":
        return names.indicator(text)
    return text


def _typed(model_field: models.Field, text: str):
    try:
        return model_field.to_python(text)
    except Exception:  # noqa: BLE001 - a value the field no longer takes: shown as stored
        return text


def _datetime(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


# --- JSON fields shown one item at a time -----------------------------------------------------


def _number(value) -> str:
    if value is None or value == "":
        return NONE
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return plain(value)
    return str(value)


def _keyed(before, after, label, order=None) -> list[Change]:
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    keys = sorted(dict.fromkeys([*before, *after]), key=order)
    return [
        Change(label(key), _number(before.get(key)), _number(after.get(key)))
        for key in keys
        if before.get(key) != after.get(key)
    ]


def _indicator_values(before, after, names: _Names) -> list[Change]:
    return _keyed(before, after, names.indicator, order=names.position)


def _checklist(before, after, names: _Names) -> list[Change]:
    keys = list(CHECKLIST_LABELS)

    def answers(value) -> dict:
        """A yes/no question not answered yet reads as no, as the checklist counts it."""
        value = dict(value) if isinstance(value, dict) else {}
        for key, kind, _factor in CHECKLIST_ITEMS:
            if kind == "yes":
                value[key] = bool(value.get(key))
        return value

    def position(key: str) -> tuple[int, str]:
        return (keys.index(key), "") if key in keys else (len(keys), key)

    def label(key: str) -> str:
        return str(CHECKLIST_LABELS.get(key, key))

    return _keyed(answers(before), answers(after), label, position)


def _platforms(before, after, names: _Names) -> list[Change]:
    labels = dict(Platform.choices)

    def shown(value) -> str:
        items = value if isinstance(value, list) else []
        return listing(str(labels.get(code, code)) for code in items) or NONE

    label = capfirst(str(Enterprise._meta.get_field("platforms").verbose_name))
    return [Change(label, shown(before), shown(after))]


def _periods(before, after, names: _Names) -> list[Change]:
    """A programme's periods, ["2026Q1", "2026Q2"], as people say them."""

    def shown(value) -> str:
        items = value if isinstance(value, list) else []
        labels = []
        for item in items:
            match = re.fullmatch(r"(\d{4})Q([1-4])", str(item))
            labels.append(period_label(int(match[1]), int(match[2])) if match else str(item))
        return listing(labels) or NONE

    label = capfirst(_("periods"))
    return [Change(label, shown(before), shown(after))]


EXPANDED = {
    ("evaluations.assessment", "values"): _indicator_values,
    ("evaluations.assessment", "env_checklist"): _checklist,
    ("enterprises.enterprise", "platforms"): _platforms,
    ("programmes.programme", "periods"): _periods,
}


# --- Names, looked up once per batch ----------------------------------------------------------


class _Names:
    """The names behind ids and codes in a batch of entries: one query per related model."""

    def __init__(self, batch: list[LogEntry]) -> None:
        self._indicators: dict[str, Indicator] | None = None
        self._related: dict[type, dict[str, str]] = {}
        self._m2m: dict[type, dict[str, str]] = {}
        self._choices: dict[int, dict[str, str]] = {}
        wanted: dict[type, set[str]] = defaultdict(set)
        for entry in batch:
            model = entry.content_type.model_class()
            if model is None or entry.action == LogEntry.Action.DELETE:
                continue
            for name, values in (entry.changes_dict or {}).items():
                try:
                    model_field = model._meta.get_field(name)
                except FieldDoesNotExist:
                    continue
                if model_field.is_relation and model_field.many_to_one:
                    for value in values if isinstance(values, list | tuple) else ():
                        if value not in (None, "None", ""):
                            wanted[model_field.related_model].add(str(value))
        for related, ids in wanted.items():
            found = related._base_manager.filter(
                pk__in=[i for i in ids if i.isdigit() and len(i) < 19]
            )
            self._related[related] = {str(obj.pk): self._name(obj) for obj in found}

    @staticmethod
    def _name(obj) -> str:
        if isinstance(obj, get_user_model()):
            return obj.get_short_name()
        if isinstance(obj, WeightScheme):  # its name and version, not its slug (a code)
            return _("%(name)s, version %(version)s") % {
                "name": obj.localized("name"),
                "version": obj.version,
            }
        return str(obj)

    def m2m(self, model, text: str) -> str:
        """A member of a many-to-many field, stored by its name in the language it was written
        in ("B2B (business to business)"), named in the reader's language; one query a model."""
        if model not in self._m2m:
            names: dict[str, str] = {}
            for obj in model._base_manager.all():
                current = str(obj)
                for code, _name in settings.LANGUAGES:
                    with translation.override(code):
                        names[str(obj)] = current
            self._m2m[model] = names
        return self._m2m[model].get(text, text)

    def choice(self, model_field: models.Field, labels: dict, text: str) -> str:
        """The code of a choice stored by its code or by its label in any language."""
        if not text or text in labels:
            return text
        key = id(model_field)
        if key not in self._choices:
            codes: dict[str, str] = {}
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    choices = dict(model_field.flatchoices or model_field.choices)
                    codes.update({str(label): value for value, label in choices.items()})
            self._choices[key] = codes
        return self._choices[key].get(text, text)

    def related(self, model, pk: str) -> str:
        return self._related.get(model, {}).get(pk) or f"#{pk}"

    def _indicator_table(self) -> dict[str, Indicator]:
        if self._indicators is None:
            self._indicators = {i.code: i for i in Indicator.objects.select_related("dimension")}
        return self._indicators

    def indicator(self, code: str) -> str:
        indicator = self._indicator_table().get(code)
        return indicator.localized("name") if indicator else code

    def position(self, code: str) -> tuple[int, str]:
        """Indicators in their catalogue order; unknown codes after them."""
        codes = list(self._indicator_table())
        return (codes.index(code), "") if code in codes else (len(codes), code)


# --- User agents, shortened -----------------------------------------------------------------

BROWSERS = (
    ("WeChat", r"MicroMessenger/(\d+)"),
    ("Edge", r"Edg(?:e|A|iOS)?/(\d+)"),
    ("Opera", r"OPR/(\d+)"),
    ("Firefox", r"(?:Firefox|FxiOS)/(\d+)"),
    ("Chrome", r"(?:Chrome|CriOS)/(\d+)"),
    ("Safari", r"Version/(\d+)[\d.]* (?:Mobile/\S+ )?Safari/"),
)
SYSTEMS = (
    ("Android", "Android"),
    ("iOS", "iPhone"),
    ("iPadOS", "iPad"),
    ("Windows", "Windows"),
    ("macOS", "Mac OS X"),
    ("Linux", "Linux"),
)


def short_agent(agent: str) -> str:
    """ "Chrome 126 · Windows" from a User-Agent header; its start if it names no browser."""
    if not agent:
        return ""
    browser = ""
    for name, pattern in BROWSERS:
        match = re.search(pattern, agent)
        if match:
            browser = f"{name} {match.group(1)}"
            break
    system = next((name for name, token in SYSTEMS if token in agent), "")
    return " · ".join(part for part in (browser, system) if part) or Truncator(agent).chars(40)
