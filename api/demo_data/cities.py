"""Real cities with their country (ISO 3166-1 alpha-2) and coordinates, and spoken languages."""

from __future__ import annotations

from typing import NamedTuple


class City(NamedTuple):
    name: str
    country: str
    latitude: float
    longitude: float
    region: str


_RAW: tuple[tuple[str, str, float, float], ...] = (
    # Europe
    ("London", "GB", 51.5074, -0.1278),
    ("Manchester", "GB", 53.4808, -2.2426),
    ("Edinburgh", "GB", 55.9533, -3.1883),
    ("Dublin", "IE", 53.3498, -6.2603),
    ("Paris", "FR", 48.8566, 2.3522),
    ("Lyon", "FR", 45.7640, 4.8357),
    ("Berlin", "DE", 52.5200, 13.4050),
    ("Munich", "DE", 48.1351, 11.5820),
    ("Hamburg", "DE", 53.5511, 9.9937),
    ("Frankfurt", "DE", 50.1109, 8.6821),
    ("Amsterdam", "NL", 52.3676, 4.9041),
    ("Rotterdam", "NL", 51.9244, 4.4777),
    ("Brussels", "BE", 50.8503, 4.3517),
    ("Zurich", "CH", 47.3769, 8.5417),
    ("Geneva", "CH", 46.2044, 6.1432),
    ("Vienna", "AT", 48.2082, 16.3738),
    ("Madrid", "ES", 40.4168, -3.7038),
    ("Barcelona", "ES", 41.3874, 2.1686),
    ("Lisbon", "PT", 38.7223, -9.1393),
    ("Milan", "IT", 45.4642, 9.1900),
    ("Rome", "IT", 41.9028, 12.4964),
    ("Stockholm", "SE", 59.3293, 18.0686),
    ("Copenhagen", "DK", 55.6761, 12.5683),
    ("Oslo", "NO", 59.9139, 10.7522),
    ("Helsinki", "FI", 60.1699, 24.9384),
    ("Warsaw", "PL", 52.2297, 21.0122),
    ("Kraków", "PL", 50.0647, 19.9450),
    ("Prague", "CZ", 50.0755, 14.4378),
    ("Budapest", "HU", 47.4979, 19.0402),
    ("Bucharest", "RO", 44.4268, 26.1025),
    ("Athens", "GR", 37.9838, 23.7275),
    ("Tallinn", "EE", 59.4370, 24.7536),
    # North America
    ("New York", "US", 40.7128, -74.0060),
    ("San Francisco", "US", 37.7749, -122.4194),
    ("Los Angeles", "US", 34.0522, -118.2437),
    ("Chicago", "US", 41.8781, -87.6298),
    ("Boston", "US", 42.3601, -71.0589),
    ("Seattle", "US", 47.6062, -122.3321),
    ("Austin", "US", 30.2672, -97.7431),
    ("Dallas", "US", 32.7767, -96.7970),
    ("Atlanta", "US", 33.7490, -84.3880),
    ("Denver", "US", 39.7392, -104.9903),
    ("Miami", "US", 25.7617, -80.1918),
    ("Minneapolis", "US", 44.9778, -93.2650),
    ("Washington", "US", 38.9072, -77.0369),
    ("Philadelphia", "US", 39.9526, -75.1652),
    ("Toronto", "CA", 43.6532, -79.3832),
    ("Vancouver", "CA", 49.2827, -123.1207),
    ("Montreal", "CA", 45.5019, -73.5674),
    ("Mexico City", "MX", 19.4326, -99.1332),
    ("Guadalajara", "MX", 20.6597, -103.3496),
    # Latin America
    ("São Paulo", "BR", -23.5505, -46.6333),
    ("Rio de Janeiro", "BR", -22.9068, -43.1729),
    ("Buenos Aires", "AR", -34.6037, -58.3816),
    ("Santiago", "CL", -33.4489, -70.6693),
    ("Bogotá", "CO", 4.7110, -74.0721),
    ("Lima", "PE", -12.0464, -77.0428),
    # Middle East and Africa
    ("Dubai", "AE", 25.2048, 55.2708),
    ("Riyadh", "SA", 24.7136, 46.6753),
    ("Tel Aviv", "IL", 32.0853, 34.7818),
    ("Istanbul", "TR", 41.0082, 28.9784),
    ("Cairo", "EG", 30.0444, 31.2357),
    ("Johannesburg", "ZA", -26.2041, 28.0473),
    ("Cape Town", "ZA", -33.9249, 18.4241),
    ("Nairobi", "KE", -1.2921, 36.8219),
    ("Lagos", "NG", 6.5244, 3.3792),
    # Asia and Pacific
    ("Singapore", "SG", 1.3521, 103.8198),
    ("Sydney", "AU", -33.8688, 151.2093),
    ("Melbourne", "AU", -37.8136, 144.9631),
    ("Brisbane", "AU", -27.4698, 153.0251),
    ("Auckland", "NZ", -36.8485, 174.7633),
    ("Tokyo", "JP", 35.6762, 139.6503),
    ("Osaka", "JP", 34.6937, 135.5023),
    ("Seoul", "KR", 37.5665, 126.9780),
    ("Hong Kong", "HK", 22.3193, 114.1694),
    ("Shanghai", "CN", 31.2304, 121.4737),
    ("Taipei", "TW", 25.0330, 121.5654),
    ("Bengaluru", "IN", 12.9716, 77.5946),
    ("Mumbai", "IN", 19.0760, 72.8777),
    ("Pune", "IN", 18.5204, 73.8567),
    ("Hyderabad", "IN", 17.3850, 78.4867),
    ("New Delhi", "IN", 28.6139, 77.2090),
    ("Kuala Lumpur", "MY", 3.1390, 101.6869),
    ("Jakarta", "ID", -6.2088, 106.8456),
    ("Manila", "PH", 14.5995, 120.9842),
    ("Bangkok", "TH", 13.7563, 100.5018),
    ("Ho Chi Minh City", "VN", 10.8231, 106.6297),
)

REGIONS: dict[str, str] = {
    **dict.fromkeys(
        [
            "GB",
            "IE",
            "FR",
            "DE",
            "NL",
            "BE",
            "CH",
            "AT",
            "ES",
            "PT",
            "IT",
            "SE",
            "DK",
            "NO",
            "FI",
            "PL",
            "CZ",
            "HU",
            "RO",
            "GR",
            "EE",
        ],
        "europe",
    ),
    **dict.fromkeys(["US", "CA", "MX"], "north_america"),
    **dict.fromkeys(["BR", "AR", "CL", "CO", "PE"], "latin_america"),
    **dict.fromkeys(["AE", "SA", "IL", "TR", "EG", "ZA", "KE", "NG"], "middle_east_africa"),
    **dict.fromkeys(
        ["SG", "AU", "NZ", "JP", "KR", "HK", "CN", "TW", "IN", "MY", "ID", "PH", "TH", "VN"],
        "asia_pacific",
    ),
}

CITIES: tuple[City, ...] = tuple(
    City(name, country, lat, lon, REGIONS[country]) for name, country, lat, lon in _RAW
)

# How often a partner is headquartered in each region (the directory's market).
REGION_WEIGHTS: dict[str, float] = {
    "europe": 0.40,
    "north_america": 0.35,
    "latin_america": 0.06,
    "middle_east_africa": 0.06,
    "asia_pacific": 0.13,
}

# ISO 639-1 codes of the languages usually spoken in business, by country.
COUNTRY_LANGUAGES: dict[str, tuple[str, ...]] = {
    "GB": ("en",), "IE": ("en",), "US": ("en", "es"), "CA": ("en", "fr"),
    "AU": ("en",), "NZ": ("en",), "SG": ("en", "zh"), "IN": ("en", "hi"),
    "ZA": ("en", "af"), "KE": ("en", "sw"), "NG": ("en",), "PH": ("en", "tl"),
    "FR": ("fr",), "DE": ("de",), "AT": ("de",), "CH": ("de", "fr", "it"),
    "NL": ("nl",), "BE": ("nl", "fr"), "ES": ("es", "ca"), "PT": ("pt",),
    "IT": ("it",), "SE": ("sv",), "DK": ("da",), "NO": ("no",), "FI": ("fi", "sv"),
    "PL": ("pl",), "CZ": ("cs",), "HU": ("hu",), "RO": ("ro",), "GR": ("el",),
    "EE": ("et",), "MX": ("es",), "BR": ("pt",), "AR": ("es",), "CL": ("es",),
    "CO": ("es",), "PE": ("es",), "AE": ("ar",), "SA": ("ar",), "IL": ("he",),
    "TR": ("tr",), "EG": ("ar",), "JP": ("ja",), "KR": ("ko",), "HK": ("zh",),
    "CN": ("zh",), "TW": ("zh",), "MY": ("ms",), "ID": ("id",), "TH": ("th",),
    "VN": ("vi",),
}  # fmt: skip

# Typical senior consultant day rates differ a lot by market: a multiplier per country.
COST_LEVEL: dict[str, float] = {
    **dict.fromkeys(["US", "CH", "NO", "DK", "GB", "AU"], 1.0),
    **dict.fromkeys(
        ["DE", "NL", "SE", "FI", "IE", "AT", "BE", "FR", "CA", "NZ", "SG", "IL", "AE", "JP"], 0.85
    ),
    **dict.fromkeys(["IT", "ES", "KR", "HK", "TW", "SA", "EE"], 0.65),
    **dict.fromkeys(["PT", "PL", "CZ", "HU", "GR", "CN", "MX", "CL", "TR"], 0.45),
    **dict.fromkeys(["RO", "BR", "AR", "CO", "PE", "ZA", "MY", "TH"], 0.38),
    **dict.fromkeys(["IN", "PH", "VN", "ID", "EG", "KE", "NG"], 0.25),
}

CITIES_BY_COUNTRY: dict[str, tuple[City, ...]] = {
    country: tuple(city for city in CITIES if city.country == country) for country in REGIONS
}
CITIES_BY_REGION: dict[str, tuple[City, ...]] = {
    region: tuple(city for city in CITIES if city.region == region) for region in REGION_WEIGHTS
}
