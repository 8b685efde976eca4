"""Where a template page's body goes: mkdocs keeps the comment, the build replaces it."""

from __future__ import annotations

PLACEHOLDER = "<!-- vouch:body -->"
