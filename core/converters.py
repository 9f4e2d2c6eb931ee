"""``<id:pk>`` in URL patterns: a database id, at most 18 digits, so an id past the 64-bit range
(``/enterprises/9223372036854775808/``) is a plain 404 instead of an overflow in the database."""


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(int(value))
