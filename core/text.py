"""Words joined as the reader's language joins them."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import pgettext


def listing(items: Iterable[object]) -> str:
    """ "Germany, France" in English, "德国、法国" in Chinese (GB/T 15834's enumeration comma)."""
    return pgettext("list separator", ", ").join(str(item) for item in items)
