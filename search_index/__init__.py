"""Full-text, faceted partner search, derived from the database and kept in step with it.

Callers use `index_for(index_dir, engine)` and its `build`, `sync` and `search`; only
`whoosh_engine` and `tantivy_engine` know the engines behind them (see `engine.Engine`).
"""

from search_index.engine import FACET_FIELDS, Filters, Hit, SearchPage
from search_index.engines import DEFAULT_ENGINE, ENGINES
from search_index.query_text import MAX_QUERY_CHARS, MAX_QUERY_WORDS
from search_index.service import (
    BuildSummary,
    SearchIndex,
    SearchUnavailable,
    SyncSummary,
    index_for,
)
from search_index.store import IndexBusy

__all__ = [
    "DEFAULT_ENGINE",
    "ENGINES",
    "FACET_FIELDS",
    "MAX_QUERY_CHARS",
    "MAX_QUERY_WORDS",
    "BuildSummary",
    "Filters",
    "Hit",
    "IndexBusy",
    "SearchIndex",
    "SearchPage",
    "SearchUnavailable",
    "SyncSummary",
    "index_for",
]
