"""Countries come from pycountry, in one place (api/countries.py)."""

from __future__ import annotations

from api.countries import ISO_COUNTRY_CODES, country_name
from api.validation import Checker


def test_the_codes_are_the_249_assigned_ones() -> None:
    assert len(ISO_COUNTRY_CODES) == 249
    assert {"US", "GB", "DE", "BQ", "SS"} <= ISO_COUNTRY_CODES
    assert "UK" not in ISO_COUNTRY_CODES  # a common mistake, not an ISO code


def test_a_code_is_named_in_english_and_an_unknown_one_is_kept() -> None:
    assert country_name("GB") == "United Kingdom"
    assert country_name("de") == "Germany"
    assert country_name("XQ") == "XQ"


def test_a_wrong_code_is_refused_naming_the_field() -> None:
    check = Checker()
    check.country("input.offices.0.country", "UK")
    check.country("input.offices.1.country", "GB")
    assert [(p.field, p.message) for p in check.problems] == [
        (
            "input.offices.0.country",
            "input.offices.0.country 'UK' is not an ISO 3166-1 alpha-2 code such as 'US'",
        )
    ]
