"""Text that people type is shown in pages, PDFs, spreadsheets and e-mail: it may not carry
control characters (a CR/LF in a name broke mail headers) or bidirectional overrides (U+202E
showed a name reversed in the PDF). Both are refused, never silently removed."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The bidirectional marks, embeddings, overrides and isolates; then the C0 and C1 controls and
# DEL, all of them on one line, all but tab, line feed and carriage return in longer text.
_BIDI = "\u200e\u200f\u202a-\u202e\u2066-\u2069"
_SINGLE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_MULTI_LINE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")


def _found(match: re.Match) -> str:
    return f"U+{ord(match.group()):04X}"


def validate_single_line(value: object) -> None:
    """A name, a city, a file name: no control character, no line break, no direction override."""
    match = _SINGLE_LINE.search(str(value))
    if match:
        raise ValidationError(
            _("Remove the invisible control character (%(code)s) from this text."),
            code="control_character",
            params={"code": _found(match)},
        )


def validate_text(value: object) -> None:
    """Longer text: line breaks and tabs are fine; other control characters and overrides not."""
    match = _MULTI_LINE.search(str(value))
    if match:
        raise ValidationError(
            _("Remove the invisible control character (%(code)s) from this text."),
            code="control_character",
            params={"code": _found(match)},
        )
