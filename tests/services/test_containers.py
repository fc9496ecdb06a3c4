from decimal import Decimal

import pytest

from dryport.services.containers import make_number, teu_of, total_teu, validate_number
from dryport.services.errors import Invalid


@pytest.mark.parametrize("number", ["CSQU3054383", "TCNU7200794", "GYOU4047990"])
def test_real_container_numbers_are_valid(number):
    assert validate_number(number) == number


def test_lowercase_and_spaces_are_normalised():
    assert validate_number(" csqu 305438 3 ") == "CSQU3054383"


def test_a_wrong_check_digit_names_the_right_one():
    with pytest.raises(Invalid, match="check digit should be 3"):
        validate_number("CSQU3054384")


def test_the_category_must_be_u_j_or_z():
    with pytest.raises(Invalid, match="category letter"):
        validate_number("CSQX3054383")


def test_a_malformed_number_says_what_a_number_looks_like():
    with pytest.raises(Invalid, match="3-letter owner code"):
        validate_number("CSQU30543")


@pytest.mark.parametrize(
    ("size_type", "teu"),
    [("22G1", 1), ("42G1", 2), ("45G1", 2), ("L5G1", 2), ("22R1", 1), ("45R1", 2), ("22T1", 1)],
)
def test_teu_follows_the_length_code(size_type, teu):
    assert teu_of(size_type) == Decimal(teu)


def test_a_45_footer_can_count_225_teu():
    assert teu_of("L5G1", teu_per_45ft=2.25) == Decimal("2.25")
    assert teu_of("45G1", teu_per_45ft=2.25) == Decimal(2)  # a 40 ft high cube


def test_total_teu_of_lines():
    assert total_teu([("22G1", 3), ("45G1", 2)]) == Decimal(7)


def test_an_unknown_size_type_is_refused():
    with pytest.raises(Invalid, match="Unknown size-type"):
        teu_of("99X9")


def test_made_numbers_validate():
    assert validate_number(make_number("HKX", 42)) == make_number("HKX", 42)


def test_a_check_digit_of_0_from_a_remainder_of_10_is_named():
    with pytest.raises(Invalid, match="check digit should be 0"):
        validate_number("GYOU4047991")


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("CSQU3054383", "CSQU3054383"),
        ("  csqu 305438 3 ", "CSQU3054383"),
        ("CSQU3054383\t22G1\tAK0001", "CSQU3054383"),
        ("TCNU 720079 4   45G1", "TCNU7200794"),
        ("CSQU30543  22G1", "CSQU30543"),  # malformed: as it is, for the check to name
        ("CSQU3054383, 22G1, AK0001", "CSQU3054383"),
        ("   ", ""),
    ],
)
def test_a_yard_sheet_line_gives_its_number(line, number):
    from dryport.services.containers import number_from_line

    assert number_from_line(line) == number
