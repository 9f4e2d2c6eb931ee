"""Small template filters for the evaluation pages."""

from django import template

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
def signed(value, digits: int = 1) -> str:
    """A change with its sign: +3.0, −1.5, ±0.0."""
    if value is None:
        return "—"
    rounded = round(float(value), int(digits))
    if rounded == 0:
        return f"±{0:.{int(digits)}f}"
    sign = "+" if rounded > 0 else "−"
    return f"{sign}{abs(rounded):.{int(digits)}f}"


@register.filter
def subtract(value, other):
    """``{{ a|subtract:b }}``: a − b, or None when either is missing."""
    if value is None or other is None:
        return None
    return float(value) - float(other)
