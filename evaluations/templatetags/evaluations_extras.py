"""Template filters for the evaluation pages; the formatting is ``evaluations.formatting``."""

from django import template

from evaluations import formatting

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``{{ values|get_item:code }}``: a dictionary lookup by a variable key."""
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def localized(obj, field: str) -> str:
    """``{{ indicator|localized:"name" }}``: the Chinese text under Chinese, else English."""
    return obj.localized(field) if obj is not None else ""


@register.filter
def score(value) -> str:
    """``{{ run.overall|score }}``: a score as people read it (84.997 shows as 84.9)."""
    return formatting.shown_score(value)


@register.filter
def plain(value) -> str:
    """``{{ row.best|plain }}``: a value, bound or weight as people write it (18, 0.25)."""
    return formatting.plain(value)


@register.filter
def signed(value, digits: int = 1) -> str:
    """A change with its sign: +3.0, −1.5, ±0.0."""
    return formatting.signed(value, int(digits))


@register.filter
def percent(share) -> str:
    """``{{ 0.784|percent }}``: 78 (a share of 1 as whole percent)."""
    return "—" if share is None else f"{float(share) * 100:.0f}"
