"""The paper's evaluation system (Ye, 2025, Table 4) as reference rows and the default scheme.

The data is written out literally: a migration is frozen history and must load the same rows
whatever the models or PRODUCT.md say later. Bounds and guidance come from PRODUCT.md section 3
("Where the bounds come from").
"""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

DIMENSIONS = [
    # code, name, name_zh, order
    ("operational_efficiency", "Operational efficiency", "运营效率", 1),
    ("innovation_capacity", "Innovation capacity", "创新能力", 2),
    ("market_adaptability", "Market adaptability", "市场适应性", 3),
    ("sustainability", "Sustainability", "可持续发展", 4),
]

INDICATORS = [
    {
        "code": "logistics_cost",
        "dimension": "operational_efficiency",
        "order": 1,
        "name": "Logistics costs",
        "name_zh": "物流成本",
        "unit": "% of sales revenue",
        "unit_zh": "占销售收入的百分比（%）",
        "direction": "lower",
        "min_value": Decimal("0"),
        "max_value": Decimal("100"),
        "guidance": (
            "Good: under 5 % of sales revenue, as the best cross-border sellers achieve. "
            "Poor: 20–30 % of sales, typical for cross-border e-commerce sellers; 30 % or more "
            "scores nothing."
        ),
        "guidance_zh": (
            "良好：低于销售收入的5%，为最优秀的跨境卖家所达到的水平。"
            "较差：占销售额的20%–30%，为一般跨境电商卖家的水平；30%及以上得零分。"
        ),
        "paper_note": (
            "Table 4 gives logistics costs a weight of 0.25 under operational efficiency. It "
            "reflects Table 2's payment & logistics challenge (impact 8 of 10) and Table 3's "
            "logistics and distribution infrastructure (importance 7 of 10)."
        ),
        "paper_note_zh": (
            "表4中物流成本属于运营效率维度，权重0.25。它对应表2中的支付与物流挑战"
            "（影响程度8/10）和表3中的物流与配送基础设施（重要性7/10）。"
        ),
    },
    {
        "code": "npd_cycle",
        "dimension": "innovation_capacity",
        "order": 2,
        "name": "New product development cycle",
        "name_zh": "新产品开发周期",
        "unit": "days, idea to first listing",
        "unit_zh": "天（从创意到首次上架）",
        "direction": "lower",
        "min_value": Decimal("0"),
        "max_value": None,
        "guidance": (
            "Good: about two weeks from idea to first listing, as fast sellers such as SHEIN "
            "and Boohoo manage. Poor: about six months (180 days), as for traditional brands."
        ),
        "guidance_zh": (
            "良好：从创意到首次上架约两周，如SHEIN、Boohoo等快速卖家。"
            "较差：约六个月（180天），为传统品牌的水平。"
        ),
        "paper_note": (
            "Table 4 gives the new product development cycle a weight of 0.15 under innovation "
            "capacity. It serves Table 3's technology innovation and application (importance 9 "
            "of 10)."
        ),
        "paper_note_zh": (
            "表4中新产品开发周期属于创新能力维度，权重0.15。它服务于表3中的技术创新与应用"
            "（重要性9/10）。"
        ),
    },
    {
        "code": "tech_update_speed",
        "dimension": "innovation_capacity",
        "order": 3,
        "name": "Technology update speed",
        "name_zh": "技术更新速度",
        "unit": "significant system releases per year",
        "unit_zh": "每年重大系统发布次数",
        "direction": "higher",
        "min_value": Decimal("0"),
        "max_value": None,
        "guidance": (
            'Good: several significant releases a month (24 a year or more), DORA\'s "high" '
            'cadence; a monthly release (12 a year) is DORA\'s "medium". Poor: no release in '
            "the year."
        ),
        "guidance_zh": (
            "良好：每月多次重大发布（每年24次及以上），相当于DORA的“高”水平；"
            "每月一次（每年12次）为DORA的“中”水平。较差：全年没有发布。"
        ),
        "paper_note": (
            "Table 4 gives technology update speed a weight of 0.10 under innovation capacity. "
            "It serves Table 3's technology innovation and application (importance 9 of 10): "
            "big data, artificial intelligence and cloud computing (section 3.1)."
        ),
        "paper_note_zh": (
            "表4中技术更新速度属于创新能力维度，权重0.10。它服务于表3中的技术创新与应用"
            "（重要性9/10）：大数据、人工智能与云计算（第3.1节）。"
        ),
    },
    {
        "code": "market_response_time",
        "dimension": "market_adaptability",
        "order": 4,
        "name": "Market response time",
        "name_zh": "市场响应时间",
        "unit": "days, demand signal to adjusted offer live",
        "unit_zh": "天（从需求信号到调整后的商品上线）",
        "direction": "lower",
        "min_value": Decimal("0"),
        "max_value": None,
        "guidance": (
            "Good: one to two weeks from a demand signal to an adjusted offer live, the "
            "fastest design-to-shelf response. Poor: months, as for traditional brands "
            "(90 days or more scores nothing)."
        ),
        "guidance_zh": (
            "良好：从需求信号到调整后的商品上线只需一到两周，即最快的设计到上架响应。"
            "较差：需要数月，为传统品牌的水平（90天及以上得零分）。"
        ),
        "paper_note": (
            "Table 4 gives market response time a weight of 0.20 under market adaptability. It "
            "measures section 3.1's principle of market adaptability and flexibility: adjusting "
            "product selection and marketing promptly as markets change."
        ),
        "paper_note_zh": (
            "表4中市场响应时间属于市场适应性维度，权重0.20。它衡量第3.1节的市场适应性与灵活性"
            "原则：随市场变化及时调整选品与营销策略。"
        ),
    },
    {
        "code": "environmental_impact_score",
        "dimension": "sustainability",
        "order": 5,
        "name": "Environmental impact score",
        "name_zh": "环境影响评分",
        "unit": "score 0–100",
        "unit_zh": "分（0–100）",
        "direction": "higher",
        "min_value": Decimal("0"),
        "max_value": Decimal("100"),
        "guidance": (
            "On the 0–100 scale of EcoVadis-style ratings, typed from an external rating or "
            "computed with the built-in checklist. Good: near 100, with green packaging, "
            "lower-carbon shipping, measured emissions, a reduction target, renewable "
            "electricity and a returns-reduction programme. Poor: near 0, with none of these."
        ),
        "guidance_zh": (
            "采用EcoVadis类评级的0–100分制，可填写外部评级，或用内置清单计算。"
            "良好：接近100分，采用绿色包装、低碳运输、测量排放、设定减排目标、使用可再生电力"
            "并开展减少退货计划。较差：接近0分，以上均未开展。"
        ),
        "paper_note": (
            "Table 4 gives the environmental impact score the largest weight, 0.30, under "
            "sustainability. It follows section 3.4's sustainability practices: green "
            "packaging (JD Worldwide), green logistics, energy conservation and emission "
            "reduction (Alibaba)."
        ),
        "paper_note_zh": (
            "表4中环境影响评分属于可持续发展维度，权重最高，为0.30。它依据第3.4节的可持续发展"
            "实践：绿色包装（京东国际）、绿色物流、节能减排（阿里巴巴）。"
        ),
    },
]

SCHEME = {
    "slug": "ye-2025-table-4",
    "version": 1,
    "name": "Ye (2025) Table 4",
    "description": (
        "The evaluation system of Ye (2025), Table 4: operational efficiency, innovation "
        "capacity, market adaptability and sustainability, with the normalization bounds of "
        "PRODUCT.md section 3."
    ),
    "grade_bands": [
        {"grade": "A", "min_score": 85.0, "label": "leading"},
        {"grade": "B", "min_score": 70.0, "label": "advanced"},
        {"grade": "C", "min_score": 55.0, "label": "developing"},
        {"grade": "D", "min_score": 40.0, "label": "emerging"},
        {"grade": "E", "min_score": 0.0, "label": "at_risk"},
    ],
}

ROWS = [
    # indicator, weight, worst, best
    ("logistics_cost", Decimal("0.25"), Decimal("30"), Decimal("5")),
    ("npd_cycle", Decimal("0.15"), Decimal("180"), Decimal("14")),
    ("tech_update_speed", Decimal("0.10"), Decimal("0"), Decimal("24")),
    ("market_response_time", Decimal("0.20"), Decimal("90"), Decimal("7")),
    ("environmental_impact_score", Decimal("0.30"), Decimal("0"), Decimal("100")),
]


def load(apps, schema_editor):
    Dimension = apps.get_model("evaluations", "Dimension")
    Indicator = apps.get_model("evaluations", "Indicator")
    WeightScheme = apps.get_model("evaluations", "WeightScheme")
    SchemeIndicator = apps.get_model("evaluations", "SchemeIndicator")
    dimensions = {}
    for code, name, name_zh, order in DIMENSIONS:
        dimensions[code] = Dimension.objects.create(
            code=code, name=name, name_zh=name_zh, order=order
        )
    indicators = {}
    for data in INDICATORS:
        data = dict(data, dimension=dimensions[data["dimension"]])
        indicators[data["code"]] = Indicator.objects.create(**data)
    # Created published and default in one step: the historical model has no freeze guard.
    scheme = WeightScheme.objects.create(
        **SCHEME, status="published", is_default=True, published_at=timezone.now()
    )
    for code, weight, worst, best in ROWS:
        SchemeIndicator.objects.create(
            scheme=scheme, indicator=indicators[code], weight=weight, worst=worst, best=best
        )


def unload(apps, schema_editor):
    WeightScheme = apps.get_model("evaluations", "WeightScheme")
    SchemeIndicator = apps.get_model("evaluations", "SchemeIndicator")
    Indicator = apps.get_model("evaluations", "Indicator")
    Dimension = apps.get_model("evaluations", "Dimension")
    schemes = WeightScheme.objects.filter(slug=SCHEME["slug"], version=SCHEME["version"])
    SchemeIndicator.objects.filter(scheme__in=schemes).delete()
    schemes.delete()
    Indicator.objects.filter(code__in=[data["code"] for data in INDICATORS]).delete()
    Dimension.objects.filter(code__in=[code for code, *_ in DIMENSIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
