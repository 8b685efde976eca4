"""Pages' bodies as finished HTML, by source path, while one build runs in this process."""

from __future__ import annotations

PLACEHOLDER = "<!-- vouch:body -->"
BODIES: dict[str, str] = {}
"""Filled by directory_site.build before mkdocs runs, emptied after; read by the hook."""
