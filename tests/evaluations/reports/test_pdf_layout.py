"""The PDF as a reader meets it (issue 15): nothing runs into anything, page 1 is used, and the
checklist answers and the evidence behind the result are in it. Read from the PDF's own text
(pypdf) and from WeasyPrint's layout of the report's HTML, never by eye."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader
from weasyprint import HTML

from evaluations import peers
from evaluations.models import Assessment
from evaluations.reports import pdf
from evaluations.reports.data import report_data
from evaluations.services.assessments import evidence_attach
from tests.factories import COMPLETE_VALUES, AssessmentFactory, submitted_run

pytestmark = pytest.mark.django_db

ANSWERS = {
    "green_packaging_pct": 40.0,
    "low_carbon_shipping_pct": 20.0,
    "emissions_reported": True,
    "reduction_target": False,
    "renewable_electricity_pct": 100.0,
    "returns_programme": False,
}


def _box(value: float) -> peers.Box:
    return peers.Box(20.0, 40.0, 52.5, 61.0, 88.0, value, 63.0)


@pytest.fixture
def shown_peers(monkeypatch):
    def position(run):
        return peers.PeerPosition(
            True,
            "",
            12,
            "B2C enterprises under the weight scheme Ye (2025) Table 4, version 1",
            _box(run.overall),
            [("Operational efficiency", _box(47.0)), ("Sustainability", _box(55.0))],
        )

    monkeypatch.setattr(peers, "peer_position", position)


def _document(run, user):
    html = pdf.report_html(report_data(run, user=user))
    return HTML(string=html, base_url="/").render()


def _boxes(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def _text_of(box) -> str:
    return " ".join(b.text.strip() for b in _boxes(box) if type(b).__name__ == "TextBox")


def test_the_peer_table_headers_stay_inside_their_columns(run, bob, shown_peers):
    """Issue 15: "Lower quartileMedian": nowrap headers overflowed their narrow columns."""
    document = _document(run, bob)
    headers = [
        box
        for page in document.pages
        for box in _boxes(page._page_box)
        if getattr(box, "element_tag", None) == "th"
        and type(box).__name__ == "TableCellBox"
        and "quartile" in _text_of(box)
    ]
    assert {_text_of(h) for h in headers} >= {"Lower quartile", "Upper quartile"}
    for cell in headers:
        right = cell.content_box_x() + cell.width + 0.5
        for text in (b for b in _boxes(cell) if type(b).__name__ == "TextBox"):
            assert text.position_x + text.width <= right, (_text_of(cell), text.text)


def test_page_one_carries_the_scores_by_dimension(run, bob, client_for):
    """Issue 15: the cover filled half of page 1 and pushed everything else to page 2."""
    content = pdf.render_pdf(pdf.report_html(report_data(run, user=bob)))
    first = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert "Overall score (0–100)" in first
    assert "Score by dimension (0–100)" in first and "Operational efficiency" in first


def test_the_pdf_shows_the_checklist_answers_behind_the_environmental_score(enterprise, erin, bob):
    assessment = AssessmentFactory(
        enterprise=enterprise,
        env_mode=Assessment.EnvMode.CHECKLIST,
        env_checklist=ANSWERS,
        values={**COMPLETE_VALUES, "environmental_impact_score": 42.0},
    )
    run = submitted_run(assessment, erin)
    content = pdf.render_pdf(pdf.report_html(report_data(run, user=bob)))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Environmental checklist answers" in text
    assert "Shipments in green packaging (%)" in text and "Emissions measured and reported" in text
    assert "green_packaging_pct" not in text and "emissions_reported" not in text  # no keys
    assert "40 %" in text and "0.3 per %" in text and "15 if yes" in text
    # 0.30·40 + 0.25·20 + 15 + 0.10·100 = 42
    assert "42.00" in text


def test_a_typed_environmental_score_has_no_checklist_section(run, bob):
    html = pdf.report_html(report_data(run, user=bob))
    assert "Environmental checklist answers" not in html


def test_the_pdf_lists_the_evidence_attached_with_names_and_sizes(enterprise, erin, bob):
    assessment = AssessmentFactory(enterprise=enterprise, year=2026, quarter=1)
    evidence_attach(
        assessment=assessment,
        user=erin,
        indicator_code="logistics_cost",
        upload=SimpleUploadedFile("freight-invoices-q1.pdf", b"%PDF-1.4\n" + b"0" * 2048),
    )
    run = submitted_run(assessment, erin)
    content = pdf.render_pdf(pdf.report_html(report_data(run, user=bob)))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Evidence attached" in text
    assert "freight-invoices-q1.pdf" in text and "Logistics costs" in text
    assert "2.0\xa0KB" in text or "2.0 KB" in text


def test_the_evidence_list_is_a_partial_a_shared_variant_can_leave_out(run, bob):
    html = pdf.report_html(report_data(run, user=bob))
    assert 'id="evidence"' in html and "No evidence was attached to this assessment." in html
