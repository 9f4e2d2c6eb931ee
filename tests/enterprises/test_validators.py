import pytest
from django.core.exceptions import ValidationError

from enterprises.validators import check_character, validate_credit_code


@pytest.mark.parametrize(
    "code",
    ["91350100M000100Y43", "91110000802100433B", "91440300708461136T", "91330100MA2DEM0X1F"],
)
def test_real_codes_pass(code):
    validate_credit_code(code)
    validate_credit_code(code.lower())


def test_check_character_by_hand():
    # values (0-9, A=10 … M=21 … Y=30) times the weights
    # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28:
    # 9*1 + 1*3 + 3*9 + 5*27 + 1*26 + M 21*20 + 1*8 + Y 30*30 + 4*28
    # = 9 + 3 + 27 + 135 + 26 + 420 + 8 + 900 + 112 = 1640; 1640 mod 31 = 28; 31 - 28 = 3 -> "3"
    assert check_character("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("9135010", "length"),
        ("91350100M000100Y4" + "3" + "0", "length"),
        ("91350100M000100I43", "alphabet"),
        ("91350100M000100Y44", "check"),
    ],
)
def test_bad_codes_say_why(code, kind):
    with pytest.raises(ValidationError) as error:
        validate_credit_code(code)
    assert error.value.code == kind
