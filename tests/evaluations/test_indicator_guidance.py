"""The indicator guidance and the methodology texts: complete, bilingual, honest about sources.

``evaluations/data/indicator_guidance.json`` tells a user, per indicator, what to measure
(definition, what to include and exclude, the period, a worked example, typical evidence) and
why the default bounds are what they are, with sources. ``evaluations/data/methodology.json``
holds the methodology page's texts. Ye (2025) gives the dimensions, the indicators and the
Table 4 weights only; units, directions, bounds, grades and the checklist are this product's
choices (PRODUCT.md section 8), so no bounds text may credit them to the paper.
Plain ``json``: no database, no Django.
"""

import json
import re
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "evaluations" / "data"
GUIDANCE = json.loads((DATA / "indicator_guidance.json").read_text(encoding="utf-8"))
METHODOLOGY = json.loads((DATA / "methodology.json").read_text(encoding="utf-8"))

INDICATORS = [
    "logistics_cost",
    "npd_cycle",
    "tech_update_speed",
    "market_response_time",
    "environmental_impact_score",
]
TEXT_KEYS = ["definition", "period", "example"]
LIST_KEYS = ["include", "exclude", "evidence"]
BOUNDS_TEXT_KEYS = ["worst_reason", "best_reason", "ours"]
METHODOLOGY_KEYS = [
    "paper_gives",
    "product_chooses",
    "formulas_note",
    "not_available",
    "robustness",
    "display",
    "grades_ours",
]

# House rule (zh-GLOSSARY.md, GB/T 15834): full-width brackets and colons in Chinese text.
# A half-width bracket or colon touching a Chinese character is the usual slip.
HALF_WIDTH_NEXT_TO_CJK = re.compile(r"[\u3400-\u9fff][():]|[():][\u3400-\u9fff]")
PAPER = re.compile(r"Ye \(2025\)|the paper", re.IGNORECASE)
BOUND = re.compile(r"bound", re.IGNORECASE)


def nonempty_text(value):
    return isinstance(value, str) and value.strip() != ""


def nonempty_list(value):
    return isinstance(value, list) and value and all(nonempty_text(item) for item in value)


def sentences(text):
    return [part for part in re.split(r"(?<=[.;!?])\s+", text) if part]


def chinese_strings(node, in_zh=False):
    """Every string under a key ending in ``_zh`` (lists included), anywhere in the document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from chinese_strings(value, in_zh or key.endswith("_zh"))
    elif isinstance(node, list):
        for item in node:
            yield from chinese_strings(item, in_zh)
    elif isinstance(node, str) and in_zh:
        yield node


def bounds_english_texts(entry):
    bounds = entry["bounds"]
    texts = [bounds[key] for key in BOUNDS_TEXT_KEYS]
    texts += [source["text"] for source in bounds["sources"]]
    checklist = entry.get("checklist")
    if checklist:
        texts += [checklist["basis"], checklist["ours"]]
    return texts


def test_exactly_the_five_indicators():
    assert sorted(GUIDANCE) == sorted(INDICATORS)


@pytest.mark.parametrize("code", INDICATORS)
def test_every_text_exists_in_both_languages(code):
    entry = GUIDANCE[code]
    for key in TEXT_KEYS:
        assert nonempty_text(entry[key]), (code, key)
        assert nonempty_text(entry[key + "_zh"]), (code, key + "_zh")
    for key in LIST_KEYS:
        assert nonempty_list(entry[key]), (code, key)
        assert nonempty_list(entry[key + "_zh"]), (code, key + "_zh")
        assert len(entry[key]) == len(entry[key + "_zh"]), (
            code,
            key,
            "one Chinese item per English item",
        )
    link = entry["methodology_link"]
    assert nonempty_text(link["anchor"]) and code in link["anchor"]
    assert nonempty_text(link["text"]) and nonempty_text(link["text_zh"])


@pytest.mark.parametrize("code", INDICATORS)
def test_bounds_give_reasons_sources_and_say_they_are_ours(code):
    bounds = GUIDANCE[code]["bounds"]
    for key in BOUNDS_TEXT_KEYS:
        assert nonempty_text(bounds[key]), (code, key)
        assert nonempty_text(bounds[key + "_zh"]), (code, key + "_zh")
    assert isinstance(bounds["sources"], list) and bounds["sources"], code
    for source in bounds["sources"]:
        assert set(source) >= {"text", "text_zh", "reference"}, (code, source)
        for key in ("text", "text_zh", "reference"):
            assert nonempty_text(source[key]), (code, key, source)
    assert "choice" in bounds["ours"] and "new version" in bounds["ours"], code
    assert "新版本" in bounds["ours_zh"], code


def test_the_checklist_says_where_it_comes_from_and_whose_points_these_are():
    checklist = GUIDANCE["environmental_impact_score"]["checklist"]
    for key in ("basis", "ours"):
        assert nonempty_text(checklist[key]) and nonempty_text(checklist[key + "_zh"]), key
    assert "choice" in checklist["ours"]
    assert "section 3.4" in checklist["basis"]
    for source in checklist["sources"]:
        for key in ("text", "text_zh", "reference"):
            assert nonempty_text(source[key]), (key, source)


@pytest.mark.parametrize("code", INDICATORS)
def test_no_bounds_text_credits_the_paper(code):
    for text in bounds_english_texts(GUIDANCE[code]):
        for sentence in sentences(text):
            if BOUND.search(sentence):
                assert not PAPER.search(sentence), (code, sentence)


@pytest.mark.parametrize("key", METHODOLOGY_KEYS + ["title"])
def test_methodology_texts_exist_in_both_languages(key):
    if key == "title":
        assert nonempty_text(METHODOLOGY["title"]) and nonempty_text(METHODOLOGY["title_zh"])
        return
    assert nonempty_list(METHODOLOGY[key]), key
    assert nonempty_list(METHODOLOGY[key + "_zh"]), key + "_zh"
    assert len(METHODOLOGY[key]) == len(METHODOLOGY[key + "_zh"]), (
        key,
        "one Chinese paragraph per English one",
    )


def test_methodology_never_credits_bounds_to_the_paper():
    for key in METHODOLOGY_KEYS:
        for paragraph in METHODOLOGY[key]:
            for sentence in sentences(paragraph):
                if BOUND.search(sentence):
                    assert not PAPER.search(sentence), (key, sentence)


def test_methodology_names_the_paper_by_its_glossary_title():
    assert (
        "《中国跨境电商运营模式创新及其长期可持续发展机制研究》（译名；原题："
        in METHODOLOGY["paper_gives_zh"][0]
    )
    assert "Table 4" in METHODOLOGY["paper_gives"][0]


@pytest.mark.parametrize(
    ("name", "document"), [("indicator_guidance.json", GUIDANCE), ("methodology.json", METHODOLOGY)]
)
def test_chinese_texts_use_full_width_brackets_and_colons(name, document):
    texts = list(chinese_strings(document))
    assert texts, name
    for text in texts:
        match = HALF_WIDTH_NEXT_TO_CJK.search(text)
        assert match is None, (name, text[max(0, match.start() - 20) : match.end() + 20])


@pytest.mark.parametrize(
    ("name", "document"), [("indicator_guidance.json", GUIDANCE), ("methodology.json", METHODOLOGY)]
)
def test_chinese_texts_avoid_the_terms_the_glossary_forbids(name, document):
    for text in chinese_strings(document):
        assert "上下限" not in text, (name, text)  # 最优值 / 最差值, 评分区间
        assert "期间" not in text, (name, text)  # 报告期
