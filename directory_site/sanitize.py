"""Text from strangers (partners' profiles, respondents' comments) made safe for the site.

Markdown is rendered without raw HTML and without attr_list, then the HTML is cleaned by
nh3 against an allow-list: no scripts, no event attributes, no `javascript:` or `data:`
links, no styles, no ids or classes a page could be restyled with.
"""

from __future__ import annotations

import html
import re

import markdown
import nh3

TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "code", "pre",
    "blockquote", "h3", "h4", "h5", "h6", "hr",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def markdown_html(text: str | None) -> str:
    """Markdown from a stranger as safe HTML: raw HTML in it is shown as text, not run."""
    if not text:
        return ""
    # Escaping first makes raw HTML (and entities) plain text; Markdown syntax survives.
    rendered = markdown.markdown(
        html.escape(text, quote=False), extensions=[], output_format="html"
    )
    return clean(rendered)


def clean(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
        strip_comments=True,
    )


def web_url(value: str | None) -> str | None:
    """An http(s) URL fit for an href, else None (`javascript:` and the like)."""
    if not value or not value.lower().startswith(("https://", "http://")):
        return None
    return value


def title(value: str) -> str:
    """A page title as the theme uses it: raw in <title>, the header and the search index,
    after Jinja's `striptags` (which also decodes entities), so it must hold no markup
    characters at all."""
    return re.sub(r"\s+", " ", value.replace("&", " and ").translate(_MARKUP)).strip()


_MARKUP = str.maketrans({"<": "", ">": "", '"': "", "`": ""})


def text(value: object) -> str:
    """Plain text for an HTML context (element content or a quoted attribute)."""
    return html.escape("" if value is None else str(value), quote=True)
