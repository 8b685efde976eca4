"""What a site build records in the site it built, so the next one can redo only what changed.

`.vouch-build/manifest.json` holds how far the build got through the change log, a
fingerprint of everything mkdocs' output depends on (the code, the theme, the templates'
and vendor pages' Markdown), one of what every partner page reads besides its partner (the
market's NPS, the names), the data's day, the partners by id and the data pages made.
`.vouch-build/templates.json` holds the template pages mkdocs built, by their path (in one
file, not as pages: their links lead nowhere until they are filled in). Both live inside
the site, so they are published and replaced with it, by the same renames.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields
from functools import cache
from importlib import metadata
from pathlib import Path

from api.readers.change_log import Place
from directory_site.content import Directory

FOLDER = ".vouch-build"
MANIFEST = f"{FOLDER}/manifest.json"
TEMPLATES = f"{FOLDER}/templates.json"
VERSION = 1
HERE = Path(__file__).resolve().parent
THEME = ("mkdocs", "mkdocs-material", "markdown", "jinja2", "pymdown-extensions")


@dataclass(frozen=True)
class Manifest:
    mkdocs: str  # fingerprint of what mkdocs built
    place: Place  # of the change log
    context: str  # fingerprint of what every partner page reads besides its partner
    day: str  # the data's day (the sitemap's date)
    partners: dict[str, str]  # slug by partner id
    pages: list[str]  # the pages filled from templates
    landmark: str = ""  # the change-log row at `place` (api.readers.change_log.landmark)


def read(site: Path) -> Manifest | None:
    """The manifest of the build that made `site`; None if there is none or it is not ours."""
    try:
        found = json.loads((site / MANIFEST).read_text())
        if found.pop("version") != VERSION:
            return None
        place = found.pop("place")
        return Manifest(place=Place(int(place["through"]), dict(place["gaps"])), **found)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def dumps(manifest: Manifest) -> str:
    # Field by field, not dataclasses.asdict: that copies the 100,000 partners' slugs deep.
    found = {field.name: getattr(manifest, field.name) for field in fields(manifest)}
    found["place"] = asdict(manifest.place)
    return json.dumps({"version": VERSION, **found}, indent=1, sort_keys=True)


def dump_templates(templates: dict[str, str]) -> str:
    return json.dumps(templates, indent=0, sort_keys=True)


def read_templates(site: Path) -> dict[str, str]:
    """The template pages (by path in the site) recorded in the built `site`."""
    found: dict[str, str] = json.loads((site / TEMPLATES).read_text())
    return found


def mkdocs_fingerprint(sources: dict[str, str]) -> str:
    """Of the Markdown mkdocs builds (by docs path), with the code and the theme."""
    digest = hashlib.sha256(_code().encode())
    for name in sorted(sources):
        digest.update(f"\0{name}\0{sources[name]}".encode())
    return digest.hexdigest()


def context_fingerprint(where: Directory) -> str:
    names = where.names
    seen = (
        repr(where.market_nps),
        sorted((i.id, i.slug, i.name) for i in names.industries.values()),
        sorted((p.id, p.slug, p.name, v.name) for p, v in names.products.values()),
    )
    return hashlib.sha256(repr(seen).encode()).hexdigest()


CODE = (HERE, HERE.parent / "api", HERE.parent / "search_index")
"""The folders whose files are the site's code (with the theme's packages' versions)."""


@cache
def _code() -> str:
    """The site's code and theme: a change to either makes the next build a full one. The
    api package is in it too (the figures and words on every page come from there), and
    the search index's (the static index is updated in place from files its code wrote)."""
    digest = hashlib.sha256()
    for package in THEME:
        try:
            digest.update(f"{package}={metadata.version(package)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package}=none\n".encode())
    for root in CODE:
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root.parent).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()
