"""The one rule for every aggregate shown (PRODUCT.md section 10): a figure over a group of
enterprises is shown only when the group has at least ``MIN_OTHERS`` enterprises besides the
reader's own, so that no enterprise's figures can be worked out from it. Peers (an enterprise
reading its cohort, itself included) and programme dashboards (an organisation, which has no
result of its own in the group) both ask here. Plain Python: no Django.
"""

from __future__ import annotations

MIN_OTHERS = 5


def others(count: int, *, includes_reader: bool = False) -> int:
    """How many enterprises of a group of ``count`` are not the reader's own."""
    return max(count - 1, 0) if includes_reader else max(count, 0)


def shown(count: int, *, includes_reader: bool = False) -> bool:
    """May an aggregate over ``count`` enterprises be shown to this reader?"""
    return others(count, includes_reader=includes_reader) >= MIN_OTHERS
