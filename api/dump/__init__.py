"""The whole database as versioned JSON Lines, and back: `vouch export` / `vouch load`."""

from api.dump.export import export_database
from api.dump.format import FORMAT_VERSION, DumpError, Manifest
from api.dump.load import check_dump, load_database, needs_migrating

__all__ = [
    "FORMAT_VERSION",
    "DumpError",
    "Manifest",
    "check_dump",
    "export_database",
    "load_database",
    "needs_migrating",
]
