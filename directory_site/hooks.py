"""mkdocs hooks for the directory site (mkdocs.yml: `hooks`).

A partner page's body is written by the generator as finished, sanitised HTML in a side
folder; Markdown and the search plugin see only the title and a one-line summary (what a
buyer searches for), and the body takes the placeholder's place in the final page. Parsing
every partner's tables and charts twice, as Markdown and for the search index, was most of
the build's time (and would have put every word in the index).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PLACEHOLDER = "<!-- vouch:body -->"
BODIES = "VOUCH_SITE_BODIES"  # the folder of bodies, set by the builder while it builds


# The theme's search panel is a dialog without a name (axe: aria-dialog-name).
_SEARCH = '<div class="md-search" data-md-component="search" role="dialog">'
_NAMED_SEARCH = _SEARCH.replace('role="dialog"', 'role="dialog" aria-label="Search the directory"')


def on_post_page(output: str, page: Any, config: Any) -> str:
    output = output.replace(_SEARCH, _NAMED_SEARCH, 1)
    folder = os.environ.get(BODIES)
    if not folder or PLACEHOLDER not in output:
        return output
    body = Path(folder) / Path(page.file.src_uri).with_suffix(".html")
    return output.replace(PLACEHOLDER, body.read_text(), 1)
