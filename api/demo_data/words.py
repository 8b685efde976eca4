"""Word lists the generated names are combined from."""

from __future__ import annotations

# Company names: a prefix, often joined to an ending ("Bright" + "wave"), then a kind.
PREFIXES = (
    "Acorn", "Alder", "Amber", "Apex", "Arbor", "Aspen", "Atlas", "Beacon", "Birch", "Blue",
    "Bright", "Cedar", "Cinder", "Cobalt", "Copper", "Coral", "Crescent", "Crown", "Delta",
    "Drift", "Eagle", "Elm", "Ember", "Evergreen", "Falcon", "Fern", "Fjord", "Forge", "Fox",
    "Garnet", "Glacier", "Golden", "Granite", "Harbor", "Hawthorn", "Heron", "Highland",
    "Horizon", "Indigo", "Iron", "Ivy", "Juniper", "Kestrel", "Keystone", "Lantern", "Larch",
    "Laurel", "Linden", "Lumen", "Maple", "Meadow", "Meridian", "Mill", "Nimbus", "North",
    "Oak", "Onyx", "Orchard", "Osprey", "Pine", "Pioneer", "Prairie", "Quarry", "Quill",
    "Raven", "Red", "Ridge", "River", "Rowan", "Sable", "Saffron", "Sage", "Silver", "Sky",
    "Slate", "Solstice", "Spruce", "Stone", "Summit", "Sun", "Swift", "Thistle", "Tide",
    "Timber", "True", "Tundra", "Vale", "Vector", "Velvet", "Willow", "Winter", "Wren",
    "Zenith",
)  # fmt: skip

PARTNER_ENDINGS = (
    "wave", "light", "point", "bridge", "shift", "stack", "craft", "works", "line", "path",
    "spark", "field", "gate", "mark", "scale", "loop", "beam", "sail", "hive", "forge",
)  # fmt: skip

CUSTOMER_ENDINGS = (
    "brook", "field", "gate", "view", "wood", "stone", "well", "ford", "haven", "crest",
    "dale", "wick", "mont", "bury", "port", "side",
)  # fmt: skip

PARTNER_KINDS = (
    "Digital", "Consulting", "Solutions", "Partners", "Labs", "Group", "Systems",
    "Interactive", "Studio", "Collective", "Advisory", "Technologies", "Agency", "Integration",
)  # fmt: skip

SURNAMES = (
    "Abbott", "Achterberg", "Adeyemi", "Alvarez", "Andersen", "Bauer", "Becker", "Bianchi",
    "Brennan", "Carvalho", "Chen", "Costa", "Dalton", "Dubois", "Eriksson", "Fischer",
    "Fontaine", "Garcia", "Hale", "Hartmann", "Haugen", "Ibarra", "Ishikawa", "Jansen",
    "Kaur", "Keller", "Kowalski", "Larsen", "Lindqvist", "Lopez", "Mahler", "Marsh", "Mendes",
    "Moreau", "Nakamura", "Novak", "Nowak", "Okafor", "Olsen", "Park", "Patel", "Petrov",
    "Quinn", "Ramos", "Reyes", "Rossi", "Sato", "Schmidt", "Silva", "Sorensen", "Tanaka",
    "Thorne", "Varga", "Vogel", "Walsh", "Weber", "Whitfield", "Yilmaz", "Young", "Zhang",
)  # fmt: skip

FIRST_NAMES = (
    "Aisha", "Alex", "Amara", "Ana", "Anders", "Ben", "Carmen", "Chloe", "Daniel", "David",
    "Elena", "Emma", "Fatima", "Felix", "Grace", "Hana", "Hugo", "Ines", "Isabel", "Jakob",
    "James", "Jana", "Javier", "Julia", "Kenji", "Kofi", "Lars", "Laura", "Leila", "Lucas",
    "Maria", "Marta", "Mateo", "Mei", "Mohammed", "Nadia", "Noah", "Olga", "Omar", "Paula",
    "Pedro", "Priya", "Rahul", "Rosa", "Sam", "Sara", "Sofia", "Stefan", "Tariq", "Thomas",
    "Tomasz", "Valentina", "Wei", "Yara", "Yusuf", "Zoe",
)  # fmt: skip

RESPONDENT_TITLES = (
    "Chief Information Officer", "Chief Digital Officer", "Chief Technology Officer",
    "Chief Marketing Officer", "VP of Digital", "VP of Marketing", "VP of Operations",
    "Head of E-commerce", "Head of IT", "Head of CRM", "Head of Customer Experience",
    "Director of IT", "Director of Digital Products", "Director of Sales Operations",
    "IT Manager", "Programme Manager", "Project Manager", "Product Owner",
    "Marketing Operations Manager", "Enterprise Architect", "Business Systems Analyst",
    "Finance Director", "HR Systems Lead",
)  # fmt: skip

SERVICES = (
    "Implementation and configuration",
    "Data migration from legacy systems",
    "Integration with ERP, CRM and payment systems",
    "Solution architecture and technical discovery",
    "User experience and interface design",
    "Change management and end-user training",
    "Managed services and 24/7 support",
    "Performance tuning and health checks",
    "Custom development and extensions",
    "Analytics, reporting and dashboards",
    "Upgrades and re-platforming",
    "Security reviews and compliance",
)

CERTIFICATIONS_GENERIC = (
    "ISO/IEC 27001",
    "ISO 9001",
    "SOC 2 Type II",
    "Cyber Essentials Plus",
    "B Corp",
)

CERTIFICATION_LEVELS = ("Certified Consultant", "Certified Architect", "Certified Developer")

VOID_REASONS = (
    "Respondent's address belonged to the partner, not to the customer.",
    "The customer reported that the respondent was not involved in the engagement.",
    "Duplicate submission by the same person through a forwarded invitation.",
    "Submitted from the partner's own network; confirmed by the customer.",
)
