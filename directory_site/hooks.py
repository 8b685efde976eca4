"""mkdocs hooks for the directory site (mkdocs.yml: `hooks`).

mkdocs builds template pages: a page with data is made by the generator as finished,
sanitised HTML, which takes the place of the template's placeholder after mkdocs
(directory_site/data_pages.py, partner_pages.py). Markdown and the search plugin see only
the title and what is written above the body. Parsing every partner's tables and charts
twice, as Markdown and for the search index, was most of the build's time (and would have
put every word in the index).
"""

from __future__ import annotations

from typing import Any

DATA_DAY = "vouch_data_day"  # the key in the config's `extra` set by directory_site.build

# The theme's search panel is a dialog without a name (axe: aria-dialog-name).
_SEARCH = '<div class="md-search" data-md-component="search" role="dialog">'
_NAMED_SEARCH = _SEARCH.replace('role="dialog"', 'role="dialog" aria-label="Search the directory"')


def on_pre_page(page: Any, config: Any, files: Any) -> Any:
    # mkdocs dates a page by the clock (or SOURCE_DATE_EPOCH): the data's day instead.
    day = config.extra.get(DATA_DAY)
    if day:
        page.update_date = day
    return page


def on_post_page(output: str, page: Any, config: Any) -> str:
    return output.replace(_SEARCH, _NAMED_SEARCH, 1)
