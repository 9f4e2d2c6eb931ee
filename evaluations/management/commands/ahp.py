"""``python manage.py ahp FILE.json`` (or ``-`` for standard input): PRODUCT.md section 9.

Input: ``{"criteria": ["a", "b", "c"], "matrix": [[1, 3, 5], [0.3333, 1, 3], [0.2, 0.3333, 1]]}``,
reciprocal pairwise comparisons on Saaty's 1-9 scale. Output, as JSON on standard output with
floats unrounded: ``{"weights": {"a": f, ...}, "lambda_max": f, "ci": f, "ri": f, "cr": f,
"consistent": bool, "most_inconsistent": ["a", "c"] or null}``. An inconsistent matrix is a
result, not an error: it says so, and which pair to revisit. Bad input (not square, names not
matching, an entry outside [1/9, 9] or not reciprocal, a diagonal not 1, more than ten
criteria, any other key) exits with status 2 and names each bad entry, e.g. ``matrix[0][2]``.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from evaluations.management.jsoninput import bad_fields, load_object
from evaluations.scoring import ScoringError, ahp

KEYS = ("criteria", "matrix")
EXAMPLE = '{"criteria": ["a", "b"], "matrix": [[1, 3], [0.3333, 1]]}'


class Command(BaseCommand):
    help = "Weights and consistency from AHP pairwise comparisons; prints the result as JSON."
    requires_system_checks: list[str] = []  # a scripting interface: nothing but the answer

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help='a JSON file, or "-" to read standard input')

    def handle(self, *args, file: str, **options) -> None:
        data = load_object(file, KEYS, EXAMPLE)
        errors = {key: "is required" for key in KEYS if key not in data}
        if errors:
            raise bad_fields(errors)
        try:
            result = ahp(data["criteria"], data["matrix"])
        except ScoringError as error:
            raise bad_fields(error.errors) from None
        self.stdout.write(json.dumps(result.as_dict(), indent=2, allow_nan=False))
