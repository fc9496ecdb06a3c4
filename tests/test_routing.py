"""Ids and references in paths: exactly the values a record can have, nothing beyond."""

import re

from hypothesis import given
from hypothesis import strategies as st

from dryport.routing import IdConverter, ReferenceConverter

MAX_ID = 2**31 - 1


@given(st.one_of(st.integers(min_value=0, max_value=10**12),
                 st.integers(min_value=MAX_ID - 1000, max_value=MAX_ID + 1000)))  # fmt: skip
def test_an_id_matches_exactly_from_1_to_the_largest_integer(n):
    assert bool(re.fullmatch(IdConverter.regex, str(n))) is (1 <= n <= MAX_ID)


def test_ids_with_leading_zeros_or_signs_do_not_match():
    for text in ("01", "-1", "+1", "1.0", "", "1e3"):
        assert not re.fullmatch(IdConverter.regex, text), text


def test_out_of_range_ids_are_404_whatever_the_method(client):
    for path in ("/api/v1/departures/2147483648", "/api/v1/departures/84828769724"):
        for method in ("get", "patch", "post", "delete"):
            assert getattr(client, method)(path).status_code == 404, (method, path)


def test_a_reference_is_letters_digits_and_hyphens():
    assert re.fullmatch(ReferenceConverter.regex, "HK2612-00042")
    for text in ("", "-HK", "HK/1", "HK 1", "x" * 21, "事件"):
        assert not re.fullmatch(ReferenceConverter.regex, text), text
