"""The recommendation catalogue keeps its two sources apart (PRODUCT.md section 6).

Every item in ``evaluations/data/recommendations.json`` says what kind of change it proposes, which
input that change moves, and where it comes from twice over: its *basis* (only what Ye (2025) says,
by section and table) and its *practice* (the named external source of the concrete action, with a
reference a reader can find). Plain ``json``: no database, no Django.
"""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

CATALOGUE = Path(__file__).resolve().parents[2] / "evaluations" / "data" / "recommendations.json"

INDICATORS = {
    "logistics_cost",
    "npd_cycle",
    "tech_update_speed",
    "market_response_time",
    "environmental_impact_score",
}
VALUE_INDICATORS = INDICATORS - {"environmental_impact_score"}
DIMENSIONS = {
    "operational_efficiency",
    "innovation_capacity",
    "market_adaptability",
    "sustainability",
}
CHECKLIST_ANSWERS = {
    "green_packaging_pct",
    "low_carbon_shipping_pct",
    "renewable_electricity_pct",
    "emissions_reported",
    "reduction_target",
    "returns_programme",
}
KINDS = {"value", "checklist", "measure", "advice"}
PRINCIPLES = {
    "strategic_positioning",
    "technological_innovation",
    "market_adaptability",
    "cultural_integration",
    "risk_control",
}
CHALLENGES = {"payment_logistics", "legal_regulatory", "brand_development", "data_security"}
ELEMENTS = {"policy_support", "technology", "market_brand", "logistics", "collaboration"}
CASES = {"alibaba_personalization", "alibaba_payment", "jd_logistics", "jd_green_packaging"}
DIRECTIONS = {"personalized", "multichannel", "supply_chain", "compliance", "brand"}
PROFILE_CONDITIONS = {"", "many_markets_no_compliance", "social_or_live"}

KEYS = {
    "code": str,
    "order": int,
    "kind": str,
    "indicator": (str, type(None)),
    "dimension": (str, type(None)),
    "checklist_answer": str,
    "effect": (dict, type(None)),
    "principle": str,
    "challenge": str,
    "element": str,
    "innovation_direction": str,
    "case": str,
    "profile_condition": str,
    "title": str,
    "title_zh": str,
    "advice": str,
    "advice_zh": str,
    "actions": list,
    "actions_zh": list,
    "basis": str,
    "basis_zh": str,
    "practice": str,
    "practice_zh": str,
}
TEXT_FIELDS = ["title", "advice", "basis", "practice"]
ZH_FIELDS = ["title_zh", "advice_zh", "basis_zh", "practice_zh"]

URL = re.compile(r"https?://\S+")
# A reference a reader can look up: a URL, or a standard / law / document number.
FINDABLE = re.compile(
    r"https?://\S+"
    r"|(?<![A-Za-z])(?:ISO|GB(?:/T)?|EN|NIST SP)\s?\d[\d.-]*(?::\d{4})?"
    r"|\b(?:Regulation|Directive) \(EU\) \d{4}/\d+|第\d{4}/\d+号(?:条例|指令)"
    r"|Announcement No\. \d+ of \d{4}|公告\d{4}年第\d+号"
    r"|〔\d{4}〕\d+号"
    r"|ISBN[ -]?[\d-]{10,17}"
)
CJK = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]"
HALF_WIDTH_NEXT_TO_CJK = re.compile(rf"{CJK}[(:]|[(:]{CJK}")
# Names of practice sources that must never be attributed to the paper.
PRACTICE_NAMES = re.compile(
    r"ISO|GLEC|GHG Protocol|DORA|PIPL|GDPR|9610|9710|9810|IOSS|WIPO|SHEIN|EcoVadis|SBTi|NIST|"
    r"Regulation \(EU\)|Announcement|DHL|Amazon|GB/T|GB \d",
)


def catalogue() -> list[dict]:
    return json.loads(CATALOGUE.read_text(encoding="utf-8"))


ITEMS = catalogue()


def by(kind: str) -> list[dict]:
    return [item for item in ITEMS if item["kind"] == kind]


def test_the_file_is_a_list_with_unique_codes_and_orders():
    assert isinstance(ITEMS, list) and ITEMS
    codes = [item["code"] for item in ITEMS]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", code) for code in codes)
    orders = [item["order"] for item in ITEMS]
    assert len(orders) == len(set(orders))


@pytest.mark.parametrize("item", ITEMS, ids=lambda item: item["code"])
def test_every_item_has_exactly_the_keys_with_the_right_types(item):
    assert set(item) == set(KEYS)
    for key, kind in KEYS.items():
        assert isinstance(item[key], kind), (item["code"], key)
    assert not isinstance(item["order"], bool)


@pytest.mark.parametrize("item", ITEMS, ids=lambda item: item["code"])
def test_every_item_uses_the_papers_vocabulary(item):
    assert item["kind"] in KINDS
    assert item["principle"] in PRINCIPLES
    assert item["element"] in ELEMENTS, "the element breaks ties and orders advice without points"
    assert item["challenge"] in CHALLENGES | {""}
    assert item["case"] in CASES | {""}
    assert item["innovation_direction"] in DIRECTIONS | {""}
    assert item["profile_condition"] in PROFILE_CONDITIONS


@pytest.mark.parametrize("item", ITEMS, ids=lambda item: item["code"])
def test_every_item_serves_one_indicator_or_one_dimension(item):
    if item["indicator"] is None:
        assert item["kind"] == "advice"
        assert item["dimension"] in DIMENSIONS
    else:
        assert item["indicator"] in INDICATORS
        assert item["dimension"] is None


@pytest.mark.parametrize("item", ITEMS, ids=lambda item: item["code"])
def test_only_checklist_items_name_a_checklist_answer(item):
    if item["kind"] == "checklist":
        assert item["indicator"] == "environmental_impact_score"
        assert item["checklist_answer"] in CHECKLIST_ANSWERS
    else:
        assert item["checklist_answer"] == ""


@pytest.mark.parametrize("item", ITEMS, ids=lambda item: item["code"])
def test_an_effect_is_null_or_a_target_value_with_a_bilingual_note(item):
    effect = item["effect"]
    if effect is None:
        return
    assert item["kind"] == "value", "only an indicator-value item can cite its own effect size"
    assert set(effect) == {"to", "note", "note_zh"}
    assert isinstance(effect["to"], (int, float)) and not isinstance(effect["to"], bool)
    assert effect["note"].strip() and effect["note_zh"].strip()


def test_exactly_one_measure_item_per_indicator():
    counts = Counter(item["indicator"] for item in by("measure"))
    assert counts == Counter({code: 1 for code in INDICATORS})


def test_exactly_one_checklist_item_per_checklist_answer():
    counts = Counter(item["checklist_answer"] for item in by("checklist"))
    assert counts == Counter({answer: 1 for answer in CHECKLIST_ANSWERS})


@pytest.mark.parametrize("code", sorted(VALUE_INDICATORS))
def test_every_scored_indicator_has_at_least_two_ways_to_improve_its_value(code):
    assert sum(1 for item in by("value") if item["indicator"] == code) >= 2


def test_no_value_item_targets_the_environmental_score():
    """The environmental score moves through its checklist answers, each with its own effect."""
    assert not [item for item in by("value") if item["indicator"] == "environmental_impact_score"]


def test_payment_advice_claims_no_points():
    payment = [item for item in ITEMS if item["case"] == "alibaba_payment"]
    assert payment and all(item["kind"] == "advice" for item in payment)
    assert all(item["effect"] is None for item in by("advice"))


@pytest.mark.parametrize("condition", sorted(PROFILE_CONDITIONS - {""}))
def test_profile_conditioned_items_remain(condition):
    assert [item for item in ITEMS if item["profile_condition"] == condition]


@pytest.mark.parametrize("item", ITEMS, ids=lambda item: item["code"])
def test_english_and_chinese_text_is_present_with_matching_actions(item):
    for field in TEXT_FIELDS + ZH_FIELDS:
        assert item[field].strip(), (item["code"], field)
    assert 2 <= len(item["actions"]) <= 4, item["code"]
    assert len(item["actions"]) == len(item["actions_zh"]), item["code"]
    for line in item["actions"] + item["actions_zh"]:
        assert isinstance(line, str) and line.strip() and "\n" not in line


@pytest.mark.parametrize("item", ITEMS, ids=lambda item: item["code"])
def test_the_basis_cites_only_the_paper(item):
    basis, basis_zh = item["basis"], item["basis_zh"]
    assert basis.startswith("Ye (2025), ")
    assert basis_zh.startswith("Ye（2025），")  # the paper gives no Chinese name for its author
    for text in (basis, basis_zh):
        assert not URL.search(text)
        assert not PRACTICE_NAMES.search(text), (item["code"], PRACTICE_NAMES.search(text).group())
        years = re.findall(r"\b(1\d{3}|20\d{2})\b", text)
        assert set(years) <= {"2025"}, (item["code"], years)
    assert re.search(r"\b(?:section 3\.[1-4]|section 2\.[1-3]|Table [1-5])\b", basis)
    assert re.search(r"第[23]\.[1-4]节|表[1-5]", basis_zh)


@pytest.mark.parametrize("item", ITEMS, ids=lambda item: item["code"])
def test_the_practice_names_a_source_a_reader_can_find(item):
    for field in ("practice", "practice_zh"):
        text = item[field]
        assert not text.startswith(("Ye (2025)", "Ye（2025）")), "the practice is not the paper"
        assert FINDABLE.search(text), (item["code"], field)


@pytest.mark.parametrize("item", ITEMS, ids=lambda item: item["code"])
def test_chinese_text_uses_full_width_punctuation(item):
    lines = [item[field] for field in ZH_FIELDS] + item["actions_zh"]
    if item["effect"]:
        lines.append(item["effect"]["note_zh"])
    for line in lines:
        match = HALF_WIDTH_NEXT_TO_CJK.search(line)
        assert not match, (item["code"], line[max(0, match.start() - 10) : match.end() + 10])
        assert not re.search(rf"{CJK}\)|\){CJK}", line), (item["code"], line)


@pytest.mark.parametrize("item", ITEMS, ids=lambda item: item["code"])
def test_jd_worldwide_is_introduced_with_its_former_name(item):
    for field in ZH_FIELDS:
        text = item[field]
        assert "京东全球购" not in text.replace("京东国际（原京东全球购）", "")
        if "京东国际" in text:
            first = text.index("京东国际")
            assert first == text.index("京东国际（原京东全球购）"), (item["code"], field)
