"""Everything a reader sees under zh-Hans is Chinese (issue 15 point 12).

The main pages, the report's HTML, CSV and XLSX, the programme pages and the staff's scheme
pages are rendered for the demo's accounts in Chinese, and their visible text (and the
attributes a reader meets: title, aria-label, placeholder, alt) is searched for Latin words.
A word passes when it is a brand, a unit, a file format, a code or a formula's letter
(``ALLOWED``), or data the people typed (the demo's enterprise, organisation and programme
names, people's names and addresses, which are English in the demo).
"""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error
from openpyxl import load_workbook

from accounts.models import User
from demo.accounts import DEMO_ACCOUNTS, DEMO_ADMIN, DEMO_MANAGER, DEMO_USER
from enterprises.models import Enterprise, Organisation
from evaluations import guidance
from evaluations.models import EvaluationRun, Recommendation, WeightScheme
from evaluations.reports.data import report_data
from evaluations.reports.pdf import report_html
from programmes.models import Programme

pytestmark = pytest.mark.django_db

# Latin words a Chinese reader may meet: brands, formats, units, abbreviations, formula letters.
ALLOWED = {
    # file formats and units
    "pdf",
    "csv",
    "xlsx",
    "excel",
    "png",
    "jpeg",
    "mb",
    "kb",
    "kg",
    "co",
    # business models and platforms the glossary keeps in Latin letters
    "b2b",
    "b2c",
    "c2c",
    "ebay",
    "temu",
    "shein",
    "tiktok",
    "shop",
    "amazon",
    # the method and its authors
    "ahp",
    "cr",
    "ci",
    "ye",
    "saaty",
    "spearman",
    "clamp",
    "worst",
    "best",
    "et",
    "al",
    # the paper's original title, cited beside our translation as the glossary asks
    "research",
    "on",
    "the",
    "innovations",
    "concerning",
    "china's",
    "china",
    "cross",
    "border",
    "e-commerce",
    "commerce",
    "operational",
    "modes",
    "and",
    "its",
    "long",
    "term",
    "long-term",
    "sustainable",
    "development",
    "mechanism",
    "cross-border",
    # identifiers a reader types or quotes: customs modes, currency, the site itself
    "id",
    "url",
    "rmb",
    "usd",
    "cny",
    "utc",
    "gmt",
    "http",
    "https",
    "www",
    "com",
    "example",
    "localhost",
    "testserver",
    "admin",
    "django",
    "htmx",
    # the language switch names each language in itself
    "english",
}

# Django's admin writes these untranslated alt texts itself (its boolean and search icons).
DJANGO_ADMIN_WORDS = frozenset({"true", "false", "search"})
VISIBLE_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
# Not read as the product's words: code, and what a form holds (the data typed into it).
HIDDEN = {"script", "style", "template", "textarea"}


class _Text(HTMLParser):
    """The visible text of a page and the attributes a reader meets; no script or style."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN:
            self._hidden += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


def data_names() -> list[str]:
    """What people typed: it stays as typed, in any language."""
    names = [*Enterprise.objects.values_list("name", flat=True)]
    names += Enterprise.objects.exclude(city="").values_list("city", flat=True)
    names += Organisation.objects.values_list("name", flat=True)
    names += Programme.objects.values_list("name", flat=True)
    names += User.objects.values_list("full_name", flat=True)
    names += User.objects.values_list("email", flat=True)
    names += [account.full_name for account in DEMO_ACCOUNTS]
    return sorted({n for n in names if n}, key=len, reverse=True)


def _zh_texts(data, key: str = "", *, references: bool = True) -> list[str]:
    """The Chinese texts of the shipped guidance and methodology (``*_zh``), and with
    ``references`` the bibliographic references beside them, one line each."""
    if isinstance(data, dict):
        return [line for k, v in data.items() for line in _zh_texts(v, k, references=references)]
    if isinstance(data, list):
        return [line for item in data for line in _zh_texts(item, key, references=references)]
    if isinstance(data, str) and (key.endswith("_zh") or (references and key == "reference")):
        return [line for line in data.splitlines() if line.strip()]
    return []


RECOMMENDATION_ZH = ("title_zh", "advice_zh", "actions_zh", "basis_zh", "practice_zh")


def reference_texts() -> list[str]:
    """The reference data's Chinese texts. They cite their sources by original titles and
    names (《Accelerate State of DevOps Report》, Business Insider), as Chinese writing does;
    ``test_the_reference_data_has_its_chinese`` checks they are Chinese, and the page scans
    take them out so that what is left is the product's own words."""
    texts = _zh_texts(json.loads((guidance.DATA / "indicator_guidance.json").read_text()))
    texts += _zh_texts(json.loads((guidance.DATA / "methodology.json").read_text()))
    for row in Recommendation.objects.values_list(*RECOMMENDATION_ZH, "effect_note_zh"):
        texts += [line for text in row for line in text.splitlines() if line.strip()]
    return sorted(set(texts), key=len, reverse=True)


def english_in(
    text: str, names: list[str], *, codes: bool = False, allowed: frozenset = frozenset()
) -> list[str]:
    """The Latin words of ``text`` that a Chinese reader should not meet, with their context.
    ``codes``: a file's code columns (indicator codes, the scheme's slug) are fine."""
    for name in names:
        text = text.replace(name, " ")
    text = re.sub(r"https?://\S+|\S+@\S+|\S+\.(?:pdf|csv|xlsx|png)\b", " ", text)
    if codes:
        text = re.sub(r"\b[a-z0-9]+(?:[_-][a-z0-9]+)+\b|\"[a-z_]+\"", " ", text)  # JSON keys
    found = []
    for match in re.finditer(r"[A-Za-z][A-Za-z'’.-]*[A-Za-z]", text):
        word = match.group().lower().replace("’", "'")
        if word in ALLOWED or word in allowed or re.fullmatch(r"[a-z]\d*|q[1-4]|\d+[a-z]+", word):
            continue
        if re.fullmatch(r"[A-Z0-9]{2,}", match.group()):  # a code or an acronym
            continue
        start = max(match.start() - 30, 0)
        found.append(text[start : match.end() + 30].replace("\n", " "))
    return found


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--force", stdout=io.StringIO())
    User.objects.update(language="zh-hans")
    return {
        "enterprise": Enterprise.objects.get(name__startswith="Hangzhou"),
        "names": data_names() + reference_texts(),
    }


def _client(client, email):
    client.force_login(User.objects.get(email=email))
    client.cookies["django_language"] = "zh-hans"
    return client


def _get(client, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200, (url, response.status_code)
    return response


def owner_pages(demo) -> dict[str, str]:
    e = demo["enterprise"]
    run = EvaluationRun.objects.filter(enterprise=e).order_by("-year", "-quarter").first()
    return {
        "enterprises": reverse("enterprises:list"),
        "enterprise": reverse("enterprises:detail", args=[e.pk]),
        "enterprise form": reverse("enterprises:edit", args=[e.pk]),
        "members": reverse("enterprises:members", args=[e.pk]),
        "dashboard": reverse("evaluations:dashboard", args=[e.pk]),
        "new assessment": reverse("evaluations:assessment-create", args=[e.pk]),
        "assessment": reverse("evaluations:assessment", args=[e.pk, run.assessment_id]),
        "result": reverse("evaluations:run", args=[e.pk, run.pk]),
        "plan": reverse("evaluations:plan", args=[e.pk]),
        "trail": reverse("audit:enterprise-trail", args=[e.pk]),
        "account": "/accounts/me/",
        "methodology": reverse("methodology"),
    }


def test_the_pages_of_a_member_are_chinese(client, demo):
    client = _client(client, DEMO_USER.email)
    found = {}
    for name, url in owner_pages(demo).items():
        words = english_in(visible_text(_get(client, url).content.decode()), demo["names"])
        if words:
            found[name] = words
    assert not found, found


def test_the_pages_of_a_visitor_are_chinese(client, demo):
    client.cookies["django_language"] = "zh-hans"
    found = {}
    for url in ["/", "/accounts/login/", "/accounts/signup/", "/methodology/"]:
        words = english_in(visible_text(_get(client, url).content.decode()), demo["names"])
        if words:
            found[url] = words
    assert not found, found


def test_the_report_files_are_chinese(client, demo):
    client = _client(client, DEMO_USER.email)
    e = demo["enterprise"]
    run = EvaluationRun.objects.filter(enterprise=e).order_by("-year", "-quarter").first()
    user = User.objects.get(email=DEMO_USER.email)
    with translation.override("zh-hans"):
        html = report_html(report_data(run, user=user))
    found = {"pdf": english_in(visible_text(html), demo["names"])}
    names = demo["names"]
    text = _get(client, reverse("evaluations:run-csv", args=[e.pk, run.pk])).content
    cells = [c for row in csv.reader(io.StringIO(text.decode("utf-8-sig"))) for c in row]
    found["csv"] = english_in("\n".join(cells), names, codes=True)
    content = _get(client, reverse("evaluations:run-xlsx", args=[e.pk, run.pk])).content
    book = load_workbook(io.BytesIO(content))
    cells = [book.sheetnames[0], *book.sheetnames]
    for sheet in book.worksheets:
        cells += [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    found["xlsx"] = english_in("\n".join(cells), names, codes=True)
    found = {k: v for k, v in found.items() if v}
    assert not found, found


def test_the_staff_pages_are_chinese(client, demo):
    client = _client(client, DEMO_ADMIN.email)
    scheme = WeightScheme.objects.filter(is_default=True).first()
    # the scheme's own page shows its English name and description beside the Chinese ones
    names = [scheme.name, *scheme.description.splitlines(), *demo["names"]]
    found = {}
    response = _get(client, reverse("evaluations:cohort-export"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    found["cohort csv"] = english_in("\n".join(cells), demo["names"], codes=True)
    for name, url in {
        "admin scheme list": reverse("admin:evaluations_weightscheme_changelist"),
        "admin scheme": reverse("admin:evaluations_weightscheme_change", args=[scheme.pk]),
        "admin scheme preview": reverse("admin:evaluations_weightscheme_preview", args=[scheme.pk]),
    }.items():
        html = _get(client, url).content.decode()
        html = html[html.rindex("<", 0, html.index('id="content"')) :]  # not the app list
        found[name] = english_in(  # the admin lists schemes by their slug, a column of its own
            visible_text(html), names, codes=True, allowed=DJANGO_ADMIN_WORDS
        )
    html = _get(client, reverse("audit:trail")).content.decode()
    found["staff trail"] = english_in(visible_text(html), demo["names"])
    found = {k: v for k, v in found.items() if v}
    assert not found, found


def test_the_programme_pages_are_chinese(client, demo):
    client = _client(client, DEMO_MANAGER.email)
    programme = Programme.objects.get()
    organisation = programme.organisation
    found = {}
    for name, url in {
        "home": reverse("programmes:home"),
        "organisation": reverse("programmes:organisation", args=[organisation.pk]),
        "programme": reverse("programmes:programme", args=[organisation.pk, programme.pk]),
    }.items():
        words = english_in(visible_text(_get(client, url).content.decode()), demo["names"])
        if words:
            found[name] = words
    assert not found, found


def test_the_server_error_page_is_chinese():
    with translation.override("zh-hans"):
        html = server_error(RequestFactory().get("/")).content.decode()
    assert not english_in(visible_text(html), [])


def test_the_reference_data_has_its_chinese(db):
    """What the scans leave out is Chinese: every guidance text, methodology text and
    recommendation the product ships has its Chinese, and the Chinese has Chinese in it."""
    cjk = re.compile(r"[\u4e00-\u9fff]")
    texts = []
    for name in ("indicator_guidance.json", "methodology.json"):
        data = json.loads((guidance.DATA / name).read_text())
        texts += _zh_texts(data, references=False)
    for row in Recommendation.objects.values_list(*RECOMMENDATION_ZH):
        texts += [line for text in row for line in text.splitlines() if line.strip()]
    assert texts
    assert not [t for t in texts if not cjk.search(t)]
    missing = Recommendation.objects.filter(is_active=True).filter(
        Q(title_zh="") | Q(advice_zh="") | Q(actions_zh="") | Q(basis_zh="") | Q(practice_zh="")
    )
    assert not missing.exists(), list(missing.values_list("code", flat=True))
