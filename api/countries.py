"""Countries: ISO 3166-1 alpha-2 codes and their names, from pycountry (one place)."""

from __future__ import annotations

import pycountry

ISO_COUNTRY_CODES = frozenset(str(country.alpha_2) for country in pycountry.countries)
"""The 249 officially assigned codes, as pycountry ships them."""


def country_name(code: str) -> str:
    """The country's English name ("GB" -> "United Kingdom"), or the code if unknown."""
    found = pycountry.countries.get(alpha_2=code.upper())
    return str(found.name) if found else code.upper()
