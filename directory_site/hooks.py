"""mkdocs hooks for the directory site (mkdocs.yml: `hooks`).

mkdocs builds template pages: a page with data is made by the generator as finished,
sanitised HTML, which takes the place of the template's placeholder after mkdocs
(directory_site/data_pages.py, partner_pages.py). Markdown sees only the title and what is
written above the body: parsing every partner's tables and charts as Markdown was most of
the build's time. The header's search box is ours (overrides/partials/header.html).
"""

from __future__ import annotations

from typing import Any

DATA_DAY = "vouch_data_day"  # the key in the config's `extra` set by directory_site.build


def on_pre_page(page: Any, config: Any, files: Any) -> Any:
    # mkdocs dates a page by the clock (or SOURCE_DATE_EPOCH): the data's day instead.
    day = config.extra.get(DATA_DAY)
    if day:
        page.update_date = day
    return page
