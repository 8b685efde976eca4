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
    if not _MARKDOWN_SYNTAX.search(text):
        # Plain prose (most comments): paragraphs of escaped text, no Markdown pass needed.
        paragraphs = (part.strip() for part in re.split(r"\n\s*\n", text))
        return "".join(f"<p>{html.escape(part, quote=False)}</p>" for part in paragraphs if part)
    # Escaping first makes raw HTML (and entities) plain text; Markdown syntax survives.
    rendered = _MARKDOWN.reset().convert(html.escape(text, quote=False))
    # A stranger's headings sit under the page's own: # and ## become h3 and h4.
    rendered = re.sub(r"<(/?)h([12])>", lambda m: f"<{m[1]}h{int(m[2]) + 2}>", rendered)
    return clean(rendered)


# What makes a text more than plain paragraphs: emphasis, links, code, headings, quotes,
# tables, lists, setext underlines, indented code (and characters to escape).
_MARKDOWN_SYNTAX = re.compile(r"[*_`\[\]#>|<&\\]|^\s*(?:[-+]|\d+\.)\s|^ {4}|\n[=-]+\s*$", re.M)
_MARKDOWN = markdown.Markdown(extensions=[], output_format="html")
"""One converter, reset between texts: building one costs more than converting a comment."""


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
