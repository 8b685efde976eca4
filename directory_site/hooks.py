"""mkdocs hooks for the directory site (mkdocs.yml: `hooks`).

A partner page's body is made by the generator as finished, sanitised HTML and kept in
memory (directory_site.bodies); Markdown sees only the title and a one-line summary, and
the body takes the placeholder's place in the final page. Parsing every partner's tables
and charts as Markdown was most of the build's time.
"""

from __future__ import annotations

from typing import Any

from directory_site.bodies import BODIES, PLACEHOLDER

DATA_DAY = "vouch_data_day"  # the key in the config's `extra` set by directory_site.build


def on_pre_page(page: Any, config: Any, files: Any) -> Any:
    # mkdocs dates a page by the clock (or SOURCE_DATE_EPOCH): the data's day instead.
    day = config.extra.get(DATA_DAY)
    if day:
        page.update_date = day
    return page


def on_post_page(output: str, page: Any, config: Any) -> str:
    body = BODIES.get(page.file.src_uri)
    if body is None:
        return output
    return output.replace(PLACEHOLDER, body, 1)
