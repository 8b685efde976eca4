"""The engines by the names VOUCH_SEARCH_ENGINE takes."""

from __future__ import annotations

from search_index.engine import Engine

ENGINES = ("whoosh", "tantivy")
DEFAULT_ENGINE = "whoosh"


def engine_named(name: str) -> Engine:
    if name == "whoosh":
        from search_index.whoosh_engine import WhooshEngine

        return WhooshEngine()
    if name == "tantivy":
        from search_index.tantivy_engine import TantivyEngine

        return TantivyEngine()
    raise ValueError(f"no search engine named {name!r}: one of {', '.join(ENGINES)}")
