"""The PDF report: what it says, in which language, and that nothing is missing from it."""

import io
import logging
import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from pypdf import PdfReader

from evaluations import peers, recommend
from evaluations.models import Indicator
from evaluations.reports import pdf
from evaluations.reports.data import report_data

pytestmark = pytest.mark.django_db


def _url(run) -> str:
    return reverse("evaluations:run-pdf", kwargs={"pk": run.enterprise_id, "run_pk": run.pk})


def _squeezed(text: str) -> str:
    """Without whitespace: a table cell may wrap a name anywhere (Chinese has no spaces)."""
    return re.sub(r"\s+", "", text)


def _text(content: bytes) -> str:
    return _squeezed("".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


def _fonts(content: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


@pytest.fixture
def pdf_of(download):
    """The PDF bytes, as a person downloads them (the eager test worker renders it)."""

    def get(client, run, **headers) -> bytes:
        response = download(client, "run-pdf", run, **headers)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        return b"".join(response.streaming_content)

    return get


def test_the_pdf_names_the_enterprise_the_score_and_every_indicator(run, bob, client_for, pdf_of):
    content = pdf_of(client_for(bob), run)
    assert content.startswith(b"%PDF")
    text = _text(content)
    assert _squeezed("Alice Trading Co.") in text
    assert "57.1" in text and "57.13" not in text  # the display rule: rounded down, one decimal
    for indicator in Indicator.objects.all():
        assert _squeezed(indicator.name) in text
    for section in ("Recommendations", "Change since the previous period", "Appendix: methodology"):
        assert _squeezed(section) in text
    assert _squeezed("+4.0 points since 2025 Q3") in text
    pages = len(PdfReader(io.BytesIO(content)).pages)
    assert f"Page1/{pages}" in text and "Generated" in text


def test_a_chinese_report_has_chinese_text_and_no_missing_glyph(
    run, bob, client_for, caplog, pdf_of
):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    content = pdf_of(client_for(bob), run, accept_language="zh-hans")
    text = _text(content)
    for indicator in Indicator.objects.all():
        assert indicator.name_zh and _squeezed(indicator.name_zh) in text
    assert "运营效率" in text  # a dimension, in the chart and the tables
    assert any("CJK" in name for name in _fonts(content))
    assert not [r for r in caplog.records if ".notdef" in r.getMessage()]


def test_a_missing_glyph_would_be_noticed(caplog):
    """The check above is meaningful: WeasyPrint warns when it draws a .notdef box."""
    caplog.set_level(logging.WARNING, logger="weasyprint")
    pdf.render_pdf("<p>\U000f0000</p>")  # a private-use character no font has
    assert [r for r in caplog.records if ".notdef" in r.getMessage()]


def test_the_appendix_recomputes_the_score_by_hand(run, bob):
    data = report_data(run, user=bob)
    method = data.methodology
    assert (method.slug, method.version) == ("ye-2025-table-4", 1)
    assert method.total_weight == pytest.approx(1)
    assert method.overall == pytest.approx(run.overall, abs=1e-9)
    stored = {row.code: row for row in run.indicators.all()}
    for line in method.lines:
        assert line.contribution == pytest.approx(stored[line.code].contribution, abs=1e-12)
        assert line.normalized == pytest.approx(stored[line.code].normalized, abs=1e-12)
    assert [band.grade for band in method.bands] == ["A", "B", "C", "D", "E"]
    html = pdf.report_html(data)
    assert "s = clamp((18 − 30) / (5 − 30)) = clamp(0.4800) = 0.4800" in html
    assert "100 × 0.25 × 0.4800 = 12.0" in html
    assert "Overall score = 57.1 / 1 = 57.1" in html


def test_the_appendix_gives_the_methodology_page_s_full_address(run, bob, settings):
    settings.SITE_URL = "https://cbec.example"
    html = pdf.report_html(report_data(run, user=bob))
    assert "this product's choices, with each bound's source and reason" in html
    assert "https://cbec.example/methodology/" in html


def test_a_value_past_its_best_bound_is_clamped_in_the_appendix(enterprise, alice):
    from tests.factories import COMPLETE_VALUES, AssessmentFactory, submitted_run

    values = {**COMPLETE_VALUES, "logistics_cost": 2.0}  # better than the best bound, 5
    run = submitted_run(AssessmentFactory(enterprise=enterprise, values=values), alice)
    line = next(
        line
        for line in report_data(run, user=alice).methodology.lines
        if line.code == "logistics_cost"
    )
    assert line.ratio == pytest.approx(1.12) and line.normalized == 1.0 and line.clamped


def test_the_report_shows_the_shortlisted_recommendations(run, bob):
    data = report_data(run, user=bob)
    expected = recommend.shortlist(recommend.recommendations_for(run))
    titles = [[a.title for a in group.items] for group in expected]
    assert [[a.title for a in group.items] for group in data.recommendations] == titles
    html = pdf.report_html(data)
    for group in expected:
        assert group.what_if in html
        for advice in group.items:
            assert escape(advice.basis) in html and escape(advice.practice) in html


def _box(value: float):
    return peers.Box(
        minimum=20.0, q1=40.0, median=52.5, q3=61.0, maximum=88.0, value=value, percentile=63.0
    )


def test_the_peer_position_is_shown_when_the_cohort_allows(run, bob, monkeypatch):
    position = peers.PeerPosition(
        shown=True,
        reason="",
        cohort_size=12,
        label="B2C enterprises under the weight scheme Ye (2025) Table 4, version 1",
        overall=_box(run.overall),
        dimensions=[("Sustainability", _box(55.0))],
        summary=None,
    )
    monkeypatch.setattr(peers, "peer_position", lambda run: position)
    with translation.override("en"):
        html = pdf.report_html(report_data(run, user=bob))
    assert "Position among peers" in html
    assert (
        "B2C enterprises under the weight scheme Ye (2025) Table 4, version 1: the figures count "
        "13 enterprises, yours and 12 others, each by its latest complete result." in html
    )
    assert "52.5" in html and "61.0" in html and "63" in html


def test_a_hidden_peer_position_says_why(run, bob, monkeypatch):
    hidden = peers.PeerPosition(shown=False, reason="Too few peers yet.", cohort_size=2, label="")
    monkeypatch.setattr(peers, "peer_position", lambda run: hidden)
    html = pdf.report_html(report_data(run, user=bob))
    assert "Too few peers yet." in html
